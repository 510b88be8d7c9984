import { fields, parseStackConfig, TIMEOUT_CHAIN } from "../../../infra/config/schema";
import { configProblems } from "../../harness/config";
import { readStackFiles } from "../../../offline/engine/stack-files";

const base = { "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "example.com" };

const problems = configProblems;

describe("parseStackConfig", () => {
  it("fills every default and types the values", () => {
    const config = parseStackConfig(base, "dev");
    expect(config.domain).toBe("example.com");
    expect(config.stack).toBe("dev");
    expect(config.region).toBe("eu-west-1");
    expect(config.availabilityZoneCount).toBe(2);
    expect(config.clusterPublicAccessCidrs).toEqual([]);
    expect(config.isProd).toBe(false);
    for (const name of Object.keys(fields)) {
      if (name !== "domain") expect(config).toHaveProperty(name);
    }
  });

  it("decodes integers, booleans and lists the way Pulumi passes them (strings)", () => {
    const config = parseStackConfig(
      { ...base, "edgestack:appReplicas": "3", "edgestack:appMaxReplicas": "8", "edgestack:nlbElasticIps": "true", "edgestack:verificationTokens": '["a=b"]' },
      "dev",
    );
    expect(config.appReplicas).toBe(3);
    expect(config.nlbElasticIps).toBe(true);
    expect(config.verificationTokens).toEqual(["a=b"]);
  });

  it("names the key, the bad value and what is allowed", () => {
    expect(problems({ ...base, "edgestack:domain": "exa mple" })).toEqual([
      expect.stringMatching(/^edgestack:domain: "exa mple" is not a valid DNS name/),
    ]);
    expect(problems({ ...base, "edgestack:natGateways": "two" })[0]).toMatch(/^edgestack:natGateways: "two" is not allowed; use one of "single", "perAz"/);
    expect(problems({ ...base, "edgestack:availabilityZoneCount": "1" })[0]).toBe("edgestack:availabilityZoneCount: 1 must be at least 2");
    expect(problems({ ...base, "edgestack:appReplicas": "two" })[0]).toBe('edgestack:appReplicas: "two" must be a whole number');
    expect(problems({ ...base, "edgestack:vpcCidr": "10.0.0.1/16" })[0]).toMatch(/^edgestack:vpcCidr: "10.0.0.1\/16" is not an IPv4 CIDR block/);
    expect(problems({ ...base, "edgestack:appImage": "ghcr.io/acme/app:latest" })[0]).toMatch(/^edgestack:appImage: "ghcr.io\/acme\/app:latest" uses the mutable tag "latest"/);
    expect(problems({ ...base, "edgestack:appImage": "ghcr.io/acme/app" })[0]).toMatch(/not an image reference pinned/);
    // A tag with its digest is pinned (the digest decides); a digest that is not one is refused.
    const digest = `sha256:${"ab".repeat(32)}`;
    for (const image of [`nginxinc/nginx-unprivileged:1.30.5-alpine@${digest}`, `registry.k8s.io:443/autoscaling/cluster-autoscaler:v1.33.0@${digest}`, `ghcr.io/acme/app@${digest}`]) {
      expect(parseStackConfig({ ...base, "edgestack:nginxImage": image }, "dev").nginxImage).toBe(image);
    }
    expect(problems({ ...base, "edgestack:nginxImage": "nginxinc/nginx-unprivileged:1.30.5-alpine@sha256:abc" })[0]).toMatch(/^edgestack:nginxImage: .* is not an image reference pinned/);
    expect(problems({ ...base, "edgestack:appCpuRequest": "lots" })[0]).toMatch(/^edgestack:appCpuRequest: "lots" is not a CPU quantity/);
    expect(problems({ ...base, "edgestack:dnsTtlSeconds": "5" })[0]).toBe("edgestack:dnsTtlSeconds: 5 must be at least 60");
    expect(problems({ ...base, "edgestack:clusterPublicAccessCidrs": '["10.0.0.0/8", "nope"]' })[0]).toMatch(
      /^edgestack:clusterPublicAccessCidrs\[1\]: "nope" is not an IPv4 CIDR block/,
    );
  });

  it("requires the domain and the region", () => {
    expect(problems({ "aws:region": "eu-west-1" })).toEqual([expect.stringMatching(/^edgestack:domain: is required/)]);
    expect(problems({ "edgestack:domain": "example.com" })).toEqual([expect.stringMatching(/^aws:region: is required/)]);
    expect(problems({ ...base, "aws:region": "europe" })[0]).toMatch(/^aws:region: "europe" is not an AWS region/);
  });

  it("rejects unknown keys in its namespace (typos) but ignores other namespaces", () => {
    expect(problems({ ...base, "edgestack:domian": "example.com" })).toEqual([expect.stringMatching(/^edgestack:domian: is not a known key/)]);
    expect(parseStackConfig({ ...base, "kubernetes:context": "x" }, "dev").domain).toBe("example.com");
  });

  it("reports every problem at once", () => {
    expect(problems({ ...base, "edgestack:domain": "-bad-", "edgestack:appReplicas": "0", "edgestack:cacheEngine": "memcached" })).toHaveLength(3);
  });

  it.each(TIMEOUT_CHAIN)("rejects a timeout chain where %s is not %s… than %s, naming both values", (a, b, op) => {
    const defaults = parseStackConfig(base, "dev");
    const upper = defaults[b] as number;
    const broken = op === "<" ? upper : upper + 1;
    const found = problems({ ...base, [`edgestack:${a}`]: String(broken), [`edgestack:${b}`]: String(upper) });
    expect(found).toContainEqual(expect.stringContaining(`edgestack:${a} (${broken}) must be ${op === "<" ? "less than" : "at most"} edgestack:${b} (${upper})`));
  });

  it("names a bad metrics-server add-on version and resolver interval", () => {
    expect(problems({ ...base, "edgestack:metricsServerAddonVersion": "latest" })).toContainEqual(
      expect.stringMatching(/edgestack:metricsServerAddonVersion.*latest.*is not an EKS add-on version/),
    );
    expect(problems({ ...base, "edgestack:nginxResolverValidSeconds": "0" })).toContainEqual(expect.stringContaining("edgestack:nginxResolverValidSeconds"));
  });

  it("checks the other cross-field rules", () => {
    expect(problems({ ...base, "edgestack:nodeMinSize": "5" })).toContainEqual(expect.stringContaining("edgestack:nodeMinSize (5) must be at most edgestack:nodeDesiredSize (2)"));
    expect(problems({ ...base, "edgestack:vpcId": "vpc-0123456789abcdef0" })).toContainEqual(
      expect.stringContaining("edgestack:existingPublicSubnetIds: [] needs at least two subnet ids"),
    );
    expect(problems({ ...base, "edgestack:appClusterIp": "10.1.2.3" })).toContainEqual(expect.stringContaining('edgestack:appClusterIp: "10.1.2.3" is not inside edgestack:serviceCidr'));
    expect(problems({ ...base, "edgestack:nginxProxyProtocolNodePort": "30080" })).toContainEqual(expect.stringContaining("must differ from edgestack:nginxHttpNodePort"));
    expect(problems({ ...base, "edgestack:clusterPublicAccessCidrs": '["0.0.0.0/0"]' })).toContainEqual(expect.stringContaining("opens the cluster API to the internet"));
    expect(problems({ ...base, "edgestack:environment": "prod", "edgestack:cacheReplicas": "0" }, "prod")).toContainEqual(expect.stringContaining("edgestack:cacheReplicas (0) must be at least 1"));
    expect(problems({ ...base, "edgestack:existingNodeSecurityGroupId": "sg-0123456789abcdef0" })).toContainEqual(expect.stringContaining("only applies with edgestack:existingKubeconfig"));
    expect(problems({ ...base, "edgestack:cacheShards": "100", "edgestack:cacheReplicas": "5" })).toContainEqual(
      expect.stringContaining("edgestack:cacheShards (100) × (1 + edgestack:cacheReplicas (5)) is more than the 500 nodes"),
    );
    expect(problems({ ...base, "edgestack:cacheShards": "0" })).toContainEqual(expect.stringContaining("edgestack:cacheShards"));
  });

  it("signs the zone by default, refuses unsigned prod zones and DS records for subdomains it does not delegate", () => {
    expect(parseStackConfig(base, "dev").dnssecSigning).toBe(true);
    expect(parseStackConfig({ ...base, "edgestack:dnssecSigning": "false" }, "dev").dnssecSigning).toBe(false);
    const prod = { ...base, "edgestack:environment": "prod", "edgestack:appMinReplicas": "2" };
    expect(problems({ ...prod, "edgestack:dnssecSigning": "false" }, "prod")).toContainEqual(expect.stringMatching(/^edgestack:dnssecSigning: false is not allowed in prod/));
    const ds = "dev.example.com=12345 13 2 " + "ab".repeat(32);
    const delegation = '["dev.example.com=ns-1.awsdns-01.org,ns-2.awsdns-02.com"]';
    expect(parseStackConfig({ ...base, "edgestack:delegatedSubdomains": delegation, "edgestack:delegatedSubdomainDsRecords": JSON.stringify([ds]) }, "dev").delegatedSubdomainDsRecords).toEqual([ds]);
    expect(problems({ ...base, "edgestack:delegatedSubdomainDsRecords": JSON.stringify([ds]) }, "dev")).toContainEqual(expect.stringMatching(/^edgestack:delegatedSubdomainDsRecords: "dev.example.com" is not delegated by this stack/));
    expect(problems({ ...base, "edgestack:delegatedSubdomains": delegation, "edgestack:delegatedSubdomainDsRecords": '["dev.example.com=12345 13 2 xyz"]' }, "dev")).toContainEqual(expect.stringMatching(/^edgestack:delegatedSubdomainDsRecords\[0\]: .* is not <subdomain>=<key tag>/));
  });

  it("turns on failover and WAF in prod whatever the flags say", () => {
    const config = parseStackConfig({ ...base, "edgestack:environment": "prod", "edgestack:appMinReplicas": "2", "edgestack:cacheMultiAz": "false" }, "prod");
    expect(config.isProd).toBe(true);
    expect(config.cacheMultiAz).toBe(true);
    expect(config.wafEnabled).toBe(true);
  });

  it.each(["dev", "prod"])("accepts the committed %s stack file", (stack) => {
    const files = readStackFiles(stack);
    const config = parseStackConfig(files.config, stack);
    expect(config.environment).toBe(stack);
  });

  it("keeps dev small and prod highly available", () => {
    const dev = parseStackConfig(readStackFiles("dev").config, "dev");
    const prod = parseStackConfig(readStackFiles("prod").config, "prod");
    expect(dev.natGateways).toBe("single");
    expect(prod.natGateways).toBe("perAz");
    expect(prod.availabilityZoneCount).toBeGreaterThanOrEqual(3);
    expect(prod.cacheReplicas).toBeGreaterThanOrEqual(1);
    expect(prod.appMinReplicas).toBeGreaterThanOrEqual(2);
  });
});
