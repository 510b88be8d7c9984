import { CapturedResource, childrenOf, input, isSecretInput, ofType, one, runStack, StackRun, toPlan } from "../../harness";

/** The prod stack's cache: every item of issue 4's ElastiCache deliverable, as registered. */
let run: StackRun;
let group: CapturedResource;
let token: string;

beforeAll(async () => {
  run = await runStack({ stack: "prod" });
  group = one(run, "aws:elasticache/replicationGroup:ReplicationGroup");
  token = input<string>(group, "authToken");
});

describe("replication group (prod)", () => {
  it("requires TLS and encrypts at rest", () => {
    expect(input(group, "transitEncryptionEnabled")).toBe(true);
    expect(input(group, "transitEncryptionMode")).toBe("required");
    expect(input(group, "atRestEncryptionEnabled")).toBe(true);
  });

  it("takes engine, version, node type, shards and replicas per shard from the stack config", () => {
    expect(input(group, "engine")).toBe("valkey");
    expect(input(group, "engineVersion")).toBe("8.0");
    expect(input(group, "nodeType")).toBe("cache.r7g.large");
    // Cluster mode, default 1 shard; Pulumi.prod.yaml: cacheReplicas 2 → primary + 2 replicas per shard.
    expect(input(group, "clusterMode")).toBe("enabled");
    expect(input(group, "numNodeGroups")).toBe(1);
    expect(input(group, "replicasPerNodeGroup")).toBe(2);
    expect(input(group, "numCacheClusters")).toBeUndefined();
  });

  it("is multi-AZ with automatic failover in prod", () => {
    expect(input(group, "automaticFailoverEnabled")).toBe(true);
    expect(input(group, "multiAzEnabled")).toBe(true);
  });

  it("keeps snapshots, has a maintenance window, applies changes in that window, and takes a final snapshot", () => {
    expect(input(group, "snapshotRetentionLimit")).toBe(7);
    expect(input(group, "snapshotWindow")).toBe("03:00-04:00");
    expect(input(group, "maintenanceWindow")).toBe("sun:05:00-sun:06:00");
    expect(input(group, "applyImmediately")).toBe(false);
    expect(input(group, "finalSnapshotIdentifier")).toBe("edgestack-prod-final");
  });

  it("is protected in prod", () => {
    expect(group.protect).toBe(true);
  });

  it("delivers the slow log to its own CloudWatch log group", () => {
    const logGroup = ofType(run, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.parent === "cache")!;
    expect(input(group, "logDeliveryConfigurations")).toEqual([
      { destination: input(logGroup, "name"), destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" },
    ]);
  });

  it("lives in the private subnets through a subnet group and uses the volatile-ttl parameter group", () => {
    const subnets = one(run, "aws:elasticache/subnetGroup:SubnetGroup");
    const privateSubnets = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private"));
    expect(input<string[]>(subnets, "subnetIds")).toHaveLength(privateSubnets.length);
    expect(input(group, "subnetGroupName")).toMatch(/^cache-subnets-[0-9a-f]{7}$/);
    const params = one(run, "aws:elasticache/parameterGroup:ParameterGroup");
    expect(input(group, "parameterGroupName")).toMatch(/^cache-params-[0-9a-f]{7}$/);
    expect(input(params, "family")).toBe("valkey8");
    expect(input(params, "parameters")).toEqual([
      { name: "maxmemory-policy", value: "volatile-ttl" },
      { name: "lazyfree-lazy-expire", value: "yes" },
      { name: "cluster-enabled", value: "yes" },
    ]);
  });
});

describe("cache security group", () => {
  it("allows 6379 only from the node security group, by reference", () => {
    const sg = ofType(run, "aws:ec2/securityGroup:SecurityGroup").find((r) => r.parent === "cache")!;
    const cacheSgId = input<string[]>(group, "securityGroupIds");
    expect(cacheSgId).toHaveLength(1);
    const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.parent === "cache");
    expect(rules).toHaveLength(1);
    const rule = rules[0];
    expect(input(rule, "fromPort")).toBe(6379);
    expect(input(rule, "toPort")).toBe(6379);
    expect(input(rule, "ipProtocol")).toBe("tcp");
    expect(input(rule, "cidrIpv4")).toBeUndefined();
    expect(input(rule, "cidrIpv6")).toBeUndefined();
    expect(input(rule, "prefixListId")).toBeUndefined();
    // The referenced group is the one the node launch template puts on every node.
    const launchTemplate = one(run, "aws:ec2/launchTemplate:LaunchTemplate");
    expect(input(rule, "referencedSecurityGroupId")).toBe(input<string[]>(launchTemplate, "vpcSecurityGroupIds")[0]);
    // No inline rules on the group itself.
    expect(input(sg, "ingress")).toBeUndefined();
    expect(input(sg, "egress")).toBeUndefined();
  });
});

