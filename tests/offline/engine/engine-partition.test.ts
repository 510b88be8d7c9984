import * as path from "node:path";
import { runStack } from "../../harness";

describe("offline engine: the partition", () => {
  it("writes the ARNs it generates in the partition a test's getPartition answer reports", async () => {
    const run = await runStack({
      stack: "test",
      root: path.resolve(__dirname, "../../fixtures/offline-project"),
      // The partition alone: the DNS suffix and the reverse prefix come from the engine's table.
      invokeAnswers: { "aws:index/getPartition:getPartition": () => ({ partition: "aws-us-gov" }) },
    });
    expect(run.outputs.queueArn).toMatch(/^arn:aws-us-gov:sqs:eu-central-1:\d{12}:box-queue-[0-9a-f]+$/);
  });
});
