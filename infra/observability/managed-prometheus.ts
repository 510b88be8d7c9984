import * as aws from "@pulumi/aws";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KUBERNETES_API_PORT } from "../ci/settings";
import { alertmanagerConfig, ampAlertManagerDefinition, prometheusRules, renderRules } from "./rules";
import { clusterScrapeConfig, MANAGED_SCRAPER_USER, renderScrapeConfig, SCRAPE_JOBS, scraperRbac } from "./scrape";
import type { SloSpec } from "../config/slo";
import { alertTopicPolicy } from "./topics";
import { customerManagedKeyPolicy } from "../kms";
import { accountRoot, partitionOf, regionalServiceName, type Partition } from "../partition";

/** The SNS receiver of an Amazon Managed Service for Prometheus alert manager (signed with the workspace's own identity). */
export function snsReceiver(topicArn: string, region: string, severity: string): Record<string, unknown> {
  return { sns_configs: [{ topic_arn: topicArn, sigv4: { region }, subject: `[${severity}] {{ .CommonLabels.alertname }}`, attributes: { severity } }] };
}

/** The workspace key's policy: the account administers it; Prometheus uses it through its own service for this account only. */
export function workspaceKeyPolicy(partition: Partition, account: string, region: string): string {
  return customerManagedKeyPolicy(partition, account, [
    {
      sid: "PrometheusUsesThroughItsService",
      principal: { AWS: accountRoot(partition, account) },
      actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
      condition: { StringEquals: { "kms:ViaService": regionalServiceName(partition, "aps", region), "kms:CallerAccount": account } },
    },
  ]);
}

/** How long the Watchdog may be silent before the alarm pages: two 15-minute periods (it repeats every 5). */
export const WATCHDOG_SILENCE = { periodSeconds: 900, periods: 2 } as const;

export interface ManagedPrometheusArgs {
  /** Physical name prefix (`<prefix>-prometheus`). */
  namePrefix: string;
  spec: SloSpec;
  /** The runbook page and the dashboard every alert links to. */
  runbookUrl: pulumi.Input<string>;
  dashboardUrl: pulumi.Input<string>;
  /** The page and ticket topics of the stack's region. */
  topicArns: Record<"page" | "ticket", pulumi.Input<string>>;
  /** The key the alert topics are encrypted with (the watchdog's topic shares it). */
  topicKeyArn: pulumi.Input<string>;
  cluster: {
    arn: pulumi.Input<string>;
    name: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string>[];
    /** The control plane ENIs' group (the scraper discovers pods through the private API endpoint). */
    clusterSecurityGroupId: pulumi.Input<string>;
    /** The worker nodes' group (pods use the node's ENIs' groups: the scrape targets). */
    nodeSecurityGroupId: pulumi.Input<string>;
    /** Applies the scraper's RBAC (the deploy role may not write RBAC). */
    rbacProvider: kubernetes.Provider;
  };
  scrapeIntervalSeconds: number;
  protect: boolean;
}

/**
 * Amazon Managed Service for Prometheus for the stack: a KMS-encrypted workspace, a managed scraper
 * of this cluster (its ENIs in the private subnets, a security group that reaches only the API
 * endpoint and the two metrics ports; scrape configuration from SCRAPE_JOBS), its namespaced RBAC,
 * the rules generated from the SLO spec as a rule group namespace, and an alert manager routing
 * page and ticket alerts to the SNS topics and the Watchdog to a topic of its own, which a CloudWatch
 * alarm pages on when it goes quiet.
 */
export class ManagedPrometheus extends pulumi.ComponentResource {
  public readonly workspaceArn: pulumi.Output<string>;
  public readonly scraperArn: pulumi.Output<string>;
  public readonly watchdogTopicArn: pulumi.Output<string>;

