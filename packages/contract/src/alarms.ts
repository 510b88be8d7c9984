/**
 * CloudWatch's recommended alarms for the services this stack creates, as data, and the pure
 * function that turns the stack's monitored resources into alarm specs. The catalogue follows
 * "Recommended alarms" in the CloudWatch user guide,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html
 * (ApplicationELB, NetworkELB, CloudFront, ElastiCache, NATGateway, Route53, WAFV2, Container Insights for EKS); where AWS says the threshold
 * "depends on your workload" the default here is documented in docs/observability.md and any
 * threshold can be set with the `alarmThresholds` config key (`<alarm id>=<number>`).
 *
 * In the contract because the policy pack reads the same catalogue to judge the plan.
 */

export type Severity = "page" | "ticket";
export type Comparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
export type MissingData = "breaching" | "notBreaching" | "ignore" | "missing";

/** The kinds of resource that have recommended alarms, each with the dimensions its alarms carry. */
export const MONITORED_KINDS = {
  alb: ["LoadBalancer"],
  albTargetGroup: ["LoadBalancer", "TargetGroup"],
  nlb: ["LoadBalancer"],
  nlbTargetGroup: ["LoadBalancer", "TargetGroup"],
  distribution: ["DistributionId", "Region"],
  cloudfrontFunction: ["FunctionName", "Region"],
  /** A replication group's member cluster and its one node (`0001`: a Redis/Valkey member cluster has one node). */
  cacheNode: ["CacheClusterId", "CacheNodeId"],
  natGateway: ["NatGatewayId"],
  certificate: ["CertificateArn"],
  healthCheck: ["HealthCheckId"],
  /** A CloudFront-scope WAF web ACL: its metric name and `Rule=ALL` (the whole ACL); metrics in us-east-1. */
  webAcl: ["WebACL", "Rule"],
  /** An EKS cluster through Container Insights (the amazon-cloudwatch-observability add-on). */
  eksCluster: ["ClusterName"],
  /** A Kubernetes Service's pods through Container Insights: a ClusterIP or NodePort Service of the stack's workloads. */
  eksService: ["ClusterName", "Namespace", "Service"],
  signedZone: ["HostedZoneId"],
} as const;
export type MonitoredKind = keyof typeof MONITORED_KINDS;

/** The CacheNodeId of a replication group's member cluster: each has exactly one node. */
export const CACHE_MEMBER_NODE_ID = "0001";

export interface RecommendedAlarm {
  /** `<kind>.<metric>`: the id `alarmThresholds` and the alarm's name use. */
  id: string;
  kind: MonitoredKind;
  namespace: string;
  metricName: string;
  /** A plain statistic or a percentile (`p90`). */
  statistic: "Sum" | "Average" | "Minimum" | "Maximum" | `p${number}`;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  comparison: Comparison;
  threshold: number;
  treatMissingData: MissingData;
  severity: Severity;
  /** Metrics CloudFront publishes only with additional metrics (a monitoring subscription). */
  needsCloudFrontAdditionalMetrics?: true;
  /**
   * The alarm compares a percentage, not the metric itself: 100 × the metric ÷ the sum of these metrics
   * of the same resource (same namespace, dimensions, statistic and period), as CloudWatch metric math.
   */
  percentOf?: readonly string[];
  /** What the alarm means and what to do first. */
  runbook: string;
}

const alarm = (a: Omit<RecommendedAlarm, "id">): RecommendedAlarm => ({ id: `${a.kind}.${a.metricName}`, ...a });
const minute = { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 5 } as const;

