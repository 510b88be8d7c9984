import type { cloudfront, wafv2 } from "@pulumi/aws";
import { Policies } from "@pulumi/policy";
import { WafContext, WafRule, webAclEffectProblems } from "../semantics/waf";
import { environmentConfig, ifKnown, isProd, list, masked, maskedMessage, ofType, Props, refersTo, stackRule, TYPES, unknownAt } from "./common";

type Distribution = Props<cloudfront.DistributionArgs>;
type WebAcl = Props<wafv2.WebAclArgs>;

const COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet";

/** What a CloudFront web ACL fails to enforce: CLOUDFRONT scope, then the effect of its rules in priority order. */
export function webAclProblems(acl: WebAcl, maxRateLimit = Number.MAX_SAFE_INTEGER, ctx: WafContext = { ipSetAddresses: () => undefined }, countableRules: string[] = ["SizeRestrictions_BODY"]): string[] {
  const problems: string[] = [];
  if (acl.scope !== "CLOUDFRONT") problems.push(`scope is ${acl.scope ?? "unset"}, not CLOUDFRONT`);
  const rules = list(acl.rules) as WafRule[];
  problems.push(...webAclEffectProblems(rules, { managedGroups: [{ vendor: "AWS", name: COMMON_RULE_SET }], countableRules, maxRateLimit }, ctx));
  return problems;
}

export const wafPolicies: Policies = [
  stackRule({
    name: "cloudfront-waf-prod",
    description: `In prod, every CloudFront distribution is protected by a CLOUDFRONT-scope web ACL declared in the stack whose rules, in priority order, enforce the AWS managed ${COMMON_RULE_SET} (no count mode, no scope-down, no rule overridden to count but countableRules) and a blocking per-IP rate-based rule over every request (limit ≤ maxRateLimit, keyed on the client IP, not a forwarded header, constant or client-chosen key), with no allow rule ahead of them matching what a client controls (headers, paths, countries, a NOT, a forwarded-IP IP set, or an IP set broader than a /8).`,
    enforcementLevel: "mandatory",
    config: {
      ...environmentConfig,
      maxRateLimit: { type: "integer", minimum: 10, default: 100000, description: "Largest request limit (per evaluation window, per IP) the rate-based rule may allow." },
      countableRules: { type: "array", items: { type: "string" }, default: ["SizeRestrictions_BODY"], description: "Rules of the common rule set that may be overridden to count (the 8 KB body limit, for APIs taking uploads)." },
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
        const ipSets = ofType(resources, ["aws:wafv2/ipSet:IpSet"]);
        const groups = ofType(resources, ["aws:wafv2/ruleGroup:RuleGroup"]);
        const ctx: WafContext = {
          ipSetAddresses: (ref) => {
            const set = ipSets.find((x) => refersTo(ref, x, ["name"]));
            return set ? list(ifKnown(() => set.props.addresses as string[])).map(String) : undefined;
          },
          ruleGroupRules: (ref) => {
            const g = groups.find((x) => refersTo(ref, x, ["name"]));
            return g ? (list(ifKnown(() => g.props.rules as WafRule[])) as WafRule[]) : undefined;
          },
        };
        const problems = ifKnown(() => webAclProblems(JSON.parse(JSON.stringify(acl.props)) as WebAcl, Number(config.maxRateLimit), ctx, config.countableRules as string[]));
        if (problems === undefined) continue;
        if (problems.length > 0) report(`Web ACL "${acl.name}" of distribution "${d.name}": ${problems.join("; ")}.`, acl.urn);
      }
    },
  }),
];
