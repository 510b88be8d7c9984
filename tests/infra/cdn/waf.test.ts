import { BOUNDS, parseStackConfig } from "../../../infra/config/schema";
import { wafRules } from "../../../infra/cdn/waf";
import { configProblems } from "../../harness/config";

describe("wafRules", () => {
  const rules = wafRules({ ratePer5Minutes: 2000, metricPrefix: "edgestack-dev-cdn", anonymousIps: "block-anonymizers" });

  it("evaluates the per-IP rate rule before the managed rules", () => {
    expect(rules.map((r) => r.name)).toEqual(["rate-limit-per-ip", "aws-common-rule-set", "aws-known-bad-inputs", "aws-anonymous-ip-list"]);
    const priorities = rules.map((r) => r.priority as number);
    expect([...priorities].sort((a, b) => a - b)).toEqual(priorities);
  });

  it("blocks over the limit, per IP, over 5 minutes", () => {
    expect(rules[0]).toMatchObject({ action: { block: {} }, statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 } } });
  });

  it("keeps the managed group's own actions (override none) and names metrics", () => {
    expect(rules[1].overrideAction).toEqual({ none: {} });
    expect(rules[2].overrideAction).toEqual({ none: {} });
    expect(rules[3].overrideAction).toEqual({ none: {} });
    expect(rules.map((r) => (r.visibilityConfig as { metricName: string }).metricName)).toEqual(["edgestack-dev-cdn-rate-limit", "edgestack-dev-cdn-common", "edgestack-dev-cdn-known-bad-inputs", "edgestack-dev-cdn-anonymous-ip"]);
  });

  it("blocks anonymizers and only counts hosting providers by default; block-all blocks both; off leaves the group out", () => {
    const group = (r: (typeof rules)[number]) => (r.statement as { managedRuleGroupStatement: { name: string; ruleActionOverrides?: unknown } }).managedRuleGroupStatement;
    expect(group(rules[3])).toEqual({ vendorName: "AWS", name: "AWSManagedRulesAnonymousIpList", ruleActionOverrides: [{ name: "HostingProviderIPList", actionToUse: { count: {} } }] });
    const all = wafRules({ ratePer5Minutes: 2000, metricPrefix: "x", anonymousIps: "block-all" });
    expect(group(all[3]).ruleActionOverrides).toBeUndefined();
    expect(wafRules({ ratePer5Minutes: 2000, metricPrefix: "x", anonymousIps: "off" }).map((r) => r.name)).not.toContain("aws-anonymous-ip-list");
    const base = { "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "example.com", "edgestack:wafAnonymousIps": "off" };
    expect(parseStackConfig(base, "dev").wafAnonymousIps).toBe("off");
    expect(() => parseStackConfig(base, "prod")).toThrow('edgestack:wafAnonymousIps: "off" is not allowed in prod');
  });

  it("takes a limit the schema checked: below WAF's minimum is refused at program start, naming the key", () => {
    expect(configProblems({ "aws:region": "eu-west-1", "edgestack:domain": "example.com", "edgestack:wafRateLimitPer5Minutes": "5" })).toEqual([
      expect.stringMatching(new RegExp(`^edgestack:wafRateLimitPer5Minutes: 5 must be at least ${BOUNDS.wafRatePer5Minutes.min}`)),
    ]);
    expect(() => parseStackConfig({ "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "example.com", "edgestack:wafRateLimitPer5Minutes": String(BOUNDS.wafRatePer5Minutes.min) }, "dev")).not.toThrow();
  });
});
