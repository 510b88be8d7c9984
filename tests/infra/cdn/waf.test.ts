import { BOUNDS, parseStackConfig } from "../../../infra/config/schema";
import { wafRules } from "../../../infra/cdn/waf";
import { configProblems } from "../../harness/config";

describe("wafRules", () => {
  const rules = wafRules({ ratePer5Minutes: 2000, metricPrefix: "edgestack-dev-cdn" });

  it("evaluates the per-IP rate rule before the managed rules", () => {
    expect(rules.map((r) => r.name)).toEqual(["rate-limit-per-ip", "aws-common-rule-set", "aws-known-bad-inputs"]);
    expect((rules[0].priority as number) < (rules[1].priority as number)).toBe(true);
    expect((rules[1].priority as number) < (rules[2].priority as number)).toBe(true);
  });

  it("blocks over the limit, per IP, over 5 minutes", () => {
    expect(rules[0]).toMatchObject({ action: { block: {} }, statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 } } });
  });

  it("keeps the managed group's own actions (override none) and names metrics", () => {
    expect(rules[1].overrideAction).toEqual({ none: {} });
    expect(rules[2].overrideAction).toEqual({ none: {} });
    expect(rules.map((r) => (r.visibilityConfig as { metricName: string }).metricName)).toEqual(["edgestack-dev-cdn-rate-limit", "edgestack-dev-cdn-common", "edgestack-dev-cdn-known-bad-inputs"]);
  });

  it("takes a limit the schema checked: below WAF's minimum is refused at program start, naming the key", () => {
    expect(configProblems({ "aws:region": "eu-west-1", "edgestack:domain": "example.com", "edgestack:wafRateLimitPer5Minutes": "5" })).toEqual([
      expect.stringMatching(new RegExp(`^edgestack:wafRateLimitPer5Minutes: 5 must be at least ${BOUNDS.wafRatePer5Minutes.min}`)),
    ]);
    expect(() => parseStackConfig({ "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "example.com", "edgestack:wafRateLimitPer5Minutes": String(BOUNDS.wafRatePer5Minutes.min) }, "dev")).not.toThrow();
  });
});
