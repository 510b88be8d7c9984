import type { PolicyResource } from "@pulumi/policy";
import { Policies } from "@pulumi/policy";
import { CACHE_MEMBER_NODE_ID, MONITORED_KINDS, MonitoredKind, RecommendedAlarm, recommendedFor, regionOf } from "@edgestack/contract";
import { environmentConfig, ifKnown, isProd, list, ofType, refersTo, resourceRule, stackRule, TYPES, unknownAt } from "./common";
import { isAllow, statementsOf, values } from "./documents";
import { parseStructured } from "../semantics/structured";
import { selectorMatches } from "../semantics/netpol";

const T = {
  alarm: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
  topic: ["aws:sns/topic:Topic"],
  topicPolicy: ["aws:sns/topicPolicy:TopicPolicy"],
  natGateway: ["aws:ec2/natGateway:NatGateway"],
  certificate: ["aws:acm/certificate:Certificate"],
  cloudfrontFunction: ["aws:cloudfront/function:Function"],
  monitoringSubscription: ["aws:cloudfront/monitoringSubscription:MonitoringSubscription"],
  healthCheck: ["aws:route53/healthCheck:HealthCheck"],
  webAcl: ["aws:wafv2/webAcl:WebAcl"],
  addon: ["aws:eks/addon:Addon"],
  logGroup: ["aws:cloudwatch/logGroup:LogGroup"],
  workspace: ["aws:amp/workspace:Workspace"],
  scraper: ["aws:amp/scraper:Scraper"],
  alertManager: ["aws:amp/alertManagerDefinition:AlertManagerDefinition"],
  zoneSigning: ["aws:route53/hostedZoneDnsSec:HostedZoneDnsSec"],
} as const;

/** The EKS add-on that publishes Container Insights metrics and ships container logs, and the log groups it writes. */
export const CONTAINER_INSIGHTS_ADDON = "amazon-cloudwatch-observability";
export const CONTAINER_INSIGHTS_LOG_KINDS = ["application", "dataplane", "host", "performance"] as const;

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
  return keyAdmitsService(policy, "cloudwatch.amazonaws.com");
}

/** Whether a key policy lets a service principal use the key to publish to an encrypted topic (GenerateDataKey* and Decrypt). */
export function keyAdmitsService(policy: unknown, service: string): boolean {
  const doc = statementsOf(policy);
  if ("unreadable" in doc) return false;
  const grants = (action: string) =>
    doc.statements.some((s) => {
      if (!isAllow(s)) return false;
      const principal = s.Principal as Record<string, unknown> | undefined;
      if (typeof principal !== "object" || principal === null || !values(principal.Service).includes(service)) return false;
      return values(s.Action).some((a) => a === "kms:*" || a === action || (a.endsWith("*") && action.startsWith(a.slice(0, -1))));
    });
  return grants("kms:GenerateDataKey") && grants("kms:Decrypt");
}

/** Whether a topic policy lets CloudWatch publish. */
export function topicAdmitsCloudWatch(policy: unknown): boolean {
  return topicAdmitsService(policy, "cloudwatch.amazonaws.com");
}

