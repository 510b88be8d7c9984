import type { PolicyResource } from "@pulumi/policy";
import { Policies } from "@pulumi/policy";
import { MONITORED_KINDS, MonitoredKind, recommendedFor, regionOf } from "@edgestack/contract";
import { environmentConfig, ifKnown, isProd, list, ofType, refersTo, stackRule, TYPES } from "./common";
import { isAllow, statementsOf, values } from "./documents";

const T = {
  alarm: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
  topic: ["aws:sns/topic:Topic"],
  topicPolicy: ["aws:sns/topicPolicy:TopicPolicy"],
  natGateway: ["aws:ec2/natGateway:NatGateway"],
  certificate: ["aws:acm/certificate:Certificate"],
  cloudfrontFunction: ["aws:cloudfront/function:Function"],
  monitoringSubscription: ["aws:cloudfront/monitoringSubscription:MonitoringSubscription"],
  healthCheck: ["aws:route53/healthCheck:HealthCheck"],
  zoneSigning: ["aws:route53/hostedZoneDnsSec:HostedZoneDnsSec"],
} as const;

type Props = Record<string, unknown>;
const props = (r: PolicyResource) => r.props as Props;
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/**
 * The region a resource is managed in: its provider's `region` (the provider resource in the stack, or the provider's props).
 * Values unknown in preview are read directly: the rule then reports it can't decide yet, never a false violation.
 */
function regionOf_(r: PolicyResource, providers: PolicyResource[]): string | undefined {
  const own = str(props(r).region);
  if (own) return own;
  const ref = r.provider;
  if (!ref) return undefined;
  // The provider resource of the stack first: its props are the engine's checked ones (an unknown region throws).
  const provider = providers.find((p) => p.urn === ref.urn || p.name === ref.name || ref.name.endsWith(`::${p.name}`) || ref.urn.endsWith(`::${p.name}`));
  if (provider) return str(props(provider).region);
  return str((ref.props as Props | undefined)?.region);
}

/** Whether a key policy lets CloudWatch use the key to publish to an encrypted topic (GenerateDataKey* and Decrypt). */
export function keyAdmitsCloudWatch(policy: unknown): boolean {
  const doc = statementsOf(policy);
  if ("unreadable" in doc) return false;
  const grants = (action: string) =>
    doc.statements.some((s) => {
      if (!isAllow(s)) return false;
      const principal = s.Principal as Record<string, unknown> | undefined;
      if (typeof principal !== "object" || principal === null || !values(principal.Service).includes("cloudwatch.amazonaws.com")) return false;
      return values(s.Action).some((a) => a === "kms:*" || a === action || (a.endsWith("*") && action.startsWith(a.slice(0, -1))));
    });
  return grants("kms:GenerateDataKey") && grants("kms:Decrypt");
}

/** Whether a topic policy lets CloudWatch publish. */
export function topicAdmitsCloudWatch(policy: unknown): boolean {
  const doc = statementsOf(policy);
  if ("unreadable" in doc) return false;
  return doc.statements.some((s) => {
    if (!isAllow(s)) return false;
    const principal = s.Principal as Record<string, unknown> | undefined;
    if (typeof principal !== "object" || principal === null || !values(principal.Service).includes("cloudwatch.amazonaws.com")) return false;
    return values(s.Action).some((a) => a === "sns:Publish" || a === "sns:*" || a === "*");
  });
}

interface Monitored {
  resource: PolicyResource;
  kind: MonitoredKind;
  dimensions: Record<string, string>;
  region: string | undefined;
}

