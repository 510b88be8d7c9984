import * as path from "node:path";
import { runStack } from "../../harness";

describe("offline engine: invokes", () => {
  it("fails loudly on an invoke it has no mock for", async () => {
    await expect(
      runStack({ stack: "test", root: path.resolve(__dirname, "../../fixtures/offline-project"), config: { "fixture:unmockedInvoke": "true" } }),
    ).rejects.toThrow(/no mock for invoke aws:ec2\/getAmi:getAmi/);
  });
});
