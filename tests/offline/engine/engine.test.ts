import * as path from "node:path";
import { dependsOn, input, isSecretInput, one, onDefaultProviders, runStack, StackRun, toPlan } from "../../harness";

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

  it("tells resources and invokes on an explicit provider from those left to a default provider", () => {
    // The fixture hands its component the aws provider only: the random password falls back to a default.
    expect(onDefaultProviders(run)).toEqual(["random:index/randomPassword:RandomPassword::box-password"]);
    expect(one(run, "aws:sqs/queue:Queue").provider).toMatch(/^urn:pulumi:test::fixture::pulumi:providers:aws::aws::/);
    expect(run.invokesWithoutProvider).toEqual([]);
  });

  it("records what each resource waits for", () => {
    // The queue's tags use the password's result: it depends on the password, not the other way round.
    expect(dependsOn(one(run, "aws:sqs/queue:Queue"), one(run, "random:index/randomPassword:RandomPassword"))).toBe(true);
    expect(dependsOn(one(run, "random:index/randomPassword:RandomPassword"), one(run, "aws:sqs/queue:Queue"))).toBe(false);
  });

  it("passes config as Pulumi does: structured values decoded by the program", () => {
    expect(run.outputs.count).toBe(3);
    expect(run.outputs.list).toEqual(["a", "b"]);
  });

  it("treats secure: values as secrets without a passphrase", () => {
    const queue = one(run, "aws:sqs/queue:Queue");
    expect(isSecretInput(queue, "tags.token")).toBe(true);
    // The stand-in carries a digest of the stack file's ciphertext, so a rotated value shows as a change.
    expect(input(queue, "tags.token")).toMatch(/^offline-secret:fixture:token:[0-9a-f]{16}$/);
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
    // Like the engine, only the secret values are secret: their siblings show.
    expect(queue.inputs).toEqual({ name: "box-hello", tags: { owner: "fixture", password: "[secret]", token: "[secret]" } });
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