describe("AUTH token", () => {
  it("comes from random.RandomPassword within ElastiCache's limits", () => {
    const password = one(run, "random:index/randomPassword:RandomPassword", "cache-auth-token");
    expect(password.parent).toBe("cache");
    expect(input<number>(password, "length")).toBeGreaterThanOrEqual(32);
    expect(input<number>(password, "length")).toBeLessThanOrEqual(128);
    expect(token).toMatch(/^[A-Za-z0-9]{32,128}$/);
  });

  it("is a secret input of the replication group and printed as [secret] in the plan", () => {
    expect(isSecretInput(group, "authToken")).toBe(true);
    expect(group.additionalSecretOutputs).toContain("authToken");
    const planned = toPlan(run.resources).find((r) => r.name === group.name)!;
    expect(planned.inputs.authToken).toBe("[secret]");
  });

  it("appears nowhere in plain text: not in any plan input, not in any non-secret stack output", () => {
    expect(JSON.stringify(toPlan(run.resources))).not.toContain(token);
    for (const [name, value] of Object.entries(run.outputs)) {
      if (!run.secretOutputs.includes(name)) expect(JSON.stringify(value) ?? "").not.toContain(token);
    }
  });

  it("reaches the app only inside the Kubernetes Secret's REDIS_URL, as a secret", () => {
    const holders = run.resources.filter((r) => JSON.stringify(r.inputs).includes(token)).map((r) => r.name);
    expect(holders.sort()).toEqual([group.name, "workloads-app-redis"].sort());
    const secret = one(run, "kubernetes:core/v1:Secret", "workloads-app-redis");
    expect(isSecretInput(secret, "stringData.REDIS_URL")).toBe(true);
    const url = new URL(input<string>(secret, "stringData.REDIS_URL"));
    expect(url.protocol).toBe("rediss:");
    expect(decodeURIComponent(url.password)).toBe(token);
    expect(url.port).toBe("6379");
    // The app reaches every shard through the configuration endpoint, with a cluster client.
    expect(url.hostname).toBe(run.outputs.redisEndpoint);
    const deployment = one(run, "kubernetes:apps/v1:Deployment", "workloads-app");
    const env = input<{ name: string; value?: string }[]>(deployment, "spec.template.spec.containers.0.env");
    expect(env.find((e) => e.name === "REDIS_CLUSTER")?.value).toBe("true");
  });
});

describe("cache component", () => {
  it("is an edgestack:cache:Redis component owning its resources", () => {
    const component = one(run, "edgestack:cache:Redis");
    expect(component.name).toBe("cache");
    expect(childrenOf(run, "cache").map((r) => r.type).sort()).toEqual(
      [
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:elasticache/parameterGroup:ParameterGroup",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "random:index/randomPassword:RandomPassword",
      ].sort(),
    );
  });

  it("exports the configuration endpoint and port, never the token", () => {
    expect(run.outputs.redisEndpoint).toMatch(/^clustercfg\.edgestack-prod\..*\.cache\.amazonaws\.com$/);
    expect(run.outputs.redisPort).toBe(6379);
    expect(run.secretOutputs).not.toContain("redisEndpoint");
  });
});
