import * as path from "node:path";
import { input, isSecretInput, one, runStack, StackRun, toPlan } from "../../harness";

const root = path.resolve(__dirname, "../../fixtures/offline-project");
let run: StackRun;

beforeAll(async () => {
  run = await runStack({ stack: "test", root });
});

describe("offline engine", () => {
  it("records type, name, parent and inputs of every registered resource", () => {
    expect(run.resources.map((r) => `${r.type} ${r.name} <- ${r.parent}`)).toEqual([
      "pulumi:providers:aws aws <- null",
      "fixture:index:Box box <- null",
      "random:index/randomPassword:RandomPassword box-password <- box",
      "aws:sqs/queue:Queue box-queue <- box",
    ]);
    expect(input(one(run, "aws:sqs/queue:Queue"), "name")).toBe("box-hello");
  });

  it("passes config as Pulumi does: structured values decoded by the program", () => {
    expect(run.outputs.count).toBe(3);
    expect(run.outputs.list).toEqual(["a", "b"]);
  });

  it("treats secure: values as secrets without a passphrase", () => {
    const queue = one(run, "aws:sqs/queue:Queue");
    expect(isSecretInput(queue, "tags.token")).toBe(true);
    expect(input(queue, "tags.token")).toBe("offline-secret:fixture:token");
    expect(run.secretOutputs).toContain("token");
  });

  it("marks provider outputs secret the way the engine does (additionalSecretOutputs)", () => {
    const queue = one(run, "aws:sqs/queue:Queue");
    expect(isSecretInput(queue, "tags.password")).toBe(true);
    expect(input<string>(queue, "tags.password")).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(isSecretInput(queue, "name")).toBe(false);
  });

  it("masks secrets in the plan and leaves the rest", () => {
    const queue = toPlan(run.resources).find((r) => r.name === "box-queue")!;
    // The engine hoists a nested secret to its whole property (secretPaths); the plan masks only
    // the secret values themselves, so rules still see the structure around them.
    expect(isSecretInput(one(run, "aws:sqs/queue:Queue"), "tags")).toBe(true);
    expect(queue.inputs).toEqual({ name: "box-hello", tags: { password: "[secret]", token: "[secret]" } });
    expect(JSON.stringify(toPlan(run.resources))).not.toContain("offline-secret");
  });

  it("answers invokes with realistic values and computes outputs from names", () => {
    expect(run.outputs.firstZone).toBe("eu-central-1a");
    expect(run.outputs.queueArn).toMatch(/^arn:aws:sqs:eu-central-1:123456789012:/);
  });

  it("refuses a second stack in the same process", async () => {
    await expect(runStack({ stack: "test", root })).rejects.toThrow(/one stack per process/);
  });
});