/** The resources with recommended alarms and the dimensions their alarms must carry. */
function monitoredResources(resources: PolicyResource[], providers: PolicyResource[]): Monitored[] {
  const out: Monitored[] = [];
  const stackRegion = (r: PolicyResource) => regionOf_(r, providers);
  const lbs = ofType(resources, TYPES.loadBalancer);
  const lbKind = (lb: PolicyResource) => (ifKnown(() => props(lb).loadBalancerType) === "network" ? "nlb" : "alb");
  for (const lb of lbs) {
    const suffix = ifKnown(() => str(props(lb).arnSuffix));
    if (suffix) out.push({ resource: lb, kind: lbKind(lb), dimensions: { LoadBalancer: suffix }, region: stackRegion(lb) });
  }
  // A target group is judged with the load balancer whose listener (or listener rule) forwards to it.
  const listeners = ofType(resources, TYPES.listener);
  const rules = ofType(resources, TYPES.listenerRule);
  const forwardsTo = (actions: unknown) =>
    list(actions as Props[]).flatMap((a) => [a.targetGroupArn, ...list((a.forward as Props | undefined)?.targetGroups as Props[]).map((g) => g.arn)]).filter((x): x is string => typeof x === "string");
  for (const tg of ofType(resources, TYPES.targetGroup)) {
    const tgSuffix = ifKnown(() => str(props(tg).arnSuffix));
    if (!tgSuffix) continue;
    const lbsOf = new Set<PolicyResource>();
    for (const l of listeners) {
      const actions = ifKnown(() => props(l).defaultActions);
      const ruleActions = rules.filter((r) => refersTo(ifKnown(() => props(r).listenerArn), l)).flatMap((r) => forwardsTo(ifKnown(() => props(r).actions)));
      if (![...forwardsTo(actions), ...ruleActions].some((ref) => refersTo(ref, tg))) continue;
      const lb = lbs.find((b) => refersTo(ifKnown(() => props(l).loadBalancerArn), b));
      if (lb) lbsOf.add(lb);
    }
    for (const lb of lbsOf) {
      const lbSuffix = ifKnown(() => str(props(lb).arnSuffix));
      if (lbSuffix) out.push({ resource: tg, kind: lbKind(lb) === "nlb" ? "nlbTargetGroup" : "albTargetGroup", dimensions: { LoadBalancer: lbSuffix, TargetGroup: tgSuffix }, region: stackRegion(tg) });
    }
  }
  for (const d of ofType(resources, TYPES.distribution)) {
    const id = ifKnown(() => str(props(d).id));
    if (id) out.push({ resource: d, kind: "distribution", dimensions: { DistributionId: id, Region: "Global" }, region: "us-east-1" });
  }
  for (const f of ofType(resources, T.cloudfrontFunction)) {
    const name = ifKnown(() => str(props(f).name));
    if (name) out.push({ resource: f, kind: "cloudfrontFunction", dimensions: { FunctionName: name, Region: "Global" }, region: "us-east-1" });
  }
  for (const rg of ofType(resources, TYPES.replicationGroup)) {
    for (const node of list(ifKnown(() => props(rg).memberClusters as string[]))) {
      out.push({ resource: rg, kind: "cacheNode", dimensions: { CacheClusterId: node }, region: stackRegion(rg) });
    }
  }
  for (const cert of ofType(resources, T.certificate)) {
    const arn = ifKnown(() => str(props(cert).arn));
    const region = stackRegion(cert);
    // An ACM certificate's metrics (DaysToExpiry) live in its own region, which its ARN names.
    if (arn && region) out.push({ resource: cert, kind: "certificate", dimensions: { CertificateArn: arn.replace(/^(arn:[^:]+:acm:)[^:]+/, `$1${region}`) }, region });
  }
  for (const hc of ofType(resources, T.healthCheck)) {
    const id = ifKnown(() => str(props(hc).id));
    if (id) out.push({ resource: hc, kind: "healthCheck", dimensions: { HealthCheckId: id }, region: "us-east-1" });
  }
  // A signed zone: its DNSSEC metrics carry the hosted zone's id.
  for (const z of ofType(resources, T.zoneSigning)) {
    const id = ifKnown(() => str(props(z).hostedZoneId));
    if (id) out.push({ resource: z, kind: "signedZone", dimensions: { HostedZoneId: id }, region: "us-east-1" });
  }
  for (const nat of ofType(resources, T.natGateway)) {
    const id = ifKnown(() => str(props(nat).id));
    if (id) out.push({ resource: nat, kind: "natGateway", dimensions: { NatGatewayId: id }, region: stackRegion(nat) });
  }
  return out.filter((m) => regionOf(m.kind) === "stack" || m.region === "us-east-1");
}

const sameDimensions = (a: unknown, b: Record<string, string>) => {
  if (typeof a !== "object" || a === null) return false;
  const ka = Object.keys(a as Props).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && (a as Props)[k] === b[k]);
};

