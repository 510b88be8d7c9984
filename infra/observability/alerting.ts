import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { physicalNamePrefix } from "../naming";
import { dashboardBody } from "./dashboard";
import { alarmSpecs, AlarmSpec, CACHE_MEMBER_NODE_ID, cacheCpuThreshold, MonitoredResource, Severity, thresholdOverrides } from "@edgestack/contract";
import { cacheNodeVcpus } from "../cache/settings";
import { NAMESPACE } from "../cluster/objects";
import type * as kubernetes from "@pulumi/kubernetes";
import { ContainerInsights } from "./container-insights";
import { ManagedPrometheus } from "./managed-prometheus";
import { SloConfig, sloSpec } from "../config/slo";
import { AlertTopics } from "./topics";

export type AlertingSettings = SloConfig &
  Pick<
    StackConfig,
    | "stack"
    | "namePrefix"
    | "region"
    | "isProd"
    | "alertPageSubscriptions"
    | "alertTicketSubscriptions"
    | "alarmThresholds"
    | "cacheNodeType"
    | "cdnAdditionalMetrics"
    | "managedPrometheus"
    | "prometheusScrapeIntervalSeconds"
    | "containerInsights"
    | "containerLogRetentionDays"
    | "cloudwatchObservabilityAddonVersion"
    | "ciRepository"
  >;

/** A cluster the stack created: what the managed scraper and the Container Insights add-on attach to. */
export interface ObservedCluster {
  name: pulumi.Input<string>;
  arn: pulumi.Input<string>;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  clusterSecurityGroupId: pulumi.Input<string>;
  nodeSecurityGroupId: pulumi.Input<string>;
  oidcProviderArn: pulumi.Input<string>;
  oidcIssuerUrl: pulumi.Input<string>;
  /** Applies cluster add-ons' RBAC. */
  rbacProvider: kubernetes.Provider;
  /** Resolves once the cluster has nodes (the add-on's pods need them). */
  ready: pulumi.Resource;
  /** The workloads' ClusterIP / NodePort Services in NAMESPACE (Container Insights' per-Service pod metrics). */
  serviceNames: string[];
}

/** The page every alert links to as its runbook (the repository's docs, or the path in the checkout). */
export function runbookUrl(repository: string): string {
  return repository ? `https://github.com/${repository}/blob/main/docs/observability.md` : "docs/observability.md";
}

/** The CloudWatch console address of a dashboard. */
export function dashboardUrl(region: string, dashboardName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
}

/** `app/<name>/<id>` or `targetgroup/<name>/<id>`: the ARN's resource part, which CloudWatch's ELB dimensions use. */
export function elbArnSuffix(arn: string): string {
  const m = /:(?:loadbalancer\/)?((?:app|net)\/[^/]+\/[^/]+|targetgroup\/[^/]+\/[^/]+)$/.exec(arn);
  if (!m) throw new Error(`not a load balancer or target group ARN: ${arn}`);
  return m[1];
}

/**
 * A percentage alarm's metric math (RecommendedAlarm.percentOf): the metric and each base metric of the
 * same resource, and `100 * m0 / (m1 + m2 …)` as the one series the alarm compares (no traffic: no value).
 */
export function percentQueries(spec: AlarmSpec<pulumi.Input<string>>): aws.types.input.cloudwatch.MetricAlarmMetricQuery[] {
  const a = spec.alarm;
  const metrics = [a.metricName, ...(a.percentOf ?? [])];
  const stat = { period: a.periodSeconds, stat: a.statistic };
  return [
    ...metrics.map((metricName, i) => ({ id: `m${i}`, returnData: false, metric: { namespace: a.namespace, metricName, dimensions: spec.dimensions, ...stat } })),
    { id: "percent", label: `${a.metricName} % of ${a.percentOf!.join(" + ")}`, returnData: true, expression: `100 * m0 / (${metrics.slice(1).map((_, i) => `m${i + 1}`).join(" + ")})` },
  ];
}

export interface AlertingArgs {
  settings: AlertingSettings;
  /** The us-east-1 provider: CloudFront publishes its metrics there, so its alarms and their topics live there. */
  usEast1: aws.Provider;
  /** The ALB and its target groups by tier (`blue` keeps the alarm names a single-tier stack has; `green` with blue/green). */
  alb?: { loadBalancerArn: pulumi.Input<string>; targetGroupArns: Record<string, pulumi.Input<string>> };
  nlb?: { loadBalancerArn: pulumi.Input<string>; targetGroupArns: Record<string, pulumi.Input<string>> };
  distribution?: { id: pulumi.Input<string>; functionNames: pulumi.Input<string>[] };
  /** ACM certificates with the region they live in (CloudFront's is in us-east-1). */
  certificates?: { arn: pulumi.Input<string>; region: "stack" | "us-east-1" }[];
  /** Route53 health checks by target (their HealthCheckStatus is published in us-east-1). */
  healthCheckIds?: Record<string, pulumi.Input<string>>;
  /** Hosted zones the stack signs with DNSSEC (their DNSSEC metrics are published in us-east-1). */
  signedZoneIds?: pulumi.Input<string>[];
  cacheNodeIds: string[];
  natGatewayIds: pulumi.Input<string>[];
  /** The CloudFront web ACL's metric name (wafEnabled). */
  webAclMetricName?: pulumi.Input<string>;
  /** The cluster, when the stack creates it (an existing cluster's add-ons and scraper are its owner's). */
  cluster?: ObservedCluster;
}