  constructor(name: string, args: ManagedPrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:observability:ManagedPrometheus", name, {}, opts);
    const child = { parent: this };
    const identity = aws.getCallerIdentityOutput({}, child);
    const region = aws.getRegionOutput({}, child).region;
    const partition = partitionOf(child);

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `${args.namePrefix}-prometheus: encrypts the workspace`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.all([partition, identity.accountId, region]).apply(([p, account, r]) => workspaceKeyPolicy(p, account, r)),
      },
      { parent: this, protect: args.protect },
    );
    const workspace = new aws.amp.Workspace(
      `${name}-workspace`,
      // The scraper tags its destination: declared here so an update does not remove it.
      { alias: `${args.namePrefix}-prometheus`, kmsKeyArn: key.arn, tags: { AMPAgentlessScraper: "" } },
      { parent: this, protect: args.protect },
    );

    // ── The scraper: what it may reach, what it may read ───────────────────────────────────────
    const c = args.cluster;
    const sg = new aws.ec2.SecurityGroup(`${name}-scraper`, { vpcId: c.vpcId, description: `${args.namePrefix}: managed Prometheus scraper ENIs`, revokeRulesOnDelete: true }, child);
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-scraper-to-api`,
      { securityGroupId: sg.id, referencedSecurityGroupId: c.clusterSecurityGroupId, ipProtocol: "tcp", fromPort: KUBERNETES_API_PORT, toPort: KUBERNETES_API_PORT, description: "Kubernetes API (pod discovery)" },
      child,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-api-from-scraper`,
      { securityGroupId: c.clusterSecurityGroupId, referencedSecurityGroupId: sg.id, ipProtocol: "tcp", fromPort: KUBERNETES_API_PORT, toPort: KUBERNETES_API_PORT, description: "Kubernetes API from the managed Prometheus scraper" },
      child,
    );
    for (const [key, job] of Object.entries(SCRAPE_JOBS)) {
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-scraper-to-${key}`,
        { securityGroupId: sg.id, referencedSecurityGroupId: c.nodeSecurityGroupId, ipProtocol: "tcp", fromPort: job.port, toPort: job.port, description: `${job.name} metrics` },
        child,
      );
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-${key}-from-scraper`,
        { securityGroupId: c.nodeSecurityGroupId, referencedSecurityGroupId: sg.id, ipProtocol: "tcp", fromPort: job.port, toPort: job.port, description: `${job.name} metrics from the managed Prometheus scraper` },
        child,
      );
    }
    const scrapeConfig = pulumi.output(c.name).apply((clusterName) => clusterScrapeConfig({ interval: `${args.scrapeIntervalSeconds}s`, externalLabels: { cluster: clusterName } }));
    const scraper = new aws.amp.Scraper(
      `${name}-scraper`,
      {
        alias: `${args.namePrefix}-scraper`,
        source: { eks: { clusterArn: c.arn, subnetIds: c.subnetIds, securityGroupIds: [sg.id] } },
        destination: { amp: { workspaceArn: workspace.arn } },
        scrapeConfiguration: scrapeConfig.apply(renderScrapeConfig),
      },
      child,
    );
    // Amazon Managed Service for Prometheus maps the scraper's role to MANAGED_SCRAPER_USER (its access
    // entry); that user reads what its discovery watches, in the namespaces it watches, nothing else.
    // Derived from a configuration with the same jobs and namespaces (the cluster label does not change the reads).
    const rbacLabels = { "app.kubernetes.io/part-of": "edgestack", "app.kubernetes.io/component": "metrics-scraper" };
    for (const { namespace, rules } of scraperRbac(clusterScrapeConfig({ interval: `${args.scrapeIntervalSeconds}s` }))) {
      const role = new kubernetes.rbac.v1.Role(`${name}-scraper-${namespace}`, { metadata: { name: "managed-prometheus-scraper", namespace, labels: rbacLabels }, rules }, { parent: this, provider: c.rbacProvider });
      new kubernetes.rbac.v1.RoleBinding(
        `${name}-scraper-${namespace}`,
        {
          metadata: { name: "managed-prometheus-scraper", namespace, labels: rbacLabels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
          subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: MANAGED_SCRAPER_USER }],
        },
        { parent: this, provider: c.rbacProvider },
      );
    }

    // ── Rules and alert routing ───────────────────────────────────────────────────────────────
    new aws.amp.RuleGroupNamespace(
      `${name}-rules`,
      {
        name: "edgestack-slo",
        workspaceId: workspace.id,
        data: pulumi.all([args.runbookUrl, args.dashboardUrl]).apply(([runbookUrl, dashboardUrl]) => renderRules(prometheusRules(args.spec, { runbookUrl, dashboardUrl }))),
      },
      child,
    );
    const watchdog = new aws.sns.Topic(`${name}-watchdog`, { name: `${args.namePrefix}-alerts-watchdog`, kmsMasterKeyId: args.topicKeyArn }, child);
    new aws.sns.TopicPolicy(
      `${name}-watchdog`,
      { arn: watchdog.arn, policy: pulumi.all([partition, watchdog.arn, region, identity.accountId]).apply(([p, arn, r, account]) => alertTopicPolicy(p, arn, r, account)) },
      child,
    );
    new aws.amp.AlertManagerDefinition(
      `${name}-alertmanager`,
      {
        workspaceId: workspace.id,
        definition: pulumi
          .all([args.topicArns.page, args.topicArns.ticket, watchdog.arn, region])
          .apply(([page, ticket, wd, r]) =>
            ampAlertManagerDefinition(alertmanagerConfig({ page: snsReceiver(page, r, "page"), ticket: snsReceiver(ticket, r, "ticket"), watchdog: snsReceiver(wd, r, "none") })),
          ),
      },
      child,
    );
    // The dead man's switch: the Watchdog arrives every 5 minutes; 30 minutes without one pages.
    new aws.cloudwatch.MetricAlarm(
      `${name}-watchdog-silent`,
      {
        name: `${args.namePrefix}-prometheus-watchdog-silent`,
        alarmDescription: "[page] The managed Prometheus Watchdog stopped arriving: rule evaluation or the alert manager is broken, so no Prometheus alert would reach anyone. Runbook: docs/observability.md#watchdog",
        namespace: "AWS/SNS",
        metricName: "NumberOfMessagesPublished",
        dimensions: { TopicName: watchdog.name },
        statistic: "Sum",
        period: WATCHDOG_SILENCE.periodSeconds,
        evaluationPeriods: WATCHDOG_SILENCE.periods,
        datapointsToAlarm: WATCHDOG_SILENCE.periods,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        alarmActions: [args.topicArns.page],
        okActions: [args.topicArns.page],
        tags: { severity: "page", "alarm-id": "prometheus.WatchdogSilent" },
      },
      child,
    );
    this.workspaceArn = workspace.arn;
    this.scraperArn = scraper.arn;
    this.watchdogTopicArn = watchdog.arn;
    this.registerOutputs({ workspaceArn: this.workspaceArn, scraperArn: this.scraperArn, watchdogTopicArn: this.watchdogTopicArn });
  }
}