export const observabilityPolicies: Policies = [
  stackRule({
    name: "recommended-alarms-deliver-prod",
    description:
      "In prod, every load balancer, target group, distribution, CloudFront function, cache node, NAT gateway, ACM certificate and Route53 health check has CloudWatch's recommended alarms with its own dimensions, in the metric's region, acting on an SNS topic of that region whose policy lets CloudWatch publish and whose KMS key lets CloudWatch use it.",
    enforcementLevel: "mandatory",
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      if (!resources.some((r) => isProd(config, r.urn))) return;
      const providers = resources.filter((r) => r.type.startsWith("pulumi:providers:aws"));
      const alarms = ofType(resources, T.alarm);
      const topics = ofType(resources, T.topic);
      const topicPolicies = ofType(resources, T.topicPolicy);
      const keys = ofType(resources, TYPES.kmsKey);
      const subscriptions = ofType(resources, T.monitoringSubscription);

      /** Why an action ARN does not reach a topic that delivers, or undefined when it does. */
      const actionProblem = (action: string, alarmRegion: string | undefined): string | undefined => {
        const m = /^arn:aws[\w-]*:sns:([a-z0-9-]+):\d{12}:([\w-]+)$/.exec(action);
        if (!m) return `action ${action} is not an SNS topic`;
        const [, actionRegion, topicName] = m;
        if (alarmRegion && actionRegion !== alarmRegion) return `action ${action} is a topic in ${actionRegion}, not in the alarm's region ${alarmRegion}`;
        const topic = topics.find((t) => (props(t).name) === topicName && regionOf_(t, providers) === actionRegion);
        if (!topic) return `action ${action} names no topic of this stack in ${actionRegion}`;
        const policy = topicPolicies.find((p) => refersTo((props(p).arn), topic) || (props(p).arn) === action);
        if (!policy || !topicAdmitsCloudWatch((props(policy).policy))) return `topic "${topic.name}" has no policy letting cloudwatch.amazonaws.com publish`;
        const keyRef = (str(props(topic).kmsMasterKeyId));
        const key = keyRef ? keys.find((k) => refersTo(keyRef, k)) : undefined;
        if (!key) return `topic "${topic.name}" is not encrypted with a customer-managed key of this stack`;
        if (!keyAdmitsCloudWatch((props(key).policy))) return `topic "${topic.name}"'s key "${key.name}" does not let cloudwatch.amazonaws.com use it (kms:GenerateDataKey*, kms:Decrypt)`;
        return undefined;
      };

      for (const m of monitoredResources(resources, providers)) {
        const expectedRegion = regionOf(m.kind) === "us-east-1" ? "us-east-1" : m.region;
        for (const rec of recommendedFor(m.kind)) {
          if (rec.needsCloudFrontAdditionalMetrics) {
            const id = m.dimensions.DistributionId;
            const on = subscriptions.some(
              (s) =>
                ((props(s).distributionId) === id || refersTo((props(s).distributionId), m.resource)) &&
                ((props(s).monitoringSubscription as Props)?.realtimeMetricsSubscriptionConfig as Props)?.realtimeMetricsSubscriptionStatus === "Enabled",
            );
            if (!on) {
              report(`Distribution "${m.resource.name}" has no CloudFront additional metrics (aws.cloudfront.MonitoringSubscription, Enabled): its recommended ${rec.metricName} alarm has no data.`, m.resource.urn);
              continue;
            }
          }
          const candidates = alarms.filter((a) => (props(a).namespace) === rec.namespace && (props(a).metricName) === rec.metricName);
          const problems: string[] = [];
          const good = candidates.some((a) => {
            const p = props(a);
            if (!sameDimensions((p.dimensions), m.dimensions)) return false;
            const region = regionOf_(a, providers);
            if (expectedRegion && region !== expectedRegion) return problems.push(`alarm "${a.name}" is in ${region ?? "an unknown region"}, the metric in ${expectedRegion}`), false;
            if ((p.actionsEnabled) === false) return problems.push(`alarm "${a.name}" has its actions disabled`), false;
            if ((p.comparisonOperator) !== rec.comparison) return problems.push(`alarm "${a.name}" compares ${String((p.comparisonOperator))}, not ${rec.comparison}`), false;
            const actions = list((p.alarmActions as string[]));
            if (actions.length === 0) return problems.push(`alarm "${a.name}" has no alarm actions`), false;
            const why = actions.map((x) => actionProblem(x, region)).filter((x): x is string => x !== undefined);
            if (why.length === actions.length) return problems.push(`alarm "${a.name}": ${why.join("; ")}`), false;
            return true;
          });
          if (!good) {
            // Dimension values are generated from the resource's inputs: while any is unknown (preview) the
            // alarm may well carry the real ones; reading them raises the unknown-value error, so the rule
            // reports it cannot run rather than a violation.
            for (const key of Object.keys(m.resource.props)) void props(m.resource)[key];
            const dims = Object.entries(m.dimensions).map(([k, v]) => `${k}=${v}`).join(", ");
            report(
              `${m.resource.type.split(":").pop()} "${m.resource.name}" has no working ${rec.namespace} ${rec.metricName} alarm (${dims}, in ${expectedRegion ?? "its region"})${problems.length ? `: ${problems.join("; ")}` : ""}.`,
              m.resource.urn,
            );
          }
        }
      }
    },
  }),
];

/** The kinds and the dimensions the rule expects (documentation and tests). */
export const MONITORED = MONITORED_KINDS;
