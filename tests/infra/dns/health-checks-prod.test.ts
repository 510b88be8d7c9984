import { dependsOn, input, ofType, one, runStack, StackRun } from "../../harness";
import { computedOutputs } from "../../../offline/engine/outputs";

/** Prod (dnsFailover true in Pulumi.prod.yaml): health checks through the public names, failover pairs, alias health. */

const RECORD = "aws:route53/record:Record";
const CHECK = "aws:route53/healthCheck:HealthCheck";
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod" });
});

const record = (name: string) => one(run, RECORD, name);
const outputs = (type: string, name: string) => {
  const r = one(run, type, name);
  const o = computedOutputs(r.type, r.name, r.inputs, "us-east-1");
  return { id: o.id, ...o.outputs } as Record<string, string>;
};
const cdnName = () => outputs("aws:cloudfront/distribution:Distribution", "cdn-distribution").domainName;
const lbName = (name: string) => outputs("aws:lb/loadBalancer:LoadBalancer", name).dnsName;
const checkId = (name: string) => outputs(CHECK, name).id;

describe("Route53 health checks", () => {
  it("check the site through CloudFront's own name and the layer-4 path through the NLB's, over HTTPS on the contract's health path", () => {
    const checks = ofType(run, CHECK);
    expect(checks.map((c) => c.name).sort()).toEqual(["dns-health-edge", "dns-health-site"]);
    const site = one(run, CHECK, "dns-health-site");
    const edge = one(run, CHECK, "dns-health-edge");
    expect(input(site, "fqdn")).toBe(cdnName());
    expect(input(edge, "fqdn")).toBe(lbName("nlb-lb"));
    for (const c of checks) {
      expect(c.inputs).toMatchObject({ type: "HTTPS", port: 443, resourcePath: "/health", enableSni: true, requestInterval: 30, failureThreshold: 3 });
      // Every checker region (Route53's default) when the config names none.
      expect(input(c, "regions")).toBeUndefined();
    }
  });

  it("never check the origin-locked ALB, nor a name that fails over", () => {
    const failoverNames = ofType(run, RECORD)
      .filter((r) => input(r, "failoverRoutingPolicies") !== undefined)
      .map((r) => input(r, "name"));
    for (const c of ofType(run, CHECK)) {
      expect(input(c, "fqdn")).not.toBe(lbName("alb-lb"));
      expect(failoverNames).not.toContain(input(c, "fqdn"));
      expect(input(c, "fqdn")).not.toMatch(/^origin\./);
    }
  });

  it("are exported for alarms", () => {
    expect(run.outputs.healthCheckIds).toEqual({ site: checkId("dns-health-site"), edge: checkId("dns-health-edge") });
  });
});

describe("failover records", () => {
  it("pair the apex and the edge name, PRIMARY on the health check, SECONDARY at the configured standby", () => {
    for (const [key, check, target] of [
      ["apex", "dns-health-site", cdnName()],
      ["edge", "dns-health-edge", lbName("nlb-lb")],
    ] as const) {
      for (const type of ["a", "aaaa"]) {
        const primary = record(`dns-${key}-${type}`);
        const secondary = record(`dns-${key}-${type}-secondary`);
        expect(input(primary, "failoverRoutingPolicies")).toEqual([{ type: "PRIMARY" }]);
        expect(input(secondary, "failoverRoutingPolicies")).toEqual([{ type: "SECONDARY" }]);
        expect(input(primary, "setIdentifier")).not.toBe(input(secondary, "setIdentifier"));
        expect(input(primary, "healthCheckId")).toBe(checkId(check));
        expect(dependsOn(primary, one(run, CHECK, check))).toBe(true);
        expect(input(secondary, "healthCheckId")).toBeUndefined();
        expect(input(primary, "aliases[0].name")).toBe(target);
        expect(input(secondary, "aliases")).toEqual([{ name: "maintenance-1a2b3c4d5e.us-west-2.elb.amazonaws.com", zoneId: "Z1H1FL5HABSF5", evaluateTargetHealth: true }]);
        // The SECONDARY is created after its PRIMARY has left simple routing (the two cannot coexist).
        expect(dependsOn(secondary, primary)).toBe(true);
      }
    }
  });

  it("evaluate target health on every load-balancer alias and never on CloudFront's", () => {
    for (const r of ofType(run, RECORD).filter((x) => input(x, "aliases") !== undefined)) {
      const ethExpected = input(r, "aliases[0].zoneId") !== "Z2FDTNDATAQYW2";
      expect({ record: r.name, evaluateTargetHealth: input(r, "aliases[0].evaluateTargetHealth") }).toEqual({ record: r.name, evaluateTargetHealth: ethExpected });
    }
    expect(input(record("dns-origin-a"), "aliases[0].evaluateTargetHealth")).toBe(true);
    expect(input(record("dns-apex-a"), "aliases[0].evaluateTargetHealth")).toBe(false);
  });

  it("leave www a CNAME to the apex (it follows the apex's failover) and the SRV target the edge name", () => {
    expect(input(record("dns-www-cname"), "records")).toEqual(["edgestack.example.com"]);
    expect(input(record("dns-srv"), "records")).toEqual(["10 5 443 edge.edgestack.example.com."]);
  });
});
