import { matchScope, ratePerFiveMinutes, rateKeyProblem, WafContext, WafRule, webAclEffectProblems } from "../../../policies/semantics/waf";

const ctx: WafContext = { ipSetAddresses: (ref) => ({ office: ["198.51.100.7/32"], halves: ["0.0.0.0/1", "128.0.0.0/1"], partners: ["203.0.0.0/16"], cloud: ["3.0.0.0/8"], v6cloud: ["2600:1f00::/24"] })[ref] };
const rate: WafRule = { name: "rate", priority: 10, action: { block: {} }, statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP" } } };
const common: WafRule = { name: "common", priority: 20, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } } };
const req = { managedGroups: [{ vendor: "AWS", name: "AWSManagedRulesCommonRuleSet" }], countableRules: ["SizeRestrictions_BODY"], maxRateLimit: 5000 };
const problems = (rules: WafRule[]) => webAclEffectProblems(rules, req, ctx);
const allow = (statement: object, priority = 1): WafRule => ({ name: "allow", priority, action: { allow: {} }, statement });

describe("WAF effect", () => {
  it("accepts the enforcing ACL, and a narrow allow-list in front of it", () => {
    expect(problems([rate, common])).toEqual([]);
    expect(problems([allow({ ipSetReferenceStatement: { arn: "office" } }), rate, common])).toEqual([]);
  });

  it("counts only what a client can't choose as narrow", () => {
    expect(matchScope({ ipSetReferenceStatement: { arn: "office" } }, ctx).scope).toBe("narrow");
    expect(matchScope({ ipSetReferenceStatement: { arn: "halves" } }, ctx).scope).toBe("client");
    expect(matchScope({ ipSetReferenceStatement: { arn: "missing" } }, ctx).scope).toBe("unknown");
    // An allowlist of a few networks is narrow; a cloud provider's /8 (or a /24 of IPv6) is anyone renting there.
    expect(matchScope({ ipSetReferenceStatement: { arn: "partners" } }, ctx).scope).toBe("narrow");
    expect(matchScope({ ipSetReferenceStatement: { arn: "cloud" } }, ctx).scope).toBe("client");
    expect(matchScope({ ipSetReferenceStatement: { arn: "v6cloud" } }, ctx).scope).toBe("client");
    expect(matchScope({ ipSetReferenceStatement: { arn: "office", ipSetForwardedIpConfig: { headerName: "X-Forwarded-For" } } }, ctx).scope).toBe("client");
    expect(matchScope({ notStatement: { statement: { ipSetReferenceStatement: { arn: "office" } } } }, ctx).scope).toBe("client");
    expect(matchScope({ andStatement: { statements: [{ ipSetReferenceStatement: { arn: "office" } }, { byteMatchStatement: {} }] } }, ctx).scope).toBe("narrow");
    expect(matchScope({ orStatement: { statements: [{ ipSetReferenceStatement: { arn: "office" } }, { geoMatchStatement: { countryCodes: ["US"] } }] } }, ctx).scope).toBe("client");
  });

  it("an allow rule ahead of the protections bypasses them; behind them it does not", () => {
    const header = allow({ byteMatchStatement: { fieldToMatch: { singleHeader: { name: "x-internal" } } } });
    expect(problems([header, rate, common]).join()).toMatch(/requests reach rate rule "rate" only after rule "allow"/);
    expect(problems([rate, common, { ...header, priority: 30 }])).toEqual([]);
  });

  it("judges overrides, scope-down, counts and keys", () => {
    const withOverride = (name: string) => ({ ...common, statement: { managedRuleGroupStatement: { ...common.statement!.managedRuleGroupStatement, ruleActionOverrides: [{ name, actionToUse: { count: {} } }] } } });
    expect(problems([rate, withOverride("SizeRestrictions_BODY")])).toEqual([]);
    expect(problems([rate, withOverride("GenericRFI_BODY")]).join()).toMatch(/overrides GenericRFI_BODY/);
    expect(problems([rate, { ...common, overrideAction: { count: {} } }]).join()).toMatch(/count mode/);
    expect(problems([{ ...rate, action: { count: {} } }, common]).join()).toMatch(/only count/);
    expect(problems([{ ...rate, statement: { rateBasedStatement: { limit: 10000 } } }, common]).join()).toMatch(/at most 5000/);
    // The limit counts over its evaluation window: 2000 over 60 s is 10000 per 5 minutes.
    expect(problems([{ ...rate, statement: { rateBasedStatement: { limit: 2000, evaluationWindowSec: 60 } } }, common]).join()).toMatch(/allows 2000 requests per 60 s window \(10000 per 5 minutes\)/);
    // A window longer than 5 minutes still lets a client spend its whole limit inside 5 of them.
    expect(problems([{ ...rate, statement: { rateBasedStatement: { limit: 8000, evaluationWindowSec: 600 } } }, common]).join()).toMatch(/8000 per 5 minutes/);
    expect(problems([{ ...rate, statement: { rateBasedStatement: { limit: 4000, evaluationWindowSec: 600 } } }, common]).join()).not.toMatch(/requests per/);
    expect(rateKeyProblem({ aggregateKeyType: "FORWARDED_IP" })).toMatch(/forwarded-IP header/);
    expect(rateKeyProblem({ aggregateKeyType: "CONSTANT" })).toMatch(/one key/);
    expect(rateKeyProblem({ aggregateKeyType: "CUSTOM_KEYS", customKeys: [{ ip: {} }] })).toBeUndefined();
    expect(rateKeyProblem({ aggregateKeyType: "CUSTOM_KEYS", customKeys: [{ ip: {} }, { header: { name: "x" } }] })).toMatch(/fresh budget/);
  });

  it("reads a rate limit as what one client may send within 5 minutes, whatever the window", () => {
    expect(ratePerFiveMinutes({ limit: 2000 })).toBe(2000);
    expect(ratePerFiveMinutes({ limit: 2000, evaluationWindowSec: 60 })).toBe(10000);
    // A 10-minute window still lets a client spend its whole limit inside 5 minutes.
    expect(ratePerFiveMinutes({ limit: 30000, evaluationWindowSec: 600 })).toBe(30000);
    expect(ratePerFiveMinutes({ limit: "many" })).toBeNaN();
  });
});
