import type { cloudfront, wafv2 } from "@pulumi/aws";
import { Policies } from "@pulumi/policy";
import { WafContext, WafRule, webAclEffectProblems } from "../semantics/waf";
import { environmentConfig, ifKnown, isProd, list, masked, maskedMessage, ofType, Props, refersTo, stackRule, TYPES, unknownAt } from "./common";

type Distribution = Props<cloudfront.DistributionArgs>;
type WebAcl = Props<wafv2.WebAclArgs>;

const COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet";
const KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet";
const ANONYMOUS_IP_LIST = "AWSManagedRulesAnonymousIpList";
/** The AWS managed groups a CloudFront web ACL must enforce: OWASP basics, exploit signatures, anonymizing proxies. */
export const REQUIRED_MANAGED_GROUPS = [COMMON_RULE_SET, KNOWN_BAD_INPUTS, ANONYMOUS_IP_LIST].map((name) => ({ vendor: "AWS", name }));
/**
 * Rules of the required groups that may run in count mode: the common set's 8 KB body limit (APIs taking uploads)
 * and the anonymous-IP set's hosting-provider list (API clients running in a cloud); never AnonymousIPList itself.
 */
export const COUNTABLE_RULES = ["SizeRestrictions_BODY", "HostingProviderIPList"];
/** Headers that carry credentials: a request log must redact them. */
export const CREDENTIAL_HEADERS = ["authorization", "cookie"];
const WAF_LOG_PREFIX = "aws-waf-logs-";

type LoggingConfiguration = Props<wafv2.WebAclLoggingConfigurationArgs>;
type Filter = { behavior?: string; requirement?: string; conditions?: unknown[] };

/**
 * What keeps a web ACL's logging configuration from recording which rule decided each request:
 * no destination, a filter that drops by default and keeps nothing, or credentials left readable.
 */
export function wafLoggingProblems(c: LoggingConfiguration): string[] {
  const problems: string[] = [];
  if (list(c.logDestinationConfigs).length === 0) problems.push("has no log destination");
  const filter = c.loggingFilter as { defaultBehavior?: string; filters?: Filter[] } | undefined;
  if (filter?.defaultBehavior === "DROP" && !list(filter.filters).some((f) => f?.behavior === "KEEP" && list(f.conditions).length > 0)) {
    problems.push("drops every request by default and keeps none (loggingFilter)");
  } else if (filter && !blockedRequestsLogged(filter)) {
    problems.push("drops the requests the web ACL blocks (loggingFilter: keep at least every BLOCK action)");
  }
  const redacted = new Set(
    list(c.redactedFields as { singleHeader?: { name?: string } }[])
      .map((f) => f?.singleHeader?.name)
      .filter((n): n is string => typeof n === "string")
      .map((n) => n.toLowerCase()),
  );
  const readable = CREDENTIAL_HEADERS.filter((h) => !redacted.has(h));
  if (readable.length > 0) problems.push(`logs the ${readable.join(" and ")} header${readable.length > 1 ? "s" : ""} in clear (redactedFields singleHeader)`);
  return problems;
}

/**
 * Whether a WAF logging filter keeps every request the web ACL blocks: filters apply in order, the first whose
 * requirement its conditions meet decides; a filter certainly matches a blocked request when it is MEETS_ANY with
 * an action condition BLOCK, or MEETS_ALL with only action conditions BLOCK. A label condition matches only some.
 * A drop filter with a BLOCK action condition loses blocked requests; a drop filter on labels only is accepted.
 */
export function blockedRequestsLogged(filter: { defaultBehavior?: string; filters?: Filter[] }): boolean {
  type Condition = { actionCondition?: { action?: string }; labelNameCondition?: unknown };
  for (const f of list(filter.filters)) {
    const conds = list(f?.conditions as Condition[] | undefined);
    const blocks = (c: Condition) => String(c?.actionCondition?.action ?? "").toUpperCase() === "BLOCK";
    const certain = String(f?.requirement ?? "MEETS_ALL") === "MEETS_ANY" ? conds.some(blocks) : conds.length > 0 && conds.every(blocks);
    // A drop filter naming the BLOCK action drops blocked requests (a label-only drop, e.g. of health checks, is accepted).
    if (f?.behavior === "DROP" && conds.some(blocks)) return false;
    if (f?.behavior === "KEEP" && certain) return true;
  }
  return filter.defaultBehavior !== "DROP";
}

