import { spawnSync } from "node:child_process";
import { join } from "node:path";

/**
 * `pulumi up` of prod without appImage, on a stack whose last deployment ran the workloads (its
 * own outputs, read through a StackReference to itself): refused with the image to set, so the run
 * fails before the engine deletes anything — the namespace, both Deployments, the load-balancer
 * attachments and the partners' RandomPassword keys stay as they are. A first deploy (no outputs)
 * goes on without workloads.
 *
 * The program runs in a child process: the refusal is a rejected Output, which the SDK also
 * re-raises as unhandled rejections that a test runner's sandbox cannot catch.
 */
const root = join(__dirname, "../../..");
const running = "123456789012.dkr.ecr.us-east-1.amazonaws.com/edgestack-prod/app@sha256:" + "5e".repeat(32);

function run(stackOutputs: Record<string, unknown>): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const { runStack } = require("./offline/engine/engine");
    runStack({ stack: "prod", config: { "edgestack:appImage": "", "edgestack:apiKeyNames": '["partner-a"]' },
               stackOutputs: { "organization/edgestack/prod": ${JSON.stringify(stackOutputs)} } })
      .then((r) => { console.log(JSON.stringify(r.resources.map((x) => (x.urn.includes("edgestack:cluster:NodeAutoscaler$") ? "node-autoscaler " : "") + x.type))); process.exit(0); },
            (e) => { console.error("REFUSED: " + e.message); process.exit(3); });
    process.on("unhandledRejection", () => {});`;
  const result = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", script], { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("an omitted appImage on a stack that runs workloads is refused, naming the running image", () => {
  const result = run({ appImage: running, namespace: "edgestack" });
  expect(result.status).toBe(3);
  expect(result.stderr).toContain(
    `REFUSED: edgestack:appImage is not set, but stack prod runs ${running}: without an image this update would delete the namespace, the Deployments and the generated API keys. Set the image to keep running: pulumi config set edgestack:appImage ${running}`,
  );
}, 150_000);

test("a first deploy (no outputs yet) goes on, without workloads", () => {
  const result = run({});
  expect(result.stderr).not.toContain("REFUSED");
  expect(result.status).toBe(0);
  const types = JSON.parse(result.stdout.trim().split("\n").pop()!) as string[];
  expect(types).toContain("aws:eks/cluster:Cluster");
  // The cluster's node autoscaler runs; no workload of the app does.
  expect(types).toContain("node-autoscaler kubernetes:apps/v1:Deployment");
  expect(types).not.toContain("kubernetes:apps/v1:Deployment");
  expect(types).not.toContain("kubernetes:core/v1:Namespace");
}, 150_000);
