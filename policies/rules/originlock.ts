import type { cloudfront, lb } from "@pulumi/aws";
import { Policies, PolicyResource, ReportViolation } from "@pulumi/policy";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS, HEADERS, PREFIX_LIST_TAGS } from "@edgestack/contract";
import { ifKnown, list, masked, maskedMessage, ofType, Props, refersTo, siblings, stackRule, TYPES, unknownAt } from "./common";
import { ingressOf } from "./securitygroups";
import { resolver } from "./dns-failover";
import { isS3Host } from "../semantics/partition";

type LoadBalancer = Props<lb.LoadBalancerArgs>;
type Listener = Props<lb.ListenerArgs>;
type ListenerRule = Props<lb.ListenerRuleArgs>;
type Distribution = Props<cloudfront.DistributionArgs>;

const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : undefined);
const isS3Origin = (o: { domainName?: string; s3OriginConfig?: unknown; originAccessControlId?: string }) =>
  o.s3OriginConfig !== undefined || isS3Host(o.domainName ?? "") || (o.originAccessControlId !== undefined && /\.s3/.test(o.domainName ?? ""));

/** Resources of `types` whose `key` reference points at `target`, or (reference resolving to nothing of `among`) declared beside it. */
function attached(target: PolicyResource, resources: PolicyResource[], types: readonly string[], key: string, among: PolicyResource[]): PolicyResource[] {
  return ofType(resources, types).filter((r) => {
    const ref = ifKnown(() => (r.props as Record<string, unknown>)[key]);
    if (refersTo(ref, target)) return true;
    return !among.some((o) => refersTo(ref, o)) && siblings(r, target);
  });
}

/** A forward action (plain `forward` or weighted `forward` block) sends traffic to targets. */
const forwards = (actions: unknown): boolean => list(actions as { type?: string }[]).some((a) => a?.type === "forward" || (a as { forward?: unknown })?.forward !== undefined);

function checkHeaderCondition(rule: PolicyResource, header: string, report: ReportViolation) {
  if (unknownAt(() => (rule.props as ListenerRule).conditions)) return; // known after deployment
  const conditions = ifKnown(() => (rule.props as ListenerRule).conditions);
  if (masked(conditions)) return report(`${maskedMessage(`The conditions of listener rule "${rule.name}"`)} (mask only the header value).`, rule.urn);
  const matches = list(conditions).filter((c) => typeof c?.httpHeader?.httpHeaderName === "string" && c.httpHeader.httpHeaderName.toLowerCase() === header.toLowerCase());
  if (matches.length === 0) return report(`Listener rule "${rule.name}" forwards without a ${header} header condition: requests that bypass CloudFront reach the targets.`, rule.urn);
  for (const m of matches) {
    const vals = m.httpHeader?.values;
    if (masked(vals)) continue;
    const known = Array.isArray(vals) ? vals : vals === undefined ? [] : [vals];
    if (known.length === 0) report(`Listener rule "${rule.name}" has a ${header} condition with no value.`, rule.urn);
    for (const v of known) {
      if (masked(v)) continue;
      // ALB header conditions treat * and ? as wildcards; a short or wildcard value is no secret.
      if (typeof v !== "string" || /[*?]/.test(v) || v.length < 32) report(`Listener rule "${rule.name}" matches ${header} against a guessable value (wildcards or under 32 characters); use the origin-lock secret.`, rule.urn);
    }
  }
}

/** The prefix list ids an ingress declaration admits from: a vpc rule's one, an ec2 rule's or a group's inline lists. */
function prefixIdsOf(on: PolicyResource): string[] {
  const p = on.props as Record<string, unknown>;
  const ids = (v: unknown) => list(v as unknown[] | undefined).filter((x): x is string => typeof x === "string" && x !== "");
  if (TYPES.vpcIngressRule.includes(on.type as never)) return ids(ifKnown(() => p.prefixListId));
  if (TYPES.ec2SecurityGroupRule.includes(on.type as never)) return ifKnown(() => p.type) === "ingress" ? ids(ifKnown(() => p.prefixListIds)) : [];
  return list(ifKnown(() => p.ingress) as { prefixListIds?: unknown }[] | undefined).flatMap((i) => ids(i?.prefixListIds));
}

