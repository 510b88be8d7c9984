import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { one, ofType, runStack, StackRun } from "../../harness";
import { scraperRbac, SCRAPE_JOBS } from "../../../infra/observability/scrape";
import { observabilityTool } from "../../../local/processes/observability-tools";
import { coverageProblems, expectedAlarms, outputsOf, regionOf } from "./coverage";

/** prod (us-east-1): one topic pair serves the stack's and CloudFront's alarms; additional metrics on. */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod" });
}, 180_000);

it("has every recommended alarm of every load balancer, target group, distribution, function, cache node, NAT gateway, certificate and health check, delivering", () => {
  const expected = expectedAlarms(run);
  // 2 LBs, 3 target groups, 1 distribution, 1 function, 3 cache nodes, 3 NAT gateways, 2 certificates, 2 Route53 health checks, the web ACL, the cluster and its two traffic Services (app, nginx).
  expect(expected.map((e) => e.kind).sort()).toEqual(
    ["alb", "albTargetGroup", "nlb", "nlbTargetGroup", "nlbTargetGroup", "distribution", "cloudfrontFunction", "cacheNode", "cacheNode", "cacheNode", "natGateway", "natGateway", "natGateway", "certificate", "certificate", "healthCheck", "healthCheck", "webAcl", "eksCluster", "eksService", "eksService"].sort(),
  );
  expect(coverageProblems(run)).toEqual([]);
});

it("sets each cache node's CPU alarm at 90 % of one vCPU's share (cache.r7g.large: 2 vCPUs → 45) and NAT drops as a share of the traffic", () => {
  const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
  const cpu = alarms.filter((a) => a.inputs.namespace === "AWS/ElastiCache" && a.inputs.metricName === "CPUUtilization");
  expect(cpu.map((a) => a.inputs.threshold)).toEqual([45, 45, 45]);
  expect(cpu.map((a) => (a.inputs.dimensions as Record<string, string>).CacheNodeId)).toEqual(["0001", "0001", "0001"]);
  const drops = alarms.filter((a) => (a.inputs.metricQueries as any[] | undefined)?.some((q) => q.metric?.metricName === "PacketsDropCount"));
  expect(drops).toHaveLength(3);
  for (const a of drops) {
    const queries = a.inputs.metricQueries as any[];
    expect(queries.filter((q) => q.returnData).map((q) => q.expression)).toEqual(["100 * m0 / (m1 + m2)"]);
    expect(queries.filter((q) => q.metric).map((q) => [q.id, q.metric.metricName])).toEqual([["m0", "PacketsDropCount"], ["m1", "PacketsInFromSource"], ["m2", "PacketsInFromDestination"]]);
    // One gateway's own traffic, and a percentage threshold.
    expect(new Set(queries.filter((q) => q.metric).map((q) => JSON.stringify(q.metric.dimensions))).size).toBe(1);
    expect([a.inputs.threshold, a.inputs.metricName]).toEqual([0.01, undefined]);
  }
});

it("turns on CloudFront's additional metrics for the distribution and alarms on OriginLatency in us-east-1", () => {
  const [sub] = ofType(run, "aws:cloudfront/monitoringSubscription:MonitoringSubscription");
  expect(sub.inputs.monitoringSubscription).toEqual({ realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" } });
  const alarm = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricName === "OriginLatency")!;
  expect(alarm.inputs.extendedStatistic).toBe("p90");
  expect(regionOf(run, alarm)).toBe("us-east-1");
});

it("encrypts both topics with a rotated key that admits CloudWatch and Prometheus only for this account", () => {
  const [key] = ofType(run, "aws:kms/key:Key").filter((k) => k.parent === "alerting-topics");
  expect(key.inputs.enableKeyRotation).toBe(true);
  const grant = JSON.parse(String(key.inputs.policy)).Statement.find((s: any) => s.Principal.Service);
  expect(grant.Principal.Service).toEqual(["cloudwatch.amazonaws.com", "aps.amazonaws.com"]);
  expect(grant.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "123456789012" } });
  // page, ticket and the Prometheus Watchdog's topic.
  expect(ofType(run, "aws:sns/topic:Topic").map((t) => t.inputs.kmsMasterKeyId)).toEqual(Array(3).fill(outputsOf(run, key).arn));
});