const suffix = (arn: pulumi.Input<string>) => pulumi.output(arn).apply(elbArnSuffix);

/**
 * Alerting for the stack: the page and ticket topics (in the stack's region and, for CloudFront's
 * metrics, in us-east-1), CloudWatch's recommended alarms for every load balancer, target group,
 * distribution, cache node, NAT gateway, certificate, Route53 health check, web ACL and (Container Insights) cluster with actions to
 * the topic of their severity in their own region, CloudFront's additional metrics where an alarm needs them, the golden-signals
 * dashboard; on a cluster the stack creates, Container Insights with container logs and Amazon Managed Service for Prometheus.
 */
export class Alerting extends pulumi.ComponentResource {
  public readonly topicArns: Record<"stack" | "us-east-1", Record<Severity, pulumi.Output<string>>>;
  public readonly alarmNames: pulumi.Output<string>[];
  public readonly dashboardName: pulumi.Output<string>;
  public readonly prometheus?: ManagedPrometheus;
  public readonly containerInsights?: ContainerInsights;
  private readonly usEast1: aws.Provider;

  constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:observability:Alerting", name, {}, opts);
    const s = args.settings;
    this.usEast1 = args.usEast1;
    const prefix = physicalNamePrefix(s);
    const additionalMetrics = s.isProd || s.cdnAdditionalMetrics;
    const subscriptions = { page: s.alertPageSubscriptions, ticket: s.alertTicketSubscriptions };

    const stackTopics = new AlertTopics(`${name}-topics`, { namePrefix: `${prefix}-alerts`, subscriptions, protect: s.isProd }, { parent: this });
    // One set serves both when the stack itself is in us-east-1.
    const usEast1Topics =
      s.region === "us-east-1"
        ? stackTopics
        : new AlertTopics(`${name}-topics-us-east-1`, { namePrefix: `${prefix}-alerts-us-east-1`, subscriptions, protect: s.isProd }, { parent: this, provider: args.usEast1 });
    this.topicArns = { stack: stackTopics.topicArns, "us-east-1": usEast1Topics.topicArns };

