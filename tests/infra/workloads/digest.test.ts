import { createHash } from "node:crypto";
import { appDeploymentSpec } from "../../../infra/workloads/app";
import { CONFIG_DIGEST_ANNOTATION, CONFIG_SOURCES_ANNOTATION, configAnnotations, configDigest, consumedObjects } from "../../../infra/workloads/digest";
import { parseStackConfig } from "../../../infra/config/schema";

const key = "k".repeat(48);
const redis = { kind: "secret" as const, name: "app-redis", data: { REDIS_URL: "rediss://:token-one@cache:6379" } };
const keys = { kind: "secret" as const, name: "app-api-keys", data: { API_KEY_HASHES: "aa,bb" } };

describe("configDigest", () => {
  it("changes when any consumed value changes, and only then (order does not matter)", () => {
    const base = configDigest(key, [redis, keys]);
    expect(configDigest(key, [keys, redis])).toBe(base);
    expect(configDigest(key, [{ ...redis, data: { REDIS_URL: "rediss://:token-two@cache:6379" } }, keys])).not.toBe(base);
    expect(configDigest(key, [redis, { ...keys, data: { API_KEY_HASHES: "aa,bb,cc" } }])).not.toBe(base);
    expect(configDigest(key, [redis])).not.toBe(base);
  });

  it("is keyed: without the key the value cannot be confirmed by hashing a guess", () => {
    const digest = configDigest(key, [redis]);
    expect(configDigest("x".repeat(48), [redis])).not.toBe(digest);
    const guess = createHash("sha256").update(JSON.stringify([["secret/app-redis", [["REDIS_URL", redis.data.REDIS_URL]]]])).digest("hex");
    expect(digest).not.toBe(guess);
    expect(digest).not.toContain("token-one");
    expect(() => configDigest("short", [redis])).toThrow(/at least 16/);
  });

  it("annotates the digest and the objects it covers", () => {
    expect(configAnnotations(key, [redis, keys])).toEqual({ [CONFIG_DIGEST_ANNOTATION]: configDigest(key, [redis, keys]), [CONFIG_SOURCES_ANNOTATION]: "secret/app-api-keys,secret/app-redis" });
  });
});

describe("consumedObjects", () => {
  it("finds Secrets and ConfigMaps in env, envFrom, volumes and projected volumes", () => {
    expect(
      consumedObjects({
        containers: [{ env: [{ valueFrom: { secretKeyRef: { name: "s1" } } }, { valueFrom: { configMapKeyRef: { name: "c1" } } }], envFrom: [{ secretRef: { name: "s2" } }] }],
        initContainers: [{ envFrom: [{ configMapRef: { name: "c2" } }] }],
        volumes: [{ secret: { secretName: "s3" } }, { configMap: { name: "c3" } }, { projected: { sources: [{ secret: { name: "s4" } }, { configMap: { name: "c4" } }] } }],
      }),
    ).toEqual(["configmap/c1", "configmap/c2", "configmap/c3", "configmap/c4", "secret/s1", "secret/s2", "secret/s3", "secret/s4"]);
  });

  it("sees the app's Secrets", () => {
    const s = parseStackConfig(
      { "aws:region": "eu-west-1", "edgestack:domain": "example.com", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/d", "edgestack:apiKeyNames": '["partner-a"]' },
      "dev",
    );
    expect(consumedObjects((appDeploymentSpec(s, "app-redis", [s.vpcCidr]).template as { spec: never }).spec)).toEqual(["secret/app-api-keys", "secret/app-redis"]);
  });
});