/** What a CloudFront web ACL fails to enforce: CLOUDFRONT scope, then the effect of its rules in priority order. */
export function webAclProblems(acl: WebAcl, maxRateLimit = Number.MAX_SAFE_INTEGER, ctx: WafContext = { ipSetAddresses: () => undefined }, countableRules: string[] = COUNTABLE_RULES): string[] {
  const problems: string[] = [];
  if (acl.scope !== "CLOUDFRONT") problems.push(`scope is ${acl.scope ?? "unset"}, not CLOUDFRONT`);
  const rules = list(acl.rules) as WafRule[];
  problems.push(...webAclEffectProblems(rules, { managedGroups: REQUIRED_MANAGED_GROUPS, countableRules, maxRateLimit }, ctx));
  return problems;
}

export const wafPolicies: Policies = [
  stackRule({
    name: "cloudfront-waf-prod",
    description: `In prod, every CloudFront distribution is protected by a CLOUDFRONT-scope web ACL declared in the stack whose rules, in priority order, enforce the AWS managed ${COMMON_RULE_SET}, ${KNOWN_BAD_INPUTS} and ${ANONYMOUS_IP_LIST} (no count mode, no scope-down, no rule overridden to count but countableRules) and a blocking per-IP rate-based rule over every request (limit ≤ maxRateLimit, keyed on the client IP, not a forwarded header, constant or client-chosen key), with no allow rule ahead of them matching what a client controls (headers, paths, countries, a NOT, a forwarded-IP IP set, or an IP set broader than a /8).`,
    enforcementLevel: "mandatory",
    judges: [...TYPES.webAcl, ...TYPES.distribution, "aws:wafv2/ipSet:IpSet", "aws:wafv2/ruleGroup:RuleGroup"],
    config: {
      ...environmentConfig,
      maxRateLimit: { type: "integer", minimum: 10, default: 100000, description: "Largest request limit (per evaluation window, per IP) the rate-based rule may allow." },
      countableRules: { type: "array", items: { type: "string" }, default: COUNTABLE_RULES, description: "Rules of the required groups that may be overridden to count (the common set's 8 KB body limit, for APIs taking uploads; the anonymous-IP set's hosting-provider list, for API clients in clouds)." },
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
  stackRule({
    name: "waf-logging-prod",
    description: `In prod, every CLOUDFRONT web ACL the stack declares logs its requests: an aws.wafv2.WebAclLoggingConfiguration on it with a destination (a log group of the stack must be named ${WAF_LOG_PREFIX}…, as WAF requires), no filter that drops every request, and the ${CREDENTIAL_HEADERS.join(" and ")} headers redacted.`,
    enforcementLevel: "mandatory",
    judges: [...TYPES.webAcl, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "aws:cloudwatch/logGroup:LogGroup"],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const configurations = ofType(resources, ["aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"]);
      const logGroups = ofType(resources, ["aws:cloudwatch/logGroup:LogGroup"]);
      for (const acl of ofType(resources, TYPES.webAcl)) {
        if (!isProd(config, acl) || ifKnown(() => (acl.props as WebAcl).scope) !== "CLOUDFRONT") continue;
        const mine = configurations.filter((c) => refersTo(ifKnown(() => c.props.resourceArn), acl));
        const pending = configurations.filter((c) => unknownAt(() => c.props.resourceArn));
        if (mine.length === 0) {
          if (pending.length === 0) report(`Web ACL "${acl.name}" in a prod stack logs no requests: add an aws.wafv2.WebAclLoggingConfiguration for it (a blocked request can't be traced to its rule otherwise).`, acl.urn);
          continue;
        }
        for (const c of mine) {
          const props = ifKnown(() => JSON.parse(JSON.stringify(c.props)) as LoggingConfiguration);
          if (props === undefined) continue;
          const problems = wafLoggingProblems(props);
          for (const destination of list(props.logDestinationConfigs)) {
            const group = logGroups.find((g) => refersTo(destination, g));
            const name = group ? ifKnown(() => group.props.name) : undefined;
            if (typeof name === "string" && !name.startsWith(WAF_LOG_PREFIX)) problems.push(`its log group "${name}" is not named ${WAF_LOG_PREFIX}…, so WAF can't deliver to it`);
          }
          if (problems.length > 0) report(`Logging configuration "${c.name}" of web ACL "${acl.name}" ${problems.join("; ")}.`, c.urn);
        }
      }
    },
  }),
];
