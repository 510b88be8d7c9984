/**
 * Checks, on a mocked stack run, that every load balancer, target group, distribution, CloudFront
 * function, cache node, NAT gateway, certificate and Route53 health check has its recommended alarms with its own dimensions (computed
 * from the mocked outputs of the resource itself, not from the alarm component), in the metric's
 * region, acting on a topic of that region whose key policy admits CloudWatch.
 */
import { computedOutputs } from "../../../offline/engine/outputs";
import type { CapturedResource, StackRun } from "../../harness";
import { ofType } from "../../harness";

/** The metrics AWS's recommended list names per kind of resource (a floor: the catalogue may add more). */
export const MUST_ALARM: Record<string, { namespace: string; metrics: string[] }> = {
  alb: { namespace: "AWS/ApplicationELB", metrics: ["HTTPCode_ELB_5XX_Count", "RejectedConnectionCount"] },
  albTargetGroup: { namespace: "AWS/ApplicationELB", metrics: ["HealthyHostCount", "UnHealthyHostCount", "HTTPCode_Target_5XX_Count", "TargetResponseTime"] },
  nlb: { namespace: "AWS/NetworkELB", metrics: ["TCP_ELB_Reset_Count", "PortAllocationErrorCount"] },
  nlbTargetGroup: { namespace: "AWS/NetworkELB", metrics: ["HealthyHostCount", "UnHealthyHostCount"] },
  distribution: { namespace: "AWS/CloudFront", metrics: ["5xxErrorRate"] },
  cloudfrontFunction: { namespace: "AWS/CloudFront", metrics: ["FunctionValidationErrors", "FunctionExecutionErrors", "FunctionThrottles"] },
  cacheNode: { namespace: "AWS/ElastiCache", metrics: ["CPUUtilization", "EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "CurrConnections", "ReplicationLag"] },
  natGateway: { namespace: "AWS/NATGateway", metrics: ["ErrorPortAllocation", "PacketsDropCount"] },
  certificate: { namespace: "AWS/CertificateManager", metrics: ["DaysToExpiry"] },
  healthCheck: { namespace: "AWS/Route53", metrics: ["HealthCheckStatus"] },
  webAcl: { namespace: "AWS/WAFV2", metrics: ["BlockedRequests", "AllowedRequests"] },
  eksCluster: { namespace: "ContainerInsights", metrics: ["node_cpu_utilization", "node_memory_utilization", "node_filesystem_utilization", "cluster_failed_node_count"] },
  eksService: { namespace: "ContainerInsights", metrics: ["pod_cpu_utilization_over_pod_limit", "pod_memory_utilization_over_pod_limit"] },
};

export function regionOf(run: StackRun, r: CapturedResource): string {
  const provider = run.resources.find((p) => p.type.startsWith("pulumi:providers:aws") && r.provider?.startsWith(`${p.urn}::`));
  if (!provider) throw new Error(`${r.type} ${r.name} has no explicit AWS provider`);
  return String(provider.inputs.region);
}

export const outputsOf = (run: StackRun, r: CapturedResource) => {
  const { id, outputs } = computedOutputs(r.type, r.name, r.inputs, regionOf(run, r));
  return { id, ...outputs } as Record<string, any>;
};

export interface Expected {
  resource: string;
  kind: string;
  dimensions: Record<string, string>;
  region: string;
}

/** Every monitored resource of the run with the dimensions and region its alarms need. */
export function expectedAlarms(run: StackRun): Expected[] {
  const out: Expected[] = [];
  const lbs = ofType(run, "aws:lb/loadBalancer:LoadBalancer");
  for (const lb of lbs) {
    const kind = lb.inputs.loadBalancerType === "network" ? "nlb" : "alb";
    const lbSuffix = outputsOf(run, lb).arnSuffix as string;
    out.push({ resource: lb.name, kind, dimensions: { LoadBalancer: lbSuffix }, region: regionOf(run, lb) });
    const lbArn = outputsOf(run, lb).arn;
    const listeners = ofType(run, "aws:lb/listener:Listener").filter((l) => l.inputs.loadBalancerArn === lbArn);
    // Forwarded to by a listener's default action or by one of its rules (the ALB forwards only through rules).
    const listenerArns = new Set(listeners.map((l) => outputsOf(run, l).arn));
    const rules = ofType(run, "aws:lb/listenerRule:ListenerRule").filter((r) => listenerArns.has(r.inputs.listenerArn));
    const actions = [...listeners.flatMap((l) => l.inputs.defaultActions as any[]), ...rules.flatMap((r) => r.inputs.actions as any[])];
    const tgArns = new Set(actions.map((a) => a.targetGroupArn).filter(Boolean));
    for (const tg of ofType(run, "aws:lb/targetGroup:TargetGroup").filter((t) => tgArns.has(outputsOf(run, t).arn))) {
      out.push({ resource: tg.name, kind: `${kind}TargetGroup`, dimensions: { LoadBalancer: lbSuffix, TargetGroup: outputsOf(run, tg).arnSuffix }, region: regionOf(run, tg) });
    }
  }
  for (const d of ofType(run, "aws:cloudfront/distribution:Distribution")) out.push({ resource: d.name, kind: "distribution", dimensions: { DistributionId: outputsOf(run, d).id, Region: "Global" }, region: "us-east-1" });
  for (const f of ofType(run, "aws:cloudfront/function:Function")) out.push({ resource: f.name, kind: "cloudfrontFunction", dimensions: { FunctionName: String(f.inputs.name), Region: "Global" }, region: "us-east-1" });
  for (const rg of ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup")) {
    // A member cluster has one node, 0001.
    for (const node of outputsOf(run, rg).memberClusters as string[]) out.push({ resource: `${rg.name}/${node}`, kind: "cacheNode", dimensions: { CacheClusterId: node, CacheNodeId: "0001" }, region: regionOf(run, rg) });
  }
  for (const c of ofType(run, "aws:acm/certificate:Certificate")) out.push({ resource: c.name, kind: "certificate", dimensions: { CertificateArn: outputsOf(run, c).arn }, region: regionOf(run, c) });
  for (const hc of ofType(run, "aws:route53/healthCheck:HealthCheck")) out.push({ resource: hc.name, kind: "healthCheck", dimensions: { HealthCheckId: outputsOf(run, hc).id }, region: "us-east-1" });
  // The CloudFront web ACL: its visibility metric name, the whole ACL (Rule=ALL), in us-east-1.
  for (const acl of ofType(run, "aws:wafv2/webAcl:WebAcl")) out.push({ resource: acl.name, kind: "webAcl", dimensions: { WebACL: (acl.inputs.visibilityConfig as any).metricName, Rule: "ALL" }, region: "us-east-1" });
  // A cluster running the Container Insights add-on: its node alarms by ClusterName.
  const insights = new Set(ofType(run, "aws:eks/addon:Addon").filter((a) => a.inputs.addonName === "amazon-cloudwatch-observability").map((a) => a.inputs.clusterName));
  for (const c of ofType(run, "aws:eks/cluster:Cluster").filter((c) => insights.has(c.inputs.name))) {
    out.push({ resource: c.name, kind: "eksCluster", dimensions: { ClusterName: String(c.inputs.name) }, region: regionOf(run, c) });
    // Every Service that is not headless: its pods against their limits.
    for (const svc of ofType(run, "kubernetes:core/v1:Service").filter((x) => (x.inputs.spec as any)?.clusterIP !== "None")) {
      const metadata = svc.inputs.metadata as any;
      out.push({ resource: svc.name, kind: "eksService", dimensions: { ClusterName: String(c.inputs.name), Namespace: metadata.namespace, Service: metadata.name }, region: regionOf(run, c) });
    }
  }
  for (const nat of ofType(run, "aws:ec2/natGateway:NatGateway")) out.push({ resource: nat.name, kind: "natGateway", dimensions: { NatGatewayId: outputsOf(run, nat).id }, region: regionOf(run, nat) });
  return out;
}

/** Equal dimension sets, whatever the key order. */
const sameDimensions = (a: unknown, b: Record<string, string>) => JSON.stringify(Object.entries((a ?? {}) as Record<string, string>).sort()) === JSON.stringify(Object.entries(b).sort());

const grants = (policy: string, service: string, action: string) =>
  (JSON.parse(policy).Statement as any[]).some(
    (s) => s.Effect === "Allow" && [s.Principal?.Service].flat().includes(service) && [s.Action].flat().some((a: string) => a === action || (a.endsWith("*") && action.startsWith(a.slice(0, -1)))),
  );

/** The metric an alarm compares: its own, or the first metric of its metric math (the one the returned expression divides). */
function comparedMetrics(inputs: Record<string, any>): { namespace?: string; metricName?: string; dimensions?: unknown }[] {
  if (!inputs.metricQueries) return [inputs];
  return (inputs.metricQueries as any[]).filter((q) => q.metric && q.id === "m0").map((q) => q.metric);
}

/** Problems: a missing alarm, or one in the wrong region, or acting on a topic that can't deliver. Empty when all is well. */
export function coverageProblems(run: StackRun): string[] {
  const problems: string[] = [];
  const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
  const topics = ofType(run, "aws:sns/topic:Topic").map((t) => ({ t, arn: outputsOf(run, t).arn as string, region: regionOf(run, t) }));
  const keys = ofType(run, "aws:kms/key:Key").map((k) => ({ k, arn: outputsOf(run, k).arn as string }));
  for (const e of expectedAlarms(run)) {
    const must = MUST_ALARM[e.kind];
    for (const metric of must.metrics) {
      const alarm = alarms.find((a) => comparedMetrics(a.inputs).some((m) => m.namespace === must.namespace && m.metricName === metric && sameDimensions(m.dimensions, e.dimensions)));
      if (!alarm) {
        problems.push(`${e.resource}: no ${metric} alarm with ${JSON.stringify(e.dimensions)}`);
        continue;
      }
      const region = regionOf(run, alarm);
      if (region !== e.region) problems.push(`${alarm.name}: in ${region}, metric in ${e.region}`);
      const actions = alarm.inputs.alarmActions as string[];
      if (!actions?.length) problems.push(`${alarm.name}: no actions`);
      for (const action of actions ?? []) {
        const topic = topics.find((t) => t.arn === action);
        if (!topic) problems.push(`${alarm.name}: action ${action} is no topic of the stack`);
        else if (topic.region !== region) problems.push(`${alarm.name}: topic ${topic.t.name} in ${topic.region}, alarm in ${region}`);
        else {
          const key = keys.find((k) => k.arn === topic.t.inputs.kmsMasterKeyId);
          if (!key) problems.push(`${alarm.name}: topic ${topic.t.name} has no customer-managed key`);
          else if (!grants(String(key.k.inputs.policy), "cloudwatch.amazonaws.com", "kms:GenerateDataKey") || !grants(String(key.k.inputs.policy), "cloudwatch.amazonaws.com", "kms:Decrypt")) {
            problems.push(`${alarm.name}: key ${key.k.name} does not admit cloudwatch.amazonaws.com`);
          }
        }
      }
    }
  }
  return problems;
}
