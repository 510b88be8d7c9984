import type { cloudfront, wafv2 } from "@pulumi/aws";
import { Policies } from "@pulumi/policy";
import { environmentConfig, ifKnown, isProd, list, masked, maskedMessage, ofType, Props, refersTo, stackRule, TYPES, unknownAt } from "./common";

type Distribution = Props<cloudfront.DistributionArgs>;
type WebAcl = Props<wafv2.WebAclArgs>;
type Rule = NonNullable<WebAcl["rules"]>[number];

const COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet";

/** What a CloudFront web ACL lacks: CLOUDFRONT scope, the AWS common rule set (not in count mode), a blocking rate-based rule. */
export function webAclProblems(acl: WebAcl, maxRateLimit = Number.MAX_SAFE_INTEGER): string[] {
  const problems: string[] = [];
  if (acl.scope !== "CLOUDFRONT") problems.push(`scope is ${acl.scope ?? "unset"}, not CLOUDFRONT`);
  const rules = list(acl.rules) as Rule[];
  const common = rules.filter((r) => r?.statement?.managedRuleGroupStatement?.name === COMMON_RULE_SET && r.statement.managedRuleGroupStatement.vendorName === "AWS");
  if (common.length === 0) problems.push(`no rule uses the AWS managed ${COMMON_RULE_SET}`);
  else if (common.every((r) => r.overrideAction?.count !== undefined)) problems.push(`${COMMON_RULE_SET} runs in count mode only (overrideAction count)`);
  const rate = rules.filter((r) => r?.statement?.rateBasedStatement !== undefined);
  if (rate.length === 0) problems.push("no rate-based rule");
  else if (!rate.some((r) => r.action?.block !== undefined || r.action?.captcha !== undefined || r.action?.challenge !== undefined)) problems.push("its rate-based rule only counts (action must block, captcha or challenge)");
  else if (!rate.some((r) => Number(r.statement?.rateBasedStatement?.limit) <= maxRateLimit && r.statement?.rateBasedStatement?.scopeDownStatement === undefined)) {
    problems.push(`no rate-based rule covers every request with a limit of at most ${maxRateLimit} (a higher limit or a scope-down statement leaves floods through)`);
  }
  return problems;
}

export const wafPolicies: Policies = [
  stackRule({
    name: "cloudfront-waf-prod",
    description: `In prod, every CloudFront distribution is protected by a CLOUDFRONT-scope web ACL declared in the stack, with the AWS managed ${COMMON_RULE_SET} and a blocking rate-based rule.`,
    enforcementLevel: "mandatory",
    config: {
      ...environmentConfig,
      maxRateLimit: { type: "integer", minimum: 10, default: 100000, description: "Largest request limit (per evaluation window, per IP) the rate-based rule may allow." },
    },
    validate: (resources, { config }, report) => {
      const acls = ofType(resources, TYPES.webAcl);
      for (const d of ofType(resources, TYPES.distribution)) {
        if (!isProd(config, d)) continue;
        const ref = ifKnown(() => (d.props as Distribution).webAclId);
        if (masked(ref)) {
          report(`${maskedMessage(`webAclId of distribution "${d.name}"`)}.`, d.urn);
          continue;
        }
        let acl = acls.find((a) => refersTo(ref, a, ["name"]));
        // Unknown during preview: the stack's only CLOUDFRONT ACL is the one it will get.
        if (!acl && unknownAt(() => (d.props as Distribution).webAclId)) {
          const cf = acls.filter((a) => ifKnown(() => (a.props as WebAcl).scope) === "CLOUDFRONT");
          if (cf.length === 1) acl = cf[0];
        }
        if (!acl && unknownAt(() => (d.props as Distribution).webAclId)) continue; // known after deployment
        if (!acl && (ref === undefined || ref === "")) {
          report(`Distribution "${d.name}" in a prod stack has no web ACL (webAclId unset); attach the stack's CLOUDFRONT WAF.`, d.urn);
          continue;
        }
        if (!acl) {
          report(`Distribution "${d.name}" in a prod stack references web ACL ${String(ref)}, which is no web ACL of this stack (deleted?); declare it here so its rules can be checked.`, d.urn);
          continue;
        }
        const problems = webAclProblems(acl.props as WebAcl, Number(config.maxRateLimit));
        if (problems.length > 0) report(`Web ACL "${acl.name}" of distribution "${d.name}": ${problems.join("; ")}.`, acl.urn);
      }
    },
  }),
];
