import { input, one, runStack, StackRun } from "../../harness";

/** dev: single-AZ, no protect, no final snapshot — and a Redis OSS engine picks its own family. */
let run: StackRun;

beforeAll(async () => {
  run = await runStack({
    stack: "dev",
    config: { "edgestack:cacheEngine": "redis", "edgestack:cacheEngineVersion": "7.1", "edgestack:cacheReplicas": "0", "edgestack:cacheShards": "3" },
  });
});

it("leaves multi-AZ off when cacheMultiAz is off: shards of one node each, failover on as cluster mode requires", () => {
  const group = one(run, "aws:elasticache/replicationGroup:ReplicationGroup");
  expect(input(group, "clusterMode")).toBe("enabled");
  expect(input(group, "automaticFailoverEnabled")).toBe(true);
  expect(input(group, "multiAzEnabled")).toBe(false);
  expect(input(group, "numNodeGroups")).toBe(3);
  expect(input(group, "replicasPerNodeGroup")).toBe(0);
});

it("is not protected and takes no final snapshot outside prod, but keeps encryption", () => {
  const group = one(run, "aws:elasticache/replicationGroup:ReplicationGroup");
  expect(group.protect).toBe(false);
  expect(input(group, "finalSnapshotIdentifier")).toBeUndefined();
  expect(input(group, "transitEncryptionMode")).toBe("required");
  expect(input(group, "atRestEncryptionEnabled")).toBe(true);
});

it("uses the engine's own parameter-group family", () => {
  const group = one(run, "aws:elasticache/replicationGroup:ReplicationGroup");
  expect(input(group, "engine")).toBe("redis");
  expect(input(one(run, "aws:elasticache/parameterGroup:ParameterGroup"), "family")).toBe("redis7");
});
