/**
 * API keys the stack generates (apiKeyNames): random keys, only their SHA-256 digests in the
 * Secret the app reads, the keys themselves a secret output; and the digests are exactly what the
 * app's own check accepts.
 */
import { ApiKeyRegistry } from "../../../app/src/apiKeys";
import { loadConfig } from "../../../app/src/config";
import { ConfigError, parseStackConfig } from "../../../infra/config/schema";
import { apiKeysSecretName, appDeploymentSpec } from "../../../infra/workloads/app";
import { input, isSecretInput, ofType, one, runStack, type StackRun } from "../../harness";

let run: StackRun;

/** The app pod spec of the Deployment spec (plain values: the spec is built from plain settings). */
type PodSpec = { containers: { env: { name: string; value?: string }[] }[]; volumes: { name: string; secret?: { secretName: string } }[] };
const podSpecOf = (config: Parameters<typeof appDeploymentSpec>[0]) => (appDeploymentSpec(config, "app-redis", [config.vpcCidr]) as unknown as { template: { spec: PodSpec } }).template.spec;

beforeAll(async () => {
  run = await runStack({ stack: "dev", config: { "edgestack:apiKeyNames": JSON.stringify(["partner-a", "partner-b"]) } });
});

/** The Secret the app reads API_KEY_HASHES from: the file API_KEY_HASHES_FILE names, in the volume mounted there. */
const hashesSecretOf = (spec: PodSpec) => {
  expect(spec.containers[0]!.env.find((e) => e.name === "API_KEY_HASHES")).toBeUndefined();
  const file = spec.containers[0]!.env.find((e) => e.name === "API_KEY_HASHES_FILE");
  expect(file?.value).toBe("/var/run/secrets/edgestack/api-keys/API_KEY_HASHES");
  return spec.volumes.find((v) => v.name === "api-key-hashes")?.secret;
};
const envOf = (name: string) => hashesSecretOf(input<PodSpec>(one(run, "kubernetes:apps/v1:Deployment", `workloads-${name}`), "spec.template.spec"));

test("one random 40-character key per name, in an ApiKeys component", () => {
  const passwords = ofType(run, "random:index/randomPassword:RandomPassword").filter((r) => r.name.startsWith("workloads-api-keys-"));
  expect(passwords.map((p) => p.name).sort()).toEqual(["workloads-api-keys-partner-a", "workloads-api-keys-partner-b"]);
  for (const p of passwords) {
    expect(input(p, "length")).toBe(40);
    expect(input(p, "special")).toBe(false);
    expect(p.parent).toBe("workloads-api-keys");
  }
  expect(one(run, "edgestack:workloads:ApiKeys").parent).toBe("workloads");
});

test("the Secret holds only the digests, as a secret; the app reads it; the app accepts exactly those keys", () => {
  const secret = ofType(run, "kubernetes:core/v1:Secret").find((s) => input(s, "metadata.name") === "app-api-keys")!;
  expect(isSecretInput(secret, "stringData")).toBe(true);
  const hashes = input<string>(secret, "stringData.API_KEY_HASHES");
  expect(hashes).toMatch(/^[0-9a-f]{64},[0-9a-f]{64}$/);
  expect(envOf("app")).toMatchObject({ secretName: "app-api-keys", items: [{ key: "API_KEY_HASHES", path: "API_KEY_HASHES" }] });

  const keys = run.outputs.apiKeys as Record<string, string>;
  expect(run.secretOutputs).toContain("apiKeys");
  expect(Object.keys(keys).sort()).toEqual(["partner-a", "partner-b"]);
  for (const key of Object.values(keys)) expect(hashes).not.toContain(key);

  const registry = new ApiKeyRegistry(loadConfig({ API_KEY_HASHES: hashes }).apiKeyHashes);
  expect(registry.classify(keys["partner-a"]).kind).toBe("known");
  expect(registry.classify(keys["partner-b"]).kind).toBe("known");
  expect(registry.classify("x".repeat(40))).toEqual({ kind: "anonymous", presented: true });
});

describe("a Secret the user supplies (apiKeysSecretName)", () => {
  const base = { "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "example.com" };

  test("the Deployment reads API_KEY_HASHES from it and the stack generates nothing", () => {
    const config = parseStackConfig({ ...base, "edgestack:apiKeysSecretName": "partner-keys" }, "dev");
    expect(apiKeysSecretName(config)).toBe("partner-keys");
    expect(hashesSecretOf(podSpecOf(config))).toMatchObject({ secretName: "partner-keys" });
  });

  test("without keys configured the app gets no API_KEY_HASHES (every key counts as none)", () => {
    const config = parseStackConfig(base, "dev");
    expect(apiKeysSecretName(config)).toBeUndefined();
    const spec = podSpecOf(config);
    expect(spec.containers[0]!.env.map((e) => e.name)).not.toContain("API_KEY_HASHES");
    expect(spec.containers[0]!.env.map((e) => e.name)).not.toContain("API_KEY_HASHES_FILE");
    expect(spec.volumes.map((v) => v.name)).not.toContain("api-key-hashes");
  });

  test("both at once, or a name twice, is refused naming the keys", () => {
    const refused = (raw: Record<string, string>) => {
      try {
        parseStackConfig({ ...base, ...raw }, "dev");
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems.join("\n");
      }
      throw new Error("expected a ConfigError");
    };
    expect(refused({ "edgestack:apiKeysSecretName": "mine", "edgestack:apiKeyNames": '["a"]' })).toMatch(/edgestack:apiKeysSecretName \("mine"\) and edgestack:apiKeyNames \(\["a"\]\): set one, not both/);
    expect(refused({ "edgestack:apiKeyNames": '["a","a"]' })).toMatch(/edgestack:apiKeyNames: \["a","a"\] has a name twice/);
    expect(refused({ "edgestack:wsAllowedOrigins": '["*"]' })).toMatch(/edgestack:wsAllowedOrigins/);
  });
});