/** Whether a topic policy lets a service principal publish. */
export function topicAdmitsService(policy: unknown, service: string): boolean {
  const doc = statementsOf(policy);
  if ("unreadable" in doc) return false;
  return doc.statements.some((s) => {
    if (!isAllow(s)) return false;
    const principal = s.Principal as Record<string, unknown> | undefined;
    if (typeof principal !== "object" || principal === null || !values(principal.Service).includes(service)) return false;
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
      out.push({ resource: rg, kind: "cacheNode", dimensions: { CacheClusterId: node, CacheNodeId: CACHE_MEMBER_NODE_ID }, region: stackRegion(rg) });
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
  // A CloudFront-scope web ACL: its metrics (dimension WebACL = its visibility metric name, Rule=ALL for the whole ACL) in us-east-1.
  for (const acl of ofType(resources, T.webAcl)) {
    if (ifKnown(() => props(acl).scope) !== "CLOUDFRONT") continue;
    const metricName = ifKnown(() => str((props(acl).visibilityConfig as Props | undefined)?.metricName));
    if (metricName) out.push({ resource: acl, kind: "webAcl", dimensions: { WebACL: metricName, Rule: "ALL" }, region: "us-east-1" });
  }
  // Every EKS cluster: its node alarms read Container Insights (ClusterName).
  for (const c of ofType(resources, TYPES.eksCluster)) {
    const name = ifKnown(() => str(props(c).name));
    if (name) out.push({ resource: c, kind: "eksCluster", dimensions: { ClusterName: name }, region: stackRegion(c) });
  }
  // Each ClusterIP / NodePort Service (not headless) of the one cluster: its pods' limits through Container Insights.
  const clusters = ofType(resources, TYPES.eksCluster);
  const clusterName = clusters.length === 1 ? ifKnown(() => str(props(clusters[0]).name)) : undefined;
  for (const svc of clusterName ? ofType(resources, TYPES.service) : []) {
    const metadata = ifKnown(() => props(svc).metadata as Props | undefined);
    const headless = ifKnown(() => (props(svc).spec as Props | undefined)?.clusterIP) === "None";
    const [name, namespace] = [str(metadata?.name), str(metadata?.namespace)];
    if (name && namespace && !headless) out.push({ resource: svc, kind: "eksService", dimensions: { ClusterName: clusterName!, Namespace: namespace, Service: name }, region: stackRegion(clusters[0]) });
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

/** The account field of an ARN. */
const accountOf = (arn: string) => arn.split(":")[4];

/** Whether some resource's input is unknown (preview): a reference to it cannot be decided yet. */
const anyUnknown = (rs: PolicyResource[], keys: string[]) => rs.some((r) => keys.some((k) => ifKnown(() => (void props(r)[k], true)) === undefined));

const sameDimensions = (a: unknown, b: Record<string, string>) => {
  if (typeof a !== "object" || a === null) return false;
  const ka = Object.keys(a as Props).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && (a as Props)[k] === b[k]);
};

/**
 * The metric an alarm compares, when it is the recommended one: the alarm's own metric, or for a
 * percentage alarm (RecommendedAlarm.percentOf) the metric its returned expression divides, with a
 * problem when that expression is not 100 × the metric ÷ the sum of the base metrics of the same dimensions.
 */
function alarmedMetric(p: Props, rec: RecommendedAlarm): { dimensions: unknown; problem?: string } | undefined {
  const queries = list(p.metricQueries as Props[] | undefined);
  if (queries.length === 0) {
    if (p.namespace !== rec.namespace || p.metricName !== rec.metricName) return undefined;
    return { dimensions: p.dimensions, problem: rec.percentOf ? `compares the raw ${rec.metricName}, not its share of ${rec.percentOf.join(" + ")}` : undefined };
  }
  const idOf = (metricName: string) => queries.find((q) => (q.metric as Props | undefined)?.namespace === rec.namespace && (q.metric as Props | undefined)?.metricName === metricName);
  const main = idOf(rec.metricName);
  if (!main) return undefined;
  const dimensions = (main.metric as Props).dimensions;
  const returned = queries.filter((q) => q.returnData === true);
  if (!rec.percentOf) return { dimensions, problem: returned.length === 1 && returned[0] === main ? undefined : `does not compare ${rec.metricName} itself` };
  const bases = rec.percentOf.map(idOf);
  if (bases.some((b) => b === undefined || !sameDimensions((b.metric as Props).dimensions, dimensions as Record<string, string>))) {
    return { dimensions, problem: `lacks ${rec.percentOf.join(" or ")} of the same resource to divide by` };
  }
  const expression = returned.length === 1 ? String(returned[0].expression ?? "").replace(/\s+/g, "") : "";
  const wanted = `100*${String(main.id)}/(${bases.map((b) => String(b!.id)).join("+")})`;
  return { dimensions, problem: expression === wanted ? undefined : `returns ${JSON.stringify(expression)}, not ${wanted} (${rec.metricName} as a percentage of ${rec.percentOf.join(" + ")})` };
}

/** Whether a Service's selector picks a workload's pods (same namespace, every selector label on the pod template). */
function serviceSelects(svc: PolicyResource, workload: PolicyResource): boolean {
  const sp = ifKnown(() => props(svc) as { metadata?: { namespace?: unknown }; spec?: { selector?: Record<string, unknown> } });
  const wp = ifKnown(() => props(workload) as { metadata?: { namespace?: unknown }; spec?: { template?: { metadata?: { labels?: Record<string, unknown> } } } });
  const selector = sp?.spec?.selector;
  if (!sp || !wp || !selector || Object.keys(selector).length === 0) return false;
  if (String(sp.metadata?.namespace ?? "default") !== String(wp.metadata?.namespace ?? "default")) return false;
  return selectorMatches({ matchLabels: selector as Record<string, string> }, (wp.spec?.template?.metadata?.labels ?? {}) as Record<string, string>);
}

export const observabilityPolicies: Policies = [
  stackRule({
    name: "recommended-alarms-deliver-prod",
    description:
      "In prod, every load balancer, target group, distribution, CloudFront function, cache node, NAT gateway, ACM certificate, Route53 health check, web ACL, signed zone, Container Insights cluster and its ClusterIP/NodePort Services has CloudWatch's recommended alarms with its own dimensions, in the metric's region, no looser than recommended (threshold, or the policy config's alarmThresholds; no more breaching datapoints), acting on an SNS topic of that region whose policy lets CloudWatch publish and whose KMS key lets CloudWatch use it, and that is the topic of the alarm's severity (a page alarm on <prefix>-alerts-page, not only the ticket topic).",
    enforcementLevel: "mandatory",
    judges: [...T.alarm, ...T.topic, ...T.topicPolicy, ...TYPES.kmsKey, ...T.monitoringSubscription, ...T.addon, ...TYPES.eksCluster, "pulumi:providers:aws"],
    config: {
      ...environmentConfig,
      alarmThresholds: { type: "array", items: { type: "string" }, default: [], description: "Accepted thresholds other than the recommended ones, as <alarm id>=<number> (the stack's own alarmThresholds)." },
    },
    validate: (resources, { config }, report) => {
      if (!resources.some((r) => isProd(config, r.urn))) return;
      const thresholds = new Map(
        list(config.alarmThresholds as string[])
          .map((x) => /^([\w.:-]+)=(-?[\d.]+)$/.exec(String(x)))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1], Number(m[2])] as const),
      );
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
        // The same name in another account is another topic.
        const own = ifKnown(() => str(props(topic).arn));
        if (own !== undefined && accountOf(own) !== accountOf(action)) return `action ${action} is not topic "${topic.name}" (${own}): another account's topic of the same name`;
        const policy = topicPolicies.find((p) => refersTo((props(p).arn), topic) || (props(p).arn) === action);
        if (!policy || !topicAdmitsCloudWatch((props(policy).policy))) return topicProblem(topic, `topic "${topic.name}" has no policy letting cloudwatch.amazonaws.com publish`);
        const keyRef = (str(props(topic).kmsMasterKeyId));
        const key = keyRef ? keys.find((k) => refersTo(keyRef, k)) : undefined;
        if (!key) return topicProblem(topic, `topic "${topic.name}" is not encrypted with a customer-managed key of this stack`);
        if (!keyAdmitsCloudWatch((props(key).policy))) return topicProblem(topic, `topic "${topic.name}"'s key "${key.name}" does not let cloudwatch.amazonaws.com use it (kms:GenerateDataKey*, kms:Decrypt)`);
        return undefined;
      };
      // A topic (its policy or key) that breaks delivery is reported on itself too, once: it is what the change touched.
      const brokenTopics = new Map<PolicyResource, string>();
      const topicProblem = (topic: PolicyResource, why: string) => (brokenTopics.set(topic, why), why);

      const addons = ofType(resources, T.addon);
      const clusters = ofType(resources, TYPES.eksCluster);
      const unalarmedServices = new Map<PolicyResource, string[]>();
      const brokenServices = new Set<PolicyResource>();
      const monitored = monitoredResources(resources, providers);
      for (const m of monitored) {
        const expectedRegion = regionOf(m.kind) === "us-east-1" ? "us-east-1" : m.region;
        const insights = (cluster: PolicyResource) => addons.some((a) => props(a).addonName === CONTAINER_INSIGHTS_ADDON && (props(a).clusterName === m.dimensions.ClusterName || refersTo(props(a).clusterName, cluster)));
        // A Service's pod metrics come from the same add-on: its absence is reported once, on the cluster.
        if (m.kind === "eksService" && !insights(clusters[0])) continue;
        if (m.kind === "eksCluster" && !insights(m.resource)) {
          report(`EKS cluster "${m.resource.name}" runs no ${CONTAINER_INSIGHTS_ADDON} add-on: Container Insights publishes none of its node metrics, so its recommended alarms have no data.`, m.resource.urn);
          continue;
        }
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
          const candidates = alarms.filter((a) => alarmedMetric(props(a), rec) !== undefined);
          const problems: string[] = [];
          // Alarms of the resource's metric that fail: named with the resource, since they are what to fix.
          const failing: PolicyResource[] = [];
          const good = candidates.some((a) => {
            const p = props(a);
            const metric = alarmedMetric(p, rec)!;
            if (!sameDimensions(metric.dimensions, m.dimensions)) return false;
            failing.push(a);
            if (metric.problem) return problems.push(`alarm "${a.name}": ${metric.problem}`), false;
            const region = regionOf_(a, providers);
            if (expectedRegion && region !== expectedRegion) return problems.push(`alarm "${a.name}" is in ${region ?? "an unknown region"}, the metric in ${expectedRegion}`), false;
            if ((p.actionsEnabled) === false) return problems.push(`alarm "${a.name}" has its actions disabled`), false;
            if ((p.comparisonOperator) !== rec.comparison) return problems.push(`alarm "${a.name}" compares ${String((p.comparisonOperator))}, not ${rec.comparison}`), false;
            // Weakened numbers: a threshold looser than the recommended (or configured) one, or more breaching datapoints.
            const limit = thresholds.get(rec.id) ?? rec.threshold;
            const threshold = typeof p.threshold === "number" ? p.threshold : Number(p.threshold);
            if (Number.isFinite(threshold) && (rec.comparison.startsWith("Greater") ? threshold > limit : threshold < limit)) {
              return problems.push(`alarm "${a.name}" fires at ${threshold}, looser than ${limit} (${thresholds.has(rec.id) ? "alarmThresholds" : "the recommended threshold"})`), false;
            }
            // A resource that stops reporting (no healthy target left to count, a deleted target group) must still alarm.
            const missing = String(p.treatMissingData ?? "missing");
            if (rec.treatMissingData === "breaching" && missing !== "breaching") return problems.push(`alarm "${a.name}" treats missing data as ${missing}, not breaching: a resource that stops reporting never alarms`), false;
            if (list(p.metricQueries as Props[] | undefined).length === 0) {
              const statistic = String(p.extendedStatistic ?? p.statistic ?? "");
              if (statistic !== rec.statistic) return problems.push(`alarm "${a.name}" compares the ${statistic || "unset"} statistic, not ${rec.statistic}`), false;
              const period = Number(p.period);
              if (Number.isFinite(period) && period > rec.periodSeconds) return problems.push(`alarm "${a.name}" looks at ${period} s periods, longer than the recommended ${rec.periodSeconds} s`), false;
            }
            const points = Number(p.datapointsToAlarm ?? p.evaluationPeriods);
            if (Number.isFinite(points) && points > rec.datapointsToAlarm) return problems.push(`alarm "${a.name}" needs ${points} breaching datapoints, more than the recommended ${rec.datapointsToAlarm}`), false;
            const actions = list((p.alarmActions as string[]));
            if (actions.length === 0) return problems.push(`alarm "${a.name}" has no alarm actions`), false;
            const why = actions.map((x) => actionProblem(x, region)).filter((x): x is string => x !== undefined);
            if (why.length === actions.length) return problems.push(`alarm "${a.name}": ${why.join("; ")}`), false;
            // The alarm's severity decides who is woken: a page alarm on the ticket topic waits for the next working day.
            const delivering = actions.filter((x) => actionProblem(x, region) === undefined);
            if (!delivering.some((x) => x.split(":").pop()!.endsWith(`-${rec.severity}`))) return problems.push(`alarm "${a.name}" is a ${rec.severity} alarm but acts on ${delivering.join(", ")}, not the ${rec.severity} topic (<prefix>-alerts-${rec.severity})`), false;
            return true;
          });
          if (!good) {
            // Dimension values are generated from the resource's inputs: while any is unknown (preview) the
            // alarm may well carry the real ones; reading them raises the unknown-value error, so the rule
            // reports it cannot run rather than a violation.
            for (const key of Object.keys(m.resource.props)) void props(m.resource)[key];
            const dims = Object.entries(m.dimensions).map(([k, v]) => `${k}=${v}`).join(", ");
            const message = `${m.resource.type.split(":").pop()} "${m.resource.name}" has no working ${rec.namespace} ${rec.metricName} alarm (${dims}, in ${expectedRegion ?? "its region"})${problems.length ? `: ${problems.join("; ")}` : ""}.`;
            // A Service with no alarm of its own at all is decided once every Service is judged: its pods may be
            // another alarmed Service's (a second port, a metrics Service), which watches them already.
            if (m.kind === "eksService" && failing.length === 0) {
              unalarmedServices.set(m.resource, [...(unalarmedServices.get(m.resource) ?? []), message]);
              continue;
            }
            if (m.kind === "eksService") brokenServices.add(m.resource);
            report(message, m.resource.urn);
            for (const a of failing) report(message, a.urn);
          }
        }
      }
      // Pods are what the Service alarms watch: a Service whose workloads are each selected by a Service whose every
      // recommended alarm works adds no unwatched pod. One that selects no workload of the plan is reported.
      const alarmedServices = monitored.filter((m) => m.kind === "eksService" && !unalarmedServices.has(m.resource) && !brokenServices.has(m.resource)).map((m) => m.resource);
      const workloads = ofType(resources, TYPES.workload);
      for (const [svc, messages] of unalarmedServices) {
        const mine = workloads.filter((w) => serviceSelects(svc, w));
        if (mine.length > 0 && mine.every((w) => alarmedServices.some((other) => serviceSelects(other, w)))) continue;
        for (const message of messages) report(message, svc.urn);
      }
      for (const [topic, why] of brokenTopics) report(`SNS topic "${topic.name}" cannot deliver CloudWatch alarms: ${why}.`, topic.urn);
      // An alarm on a recommended metric whose dimensions name no resource of the stack watches nothing (a node id
      // or load balancer that does not exist reports no data): it is the alarm that is wrong, whatever else is missing.
      const kinds = [...new Set(monitored.map((m) => m.kind))];
      // What a dimension can name: a resource's id, ARN, ARN suffix, name, member clusters or metric name (a target
      // group no listener forwards to yet, the standby colour's, is no monitored resource but still a resource).
      let names: Set<string> | undefined;
      const namesOfStack = () => {
        const out = new Set<string>();
        for (const r of resources) {
          const p = ifKnown(() => ({ ...(r.props as Props) })) ?? {};
          for (const k of ["id", "arn", "arnSuffix", "name", "hostedZoneId"]) if (typeof p[k] === "string") out.add(p[k] as string);
          for (const m of list(p.memberClusters as string[])) out.add(String(m));
          const metric = (p.visibilityConfig as Props | undefined)?.metricName;
          if (typeof metric === "string") out.add(metric);
        }
        return out;
      };
      const ID_DIMENSIONS = ["LoadBalancer", "TargetGroup", "CacheClusterId", "NatGatewayId", "DistributionId", "HealthCheckId", "FunctionName", "HostedZoneId", "ClusterName", "WebACL"];
      for (const a of alarms) {
        const p = props(a);
        const recs = kinds.flatMap((k) => recommendedFor(k).map((rec) => ({ k, rec }))).filter(({ rec }) => alarmedMetric(p, rec) !== undefined);
        if (recs.length === 0) continue;
        const watches = recs.some(({ k, rec }) => monitored.some((m) => m.kind === k && sameDimensions(alarmedMetric(p, rec)!.dimensions, m.dimensions)));
        if (watches) continue;
        names ??= namesOfStack();
        const dims = (alarmedMetric(p, recs[0].rec)!.dimensions ?? {}) as Record<string, unknown>;
        const unnamed = Object.entries(dims).filter(([k, v]) => ID_DIMENSIONS.includes(k) && !names!.has(String(v)));
        if (unnamed.length > 0) report(`Alarm "${a.name}" watches ${recs[0].rec.namespace} ${recs[0].rec.metricName} with dimensions ${JSON.stringify(alarmedMetric(p, recs[0].rec)!.dimensions)}, which name no resource of this stack: it watches nothing.`, a.urn);
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "sns-subscriptions-encrypted-transport",
    description:
      "No SNS subscription delivers over plain HTTP (protocol http, or an https subscription whose endpoint is not an https:// URL): alert text (resource names, runbooks, addresses) would cross the internet readable and forgeable; none delivers to an ARN endpoint (Lambda, SQS, Firehose) of an account other than the topic's, and no endpoint URL carries a user and password. It does not judge who owns an https or email endpoint.",
    enforcementLevel: "mandatory",
    types: ["aws:sns/topicSubscription:TopicSubscription"],
    validate: (p, { args }, report) => {
      const protocol = String(ifKnown(() => p.protocol) ?? "").toLowerCase();
      const endpoint = ifKnown(() => p.endpoint);
      // An ARN endpoint (Lambda, SQS, Firehose, an application) of an account other than the topic's receives every message.
      const topicAccount = /^arn:[^:]+:sns:[^:]*:(\d{12}):/.exec(String(ifKnown(() => p.topic) ?? ""))?.[1];
      const endpointAccount = typeof endpoint === "string" ? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(endpoint)?.[1] : undefined;
      if (topicAccount && endpointAccount && endpointAccount !== topicAccount) report(`Subscription "${args.name}" delivers the topic's messages to ${endpoint}, in account ${endpointAccount}, not the topic's (${topicAccount}): alert text leaves the account; subscribe an endpoint of the topic's own account.`);
      if (protocol === "http") report(`Subscription "${args.name}" delivers over plain HTTP (protocol http): use https.`);
      else if (protocol === "https" && typeof endpoint === "string" && !/^https:\/\//i.test(endpoint)) report(`Subscription "${args.name}" is an https subscription to ${endpoint}, which is not an https:// URL.`);
      // Basic-auth credentials in the URL are in the plan, the state and the subscription's attributes in clear.
      if (typeof endpoint === "string" && /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*:[^/?#@]*@/i.test(endpoint)) report(`Subscription "${args.name}" carries a user and password in its endpoint URL: readable by anyone who may read the subscription, the plan or the state; authenticate the hook another way (a token the endpoint checks in the message, or a secret it signs with).`);
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "sns-topic-encrypted",
    description:
      "Every SNS topic encrypts its messages at rest with a KMS key (kmsMasterKeyId). It judges that a key is named, not which one: whether CloudWatch can use it is recommended-alarms-deliver-prod's question.",
    enforcementLevel: "mandatory",
    types: [T.topic[0]],
    validate: (p, { args }, report) => {
      const key = ifKnown(() => p.kmsMasterKeyId);
      if (unknownAt(() => p.kmsMasterKeyId)) return;
      if (typeof key !== "string" || key.trim() === "") report(`SNS topic "${args.name}" is not encrypted at rest: set kmsMasterKeyId to a customer-managed key whose policy admits its publishers.`);
    },
  }),
  stackRule({
    name: "managed-prometheus-workspace-cmk",
    description:
      "Every Amazon Managed Service for Prometheus workspace encrypts its samples, rules and alert manager definition with a customer-managed KMS key of this stack (kmsKeyArn), so who may read them is the key policy's decision and deleting the key revokes them; the AWS-owned default key is shared with the service.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.kmsKey, ...T.workspace],
    validate: (resources, _args, report) => {
      const keys = ofType(resources, TYPES.kmsKey);
      for (const w of ofType(resources, T.workspace)) {
        const keyArn = ifKnown(() => props(w).kmsKeyArn ?? null);
        if (keyArn === undefined) continue; // known after deployment
        if (keyArn === null || keyArn === "") report(`Prometheus workspace "${w.name}" is encrypted with the AWS-owned key only: set kmsKeyArn to a customer-managed key of the stack.`, w.urn);
        else if (!keys.some((k) => refersTo(keyArn, k, ["arn", "keyId"]))) report(`Prometheus workspace "${w.name}" is encrypted with ${String(keyArn)}, which is no KMS key of this stack.`, w.urn);
      }
    },
  }),
  stackRule({
    name: "managed-prometheus-scrapes-this-cluster",
    description:
      "Every Amazon Managed Service for Prometheus scraper of the stack scrapes an EKS cluster of this stack (its source names that cluster's ARN) into a workspace of this stack; in prod every cluster the stack creates has one.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.eksCluster, ...T.workspace, ...T.scraper],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const clusters = ofType(resources, TYPES.eksCluster);
      const workspaces = ofType(resources, T.workspace);
      const scrapers = ofType(resources, T.scraper);
      const scraped = new Set<PolicyResource>();
      // A scraper whose cluster cannot be read yet (preview) may be any cluster's.
      let unresolved = false;
      for (const s of scrapers) {
        const source = ifKnown(() => (props(s).source as Props | undefined)?.eks as Props | undefined);
        if (source === undefined) {
          if (ifKnown(() => props(s).source ?? null) !== undefined) report(`Scraper "${s.name}" has no EKS source: it scrapes no cluster of this stack.`, s.urn);
          else unresolved = true;
          continue;
        }
        const clusterArn = ifKnown(() => source.clusterArn);
        // The cluster's own ARN when known (an ARN merely ending in its name may be another account's or region's cluster).
        const cluster = clusters.find((c) => {
          const own = ifKnown(() => str(props(c).arn));
          return own !== undefined ? clusterArn === own : refersTo(clusterArn, c, ["arn"]);
        });
        if (cluster) scraped.add(cluster);
        else if (clusterArn !== undefined && !anyUnknown(clusters, ["arn", "name", "id"])) report(`Scraper "${s.name}" scrapes ${String(clusterArn)}, which is no EKS cluster of this stack.`, s.urn);
        else unresolved = true;
        const workspaceArn = ifKnown(() => ((props(s).destination as Props | undefined)?.amp as Props | undefined)?.workspaceArn);
        if (workspaceArn !== undefined && !anyUnknown(workspaces, ["arn", "id", "alias"]) && !workspaces.some((w) => refersTo(workspaceArn, w, ["arn"]))) report(`Scraper "${s.name}" writes to ${String(workspaceArn)}, which is no Prometheus workspace of this stack.`, s.urn);
      }
      if (!resources.some((r) => isProd(config, r.urn)) || unresolved) return;
      for (const c of clusters) {
        if (!scraped.has(c)) report(`EKS cluster "${c.name}" has no managed Prometheus scraper: the SLO rules and their alerts see none of its metrics.`, c.urn);
      }
    },
  }),
  stackRule({
    name: "managed-prometheus-alerts-deliver",
    description:
      "Every Amazon Managed Service for Prometheus alert manager routes page and ticket severities to SNS topics of this stack in the workspace's region whose policy lets aps.amazonaws.com publish and whose KMS key lets it encrypt.",
    enforcementLevel: "mandatory",
    judges: [...T.topic, ...T.topicPolicy, ...TYPES.kmsKey, ...T.alertManager, "pulumi:providers:aws"],
    config: environmentConfig,
    validate: (resources, _ctx, report) => {
      const providers = resources.filter((r) => r.type.startsWith("pulumi:providers:aws"));
      const topics = ofType(resources, T.topic);
      const topicPolicies = ofType(resources, T.topicPolicy);
      const keys = ofType(resources, TYPES.kmsKey);
      const service = "aps.amazonaws.com";
      /** Why a receiver's SNS target does not deliver, or undefined. */
      const topicProblem = (topicArn: unknown, region: string | undefined): string | undefined => {
        const m = typeof topicArn === "string" ? /^arn:aws[\w-]*:sns:([a-z0-9-]+):\d{12}:([\w-]+)$/.exec(topicArn) : null;
        if (!m) return `${String(topicArn)} is not an SNS topic ARN`;
        if (region && m[1] !== region) return `topic ${topicArn} is in ${m[1]}, the workspace in ${region}`;
        const topic = topics.find((t) => props(t).name === m[2] && regionOf_(t, providers) === m[1]);
        if (!topic) return `${topicArn} names no topic of this stack`;
        const own = ifKnown(() => str(props(topic).arn));
        if (own !== undefined && accountOf(own) !== accountOf(String(topicArn))) return `${topicArn} is not topic "${topic.name}" (${own}): another account's topic of the same name`;
        const policy = topicPolicies.find((p) => refersTo(props(p).arn, topic) || props(p).arn === topicArn);
        if (!policy || !topicAdmitsService(props(policy).policy, service)) return `topic "${topic.name}" has no policy letting ${service} publish`;
        const keyRef = str(props(topic).kmsMasterKeyId);
        const key = keyRef ? keys.find((k) => refersTo(keyRef, k)) : undefined;
        if (!key) return `topic "${topic.name}" is not encrypted with a customer-managed key of this stack`;
        if (!keyAdmitsService(props(key).policy, service)) return `topic "${topic.name}"'s key "${key.name}" does not let ${service} use it (kms:GenerateDataKey*, kms:Decrypt)`;
        return undefined;
      };
      for (const d of ofType(resources, T.alertManager)) {
        const definition = ifKnown(() => parseStructured(props(d).definition)) as Props | undefined;
        if (definition === undefined && ifKnown(() => props(d).definition) === undefined) continue;
        const config = parseStructured(definition?.alertmanager_config) as Props | undefined;
        const route = config?.route as Props | undefined;
        if (!config || !route) {
          report(`Alert manager definition "${d.name}" has no readable alertmanager_config with a route.`, d.urn);
          continue;
        }
        const receivers = list(config.receivers as Props[]);
        const region = regionOf_(d, providers);
        for (const severity of ["page", "ticket"]) {
          // The first child route matching the severity, else the root's receiver (Alertmanager's first match).
          const child = list(route.routes as Props[]).find((r) => list(r.matchers as string[]).some((mt) => mt.replace(/\s/g, "") === `severity="${severity}"` || mt.replace(/\s/g, "") === `severity=${severity}`));
          const receiverName = str((child ?? route).receiver);
          const receiver = receivers.find((r) => r.name === receiverName);
          const targets = list(receiver?.sns_configs as Props[]);
          if (targets.length === 0) {
            report(`Alert manager "${d.name}" routes severity ${severity} to receiver "${String(receiverName)}", which publishes to no SNS topic.`, d.urn);
            continue;
          }
          const why = targets.map((t) => topicProblem(t.topic_arn, region)).filter((x): x is string => x !== undefined);
          if (why.length === targets.length) report(`Alert manager "${d.name}" routes severity ${severity} to topics that cannot deliver: ${why.join("; ")}.`, d.urn);
        }
      }
    },
  }),
  stackRule({
    name: "container-logs-retained",
    description:
      "Every cluster running the amazon-cloudwatch-observability add-on keeps container logs on (configurationValues, JSON or YAML, does not set containerLogs.enabled false) and has the log groups it writes (/aws/containerinsights/<cluster>/application, dataplane, host, performance) declared with a retention and a customer-managed KMS key (kmsKeyId), so the add-on does not create them unencrypted and kept forever. Other log groups are not asked for a key.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.eksCluster, ...T.logGroup, ...T.addon],
    config: environmentConfig,
    validate: (resources, _ctx, report) => {
      const clusters = ofType(resources, TYPES.eksCluster);
      const groups = ofType(resources, T.logGroup);
      for (const a of ofType(resources, T.addon)) {
        if (ifKnown(() => props(a).addonName) !== CONTAINER_INSIGHTS_ADDON) continue;
        const ref = ifKnown(() => props(a).clusterName);
        const cluster = clusters.find((c) => refersTo(ref, c));
        const clusterName = cluster ? ifKnown(() => str(props(cluster).name)) : str(ref);
        // The add-on ships container logs unless its configuration (JSON or YAML) turns them off.
        const containerLogs = (ifKnown(() => parseStructured(props(a).configurationValues)) as { containerLogs?: { enabled?: unknown } } | undefined)?.containerLogs;
        const off = containerLogs?.enabled === false || (typeof containerLogs?.enabled === "string" && containerLogs.enabled.trim().toLowerCase() === "false");
        if (off) report(`Add-on "${a.name}" turns container logs off (configurationValues containerLogs.enabled false): no container's output (the app's and nginx's access lines) is kept anywhere.`, a.urn);
        if (!clusterName) continue;
        for (const kind of CONTAINER_INSIGHTS_LOG_KINDS) {
          const name = `/aws/containerinsights/${clusterName}/${kind}`;
          const group = groups.find((g) => ifKnown(() => props(g).name) === name);
          const days = group ? ifKnown(() => props(group).retentionInDays ?? 0) : undefined;
          if (!group && anyUnknown(groups, ["name"])) continue;
          if (!group) report(`Add-on "${a.name}" writes ${name}, which the stack does not declare: the add-on creates it with no retention (kept forever).`, a.urn);
          else if (days !== undefined && (typeof days !== "number" || days < 1)) report(`Log group "${group.name}" (${name}) keeps the add-on's logs forever: set retentionInDays.`, group.urn);
          if (group && !unknownAt(() => props(group).kmsKeyId)) {
            // Container stdout (the app's lines, nginx's access log) is the one log class the stack keys itself.
            const keyRef = ifKnown(() => props(group).kmsKeyId);
            if (typeof keyRef !== "string" || keyRef === "") report(`Log group "${group.name}" (${name}) holds every container's output but names no customer-managed KMS key (kmsKeyId): encrypt it with the Container Insights key.`, group.urn);
          }
        }
      }
    },
  }),
];

/** The kinds and the dimensions the rule expects (documentation and tests). */
export const MONITORED = MONITORED_KINDS;