describe("Amazon Managed Service for Prometheus", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), "edgestack-amp-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const definition = () => parse(String(one(run, "aws:amp/alertManagerDefinition:AlertManagerDefinition").inputs.definition)) as { alertmanager_config: string };

  it("keeps a KMS-encrypted workspace fed by a scraper of this stack's cluster, in its private subnets, behind its own security group", () => {
    const workspace = one(run, "aws:amp/workspace:Workspace");
    const cluster = one(run, "aws:eks/cluster:Cluster");
    const scraper = one(run, "aws:amp/scraper:Scraper");
    expect(workspace.inputs.kmsKeyArn).toBe(outputsOf(run, one(run, "aws:kms/key:Key", "alerting-prometheus-key")).arn);
    const eks = (scraper.inputs.source as any).eks;
    expect(eks.clusterArn).toBe(outputsOf(run, cluster).arn);
    const privateSubnets = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => !s.inputs.mapPublicIpOnLaunch && /private/.test(s.name)).map((s) => outputsOf(run, s).id);
    expect([...eks.subnetIds].sort()).toEqual([...privateSubnets].sort());
    expect((scraper.inputs.destination as any).amp.workspaceArn).toBe(outputsOf(run, workspace).arn);
    // The node group admits the scraper's group on the two metrics ports and nothing else.
    const sgId = outputsOf(run, one(run, "aws:ec2/securityGroup:SecurityGroup", "alerting-prometheus-scraper")).id;
    expect(eks.securityGroupIds).toEqual([sgId]);
    const fromScraper = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.referencedSecurityGroupId === sgId);
    expect(fromScraper.map((r) => r.inputs.fromPort).sort()).toEqual([443, SCRAPE_JOBS.app.port, SCRAPE_JOBS.nginx.port].sort());
  });

  it("scrapes the jobs the rules select on, in the workloads' namespace, and its RBAC reads exactly what that discovery needs", () => {
    const config = parse(String(one(run, "aws:amp/scraper:Scraper").inputs.scrapeConfiguration)) as any;
    expect(config.scrape_configs.map((j: any) => j.job_name)).toEqual([SCRAPE_JOBS.app.name, SCRAPE_JOBS.nginx.name]);
    expect(config.global.external_labels).toEqual({ cluster: one(run, "aws:eks/cluster:Cluster").inputs.name });
    const roles = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:Role").filter((r) => r.name.startsWith("alerting-prometheus"));
    expect(roles.map((r) => [(r.inputs.metadata as any).namespace, r.inputs.rules])).toEqual(scraperRbac(config).map((x) => [x.namespace, x.rules]));
    expect(roles.map((r) => r.inputs.rules)).toEqual([[{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]]);
    const binding = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").find((b) => b.name.startsWith("alerting-prometheus"))!;
    expect(binding.inputs.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "aps-collector-user" }]);
    // No ClusterRole: nothing cluster-wide.
    expect(ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").filter((r) => r.name.startsWith("alerting"))).toEqual([]);
  });

  it("uploads the generated rules (promtool check rules passes), every alert linking its runbook and the dashboard", () => {
    const data = String(one(run, "aws:amp/ruleGroupNamespace:RuleGroupNamespace").inputs.data);
    const file = path.join(dir, "rules.yml");
    writeFileSync(file, data);
    const result = spawnSync(observabilityTool("promtool"), ["check", "rules", file], { encoding: "utf8" });
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
    const alerts = (parse(data) as any).groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
    expect(alerts.map((a: any) => a.alert)).toContain("Watchdog");
    for (const a of alerts) {
      expect(a.annotations.runbook_url).toBe(`https://github.com/acme/edgestack/blob/main/docs/observability.md#${a.alert.toLowerCase()}`);
      expect(a.annotations.dashboard_url).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#dashboards\/dashboard\/.+-golden-signals$/);
    }
  });

  it("routes page, ticket and the Watchdog to their SNS topics (amtool check-config passes), and pages when the Watchdog goes quiet", () => {
    const file = path.join(dir, "alertmanager.yml");
    writeFileSync(file, definition().alertmanager_config);
    const amtool = spawnSync(observabilityTool("amtool"), ["check-config", file], { encoding: "utf8" });
    expect(amtool.stdout + amtool.stderr).toMatch(/SUCCESS/);
    const config = parse(definition().alertmanager_config) as any;
    const topicArn = (name: string) => outputsOf(run, ofType(run, "aws:sns/topic:Topic").find((t) => String(t.inputs.name).endsWith(name))!).arn;
    const receiverTopic = (receiver: string) => config.receivers.find((r: any) => r.name === receiver).sns_configs.map((c: any) => [c.topic_arn, c.sigv4.region]);
    expect(receiverTopic("page")).toEqual([[topicArn("-alerts-page"), "us-east-1"]]);
    expect(receiverTopic("ticket")).toEqual([[topicArn("-alerts-ticket"), "us-east-1"]]);
    expect(receiverTopic("watchdog")).toEqual([[topicArn("-alerts-watchdog"), "us-east-1"]]);
    const silent = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.namespace === "AWS/SNS")!;
    expect(silent.inputs).toMatchObject({ metricName: "NumberOfMessagesPublished", comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "breaching", alarmActions: [topicArn("-alerts-page")] });
    expect((silent.inputs.dimensions as any).TopicName).toMatch(/-alerts-watchdog$/);
    // The topics admit the Prometheus service for this account's workspaces.
    for (const p of ofType(run, "aws:sns/topicPolicy:TopicPolicy")) {
      const aps = JSON.parse(String(p.inputs.policy)).Statement.find((st: any) => st.Principal.Service === "aps.amazonaws.com");
      expect(aps.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:aps:us-east-1:123456789012:workspace/*" } });
    }
  });
});

describe("Container Insights and container logs", () => {
  it("pre-creates the add-on's four log groups with the configured retention and a key scoped to them", () => {
    const clusterName = String(one(run, "aws:eks/cluster:Cluster").inputs.name);
    const groups = ofType(run, "aws:cloudwatch/logGroup:LogGroup").filter((g) => String(g.inputs.name).startsWith("/aws/containerinsights/"));
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(["application", "dataplane", "host", "performance"].map((k) => `/aws/containerinsights/${clusterName}/${k}`));
    const key = one(run, "aws:kms/key:Key", "alerting-container-insights-key");
    for (const g of groups) expect([g.inputs.retentionInDays, g.inputs.kmsKeyId]).toEqual([14, outputsOf(run, key).arn]);
    const logs = JSON.parse(String(key.inputs.policy)).Statement.find((st: any) => st.Principal.Service);
    expect(logs.Condition.StringLike["kms:EncryptionContext:aws:logs:arn"]).toBe(`arn:aws:logs:us-east-1:123456789012:log-group:/aws/containerinsights/${clusterName}/*`);
  });

  it("runs the add-on as its service account's role, which writes only to those groups", () => {
    const addon = ofType(run, "aws:eks/addon:Addon").find((a) => a.inputs.addonName === "amazon-cloudwatch-observability")!;
    const role = one(run, "aws:iam/role:Role", "alerting-container-insights-agent");
    expect(addon.inputs.serviceAccountRoleArn).toBe(outputsOf(run, role).arn);
    expect(JSON.parse(String(addon.inputs.configurationValues))).toEqual({ containerLogs: { enabled: true } });
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0];
    expect(Object.entries(trust.Condition.StringEquals).find(([k]) => k.endsWith(":sub"))![1]).toBe("system:serviceaccount:amazon-cloudwatch:cloudwatch-agent");
    const policy = JSON.parse(String(one(run, "aws:iam/rolePolicy:RolePolicy", "alerting-container-insights-agent").inputs.policy));
    const actions = policy.Statement.flatMap((st: any) => [st.Action].flat());
    expect(actions).not.toContain("logs:CreateLogGroup");
    expect(actions).not.toContain("logs:PutRetentionPolicy");
    const write = policy.Statement.find((st: any) => [st.Action].flat().includes("logs:PutLogEvents"));
    expect(write.Resource.every((r: string) => r.includes("/aws/containerinsights/"))).toBe(true);
  });
});
