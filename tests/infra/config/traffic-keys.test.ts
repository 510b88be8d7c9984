import { parseStackConfig } from "../../../infra/config/schema";
import { configProblems } from "../../harness/config";

/** The ALB algorithm and DNS failover keys: typed, validated together, errors naming the key. */

// A created cluster needs its deploy role (ci-access.test.ts); these keys are tested beside it.
const base = { "aws:region": "eu-west-1", "edgestack:domain": "example.com", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy" };
const failover = { ...base, "edgestack:dnsFailover": "true", "edgestack:dnsFailoverSecondaryDnsName": "standby-1.us-west-2.elb.amazonaws.com", "edgestack:dnsFailoverSecondaryZoneId": "Z1H1FL5HABSF5" };

describe("ALB algorithm keys", () => {
  it("default to least outstanding requests without anomaly mitigation", () => {
    const c = parseStackConfig(base, "dev");
    expect([c.albLoadBalancingAlgorithm, c.albAnomalyMitigation]).toEqual(["least_outstanding_requests", false]);
  });
  it("accept each AWS algorithm, and anomaly mitigation with weighted_random", () => {
    for (const algorithm of ["round_robin", "least_outstanding_requests", "weighted_random"]) {
      expect(parseStackConfig({ ...base, "edgestack:albLoadBalancingAlgorithm": algorithm }, "dev").albLoadBalancingAlgorithm).toBe(algorithm);
    }
    expect(parseStackConfig({ ...base, "edgestack:albLoadBalancingAlgorithm": "weighted_random", "edgestack:albAnomalyMitigation": "true" }, "dev").albAnomalyMitigation).toBe(true);
  });
  it("refuse an unknown algorithm and anomaly mitigation without weighted_random, naming the keys", () => {
    expect(configProblems({ ...base, "edgestack:albLoadBalancingAlgorithm": "least_conn" })).toEqual([expect.stringMatching(/^edgestack:albLoadBalancingAlgorithm: "least_conn" /)]);
    for (const algorithm of ["round_robin", "least_outstanding_requests"]) {
      expect(configProblems({ ...base, "edgestack:albLoadBalancingAlgorithm": algorithm, "edgestack:albAnomalyMitigation": "true" })).toEqual([
        expect.stringMatching(new RegExp(`^edgestack:albAnomalyMitigation: true needs edgestack:albLoadBalancingAlgorithm weighted_random .*"${algorithm}"`)),
      ]);
    }
  });
});

describe("DNS failover keys", () => {
  it("default off, checking /health every 30 s from every region, 3 failures", () => {
    const c = parseStackConfig(base, "dev");
    expect([c.dnsFailover, c.dnsHealthCheckPath, c.dnsHealthCheckIntervalSeconds, c.dnsHealthCheckFailureThreshold, c.dnsHealthCheckRegions]).toEqual([false, "/health", 30, 3, []]);
  });
  it("accept a complete failover config", () => {
    expect(parseStackConfig(failover, "prod").dnsFailoverSecondaryZoneId).toBe("Z1H1FL5HABSF5");
  });
  it("require both secondary keys with dnsFailover, and refuse them without it", () => {
    expect(configProblems({ ...base, "edgestack:dnsFailover": "true" })).toEqual([
      expect.stringMatching(/^edgestack:dnsFailoverSecondaryDnsName: is required when edgestack:dnsFailover is true/),
      expect.stringMatching(/^edgestack:dnsFailoverSecondaryZoneId: is required when edgestack:dnsFailover is true/),
    ]);
    expect(configProblems({ ...base, "edgestack:dnsFailoverSecondaryZoneId": "Z1H1FL5HABSF5" })).toEqual([expect.stringMatching(/^edgestack:dnsFailoverSecondaryZoneId: only applies with edgestack:dnsFailover true/)]);
  });
  it("refuse a secondary that is one of the failing-over names", () => {
    expect(configProblems({ ...failover, "edgestack:dnsFailoverSecondaryDnsName": "edge.example.com" })).toEqual([expect.stringMatching(/^edgestack:dnsFailoverSecondaryDnsName: "edge\.example\.com" is one of the names/)]);
  });
  it("refuse bad zone ids, intervals, thresholds and regions, naming the key", () => {
    expect(configProblems({ ...failover, "edgestack:dnsFailoverSecondaryZoneId": "z-bad" })).toEqual([expect.stringMatching(/^edgestack:dnsFailoverSecondaryZoneId: "z-bad" is not a Route53 hosted zone id/)]);
    expect(configProblems({ ...base, "edgestack:dnsHealthCheckIntervalSeconds": "15" })).toEqual([expect.stringMatching(/^edgestack:dnsHealthCheckIntervalSeconds: 15 must be 10 .* or 30/)]);
    expect(configProblems({ ...base, "edgestack:dnsHealthCheckFailureThreshold": "0" })).toEqual([expect.stringMatching(/^edgestack:dnsHealthCheckFailureThreshold: 0 /)]);
    expect(configProblems({ ...base, "edgestack:dnsHealthCheckRegions": JSON.stringify(["us-east-1", "eu-west-1"]) })).toEqual([expect.stringMatching(/^edgestack:dnsHealthCheckRegions: .* needs at least 3 regions/)]);
    expect(configProblems({ ...base, "edgestack:dnsHealthCheckRegions": JSON.stringify(["us-east-1", "eu-west-1", "eu-central-1"]) })).toEqual([expect.stringMatching(/^edgestack:dnsHealthCheckRegions\[2\]: "eu-central-1" /)]);
    expect(configProblems({ ...base, "edgestack:dnsHealthCheckRegions": JSON.stringify(["us-east-1", "eu-west-1", "us-east-1"]) })).toEqual([expect.stringMatching(/^edgestack:dnsHealthCheckRegions: .* names a region twice/)]);
  });
  it("accept only health paths CloudFront forwards to the app uncached", () => {
    for (const path of ["/health", "/readyz", "/livez", "/api/status"]) expect(parseStackConfig({ ...base, "edgestack:dnsHealthCheckPath": path }, "dev").dnsHealthCheckPath).toBe(path);
    for (const path of ["/static/ok.txt", "/", "/index.html"]) {
      expect(configProblems({ ...base, "edgestack:dnsHealthCheckPath": path })).toEqual([expect.stringMatching(/^edgestack:dnsHealthCheckPath: ".*" is not a path CloudFront forwards to the app uncached/)]);
    }
    expect(configProblems({ ...base, "edgestack:dnsHealthCheckPath": "health?x=1" })).toEqual([expect.stringMatching(/^edgestack:dnsHealthCheckPath: "health\?x=1" is not a URL path/)]);
  });
});

describe("nginx algorithm and canary keys", () => {
  it("accept every open-source nginx method and refuse least_time, naming the key", () => {
    for (const algorithm of ["round_robin", "least_conn", "ip_hash", "hash", "random", "random_two_least_conn", "cookie_affinity"]) {
      expect(parseStackConfig({ ...base, "edgestack:nginxLoadBalancing": algorithm }, "dev").nginxLoadBalancing).toBe(algorithm);
    }
    expect(configProblems({ ...base, "edgestack:nginxLoadBalancing": "least_time" })).toEqual([expect.stringMatching(/^edgestack:nginxLoadBalancing: "least_time" /)]);
  });
  it("default to no canary, forcing by X-Canary and edge_canary", () => {
    const c = parseStackConfig(base, "dev");
    expect([c.canaryImage, c.canaryWeightPercent, c.canaryReplicas, c.canaryHeader, c.canaryCookie]).toEqual(["", 0, 1, "X-Canary", "edge_canary"]);
  });
  it("accept a canary image with a weight", () => {
    const canary = { ...base, "edgestack:appImage": "registry.example.com/app:1.0.0", "edgestack:canaryImage": "registry.example.com/app:1.1.0", "edgestack:canaryWeightPercent": "5" };
    const c = parseStackConfig({ ...canary, "edgestack:canaryReplicas": "2" }, "prod");
    expect([c.canaryImage, c.canaryWeightPercent]).toEqual(["registry.example.com/app:1.1.0", 5]);
    // One canary replica is fine in dev, not in prod (a node drain would empty the track).
    expect(parseStackConfig(canary, "dev").canaryReplicas).toBe(1);
    expect(configProblems(canary, "prod")).toEqual([expect.stringMatching(/^edgestack:canaryReplicas \(1\) must be at least 2 in prod/)]);
  });
  it("refuse a weight without a canary image, the app image as canary, out-of-range weights and unusable names, each naming its key", () => {
    expect(configProblems({ ...base, "edgestack:canaryWeightPercent": "10" })).toEqual([expect.stringMatching(/^edgestack:canaryWeightPercent \(10\) needs edgestack:canaryImage/)]);
    expect(configProblems({ ...base, "edgestack:appImage": "registry.example.com/app:1.0.0", "edgestack:canaryImage": "registry.example.com/app:1.0.0" })).toEqual([
      expect.stringMatching(/^edgestack:canaryImage: "registry.example.com\/app:1.0.0" is appImage itself/),
    ]);
    expect(configProblems({ ...base, "edgestack:canaryImage": "registry.example.com/app:latest" })).toEqual([expect.stringMatching(/^edgestack:canaryImage: /)]);
    expect(configProblems({ ...base, "edgestack:canaryImage": "registry.example.com/app:1.1.0", "edgestack:canaryWeightPercent": "101" })).toEqual([expect.stringMatching(/^edgestack:canaryWeightPercent: 101 /)]);
    expect(configProblems({ ...base, "edgestack:canaryHeader": "X Canary" })).toEqual([expect.stringMatching(/^edgestack:canaryHeader: "X Canary" is not an HTTP header name/)]);
    expect(configProblems({ ...base, "edgestack:canaryCookie": "edge-canary" })).toEqual([expect.stringMatching(/^edgestack:canaryCookie: "edge-canary" is not a cookie name/)]);
    expect(configProblems({ ...base, "edgestack:canaryCookie": "edge_affinity" })).toEqual([expect.stringMatching(/^edgestack:canaryCookie: "edge_affinity" is the affinity cookie/)]);
  });
});