export const RECOMMENDED_ALARMS: readonly RecommendedAlarm[] = [
  // ── Application Load Balancer ──────────────────────────────────────────────────────────────
  alarm({ kind: "alb", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 10, treatMissingData: "notBreaching", severity: "page",
    runbook: "The ALB itself answers 5xx (502/503/504: no healthy target, target reset or timeout). Check the target group's healthy hosts and the nginx pods; compare with HTTPCode_Target_5XX_Count." }),
  alarm({ kind: "alb", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_4XX_Count", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 500, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The ALB rejects requests itself (malformed requests, or the origin lock's 403 for callers that are not CloudFront). A rise means direct hits on the origin or a CloudFront header mismatch; check the ALB access logs." }),
  alarm({ kind: "alb", namespace: "AWS/ApplicationELB", metricName: "RejectedConnectionCount", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The ALB reached its maximum connections and refused some. Check for a traffic surge or connections held open; AWS scales the ALB, but a sudden step needs pre-warming." }),
  alarm({ kind: "albTargetGroup", namespace: "AWS/ApplicationELB", metricName: "HealthyHostCount", statistic: "Minimum", ...minute, comparison: "LessThanThreshold", threshold: 1, treatMissingData: "breaching", severity: "page",
    runbook: "No healthy nginx target behind the ALB: every request fails. Check the nginx pods (kubectl -n edgestack get pods), their /health, the node security group and the target registration." }),
  alarm({ kind: "albTargetGroup", namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", statistic: "Maximum", ...minute, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "Some targets fail the ALB's health check. Check which nodes (describe-target-health) and the nginx pods on them." }),
  alarm({ kind: "albTargetGroup", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 10, treatMissingData: "notBreaching", severity: "page",
    runbook: "nginx (or the app behind it) answers 5xx. Check the app pods' logs and readiness, Redis (the limiter fails open or closed by rateLimitFailMode) and nginx's upstream errors." }),
  alarm({ kind: "albTargetGroup", namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", statistic: "p90", ...minute, comparison: "GreaterThanThreshold", threshold: 2, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "Slow responses from nginx/app (seconds, p90). Check app CPU and event-loop delay, Redis latency and the HPA's replica count." }),
  // ── Network Load Balancer ──────────────────────────────────────────────────────────────────
  alarm({ kind: "nlb", namespace: "AWS/NetworkELB", metricName: "TCP_ELB_Reset_Count", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 100, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The NLB resets connections itself (idle timeout, TLS or target failures). Check the NLB's flow logs and the targets' health." }),
  alarm({ kind: "nlbTargetGroup", namespace: "AWS/NetworkELB", metricName: "HealthyHostCount", statistic: "Minimum", ...minute, comparison: "LessThanThreshold", threshold: 1, treatMissingData: "breaching", severity: "page",
    runbook: "No healthy nginx target behind the NLB listener: layer-4 clients (WebSockets, fixed IPs) fail. Check the nginx pods and the PROXY-protocol NodePorts." }),
  alarm({ kind: "nlbTargetGroup", namespace: "AWS/NetworkELB", metricName: "UnHealthyHostCount", statistic: "Maximum", ...minute, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "Some NLB targets fail their health check (HTTPS /health on nginx's ALB NodePort). Check which nodes and the nginx pods on them." }),
  alarm({ kind: "nlb", namespace: "AWS/NetworkELB", metricName: "PortAllocationErrorCount", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The NLB ran out of ephemeral ports translating client connections to a target: those connections fail. Add targets (nodes) or spread clients over more target ports." }),
  // ── CloudFront (metrics in us-east-1, Region=Global) ───────────────────────────────────────
  alarm({ kind: "distribution", namespace: "AWS/CloudFront", metricName: "5xxErrorRate", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 5, treatMissingData: "notBreaching", severity: "page",
    runbook: "More than the threshold percent of viewer requests get a 5xx. Check OriginLatency and the ALB alarms (origin down) or CloudFront's own errors in its standard logs." }),
  alarm({ kind: "distribution", namespace: "AWS/CloudFront", metricName: "OriginLatency", statistic: "p90", ...minute, comparison: "GreaterThanThreshold", threshold: 3000, treatMissingData: "notBreaching", severity: "ticket", needsCloudFrontAdditionalMetrics: true,
    runbook: "The origin (ALB → nginx → app) is slow as CloudFront sees it (milliseconds, p90). Compare with the ALB's TargetResponseTime to tell the network from the app." }),
  alarm({ kind: "cloudfrontFunction", namespace: "AWS/CloudFront", metricName: "FunctionValidationErrors", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "page",
    runbook: "The viewer-request function returns an invalid event object: requests fail with 5xx. Roll back the function's last change." }),
  alarm({ kind: "cloudfrontFunction", namespace: "AWS/CloudFront", metricName: "FunctionExecutionErrors", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "page",
    runbook: "The viewer-request function throws: those requests fail. Check its code against the failing requests (test it with `aws cloudfront test-function`)." }),
  alarm({ kind: "cloudfrontFunction", namespace: "AWS/CloudFront", metricName: "FunctionThrottles", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The function exceeds its compute budget and is throttled. Check FunctionComputeUtilization and simplify the function." }),
  // ── ElastiCache (per member node) ──────────────────────────────────────────────────────────
  // The host's CPU over all its vCPUs while Redis/Valkey runs one engine thread: AWS's threshold is 90 % of one
  // vCPU's share (90 ÷ vCPUs), which the stack sets per node type (cacheCpuThreshold); 90 here is a 1-vCPU host's.
  alarm({ kind: "cacheNode", namespace: "AWS/ElastiCache", metricName: "CPUUtilization", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 90, treatMissingData: "breaching", severity: "ticket",
    runbook: "The cache host's CPU is saturated (the threshold is 90 % of one vCPU's share of the host). Check EngineCPUUtilization; scale the node type up or add shards (cacheShards)." }),
  alarm({ kind: "cacheNode", namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 90, treatMissingData: "breaching", severity: "page",
    runbook: "The Redis/Valkey engine thread is saturated: limiter checks slow down and time out (fail open or closed). Add shards (cacheShards) or a larger node type." }),
  alarm({ kind: "cacheNode", namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 90, treatMissingData: "breaching", severity: "ticket",
    runbook: "The cache is nearly full; evictions drop limiter windows. Size it as README \"Size the cache\" says (cacheNodeType, cacheShards)." }),
  alarm({ kind: "cacheNode", namespace: "AWS/ElastiCache", metricName: "CurrConnections", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 5000, treatMissingData: "breaching", severity: "ticket",
    runbook: "More client connections than expected: app replicas leaking connections or reconnect storms. Check app logs for Redis reconnects and the replica count." }),
  alarm({ kind: "cacheNode", namespace: "AWS/ElastiCache", metricName: "ReplicationLag", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 2, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "A replica lags its primary (seconds): a failover now would lose recent limiter state. Check the primary's write load and network." }),
  // ── NAT gateways ───────────────────────────────────────────────────────────────────────────
  alarm({ kind: "natGateway", namespace: "AWS/NATGateway", metricName: "ErrorPortAllocation", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The NAT gateway ran out of source ports to one destination: outbound calls from the nodes fail. Spread connections over more destinations or add NAT gateways." }),
  alarm({ kind: "natGateway", namespace: "AWS/NATGateway", metricName: "PacketsDropCount", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 0.01, treatMissingData: "notBreaching", severity: "ticket",
    percentOf: ["PacketsInFromSource", "PacketsInFromDestination"],
    runbook: "The NAT gateway drops more than the threshold percent of the packets it receives (from the nodes and from the destinations). Check the AWS Health Dashboard for the NAT gateway's AZ." }),
  // ── ACM certificates (metric in the certificate's own region) ──────────────────────────────
  alarm({ kind: "certificate", namespace: "AWS/CertificateManager", metricName: "DaysToExpiry", statistic: "Minimum", periodSeconds: 86400, evaluationPeriods: 1, datapointsToAlarm: 1, comparison: "LessThanThreshold", threshold: 44, treatMissingData: "breaching", severity: "ticket",
    runbook: "The certificate expires soon and ACM has not renewed it: its DNS validation record is missing or the zone is not delegated. Check the certificate's renewal status and the _acme validation CNAME in Route53." }),
  // ── Route53 DNSSEC signing of a hosted zone (metrics in us-east-1) ─────────────────────────
  alarm({ kind: "signedZone", namespace: "AWS/Route53", metricName: "DNSSECInternalFailure", statistic: "Sum", periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "page",
    runbook: "Route53 could not sign the zone (an internal failure): once the DS record is published, resolvers that validate will refuse the zone's answers when signatures expire. Check the zone's DNSSEC status in the Route53 console and open a support case if it persists." }),
  alarm({ kind: "signedZone", namespace: "AWS/Route53", metricName: "DNSSECKeySigningKeysNeedingAction", statistic: "Sum", periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1, comparison: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching", severity: "page",
    runbook: "A key-signing key needs action: its KMS key is disabled, pending deletion, or its key policy no longer admits dnssec-route53.amazonaws.com. Restore the key or its policy before the zone's signatures expire (validating resolvers then fail the whole domain)." }),
  // ── Route53 health checks (metrics in us-east-1) ───────────────────────────────────────────
  alarm({ kind: "healthCheck", namespace: "AWS/Route53", metricName: "HealthCheckStatus", statistic: "Minimum", periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1, comparison: "LessThanThreshold", threshold: 1, treatMissingData: "breaching", severity: "page",
    runbook: "Route53's checkers find the public path unhealthy (site: CloudFront → ALB → nginx → app; edge: NLB → nginx): DNS has failed over to the secondary. Check the alarms of the hops behind that name and the check's failure reason in the Route53 console." }),
  // ── WAF web ACL (CloudFront scope: metrics in us-east-1) ───────────────────────────────────
  alarm({ kind: "webAcl", namespace: "AWS/WAFV2", metricName: "BlockedRequests", statistic: "Sum", ...minute, comparison: "GreaterThanThreshold", threshold: 500, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The web ACL blocks a burst of requests (per minute, every rule). Read the WAF request log (aws-waf-logs-* in us-east-1) for the terminating rule: an attack (rate limit, bad inputs) or a rule blocking legitimate clients after a change." }),
  alarm({ kind: "webAcl", namespace: "AWS/WAFV2", metricName: "AllowedRequests", statistic: "Sum", periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3, comparison: "LessThanThreshold", threshold: 1, treatMissingData: "breaching", severity: "ticket",
    runbook: "The web ACL allowed no request for 15 minutes: every viewer is blocked, or no traffic reaches CloudFront (DNS, distribution disabled). Compare BlockedRequests and CloudFront's Requests; a quiet stack without Route53 health checks also goes silent." }),
  // ── EKS nodes through Container Insights (ClusterName) ─────────────────────────────────────
  alarm({ kind: "eksCluster", namespace: "ContainerInsights", metricName: "node_cpu_utilization", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 80, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The nodes' CPU is above the threshold (percent, cluster average): pods are throttled and the app's latency rises. Check the HPA's replicas against the node group's maximum and the Cluster Autoscaler's log." }),
  alarm({ kind: "eksCluster", namespace: "ContainerInsights", metricName: "node_memory_utilization", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 80, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The nodes' memory is above the threshold (percent): the kubelet starts evicting pods soon. Check which pods grew (Container Insights pod view) and the node group's size." }),
  alarm({ kind: "eksCluster", namespace: "ContainerInsights", metricName: "node_filesystem_utilization", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 80, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The nodes' root filesystems fill up (images, container logs): the kubelet evicts pods at its hard threshold. Check image garbage collection and log volume; replace the node." }),
  alarm({ kind: "eksCluster", namespace: "ContainerInsights", metricName: "cluster_failed_node_count", statistic: "Maximum", ...minute, comparison: "GreaterThanOrEqualToThreshold", threshold: 1, treatMissingData: "notBreaching", severity: "page",
    runbook: "A worker node is not ready (kubelet, network or disk pressure): its pods are rescheduled and capacity is short. kubectl describe node; the managed node group's health; replace the instance." }),
  // ── Pods of each Service through Container Insights (ClusterName, Namespace, Service) ───────
  alarm({ kind: "eksService", namespace: "ContainerInsights", metricName: "pod_cpu_utilization_over_pod_limit", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 80, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The Service's pods use more than the threshold percent of their CPU limit: the kernel throttles them and latency rises. Check the HPA (is it at its maximum?), the pods' request rate and whether the limit (appCpuLimit; nginx's is fixed) is too tight." }),
  alarm({ kind: "eksService", namespace: "ContainerInsights", metricName: "pod_memory_utilization_over_pod_limit", statistic: "Average", ...minute, comparison: "GreaterThanThreshold", threshold: 80, treatMissingData: "notBreaching", severity: "ticket",
    runbook: "The Service's pods approach their memory limit: at the limit the kernel kills the container (OOMKilled, a restart and dropped connections). Check for a leak (the app's heap in its metrics) or raise the limit (appMemoryLimit)." }),
];

/** The recommended alarms of one kind of resource. */
export const recommendedFor = (kind: MonitoredKind): RecommendedAlarm[] => RECOMMENDED_ALARMS.filter((a) => a.kind === kind);

/** Every alarm id `alarmThresholds` may set. */
export const ALARM_IDS: readonly string[] = RECOMMENDED_ALARMS.map((a) => a.id);

/** Parses `alarmThresholds` entries (`<alarm id>=<number>`); why an entry is wrong, or undefined. */
export function thresholdOverrideProblem(entry: string): string | undefined {
  const m = /^([A-Za-z0-9_.]+)=(-?\d+(\.\d+)?)$/.exec(entry);
  if (!m) return `is not "<alarm id>=<number>" (e.g. "alb.HTTPCode_ELB_5XX_Count=20")`;
  if (!ALARM_IDS.includes(m[1])) return `names no recommended alarm "${m[1]}"; known: ${ALARM_IDS.join(", ")}`;
  return undefined;
}

/**
 * A cache node's CPUUtilization threshold: 90 % of one vCPU's share of the host, since the engine runs
 * one thread (AWS: "90 ÷ the number of cores"), rounded down to a whole percent.
 */
export const cacheCpuThreshold = (vcpus: number): number => Math.floor(90 / vcpus);

export function thresholdOverrides(entries: readonly string[]): Record<string, number> {
  return Object.fromEntries(entries.map((e) => e.split("=")).map(([id, value]) => [id, Number(value)]));
}

/** Where a resource's metrics live: the stack's region, or us-east-1 for CloudFront's. */
export type MetricRegion = "stack" | "us-east-1";

/** One monitored resource: its kind, a label for alarm names and its dimension values. */
export interface MonitoredResource<T> {
  kind: MonitoredKind;
  /** Short label unique within the stack (`alb`, `nlb-tls`, `cache-0001-002`, `nat-0`). */
  label: string;
  dimensions: Record<string, T>;
  /** Where its metrics live when that depends on the resource (an ACM certificate's own region). */
  region?: MetricRegion;
  /** This resource's own default thresholds by alarm id (e.g. a cache node's CPU by its vCPUs); config still wins. */
  thresholds?: Readonly<Record<string, number>>;
}

export interface AlarmSpec<T> {
  /** Unique per stack: `<label>-<metric>`. */
  name: string;
  alarm: RecommendedAlarm;
  resourceLabel: string;
  region: MetricRegion;
  dimensions: Record<string, T>;
  threshold: number;
  severity: Severity;
  description: string;
}

export interface AlarmOptions {
  /** `alarmThresholds`, parsed. */
  thresholds: Record<string, number>;
  /** Whether the distributions have additional metrics (OriginLatency and the like). */
  cloudFrontAdditionalMetrics: boolean;
}

/** Which region a kind's metrics are published in. */
export const regionOf = (kind: MonitoredKind): MetricRegion => (kind === "distribution" || kind === "cloudfrontFunction" || kind === "healthCheck" || kind === "webAcl" || kind === "signedZone" ? "us-east-1" : "stack");

/**
 * The alarm specs for the given resources: every recommended alarm of each resource's kind, with
 * that resource's dimensions, in its metric's region, thresholds from config over the defaults.
 * Dimension values are generic so the program passes Outputs and tests pass strings.
 */
export function alarmSpecs<T>(resources: readonly MonitoredResource<T>[], options: AlarmOptions): AlarmSpec<T>[] {
  const labels = new Set<string>();
  const specs: AlarmSpec<T>[] = [];
  for (const r of resources) {
    if (labels.has(r.label)) throw new Error(`monitored resource label "${r.label}" is used twice`);
    labels.add(r.label);
    for (const key of MONITORED_KINDS[r.kind]) {
      if (r.dimensions[key] === undefined) throw new Error(`monitored resource "${r.label}" (${r.kind}) lacks dimension ${key}`);
    }
    for (const a of recommendedFor(r.kind)) {
      if (a.needsCloudFrontAdditionalMetrics && !options.cloudFrontAdditionalMetrics) continue;
      const threshold = options.thresholds[a.id] ?? r.thresholds?.[a.id] ?? a.threshold;
      specs.push({
        name: `${r.label}-${a.metricName}`,
        alarm: a,
        resourceLabel: r.label,
        region: r.region ?? regionOf(r.kind),
        dimensions: r.dimensions,
        threshold,
        severity: a.severity,
        description: `[${a.severity}] ${a.namespace} ${a.metricName}${a.percentOf ? ` as % of ${a.percentOf.join(" + ")}` : ""} ${a.statistic} ${a.comparison} ${threshold} on ${r.label}. Runbook: ${a.runbook} (docs/observability.md#runbooks)`,
      });
    }
  }
  return specs;
}
