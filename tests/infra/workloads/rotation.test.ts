import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { CONFIG_DIGEST_ANNOTATION, CONFIG_SOURCES_ANNOTATION, consumedObjects } from "../../../infra/workloads/digest";

/**
 * Rotations reach the pods: the dev stack planned as it is, with the Redis AUTH token rotated (step
 * one of two), and with an API key rotated while the previous key is still accepted. Each plan runs
 * in its own process (the offline engine runs one stack per process).
 */
const root = join(__dirname, "../../..");
type Resource = { type: string; name: string; inputs: Record<string, any> };

function plan(config: Record<string, string>): { resources: Resource[]; apiKeys: Record<string, string> } {
  // Through a file: a pipe write larger than the pipe's buffer is asynchronous, and process.exit would cut it off.
  const out = join(mkdtempSync(join(tmpdir(), "rotation-plan-")), "plan.json");
  const script = `
    const { runStack } = require("./offline/engine/engine");
    runStack({ stack: "dev", config: ${JSON.stringify({ "edgestack:apiKeyNames": '["partner-a"]', ...config })} })
      .then((r) => { require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify({ resources: r.resources.map(({ type, name, inputs }) => ({ type, name, inputs })), apiKeys: r.outputs.apiKeys })); process.exit(0); },
            (e) => { console.error(e); process.exit(3); });`;
  const result = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", script], { cwd: root, encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(readFileSync(out, "utf8"));
}
const deployment = (p: ReturnType<typeof plan>, name: string) => p.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.inputs.metadata.name === name)!;
const annotations = (p: ReturnType<typeof plan>, name: string) => deployment(p, name).inputs.spec.template.metadata.annotations as Record<string, string>;
const secretData = (p: ReturnType<typeof plan>, name: string) => p.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === name)!.inputs.stringData;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let base: ReturnType<typeof plan>;
let redisRotated: ReturnType<typeof plan>;
let keyRotating: ReturnType<typeof plan>;
let keyRotated: ReturnType<typeof plan>;
beforeAll(() => {
  base = plan({});
  redisRotated = plan({ "edgestack:cacheAuthTokenGeneration": "2", "edgestack:cacheAuthTokenUpdateStrategy": "ROTATE" });
  keyRotating = plan({ "edgestack:apiKeyGenerations": '["partner-a:2"]', "edgestack:apiKeyAcceptPrevious": '["partner-a"]' });
  keyRotated = plan({ "edgestack:apiKeyGenerations": '["partner-a:2"]' });
}, 480_000);

it("every Deployment's digest covers every stack-managed Secret and ConfigMap its pods consume", () => {
  const managed = new Set(base.resources.filter((r) => /^kubernetes:core\/v1:(Secret|ConfigMap)$/.test(r.type)).map((r) => `${r.type.endsWith("Secret") ? "secret" : "configmap"}/${r.inputs.metadata.name}`));
  // The workloads' Deployments (the node autoscaler in its own namespace consumes no stack-managed object).
  const deployments = base.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment" && r.inputs.metadata.namespace === "edgestack");
  expect(deployments.map((d) => d.inputs.metadata.name).sort()).toEqual(["app", "nginx"]);
  for (const d of deployments) {
    const consumed = consumedObjects(d.inputs.spec.template.spec).filter((o) => managed.has(o));
    expect(consumed.length).toBeGreaterThan(0);
    const covered = d.inputs.spec.template.metadata.annotations[CONFIG_SOURCES_ANNOTATION].split(",");
    expect({ deployment: d.inputs.metadata.name, uncovered: consumed.filter((o) => !covered.includes(o)) }).toEqual({ deployment: d.inputs.metadata.name, uncovered: [] });
    expect(d.inputs.spec.template.metadata.annotations[CONFIG_DIGEST_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
  }
});

it("a rotated Redis AUTH token changes REDIS_URL and rolls the app, not nginx; ElastiCache keeps the old token (ROTATE)", () => {
  expect(secretData(redisRotated, "app-redis").REDIS_URL).not.toBe(secretData(base, "app-redis").REDIS_URL);
  expect(annotations(redisRotated, "app")[CONFIG_DIGEST_ANNOTATION]).not.toBe(annotations(base, "app")[CONFIG_DIGEST_ANNOTATION]);
  expect(annotations(redisRotated, "nginx")).toEqual(annotations(base, "nginx"));
  const group = redisRotated.resources.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
  expect(group.inputs.authTokenUpdateStrategy).toBe("ROTATE");
  // The digest reveals neither the URL nor a plain hash of it.
  const digest = annotations(redisRotated, "app")[CONFIG_DIGEST_ANNOTATION];
  expect(digest).not.toBe(sha256(secretData(redisRotated, "app-redis").REDIS_URL));
});

it("the Redis URL and the API key digests reach the app as files of the mounted Secrets, never as environment variables", () => {
  const spec = deployment(base, "app").inputs.spec.template.spec;
  const app = spec.containers[0];
  expect(app.env.filter((e: { valueFrom?: { secretKeyRef?: unknown } }) => e.valueFrom?.secretKeyRef)).toEqual([]);
  const env = Object.fromEntries(app.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
  for (const [variable, secret, key] of [["REDIS_URL_FILE", "app-redis", "REDIS_URL"], ["API_KEY_HASHES_FILE", "app-api-keys", "API_KEY_HASHES"]]) {
    const path = env[variable] as string;
    const mount = app.volumeMounts.find((m: { mountPath: string }) => path.startsWith(`${m.mountPath}/`));
    expect(mount).toMatchObject({ readOnly: true });
    const volume = spec.volumes.find((v: { name: string }) => v.name === mount.name);
    // The file name under the mount is the Secret's key; the Secret holds the value the app reads.
    expect(volume.secret).toMatchObject({ secretName: secret, items: [{ key, path: path.slice(mount.mountPath.length + 1) }], defaultMode: 0o440 });
    expect(secretData(base, secret)[key]).toBeTruthy();
  }
});

it("an API key rotation keeps the old key valid until its second step, and each step rolls the app", () => {
  const oldKey = base.apiKeys["partner-a"];
  const newKey = keyRotating.apiKeys["partner-a"];
  expect(newKey).not.toBe(oldKey);
  const accepted = (p: ReturnType<typeof plan>) => String(secretData(p, "app-api-keys").API_KEY_HASHES).split(",");
  expect(accepted(base)).toEqual([sha256(oldKey)]);
  expect(accepted(keyRotating).sort()).toEqual([sha256(newKey), sha256(oldKey)].sort());
  expect(accepted(keyRotated)).toEqual([sha256(newKey)]);
  const digests = [base, keyRotating, keyRotated].map((p) => annotations(p, "app")[CONFIG_DIGEST_ANNOTATION]);
  expect(new Set(digests).size).toBe(3);
});
