import { input, ofType, runStack } from "../../harness";

/** dnsFailover off (dev default): simple aliases, no health checks. */

const RECORD = "aws:route53/record:Record";
const CHECK = "aws:route53/healthCheck:HealthCheck";

describe("dnsFailover off (dev default)", () => {
  it("creates no health check and keeps simple aliases that do not evaluate target health", async () => {
    const run = await runStack({ stack: "dev" });
    expect(ofType(run, CHECK)).toEqual([]);
    expect(run.outputs.healthCheckIds).toBeUndefined();
    for (const r of ofType(run, RECORD)) {
      expect(input(r, "failoverRoutingPolicies")).toBeUndefined();
      expect(input(r, "setIdentifier")).toBeUndefined();
      if (input(r, "aliases") !== undefined) expect(input(r, "aliases[0].evaluateTargetHealth")).toBe(false);
    }
  });
});
