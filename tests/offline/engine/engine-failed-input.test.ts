import * as path from "node:path";
import { runStack } from "../../harness";

describe("offline engine: a failed input", () => {
  it("fails the run at once with the apply's error, although registrations wait on the failed output forever", async () => {
    // Without the engine observing the failed registration, the run waits for those registrations and
    // this test ends on jest's timeout instead of the error.
    await expect(
      runStack({ stack: "test", root: path.resolve(__dirname, "../../fixtures/offline-project"), config: { "fixture:failingInput": "true" } }),
    ).rejects.toThrow(/fixture: the check on arn:aws:sqs:eu-central-1:\d{12}:box-\S+ fails/);
  }, 20_000);
});
