/**
 * The CloudWatch dashboard body: the golden signals (traffic, errors, latency, saturation) hop by
 * hop along a request's path, CloudFront → ALB / NLB → nginx and app → ElastiCache. Pure: the
 * component passes resolved ids, tests read the JSON.
 */

export interface DashboardTargets {
  /** The stack's region (the dashboard's home; CloudFront's widgets read us-east-1). */
  region: string;
  distributionIds: string[];
  alb?: { loadBalancer: string; targetGroup: string };
  nlb?: { loadBalancer: string; targetGroups: string[] };
  cacheNodes: string[];
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
  if (t.alb) {
    const lb = ["LoadBalancer", t.alb.loadBalancer];
    const tg = ["TargetGroup", t.alb.targetGroup, ...lb];
    rows.push({
      title: "ALB (origin)",
      widgets: [
        { title: "Requests", region: t.region, metrics: [["AWS/ApplicationELB", "RequestCount", ...lb]], stat: "Sum" },
        { title: "5xx: ALB vs targets", region: t.region, metrics: [["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ...lb], ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...tg]], stat: "Sum" },
        { title: "Target response time (s)", region: t.region, metrics: ["p50", "p90", "p99"].map((p): Metric => ["AWS/ApplicationELB", "TargetResponseTime", ...tg, { stat: p, label: p }]) },
        { title: "Healthy / unhealthy targets", region: t.region, metrics: [["AWS/ApplicationELB", "HealthyHostCount", ...tg], ["AWS/ApplicationELB", "UnHealthyHostCount", ...tg]], stat: "Minimum" },
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
  rows.push({
    title: "nginx and app",
    widgets:
      "nginx and app request rate, errors and latency come from their Prometheus metrics (nginx exporter, the app's prom-client endpoint), " +
      "scraped into Amazon Managed Service for Prometheus and shown in its Grafana; pod CPU and memory appear here once Container Insights " +
      "(the amazon-cloudwatch-observability add-on) runs on the cluster. See docs/observability.md.",
  });
  if (t.cacheNodes.length > 0) {
    const per = (metric: string) => t.cacheNodes.map((id): Metric => ["AWS/ElastiCache", metric, "CacheClusterId", id]);
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