    const monitored: MonitoredResource<pulumi.Input<string>>[] = [];
    if (args.alb) {
      const lb = suffix(args.alb.loadBalancerArn);
      monitored.push({ kind: "alb", label: "alb", dimensions: { LoadBalancer: lb } });
      for (const [tier, arn] of Object.entries(args.alb.targetGroupArns)) {
        monitored.push({ kind: "albTargetGroup", label: tier === "blue" ? "alb-targets" : `alb-${tier}-targets`, dimensions: { LoadBalancer: lb, TargetGroup: suffix(arn) } });
      }
    }
    if (args.nlb) {
      const lb = suffix(args.nlb.loadBalancerArn);
      monitored.push({ kind: "nlb", label: "nlb", dimensions: { LoadBalancer: lb } });
      for (const [key, arn] of Object.entries(args.nlb.targetGroupArns)) {
        monitored.push({ kind: "nlbTargetGroup", label: `nlb-${key}-targets`, dimensions: { LoadBalancer: lb, TargetGroup: suffix(arn) } });
      }
    }
    if (args.distribution) {
      monitored.push({ kind: "distribution", label: "cdn", dimensions: { DistributionId: args.distribution.id, Region: "Global" } });
      args.distribution.functionNames.forEach((fn, i) => monitored.push({ kind: "cloudfrontFunction", label: `cdn-function-${i}`, dimensions: { FunctionName: fn, Region: "Global" } }));
      if (additionalMetrics) {
        new aws.cloudfront.MonitoringSubscription(
          `${name}-cdn-metrics`,
          { distributionId: args.distribution.id, monitoringSubscription: { realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" } } },
          { parent: this, provider: args.usEast1 },
        );
      }
    }
    // Checked at program start (checkCacheSettings).
    const cacheCpu = { "cacheNode.CPUUtilization": cacheCpuThreshold(cacheNodeVcpus(s.cacheNodeType)!) };
    args.cacheNodeIds.forEach((id) =>
      monitored.push({ kind: "cacheNode", label: `cache-${id.replace(/^.*?-(\d{4}-\d{3}|\d{3})$/, "$1")}`, dimensions: { CacheClusterId: id, CacheNodeId: CACHE_MEMBER_NODE_ID }, thresholds: cacheCpu }),
    );
    (args.certificates ?? []).forEach((c, i) => monitored.push({ kind: "certificate", label: `certificate-${i}`, dimensions: { CertificateArn: c.arn }, region: c.region }));
    for (const [key, id] of Object.entries(args.healthCheckIds ?? {})) monitored.push({ kind: "healthCheck", label: `dns-health-${key}`, dimensions: { HealthCheckId: id } });
    (args.signedZoneIds ?? []).forEach((id, i) => monitored.push({ kind: "signedZone", label: `dns-zone-${i}`, dimensions: { HostedZoneId: id } }));
    args.natGatewayIds.forEach((id, i) => monitored.push({ kind: "natGateway", label: `nat-${i}`, dimensions: { NatGatewayId: id } }));
    if (args.webAclMetricName) monitored.push({ kind: "webAcl", label: "waf", dimensions: { WebACL: args.webAclMetricName, Rule: "ALL" } });
    const cluster = args.cluster;
    if (cluster && s.containerInsights) {
      this.containerInsights = new ContainerInsights(
        `${name}-container-insights`,
        {
          clusterName: cluster.name,
          oidcProviderArn: cluster.oidcProviderArn,
          oidcIssuerUrl: cluster.oidcIssuerUrl,
          addonVersion: s.cloudwatchObservabilityAddonVersion,
          logRetentionDays: s.containerLogRetentionDays,
          protect: s.isProd,
          dependsOn: [cluster.ready],
        },
        { parent: this },
      );
      monitored.push({ kind: "eksCluster", label: "cluster", dimensions: { ClusterName: cluster.name } });
      for (const service of cluster.serviceNames) monitored.push({ kind: "eksService", label: `pods-${service}`, dimensions: { ClusterName: cluster.name, Namespace: NAMESPACE, Service: service } });
    }

    const specs = alarmSpecs(monitored, { thresholds: thresholdOverrides(s.alarmThresholds), cloudFrontAdditionalMetrics: additionalMetrics });
    this.alarmNames = specs.map((spec) => this.alarm(name, prefix, spec).name);

    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `${prefix}-golden-signals`,
        dashboardBody: pulumi
          .output({
            distributionIds: args.distribution ? [pulumi.output(args.distribution.id)] : [],
            alb: args.alb
              ? { loadBalancer: suffix(args.alb.loadBalancerArn), targetGroups: Object.entries(args.alb.targetGroupArns).map(([tier, arn]) => ({ tier, targetGroup: suffix(arn) })) }
              : undefined,
            nlb: args.nlb ? { loadBalancer: suffix(args.nlb.loadBalancerArn), targetGroups: Object.values(args.nlb.targetGroupArns).map(suffix) } : undefined,
            webAcl: args.webAclMetricName,
            clusterName: this.containerInsights ? cluster?.name : undefined,
          })
          .apply((t) =>
            dashboardBody({ region: s.region, distributionIds: t.distributionIds, alb: t.alb, nlb: t.nlb, cacheNodes: args.cacheNodeIds, webAcl: t.webAcl, clusterName: t.clusterName }),
          ),
      },
      { parent: this },
    );
    this.dashboardName = dashboard.dashboardName;

    if (cluster && (s.isProd || s.managedPrometheus)) {
      this.prometheus = new ManagedPrometheus(
        `${name}-prometheus`,
        {
          namePrefix: prefix,
          spec: sloSpec(s),
          runbookUrl: runbookUrl(s.ciRepository),
          dashboardUrl: dashboard.dashboardName.apply((d) => dashboardUrl(s.region, d)),
          topicArns: stackTopics.topicArns,
          topicKeyArn: stackTopics.keyArn,
          cluster: {
            arn: cluster.arn,
            name: cluster.name,
            vpcId: cluster.vpcId,
            subnetIds: cluster.privateSubnetIds,
            clusterSecurityGroupId: cluster.clusterSecurityGroupId,
            nodeSecurityGroupId: cluster.nodeSecurityGroupId,
            rbacProvider: cluster.rbacProvider,
          },
          scrapeIntervalSeconds: s.prometheusScrapeIntervalSeconds,
          protect: s.isProd,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ topicArns: this.topicArns, dashboardName: this.dashboardName, prometheusWorkspaceArn: this.prometheus?.workspaceArn });
  }

  private alarm(name: string, prefix: string, spec: AlarmSpec<pulumi.Input<string>>): aws.cloudwatch.MetricAlarm {
    const a = spec.alarm;
    const topic = this.topicArns[spec.region][spec.severity];
    const percentile = a.statistic.startsWith("p");
    return new aws.cloudwatch.MetricAlarm(
      `${name}-${spec.name}`,
      {
        name: `${prefix}-${spec.name}`,
        alarmDescription: spec.description,
        ...(a.percentOf
          ? { metricQueries: percentQueries(spec) }
          : {
              namespace: a.namespace,
              metricName: a.metricName,
              dimensions: spec.dimensions,
              ...(percentile ? { extendedStatistic: a.statistic } : { statistic: a.statistic }),
              period: a.periodSeconds,
            }),
        evaluationPeriods: a.evaluationPeriods,
        datapointsToAlarm: a.datapointsToAlarm,
        threshold: spec.threshold,
        comparisonOperator: a.comparison,
        treatMissingData: a.treatMissingData,
        alarmActions: [topic],
        okActions: [topic],
        tags: { severity: spec.severity, "alarm-id": a.id },
      },
      { parent: this, ...(spec.region === "us-east-1" ? { provider: this.usEast1 } : {}) },
    );
  }
}
