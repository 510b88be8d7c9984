/**
 * The CloudWatch dashboard body: the golden signals (traffic, errors, latency, saturation) hop by
 * hop along a request's path, WAF and CloudFront → ALB / NLB (every nginx tier's targets) → nginx and app
 * (Container Insights) → ElastiCache. Pure: the
 * component passes resolved ids, tests read the JSON.
 */
import { CACHE_MEMBER_NODE_ID } from "@edgestack/contract";

export interface DashboardTargets {
  /** The stack's region (the dashboard's home; CloudFront's widgets read us-east-1). */
  region: string;
  distributionIds: string[];
  /** The ALB and its target groups by nginx tier (blue; green with blue/green): each tier's targets are a line. */
  alb?: { loadBalancer: string; targetGroups: { tier: string; targetGroup: string }[] };
  nlb?: { loadBalancer: string; targetGroups: string[] };
  cacheNodes: string[];
  /** The CloudFront web ACL's metric name (its requests allowed and blocked, us-east-1). */
  webAcl?: string;
  /** The cluster, when Container Insights runs on it (nodes' and pods' CPU and memory). */
  clusterName?: string;
}

type Metric = (string | { stat?: string; label?: string; region?: string })[];
interface Widget {
  type: "metric" | "text";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

const WIDTH = 6;
const HEIGHT = 6;

/** The dashboard's widgets, one row per hop, four signals across. */
export function dashboardBody(t: DashboardTargets): string {
  const rows: { title: string; widgets: { title: string; region: string; metrics: Metric[]; stat?: string }[] | string }[] = [];
  const cf = "us-east-1";
  if (t.distributionIds.length > 0) {
    const per = (metric: string, stat?: string) => t.distributionIds.map((id): Metric => ["AWS/CloudFront", metric, "DistributionId", id, "Region", "Global", { region: cf, ...(stat ? { stat } : {}) }]);
    rows.push({
      title: "CloudFront (viewer side)",
      widgets: [
        { title: "Requests", region: cf, metrics: per("Requests"), stat: "Sum" },
        { title: "5xx / 4xx error rate (%)", region: cf, metrics: [...per("5xxErrorRate"), ...per("4xxErrorRate")], stat: "Average" },
        { title: "Origin latency p90 (ms, additional metrics)", region: cf, metrics: per("OriginLatency", "p90") },
        { title: "Cache hit rate (%, additional metrics)", region: cf, metrics: per("CacheHitRate"), stat: "Average" },
      ],
    });
  }
  if (t.webAcl) {
    const acl = (metric: string): Metric => ["AWS/WAFV2", metric, "WebACL", t.webAcl!, "Rule", "ALL", { region: cf, label: metric }];
    rows.push({
      title: "WAF (CloudFront web ACL)",
      widgets: [
        { title: "Allowed / blocked requests", region: cf, metrics: [acl("AllowedRequests"), acl("BlockedRequests")], stat: "Sum" },
        { title: "Counted / CAPTCHA requests", region: cf, metrics: [acl("CountedRequests"), acl("CaptchaRequests")], stat: "Sum" },
      ],
    });
  }
  if (t.alb) {
    const lb = ["LoadBalancer", t.alb.loadBalancer];
    // One line per nginx tier: blue and green side by side during a shift.
    const perTier = (metric: string, opts: { stat?: string; label?: string } = {}) =>
      t.alb!.targetGroups.map(({ tier, targetGroup }): Metric => ["AWS/ApplicationELB", metric, "TargetGroup", targetGroup, ...lb, { label: `${opts.label ?? metric} ${tier}`, ...(opts.stat ? { stat: opts.stat } : {}) }]);
    rows.push({
      title: "ALB (origin)",
      widgets: [
        { title: "Requests per tier", region: t.region, metrics: [["AWS/ApplicationELB", "RequestCount", ...lb, { label: "all" }], ...perTier("RequestCountPerTarget")], stat: "Sum" },
        { title: "5xx: ALB vs each tier's targets", region: t.region, metrics: [["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ...lb], ...perTier("HTTPCode_Target_5XX_Count")], stat: "Sum" },
        { title: "Target response time p90 / p99 (s)", region: t.region, metrics: [...perTier("TargetResponseTime", { stat: "p90", label: "p90" }), ...perTier("TargetResponseTime", { stat: "p99", label: "p99" })] },
        { title: "Healthy / unhealthy targets", region: t.region, metrics: [...perTier("HealthyHostCount", { label: "healthy" }), ...perTier("UnHealthyHostCount", { label: "unhealthy" })], stat: "Minimum" },
      ],
    });
  }
  if (t.nlb) {
    const lb = ["LoadBalancer", t.nlb.loadBalancer];
    rows.push({
      title: "NLB (layer 4: WebSockets, fixed IPs)",
      widgets: [
        { title: "New / active flows", region: t.region, metrics: [["AWS/NetworkELB", "NewFlowCount", ...lb], ["AWS/NetworkELB", "ActiveFlowCount", ...lb]], stat: "Sum" },
        { title: "Resets: NLB, client, target", region: t.region, metrics: ["TCP_ELB_Reset_Count", "TCP_Client_Reset_Count", "TCP_Target_Reset_Count"].map((m): Metric => ["AWS/NetworkELB", m, ...lb]), stat: "Sum" },
        { title: "Processed bytes", region: t.region, metrics: [["AWS/NetworkELB", "ProcessedBytes", ...lb]], stat: "Sum" },
        { title: "Healthy targets", region: t.region, metrics: t.nlb.targetGroups.map((g): Metric => ["AWS/NetworkELB", "HealthyHostCount", "TargetGroup", g, ...lb]), stat: "Minimum" },
      ],
    });
  }
  if (t.clusterName) {
    const ci = (metric: string, ...dims: string[]): Metric => ["ContainerInsights", metric, "ClusterName", t.clusterName!, ...dims];
    const ns = ["Namespace", "edgestack"];
    rows.push({
      title: "nginx and app pods, nodes (Container Insights)",
      widgets: [
        { title: "Pods running / nodes failed", region: t.region, metrics: [ci("namespace_number_of_running_pods", ...ns), ci("cluster_failed_node_count")], stat: "Maximum" },
        { title: "Pod CPU / memory (% of limit)", region: t.region, metrics: [ci("pod_cpu_utilization_over_pod_limit", ...ns), ci("pod_memory_utilization_over_pod_limit", ...ns)], stat: "Average" },
        { title: "Node CPU / memory / filesystem (%)", region: t.region, metrics: [ci("node_cpu_utilization"), ci("node_memory_utilization"), ci("node_filesystem_utilization")], stat: "Average" },
        { title: "Container restarts", region: t.region, metrics: [ci("pod_number_of_container_restarts", ...ns)], stat: "Sum" },
      ],
    });
  }
  rows.push({
    title: "nginx and app requests",
    widgets:
      "nginx and app request rate, errors and latency per route class are Prometheus metrics (the nginx exporter, the app's prom-client endpoint) " +
      "with the SLO recordings, in the Amazon Managed Service for Prometheus workspace (managedPrometheus; forced on in prod). See docs/observability.md.",
  });
  if (t.cacheNodes.length > 0) {
    const per = (metric: string) => t.cacheNodes.map((id): Metric => ["AWS/ElastiCache", metric, "CacheClusterId", id, "CacheNodeId", CACHE_MEMBER_NODE_ID]);
    rows.push({
      title: "ElastiCache (rate-limit store), per node",
      widgets: [
        { title: "Commands (GET/SET type)", region: t.region, metrics: [...per("GetTypeCmds"), ...per("SetTypeCmds")], stat: "Sum" },
        { title: "Engine CPU (%)", region: t.region, metrics: per("EngineCPUUtilization"), stat: "Average" },
        { title: "Memory used (%)", region: t.region, metrics: per("DatabaseMemoryUsagePercentage"), stat: "Average" },
        { title: "Connections", region: t.region, metrics: per("CurrConnections"), stat: "Average" },
      ],
    });
  }

  const widgets: Widget[] = [];
  let y = 0;
  for (const row of rows) {
    widgets.push({ type: "text", x: 0, y, width: 24, height: 1, properties: { markdown: `## ${row.title}` } });
    y += 1;
    if (typeof row.widgets === "string") {
      widgets.push({ type: "text", x: 0, y, width: 24, height: 2, properties: { markdown: row.widgets } });
      y += 2;
      continue;
    }
    row.widgets.forEach((w, i) => {
      widgets.push({
        type: "metric",
        x: i * WIDTH,
        y,
        width: WIDTH,
        height: HEIGHT,
        properties: { title: w.title, region: w.region, metrics: w.metrics, view: "timeSeries", period: 60, ...(w.stat ? { stat: w.stat } : {}) },
      });
    });
    y += HEIGHT;
  }
  return JSON.stringify({ widgets });
}