/**
 * What the plan records of prefix lists resolved by name (the program tags the rule using one with the name it
 * looked up and the id it got: @edgestack/contract PREFIX_LIST_TAGS): id → the names it was resolved from.
 */
export function resolvedPrefixLists(resources: PolicyResource[]): { ids: Map<string, Set<string>>; unknown: boolean } {
  const ids = new Map<string, Set<string>>();
  let unknown = false;
  for (const r of resources) {
    const read = () => {
      const tags = (r.props as { tags?: Record<string, unknown> }).tags;
      return tags && typeof tags === "object" ? { id: tags[PREFIX_LIST_TAGS.id], name: tags[PREFIX_LIST_TAGS.name] } : undefined;
    };
    // Tags not known yet (preview) may record a lookup: nothing unrecorded is concluded then.
    if (unknownAt(read)) unknown = true;
    const record = ifKnown(read);
    if (record && typeof record.id === "string" && record.id !== "" && typeof record.name === "string") ids.set(record.id, new Set([...(ids.get(record.id) ?? []), record.name]));
  }
  return { ids, unknown };
}

export const originLockPolicies: Policies = [
  stackRule({
    name: "alb-origin-lock",
    description:
      "An internet-facing ALB behind CloudFront answers only CloudFront: HTTPS default action a fixed response, every forwarding rule conditioned on the verify header, its security groups open only to CloudFront's origin-facing prefix list, and CloudFront's origins send the header.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.distribution, ...TYPES.loadBalancer, ...TYPES.listener, ...TYPES.securityGroup, ...TYPES.vpcIngressRule, ...TYPES.ec2SecurityGroupRule, ...TYPES.listenerRule, "aws:ec2/managedPrefixList:ManagedPrefixList"],
    config: {
      headerName: { type: "string", default: HEADERS.originVerify, description: "The secret header CloudFront adds and the ALB's rules require." },
      originPrefixListIds: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Prefix list ids allowed as the ALB's ingress source besides the one the plan records as resolved from CloudFront's origin-facing name (a stack not made by this program names its list here).",
      },
      directLoadBalancers: { type: "array", items: { type: "string" }, default: [], description: "Logical names of internet-facing ALBs that are not CloudFront origins." },
    },
    validate: (resources, { config }, report) => {
      const header = String(config.headerName);
      const distributions = ofType(resources, TYPES.distribution);
      const customOrigin = (d: PolicyResource) => {
        const origins = ifKnown(() => (d.props as Distribution).origins);
        return masked(origins) || list(origins).some((o) => masked(o) || !isS3Origin(o ?? {}));
      };
      const fronted = distributions.filter(customOrigin);
      if (fronted.length === 0) return;

      for (const d of fronted) {
        const origins = ifKnown(() => (d.props as Distribution).origins);
        if (masked(origins)) {
          report(`${maskedMessage(`The origins of distribution "${d.name}"`)} (mask only the header value).`, d.urn);
          continue;
        }
        for (const o of list(origins)) {
          if (masked(o)) report(`${maskedMessage(`An origin of distribution "${d.name}"`)}.`, d.urn);
          else if (!isS3Origin(o ?? {}) && !list(o?.customHeaders).some((h) => masked(h) || h?.name?.toLowerCase() === header.toLowerCase())) {
            report(`Origin "${o?.originId}" of distribution "${d.name}" does not send the ${header} header, so the origin lock can't admit CloudFront.`, d.urn);
          } else if (!isS3Origin(o ?? {})) {
            // The value CloudFront sends is the secret itself: a short or written-out value is one anyone can send the ALB.
            for (const h of list(o?.customHeaders).filter((x) => !masked(x) && x?.name?.toLowerCase() === header.toLowerCase())) {
              const v = h?.value;
              if (masked(v)) continue;
              if (typeof v !== "string" || /[*?]/.test(v) || v.length < 32) report(`Origin "${o?.originId}" of distribution "${d.name}" sends ${header} with a guessable value (written out, under 32 characters or with wildcards): anyone who sends it reaches the ALB past CloudFront and the WAF; send the origin-lock secret (a generated Pulumi secret).`, d.urn);
            }
          }
        }
      }

      const lbs = ofType(resources, TYPES.loadBalancer);
      const albs = lbs.filter((l) => {
        const p = l.props as LoadBalancer;
        return (ifKnown(() => p.loadBalancerType) ?? "application") === "application" && ifKnown(() => p.internal) !== true && !(config.directLoadBalancers as string[]).includes(l.name);
      });
      const listeners = ofType(resources, TYPES.listener);
      const sgs = ofType(resources, TYPES.securityGroup);
      const sgRules = resources.filter((r) => [...TYPES.vpcIngressRule, ...TYPES.ec2SecurityGroupRule].includes(r.type as never));
      const allowedLists = config.originPrefixListIds as string[];
      // Prefix lists the plan records as resolved by name; only those resolved from CloudFront's origin-facing names pass.
      const { ids: resolved, unknown: recordsUnknown } = resolvedPrefixLists(resources);
      const cloudFrontNames = new Set<string>(CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS);
      const cloudFrontIds = [...resolved].filter(([, names]) => [...names].every((n) => cloudFrontNames.has(n))).map(([id]) => id);
      const judgedPrefixes = new Set<string>();

      for (const alb of albs) {
        const https = attached(alb, resources, TYPES.listener, "loadBalancerArn", lbs).filter((l) => upper(ifKnown(() => (l.props as Listener).protocol)) === "HTTPS");
        for (const l of https) {
          const actions = ifKnown(() => (l.props as Listener).defaultActions);
          if (unknownAt(() => (l.props as Listener).defaultActions)) {
            // known after deployment: judged then
          } else if (masked(actions)) report(`${maskedMessage(`The default actions of listener "${l.name}"`)}.`, l.urn);
          else if (list(actions).length === 0 || list(actions).some((a) => a?.type !== "fixed-response")) {
            report(`HTTPS listener "${l.name}" of ALB "${alb.name}" must default to a fixed response (e.g. 403); a ${list(actions).map((a) => a?.type).join("/") || "missing"} default lets requests without the ${header} header through.`, l.urn);
          }
          for (const rule of attached(l, resources, TYPES.listenerRule, "listenerArn", listeners)) {
            const ruleActions = ifKnown(() => (rule.props as ListenerRule).actions);
            if (unknownAt(() => (rule.props as ListenerRule).actions)) continue;
            if (masked(ruleActions)) report(`${maskedMessage(`The actions of listener rule "${rule.name}"`)}.`, rule.urn);
            else if (forwards(ruleActions)) checkHeaderCondition(rule, header, report);
          }
        }

        if (unknownAt(() => (alb.props as LoadBalancer).securityGroups)) continue;
        const refs = list(ifKnown(() => (alb.props as LoadBalancer).securityGroups) as unknown[] | undefined);
        const albSgs = sgs.filter((sg) => refs.some((ref) => refersTo(ref, sg)));
        if (refs.length === 0) report(`ALB "${alb.name}" has no security group (the VPC default applies); give it one open only to CloudFront's origin-facing prefix list.`, alb.urn);
        // The ALB itself is named once per group that admits more than CloudFront (it may wear another resource's group).
        const opened = new Set<PolicyResource>();
        for (const sg of albSgs) {
          const own = ingressOf(sg.type, sg.props as Record<string, unknown>).map((i) => ({ i, on: sg }));
          const separate = sgRules.filter((r) => refersTo(ifKnown(() => r.props.securityGroupId), sg)).flatMap((r) => ingressOf(r.type, r.props as Record<string, unknown>).map((i) => ({ i, on: r })));
          for (const { i, on } of [...own, ...separate]) {
            if (i.cidrs.length > 0 || i.fromSecurityGroup || !i.fromPrefixList) {
              const message = `Security group "${sg.name}" of ALB "${alb.name}" admits ${i.cidrs.join(", ") || (i.fromSecurityGroup ? "another security group" : "an unrestricted source")} (${on === sg ? "inline ingress" : `rule "${on.name}"`}); allow only CloudFront's origin-facing prefix list.`;
              report(message, on.urn);
              // A separate rule opens the group itself: name both, and the ALB that wears the group.
              if (on !== sg) report(message, sg.urn);
              if (!opened.has(sg)) {
                opened.add(sg);
                report(`ALB "${alb.name}" wears security group "${sg.name}", which admits ${i.cidrs.join(", ") || (i.fromSecurityGroup ? "another security group" : "an unrestricted source")}: its groups must admit only CloudFront's origin-facing prefix list.`, alb.urn);
              }
            } else {
              for (const id of prefixIdsOf(on)) {
                if (judgedPrefixes.has(`${on.urn} ${id}`)) continue;
                judgedPrefixes.add(`${on.urn} ${id}`);
                const declared = ofType(resources, ["aws:ec2/managedPrefixList:ManagedPrefixList"]).find((x) => refersTo(id, x));
                const names = resolved.get(id);
                const where = `Security group "${sg.name}" of ALB "${alb.name}"`;
                if (declared) {
                  const entries = list(ifKnown(() => declared.props.entries as { cidr?: string }[])).map((e) => String(e?.cidr));
                  report(`${where} admits prefix list "${declared.name}" (${entries.join(", ") || "no entries"}), declared in this stack: not CloudFront's AWS-managed origin-facing list.`, on.urn);
                } else if (allowedLists.includes(id) || (names !== undefined && [...names].every((n) => cloudFrontNames.has(n)))) {
                  // CloudFront's: resolved by its managed name in this plan, or named in the config.
                } else if (names !== undefined) {
                  report(`${where} admits prefix list ${id}, which the stack resolved from ${[...names].join(", ")}: not CloudFront's origin-facing list (${CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS[0]}).`, on.urn);
                } else if (recordsUnknown) {
                  // A record not known yet (preview) may name it: judged once the plan is known.
                } else if (cloudFrontIds.length > 0) {
                  report(`${where} admits prefix list ${id}, not the one the stack resolved by CloudFront's origin-facing name (${cloudFrontIds.join(", ")}).`, on.urn);
                } else {
                  report(
                    `${where} admits prefix list ${id}, and the plan records no lookup of CloudFront's origin-facing list to compare it with (the ${PREFIX_LIST_TAGS.name}/${PREFIX_LIST_TAGS.id} tags the program writes), so it can't be verified as CloudFront's; name it in originPrefixListIds if it is.`,
                    on.urn,
                  );
                }
              }
            }
          }
        }
      }
    },
  }),
  stackRule({
    name: "cloudfront-origin-resolves-to-stack-lb",
    description:
      "A CloudFront custom origin whose domain the stack's own Route53 records name resolves, through every such record (alias, or CNAME followed through the plan), to an application load balancer of the stack (the origin-locked one, not the NLB): an alias to another balancer, a literal address or a CNAME elsewhere would send the origin-verify secret and every request to a host the stack does not control. An origin that carries the origin-verify header has a name the stack's records or load balancers hold (the secret goes nowhere else); other origins whose name no record of the stack holds are not judged.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.record, ...TYPES.loadBalancer, ...TYPES.distribution],
    validate: (resources, _ctx, report) => {
      const resolve = resolver(resources);
      const records = ofType(resources, TYPES.record);
      const balancers = ofType(resources, TYPES.loadBalancer);
      // Balancer names known only after deployment: judged then.
      if (balancers.some((b) => unknownAt(() => (b.props as Record<string, unknown>).dnsName))) return;
      const norm = (n: unknown) => String(n ?? "").trim().toLowerCase().replace(/\.$/, "");
      for (const d of ofType(resources, TYPES.distribution)) {
        const origins = ifKnown(() => (d.props as Distribution).origins);
        if (masked(origins)) continue; // reported by alb-origin-lock
        for (const o of list(origins)) {
          if (!o || isS3Origin(o) || o.customOriginConfig === undefined) continue;
          const domain = norm(o.domainName);
          const own = records.filter((r) => norm(ifKnown(() => r.props.name)) === domain && /^(A|AAAA|CNAME)$/.test(String(ifKnown(() => r.props.type) ?? "").toUpperCase()));
          // An origin that carries the origin-lock secret goes to the stack's balancer, by a record of the stack or by
          // the balancer's own name: anywhere else (a partner, an analytics collector) the secret is handed to a host
          // that can then reach the ALB past CloudFront and its WAF.
          const carriesSecret = list(o.customHeaders as { name?: unknown }[] | undefined).some((h) => String(h?.name ?? "").toLowerCase() === HEADERS.originVerify.toLowerCase());
          const balancerName = balancers.some((b) => norm(ifKnown(() => (b.props as Record<string, unknown>).dnsName)).replace(/^dualstack\./, "") === domain.replace(/^dualstack\./, ""));
          const recordNamesUnknown = records.some((r) => unknownAt(() => r.props.name) || unknownAt(() => r.props.type));
          if (carriesSecret && own.length === 0 && !balancerName && !recordNamesUnknown && !unknownAt(() => o.domainName)) {
            report(`Distribution "${d.name}" sends the origin secret (${HEADERS.originVerify}) to origin "${o.originId}" at ${domain}, which is neither a record of the stack nor one of its load balancers: that host holds the secret and can reach the ALB past CloudFront and its WAF; send the header only to the stack's ALB origin.`, d.urn);
          }
          for (const r of own) {
            const aliases = list(ifKnown(() => r.props.aliases as { name?: string }[]));
            const targets = aliases.length > 0 ? aliases.map((a) => String(a?.name ?? "")) : list(ifKnown(() => r.props.records as string[])).map(String);
            // A balancer is known by the first label of its DNS name (<name>-<hash>), with or without dualstack.; a CNAME is followed through the plan.
            const label = (n: unknown) => norm(n).replace(/^dualstack\./, "").split(".")[0];
            const isStackLb = (t: string) => balancers.some((b) => label(ifKnown(() => (b.props as Record<string, unknown>).dnsName)) === label(t)) || resolve(t).some((x) => x.kind === "loadBalancer");
            const lands = targets.map((t) => ({ t, to: isStackLb(t) ? [t] : [] }));
            for (const { t } of lands.filter((x) => x.to.length === 0)) {
              report(`Record "${r.name}" (${domain}, origin "${o.originId}" of distribution "${d.name}") points at ${t}, which is no load balancer of this stack: CloudFront would send the origin secret and every request there.`, r.urn);
            }
            // The origin lock and the viewer-address header live on an application load balancer: a network load
            // balancer passes CloudFront's connections to nginx's PROXY listeners, where the client is a CloudFront edge.
            for (const t of targets) {
              const direct = balancers.filter((x) => label(ifKnown(() => (x.props as Record<string, unknown>).dnsName)) === label(t));
              const via = direct.length > 0 ? [] : resolve(t).filter((x) => x.kind === "loadBalancer").map((x) => x.resource);
              for (const b of [...direct, ...via]) {
                const kind = String(ifKnown(() => (b.props as Record<string, unknown>).loadBalancerType) ?? "application");
                if (kind !== "application") report(`Record "${r.name}" (${domain}, origin "${o.originId}" of distribution "${d.name}") points at the ${kind} load balancer "${b.name}": it holds no origin lock and hands nginx CloudFront's edge addresses as clients; a CloudFront origin must land on the origin-locked application load balancer.`, r.urn);
              }
            }
          }
        }
      }
    },
  }),
];
