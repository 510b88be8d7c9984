import { input, ofType, one, runStack } from "../../harness";

/** dnsFailover turned on in dev, with a CloudFront secondary, fast checks from three regions and the readiness path. */

const RECORD = "aws:route53/record:Record";
const CHECK = "aws:route53/healthCheck:HealthCheck";

describe("dnsFailover on in dev, secondary on CloudFront, fast checks from three regions", () => {
  it("fails over to the configured distribution without evaluating its health (AWS refuses it for CloudFront)", async () => {
    const run = await runStack({
      stack: "dev",
      config: {
        "edgestack:dnsFailover": "true",
        "edgestack:dnsFailoverSecondaryDnsName": "d1maintenance.cloudfront.net",
        "edgestack:dnsFailoverSecondaryZoneId": "Z2FDTNDATAQYW2",
        "edgestack:dnsHealthCheckIntervalSeconds": "10",
        "edgestack:dnsHealthCheckFailureThreshold": "2",
        "edgestack:dnsHealthCheckRegions": JSON.stringify(["eu-west-1", "us-east-1", "us-west-2"]),
        "edgestack:dnsHealthCheckPath": "/readyz",
      },
    });
    const checks = ofType(run, CHECK);
    expect(checks).toHaveLength(2);
    for (const c of checks) {
      expect(c.inputs).toMatchObject({ requestInterval: 10, failureThreshold: 2, regions: ["eu-west-1", "us-east-1", "us-west-2"], resourcePath: "/readyz" });
    }
    const secondary = one(run, RECORD, "dns-apex-a-secondary");
    expect(input(secondary, "aliases")).toEqual([{ name: "d1maintenance.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }]);
    // dev's load balancers are IPv4-only: the edge pair is A only, the apex (CloudFront) A and AAAA.
    const failover = ofType(run, RECORD).filter((r) => input(r, "failoverRoutingPolicies") !== undefined);
    expect(failover.map((r) => r.name).sort()).toEqual(
      ["dns-apex-a", "dns-apex-a-secondary", "dns-apex-aaaa", "dns-apex-aaaa-secondary", "dns-edge-a", "dns-edge-a-secondary", ...(ofType(run, RECORD).some((r) => r.name === "dns-edge-aaaa") ? ["dns-edge-aaaa", "dns-edge-aaaa-secondary"] : [])].sort(),
    );
  });
});
