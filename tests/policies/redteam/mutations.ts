/**
 * Insecure mutations of the prod plan, written as a security reviewer would try them: each names the resource a
 * mandatory rule must report. Applied to a fresh copy of the plan (`npm run plan -- --stack prod --json`).
 */
import type { PlanResource } from "../../../offline/plan/format";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { dnsFailoverMutations } from "./dns-failover-mutations";

export interface Mutation {
  area: string;
  title: string;
  /** Logical name of the resource a mandatory violation must name. */
  expect: string;
  apply: (plan: Plan) => void;
}

/**
 * A plan being mutated, with helpers that fail loudly when the resource they expect is missing. `Plan.over(shared)`
 * leaves the shared resources untouched: a resource is copied the first time a mutation reaches it (through `get`
 * and the helpers, or every one at once through `resources`), so a case pays only for what its mutation reads.
 */
export class Plan {
  private list: PlanResource[];
  /** The resources this plan copied from shared ones (undefined: every resource is its own). */
  private copied: Set<PlanResource> | undefined;
  constructor(resources: PlanResource[]) {
    this.list = resources;
  }
  static over(shared: readonly PlanResource[]): Plan {
    const plan = new Plan([...shared]);
    plan.copied = new Set();
    return plan;
  }
  get resources(): PlanResource[] {
    if (this.copied) {
      this.list = this.list.map((r) => this.own(r));
      this.copied = undefined;
    }
    return this.list;
  }
  /** The resources as the mutation left them, for reading only (those it never reached are the shared ones). */
  view(): PlanResource[] {
    return [...this.list];
  }
  set resources(resources: PlanResource[]) {
    this.list = resources;
  }
  /** The plan's own copy of a resource of its list, made on first use. */
  private own(r: PlanResource): PlanResource {
    if (!this.copied || this.copied.has(r)) return r;
    const copy = JSON.parse(JSON.stringify(r)) as PlanResource;
    this.copied.add(copy);
    this.list[this.list.indexOf(r)] = copy;
    return copy;
  }
  private find(name: string, type?: string): PlanResource {
    const r = this.list.find((x) => x.name === name && (type === undefined || x.type === type));
    if (!r) throw new Error(`mutation: no resource "${name}" in the prod plan`);
    return r;
  }
  get(name: string, type?: string): PlanResource {
    return this.own(this.find(name, type));
  }
  /** The physical id the plan gives a resource (mock ids derive from each resource's identity). */
  id(name: string, type?: string): string {
    const id = this.find(name, type).id;
    if (!id) throw new Error(`mutation: "${name}" has no id in the prod plan`);
    return id;
  }
  inputs(name: string, type?: string): Record<string, any> {
    return this.get(name, type).inputs as Record<string, any>;
  }
  remove(name: string, type?: string): void {
    const r = this.find(name, type);
    this.list = this.list.filter((x) => x !== r);
  }
  /** Adds a resource; a string "@id:NAME" anywhere in its inputs becomes the plan's id of resource NAME. */
  add(r: PlanResource): void {
    const resolve = (v: unknown): unknown =>
      typeof v === "string" && v.startsWith("@id:") ? this.id(v.slice(4)) : Array.isArray(v) ? v.map(resolve) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)])) : v;
    const added = { ...r, inputs: resolve(r.inputs) as PlanResource["inputs"] };
    this.copied?.add(added);
    this.list.push(added);
  }
  doc(name: string, key = "policy"): any {
    return JSON.parse(this.inputs(name)[key]);
  }
  setDoc(name: string, doc: unknown, key = "policy"): void {
    this.inputs(name)[key] = JSON.stringify(doc);
  }
  podSpec(name: string): any {
    return this.inputs(name).spec.template.spec;
  }
}

const LISTENER = "aws:lb/listener:Listener";
/** The ALB security group's id as the plan records it (ids follow the resource's identity, so never a literal). */
const albSg = (plan: Plan) => plan.get("alb-sg", "aws:ec2/securityGroup:SecurityGroup").id;
const k8s = (type: string, name: string, inputs: Record<string, unknown>): PlanResource => ({ type, name, parent: "workloads", inputs });

/** A pod spec that passes the restricted profile, for new pod-bearing resources. */
function copyPod(plan: Plan): any {
  return JSON.parse(JSON.stringify(plan.podSpec("workloads-app")));
}
const podWith = (plan: Plan, change: (spec: any) => void) => {
  const spec = copyPod(plan);
  change(spec);
  return spec;
};
const container = (spec: any) => spec.containers[0];

export const mutations: Mutation[] = [
  // ── Credentials written as literals, access granted outside the plan, issuance and encryption left open ──
  { area: "credentials", title: "app gets the Redis password as a literal env value", expect: "workloads-app", apply: (p) => p.podSpec("workloads-app").containers[0].env.push({ name: "REDIS_PASSWORD", value: "correct-horse-battery" }) },
  { area: "credentials", title: "app's Redis URL carries its password inline", expect: "workloads-app", apply: (p) => p.podSpec("workloads-app").containers[0].env.push({ name: "REDIS_URL", value: "rediss://default:correct-horse@cache:6379" }) },
  { area: "credentials", title: "CI runner gets a deploy key in a plain-text variable", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").environment.environmentVariables = [{ name: "DEPLOY_SECRET_KEY", value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", type: "PLAINTEXT" }]) },
  { area: "access", title: "EKS creator keeps a hidden cluster-admin", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").accessConfig.bootstrapClusterCreatorAdminPermissions = true) },
  { area: "access", title: "EKS also reads the aws-auth ConfigMap", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").accessConfig.authenticationMode = "API_AND_CONFIG_MAP") },
  { area: "dns", title: "CAA admits another CA", expect: "dns-apex-caa", apply: (p) => p.inputs("dns-apex-caa").records.push('0 issue "letsencrypt.org"') },
  { area: "dns", title: "CAA removed: any CA may issue for the service's names", expect: "dns-apex-a", apply: (p) => p.remove("dns-apex-caa") },
  { area: "cache", title: "rate-limit store evicts any key under pressure (allkeys-lru)", expect: "cache-group", apply: (p) => (p.inputs("cache-params").parameters.find((x: { name: string }) => x.name === "maxmemory-policy").value = "allkeys-lru") },
  { area: "nginx", title: "nginx announces its version", expect: "workloads-nginx-conf", apply: (p) => { const d = p.inputs("workloads-nginx-conf").data; d["nginx.conf"] = String(d["nginx.conf"]).replace("server_tokens off;", "server_tokens on;"); } },
  { area: "alerting", title: "page topic delivers to a plain-HTTP hook", expect: "page-hook", apply: (p) => p.add({ type: "aws:sns/topicSubscription:TopicSubscription", name: "page-hook", parent: "alerting-topics", inputs: { topic: "arn:aws:sns:us-east-1:123456789012:edgestack-prod-alerts-page", protocol: "http", endpoint: "http://hooks.example.com/page" } }) },
  { area: "access", title: "CI runner role trusts CodeBuild of any account (no source condition)", expect: "ci-runner-role", apply: (p) => { const i = p.inputs("ci-runner-role", "aws:iam/role:Role"); const d = JSON.parse(i.assumeRolePolicy); delete d.Statement[0].Condition; i.assumeRolePolicy = JSON.stringify(d); } },
  { area: "access", title: "CI runner role assumable by anyone in the organisation", expect: "ci-runner-role", apply: (p) => { const i = p.inputs("ci-runner-role", "aws:iam/role:Role"); const d = JSON.parse(i.assumeRolePolicy); d.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } }); i.assumeRolePolicy = JSON.stringify(d); } },
  { area: "access", title: "flow-log role trusts the service without a source account", expect: "network-flow-logs-role", apply: (p) => { const i = p.inputs("network-flow-logs-role", "aws:iam/role:Role"); const d = JSON.parse(i.assumeRolePolicy); delete d.Statement[0].Condition; i.assumeRolePolicy = JSON.stringify(d); } },
  { area: "ci", title: "runner webhook builds every repository event", expect: "ci-runner-webhook", apply: (p) => delete p.inputs("ci-runner-webhook").filterGroups },
  { area: "ci", title: "runner fetches its source without certificate checks", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").source.insecureSsl = true) },
  { area: "edge", title: "NLB passes the HTTPS port through as TCP", expect: "nlb-tls", apply: (p) => Object.assign(p.inputs("nlb-tls", "aws:lb/listener:Listener"), { protocol: "TCP", sslPolicy: undefined, certificateArn: undefined }) },
  { area: "edge", title: "load-balancer certificate validated by e-mail", expect: "lb-certificate-cert", apply: (p) => (p.inputs("lb-certificate-cert").validationMethod = "EMAIL") },
  { area: "pods", title: "app mounts an API token through a projected volume", expect: "workloads-app", apply: (p) => p.podSpec("workloads-app").volumes.push({ name: "api-token", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } }) },
  { area: "pods", title: "nginx and its exporter share one process namespace", expect: "workloads-nginx", apply: (p) => (p.podSpec("workloads-nginx").shareProcessNamespace = true) },
  { area: "alerting", title: "Prometheus workspace on the AWS-owned key", expect: "alerting-prometheus-workspace", apply: (p) => delete p.inputs("alerting-prometheus-workspace").kmsKeyArn },
  // ── Alerting: alarms that must reach someone ────────────────────────────────────────────
  { area: "alerting", title: "ALB 5xx alarm removed", expect: "alb-lb", apply: (p) => p.remove("alerting-alb-HTTPCode_ELB_5XX_Count") },
  { area: "alerting", title: "NAT alarm points at another gateway", expect: "network-nat-2", apply: (p) => (p.inputs("alerting-nat-2-ErrorPortAllocation").dimensions = { ...p.inputs("alerting-nat-0-ErrorPortAllocation").dimensions }) },
  { area: "alerting", title: "cache node alarm on another node", expect: "cache-group", apply: (p) => (p.inputs("alerting-cache-0001-003-EngineCPUUtilization").dimensions = { CacheClusterId: "edgestack-prod-0001-001" }) },
  { area: "alerting", title: "nginx pods' memory-limit alarm watches another Service", expect: "workloads-nginx", apply: (p) => (p.inputs("alerting-pods-nginx-pod_memory_utilization_over_pod_limit").dimensions.Service = "app") },
  { area: "alerting", title: "NAT drop alarm compares the raw count instead of its share of the traffic", expect: "network-nat-1", apply: (p) => {
    const a = p.inputs("alerting-nat-1-PacketsDropCount");
    const drops = (a.metricQueries as { metric?: Record<string, unknown> }[]).find((q) => q.metric?.metricName === "PacketsDropCount")!.metric!;
    Object.assign(a, { metricQueries: undefined, namespace: drops.namespace, metricName: drops.metricName, dimensions: drops.dimensions, statistic: "Sum", period: 60 });
  } },
  { area: "alerting", title: "target group alarm without its TargetGroup dimension", expect: "alb-nginx", apply: (p) => delete p.inputs("alerting-alb-targets-HealthyHostCount").dimensions.TargetGroup },
  { area: "alerting", title: "CloudFront alarm acting on a topic in another region", expect: "cdn-distribution", apply: (p) => (p.inputs("alerting-cdn-5xxErrorRate").alarmActions = ["arn:aws:sns:eu-west-1:123456789012:edgestack-prod-alerts-page"]) },
  { area: "alerting", title: "alarm actions disabled", expect: "nlb-lb", apply: (p) => (p.inputs("alerting-nlb-TCP_ELB_Reset_Count").actionsEnabled = false) },
  { area: "alerting", title: "healthy-host alarm compares the wrong way", expect: "nlb-tls", apply: (p) => (p.inputs("alerting-nlb-tls-targets-HealthyHostCount").comparisonOperator = "GreaterThanThreshold") },
  {
    area: "alerting",
    title: "topic key policy without the CloudWatch grant",
    expect: "cache-group",
    apply: (p) => {
      const doc = p.doc("alerting-topics-key");
      doc.Statement = doc.Statement.filter((s: any) => !JSON.stringify(s.Principal).includes("cloudwatch"));
      p.setDoc("alerting-topics-key", doc);
    },
  },
  {
    area: "alerting",
    title: "topic policy without CloudWatch as publisher",
    expect: "network-nat-0",
    apply: (p) => {
      for (const name of ["alerting-topics-page", "alerting-topics-ticket"]) {
        const r = p.get(name, "aws:sns/topicPolicy:TopicPolicy");
        const doc = JSON.parse((r.inputs as any).policy);
        doc.Statement = doc.Statement.filter((s: any) => !JSON.stringify(s.Principal).includes("cloudwatch"));
        (r.inputs as any).policy = JSON.stringify(doc);
      }
    },
  },
  { area: "alerting", title: "CloudFront certificate's expiry alarm moved to the stack's region", expect: "cdn-certificate-cert", apply: (p) => {
      p.add({ type: "pulumi:providers:aws", name: "aws-eu-west-1", parent: null, inputs: { region: "eu-west-1" } });
      p.get("alerting-certificate-1-DaysToExpiry").options = { provider: "pulumi:providers:aws::aws-eu-west-1" };
    } },
  { area: "alerting", title: "site health check's status alarm moved to the stack's region", expect: "dns-health-site", apply: (p) => {
      p.add({ type: "pulumi:providers:aws", name: "aws-eu-west-1", parent: null, inputs: { region: "eu-west-1" } });
      p.get("alerting-dns-health-site-HealthCheckStatus").options = { provider: "pulumi:providers:aws::aws-eu-west-1" };
    } },
  { area: "alerting", title: "edge health check's status alarm removed", expect: "dns-health-edge", apply: (p) => p.remove("alerting-dns-health-edge-HealthCheckStatus") },
  { area: "alerting", title: "NLB port allocation alarm removed", expect: "nlb-lb", apply: (p) => p.remove("alerting-nlb-PortAllocationErrorCount") },
  { area: "alerting", title: "CloudFront additional metrics removed", expect: "cdn-distribution", apply: (p) => p.remove("alerting-cdn-metrics") },
  { area: "alerting", title: "WAF blocked-requests alarm removed", expect: "cdn-waf-acl", apply: (p) => p.remove("alerting-waf-BlockedRequests") },
  { area: "alerting", title: "WAF alarm on another ACL's metric", expect: "cdn-waf-acl", apply: (p) => (p.inputs("alerting-waf-AllowedRequests").dimensions = { WebACL: "someone-elses-acl", Rule: "ALL" }) },
  { area: "alerting", title: "node CPU alarm removed", expect: "cluster-eks", apply: (p) => p.remove("alerting-cluster-node_cpu_utilization") },
  { area: "alerting", title: "Container Insights add-on removed (node alarms without data)", expect: "cluster-eks", apply: (p) => p.remove("alerting-container-insights-addon") },
  // ── Managed Prometheus and container logs ────────────────────────────────────────────────
  { area: "prometheus", title: "scraper removed", expect: "cluster-eks", apply: (p) => p.remove("alerting-prometheus-scraper") },
  { area: "prometheus", title: "scraper scrapes another account's cluster", expect: "alerting-prometheus-scraper", apply: (p) => (p.inputs("alerting-prometheus-scraper").source.eks.clusterArn = "arn:aws:eks:us-east-1:210987654321:cluster/edgestack-prod") },
  { area: "prometheus", title: "pages routed to a receiver without a topic", expect: "alerting-prometheus-alertmanager", apply: (p) => {
      const outer = parseYaml(p.inputs("alerting-prometheus-alertmanager").definition);
      const config = parseYaml(outer.alertmanager_config);
      delete config.receivers.find((r: any) => r.name === "page").sns_configs;
      p.inputs("alerting-prometheus-alertmanager").definition = stringifyYaml({ alertmanager_config: stringifyYaml(config) });
    } },
  { area: "prometheus", title: "topics' key no longer lets Prometheus encrypt", expect: "alerting-prometheus-alertmanager", apply: (p) => {
      const doc = p.doc("alerting-topics-key");
      for (const st of doc.Statement) if (st.Principal?.Service) st.Principal.Service = ["cloudwatch.amazonaws.com"];
      p.setDoc("alerting-topics-key", doc);
    } },
  { area: "prometheus", title: "pages sent to another account's topic of the same name", expect: "alerting-prometheus-alertmanager", apply: (p) => {
      const outer = parseYaml(p.inputs("alerting-prometheus-alertmanager").definition);
      const config = parseYaml(outer.alertmanager_config);
      for (const c of config.receivers.find((r: any) => r.name === "page").sns_configs) c.topic_arn = c.topic_arn.replace(/:\d{12}:/, ":210987654321:");
      p.inputs("alerting-prometheus-alertmanager").definition = stringifyYaml({ alertmanager_config: stringifyYaml(config) });
    } },
  { area: "alerting", title: "alarm acting on another account's topic of the same name", expect: "alb-lb", apply: (p) => {
      const a = p.inputs("alerting-alb-HTTPCode_ELB_5XX_Count");
      a.alarmActions = a.alarmActions.map((arn: string) => arn.replace(/:\d{12}:/, ":210987654321:"));
    } },
  { area: "prometheus", title: "container log group left to the add-on", expect: "alerting-container-insights-addon", apply: (p) => p.remove("alerting-container-insights-application") },
  // ── Origin lock ──────────────────────────────────────────────────────────────────────────
  { area: "origin lock", title: "HTTPS default action forwards", expect: "alb-https", apply: (p) => (p.inputs("alb-https", LISTENER).defaultActions = [{ type: "forward", targetGroupArn: p.inputs("alb-route-api").actions[0].targetGroupArn }]) },
  { area: "origin lock", title: "HTTPS default action redirects", expect: "alb-https", apply: (p) => (p.inputs("alb-https", LISTENER).defaultActions = [{ type: "redirect", redirect: { host: "evil.example", statusCode: "HTTP_302" } }]) },
  { area: "origin lock", title: "HTTPS default actions removed", expect: "alb-https", apply: (p) => delete p.inputs("alb-https", LISTENER).defaultActions },
  {
    area: "origin lock",
    title: "new forward rule without the header condition",
    expect: "alb-route-debug",
    apply: (p) => {
      const api = p.get("alb-route-api");
      p.add({ ...api, name: "alb-route-debug", inputs: { ...api.inputs, priority: 5, conditions: [{ pathPattern: { values: ["/debug/*"] } }] } });
    },
  },
  { area: "origin lock", title: "header condition dropped from the API rule", expect: "alb-route-api", apply: (p) => (p.inputs("alb-route-api").conditions = p.inputs("alb-route-api").conditions.filter((c: any) => !c.httpHeader)) },
  { area: "origin lock", title: "header condition renamed", expect: "alb-route-default", apply: (p) => (p.inputs("alb-route-default").conditions[0].httpHeader.httpHeaderName = "X-Debug") },
  { area: "origin lock", title: "header condition matches any value", expect: "alb-route-ws", apply: (p) => (p.inputs("alb-route-ws").conditions[0].httpHeader.values = ["*"]) },
  {
    area: "origin lock",
    title: "weighted forward rule without the header",
    expect: "alb-route-weighted",
    apply: (p) => {
      const api = p.get("alb-route-api");
      p.add({ ...api, name: "alb-route-weighted", inputs: { ...api.inputs, priority: 7, actions: [{ type: "forward", forward: { targetGroups: [{ arn: p.inputs("alb-route-api").actions[0].targetGroupArn }] } }], conditions: [{ pathPattern: { values: ["/*"] } }] } });
    },
  },
  { area: "origin lock", title: "SG rule from CloudFront becomes 0.0.0.0/0", expect: "alb-https-from-cloudfront", apply: (p) => { const i = p.inputs("alb-https-from-cloudfront"); delete i.prefixListId; i.cidrIpv4 = "0.0.0.0/0"; } },
  { area: "origin lock", title: "extra world rule on the ALB SG (443)", expect: "alb-https-world", apply: (p) => p.add({ type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "alb-https-world", parent: "alb", inputs: { cidrIpv4: "0.0.0.0/0", fromPort: 443, toPort: 443, ipProtocol: "tcp", securityGroupId: albSg(p) } }) },
  { area: "origin lock", title: "extra IPv6 world rule on the ALB SG", expect: "alb-https-world6", apply: (p) => p.add({ type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "alb-https-world6", parent: "alb", inputs: { cidrIpv6: "::/0", fromPort: 443, toPort: 443, ipProtocol: "tcp", securityGroupId: albSg(p) } }) },
  { area: "origin lock", title: "inline world ingress on the ALB SG", expect: "alb-sg", apply: (p) => (p.inputs("alb-sg").ingress = [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]) },
  { area: "origin lock", title: "ec2 SecurityGroupRule world on ALB SG", expect: "alb-legacy-rule", apply: (p) => p.add({ type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "alb-legacy-rule", parent: "alb", inputs: { type: "ingress", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], securityGroupId: albSg(p) } }) },
  {
    area: "origin lock",
    title: "second HTTPS listener forwarding on 8443",
    expect: "alb-https-8443",
    apply: (p) => {
      const l = p.get("alb-https", LISTENER);
      p.add({ ...l, name: "alb-https-8443", inputs: { ...l.inputs, port: 8443, defaultActions: [{ type: "forward", targetGroupArn: p.inputs("alb-route-api").actions[0].targetGroupArn }] } });
    },
  },
  // ── WAF ──────────────────────────────────────────────────────────────────────────────────
  { area: "waf", title: "webAclId removed", expect: "cdn-distribution", apply: (p) => delete p.inputs("cdn-distribution").webAclId },
  { area: "waf", title: "web ACL resource deleted", expect: "cdn-distribution", apply: (p) => p.remove("cdn-waf-acl") },
  { area: "waf", title: "common rule set removed", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules = p.inputs("cdn-waf-acl").rules.filter((r: any) => !r.statement.managedRuleGroupStatement)) },
  { area: "waf", title: "rate rule removed", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules = p.inputs("cdn-waf-acl").rules.filter((r: any) => !r.statement.rateBasedStatement)) },
  { area: "waf", title: "common rule set in count mode", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules.find((r: any) => r.statement.managedRuleGroupStatement).overrideAction = { count: {} }) },
  { area: "waf", title: "rate rule only counts", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules.find((r: any) => r.statement.rateBasedStatement).action = { count: {} }) },
  { area: "waf", title: "rate limit raised to the maximum", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules.find((r: any) => r.statement.rateBasedStatement).statement.rateBasedStatement.limit = 2000000000) },
  { area: "waf", title: "rate rule scoped down to one path", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules.find((r: any) => r.statement.rateBasedStatement).statement.rateBasedStatement.scopeDownStatement = { byteMatchStatement: { searchString: "/login", positionalConstraint: "STARTS_WITH", fieldToMatch: { uriPath: {} }, textTransformations: [{ priority: 0, type: "NONE" }] } }) },
  { area: "waf", title: "ACL scope REGIONAL", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").scope = "REGIONAL") },
  { area: "waf", title: "webAclId points elsewhere", expect: "cdn-distribution", apply: (p) => (p.inputs("cdn-distribution").webAclId = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/other/0000") },
  // ── EKS / EC2 ────────────────────────────────────────────────────────────────────────────
  { area: "eks", title: "public endpoint from 0.0.0.0/0", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").vpcConfig.publicAccessCidrs = ["0.0.0.0/0"]) },
  { area: "eks", title: "public endpoint, CIDRs unset", expect: "cluster-eks", apply: (p) => delete p.inputs("cluster-eks").vpcConfig.publicAccessCidrs },
  { area: "eks", title: "public endpoint with a /0 among others", expect: "cluster-eks", apply: (p) => p.inputs("cluster-eks").vpcConfig.publicAccessCidrs.push("0.0.0.0/0") },
  { area: "eks", title: "no secrets encryption", expect: "cluster-eks", apply: (p) => delete p.inputs("cluster-eks").encryptionConfig },
  { area: "eks", title: "encryption of other resources only", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").encryptionConfig.resources = []) },
  { area: "eks", title: "control-plane logs off", expect: "cluster-eks", apply: (p) => delete p.inputs("cluster-eks").enabledClusterLogTypes },
  { area: "eks", title: "audit log off", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").enabledClusterLogTypes = ["api", "authenticator"]) },
  { area: "ec2", title: "IMDSv1 allowed", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", "aws:ec2/launchTemplate:LaunchTemplate").metadataOptions.httpTokens = "optional") },
  { area: "ec2", title: "metadata options removed", expect: "cluster-nodes", apply: (p) => delete p.inputs("cluster-nodes", "aws:ec2/launchTemplate:LaunchTemplate").metadataOptions },
  { area: "ec2", title: "hop limit 3", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", "aws:ec2/launchTemplate:LaunchTemplate").metadataOptions.httpPutResponseHopLimit = 3) },
  { area: "ec2", title: "node group without its launch template", expect: "cluster-nodes-zone1", apply: (p) => delete p.inputs("cluster-nodes-zone1", "aws:eks/nodeGroup:NodeGroup").launchTemplate },
  { area: "ec2", title: "launch template deleted", expect: "cluster-nodes-zone1", apply: (p) => p.remove("cluster-nodes", "aws:ec2/launchTemplate:LaunchTemplate") },
  { area: "ec2", title: "unencrypted EBS", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", "aws:ec2/launchTemplate:LaunchTemplate").blockDeviceMappings[0].ebs.encrypted = "false") },
  { area: "ec2", title: "EBS encryption unset", expect: "cluster-nodes", apply: (p) => delete p.inputs("cluster-nodes", "aws:ec2/launchTemplate:LaunchTemplate").blockDeviceMappings[0].ebs.encrypted },
  // ── IAM / KMS ────────────────────────────────────────────────────────────────────────────
  { area: "iam", title: "AdministratorAccess attached", expect: "cluster-node-AmazonEKS_CNI_Policy", apply: (p) => (p.inputs("cluster-node-AmazonEKS_CNI_Policy").policyArn = "arn:aws:iam::aws:policy/AdministratorAccess") },
  { area: "iam", title: "PowerUserAccess attached", expect: "cluster-cluster-AmazonEKSClusterPolicy", apply: (p) => (p.inputs("cluster-cluster-AmazonEKSClusterPolicy").policyArn = "arn:aws:iam::aws:policy/PowerUserAccess") },
  { area: "iam", title: "inline * on *", expect: "cluster-node-role", apply: (p) => (p.inputs("cluster-node-role").inlinePolicies = [{ name: "all", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) }]) },
  { area: "iam", title: "new policy * on *", expect: "admin-policy", apply: (p) => p.add({ type: "aws:iam/rolePolicy:RolePolicy", name: "admin-policy", parent: "cluster", inputs: { role: "cluster-node-role", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["*"], Resource: ["*"] }] }) } }) },
  { area: "iam", title: "trust policy principal *", expect: "cluster-node-role", apply: (p) => { const d = p.doc("cluster-node-role", "assumeRolePolicy"); d.Statement[0].Principal = "*"; p.setDoc("cluster-node-role", d, "assumeRolePolicy"); } },
  { area: "iam", title: "trust policy AWS *", expect: "cluster-cluster-role", apply: (p) => { const d = p.doc("cluster-cluster-role", "assumeRolePolicy"); d.Statement[0].Principal = { AWS: "*" }; p.setDoc("cluster-cluster-role", d, "assumeRolePolicy"); } },
  { area: "iam", title: "node role trusts an OIDC provider without conditions", expect: "cluster-node-role", apply: (p) => p.setDoc("cluster-node-role", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.amazonaws.com/id/X" }, Action: "sts:AssumeRoleWithWebIdentity" }] }, "assumeRolePolicy") },
  { area: "iam", title: "trust policy any account's root", expect: "cluster-cluster-role", apply: (p) => { const d = p.doc("cluster-cluster-role", "assumeRolePolicy"); d.Statement[0].Principal = { AWS: "arn:aws:iam::*:root" }; p.setDoc("cluster-cluster-role", d, "assumeRolePolicy"); } },
  { area: "kms", title: "key policy open to everyone", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }] })) },
  { area: "kms", title: "key disabled", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").isEnabled = false) },
  { area: "kms", title: "rotation off", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").enableKeyRotation = false) },
  { area: "kms", title: "rotation unset", expect: "cluster-secrets-key", apply: (p) => delete p.inputs("cluster-secrets-key").enableKeyRotation },
  { area: "kms", title: "deletion window 7 days", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").deletionWindowInDays = 7) },
  { area: "kms", title: "key deleted", expect: "cluster-eks", apply: (p) => p.remove("cluster-secrets-key") },
  // ── ALB → nginx TLS (the chain: HTTPS target group → NodePort Service → nginx's ALB listener) ──
  { area: "lb", title: "nginx's ALB listener drops ssl (the HTTPS target group now meets plain text)", expect: "alb-nginx", apply: (p) => (p.inputs("workloads-nginx-conf").data["nginx.conf"] = String(p.inputs("workloads-nginx-conf").data["nginx.conf"]).replace(/(listen 0\.0\.0\.0:8080) ssl/g, "$1")) },
  { area: "lb", title: "nginx's ALB listener accepts TLS 1.0", expect: "alb-nginx", apply: (p) => (p.inputs("workloads-nginx-conf").data["nginx.conf"] = String(p.inputs("workloads-nginx-conf").data["nginx.conf"]).replace(/ssl_protocols TLSv1\.2 TLSv1\.3;/g, "ssl_protocols TLSv1 TLSv1.2 TLSv1.3;")) },
  { area: "lb", title: "NLB health checks of the ALB's TLS NodePort in plain HTTP", expect: "nlb-tls", apply: (p) => (p.inputs("nlb-tls", "aws:lb/targetGroup:TargetGroup").healthCheck.protocol = "HTTP") },
  // ── Kubernetes ───────────────────────────────────────────────────────────────────────────
  ...(["hostNetwork", "hostPID", "hostIPC"] as const).map((k): Mutation => ({ area: "k8s", title: `${k} on nginx`, expect: "workloads-nginx", apply: (p) => (p.podSpec("workloads-nginx")[k] = true) })),
  { area: "k8s", title: "hostPath volume", expect: "workloads-app", apply: (p) => p.podSpec("workloads-app").volumes.push({ name: "root", hostPath: { path: "/" } }) },
  { area: "k8s", title: "nfs volume", expect: "workloads-app", apply: (p) => p.podSpec("workloads-app").volumes.push({ name: "share", nfs: { server: "10.0.0.1", path: "/" } }) },
  { area: "k8s", title: "hostPort", expect: "workloads-nginx", apply: (p) => (container(p.podSpec("workloads-nginx")).ports[0].hostPort = 80) },
  { area: "k8s", title: "added SYS_ADMIN", expect: "workloads-app", apply: (p) => (container(p.podSpec("workloads-app")).securityContext.capabilities.add = ["SYS_ADMIN"]) },
  { area: "k8s", title: "drop ALL removed", expect: "workloads-app", apply: (p) => delete container(p.podSpec("workloads-app")).securityContext.capabilities },
  { area: "k8s", title: "seccomp Unconfined (container)", expect: "workloads-nginx", apply: (p) => (container(p.podSpec("workloads-nginx")).securityContext.seccompProfile = { type: "Unconfined" }) },
  { area: "k8s", title: "seccomp Unconfined (pod)", expect: "workloads-app", apply: (p) => (p.podSpec("workloads-app").securityContext.seccompProfile = { type: "Unconfined" }) },
  { area: "k8s", title: "seccomp removed everywhere", expect: "workloads-app", apply: (p) => { delete p.podSpec("workloads-app").securityContext.seccompProfile; delete container(p.podSpec("workloads-app")).securityContext.seccompProfile; } },
  { area: "k8s", title: "privileged", expect: "workloads-app", apply: (p) => (container(p.podSpec("workloads-app")).securityContext.privileged = true) },
  { area: "k8s", title: "allowPrivilegeEscalation unset", expect: "workloads-nginx", apply: (p) => delete container(p.podSpec("workloads-nginx")).securityContext.allowPrivilegeEscalation },
  { area: "k8s", title: "runs as root", expect: "workloads-app", apply: (p) => { container(p.podSpec("workloads-app")).securityContext.runAsUser = 0; container(p.podSpec("workloads-app")).securityContext.runAsNonRoot = false; } },
  { area: "k8s", title: "privileged init container", expect: "workloads-app", apply: (p) => (p.podSpec("workloads-app").initContainers = [{ name: "init", image: "busybox:1.36", securityContext: { privileged: true } }]) },
  { area: "k8s", title: "namespace label changed to baseline", expect: "workloads-namespace", apply: (p) => (p.inputs("workloads-namespace").metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline") },
  { area: "k8s", title: "namespace label removed", expect: "workloads-namespace", apply: (p) => delete p.inputs("workloads-namespace").metadata.labels["pod-security.kubernetes.io/enforce"] },
  { area: "k8s", title: "privileged Pod", expect: "debug-pod", apply: (p) => p.add(k8s("kubernetes:core/v1:Pod", "debug-pod", { metadata: { namespace: "edgestack" }, spec: podWith(p, (s) => (container(s).securityContext.privileged = true)) })) },
  { area: "k8s", title: "Job with hostPath", expect: "migrate", apply: (p) => p.add(k8s("kubernetes:batch/v1:Job", "migrate", { metadata: { namespace: "edgestack" }, spec: { template: { spec: podWith(p, (s) => s.volumes.push({ name: "h", hostPath: { path: "/var/run" } })) } } })) },
  { area: "k8s", title: "CronJob with hostNetwork", expect: "cleanup", apply: (p) => p.add(k8s("kubernetes:batch/v1:CronJob", "cleanup", { metadata: { namespace: "edgestack" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: podWith(p, (s) => (s.hostNetwork = true)) } } } } })) },
  { area: "k8s", title: "DaemonSet with hostPID", expect: "agent", apply: (p) => p.add(k8s("kubernetes:apps/v1:DaemonSet", "agent", { metadata: { namespace: "edgestack" }, spec: { selector: {}, template: { spec: podWith(p, (s) => (s.hostPID = true)) } } })) },
  { area: "k8s", title: "StatefulSet with NET_ADMIN", expect: "store", apply: (p) => p.add(k8s("kubernetes:apps/v1:StatefulSet", "store", { metadata: { namespace: "edgestack" }, spec: { selector: {}, template: { spec: podWith(p, (s) => (container(s).securityContext.capabilities.add = ["NET_ADMIN"])) } } })) },
  { area: "k8s", title: "ReplicaSet with seccomp Unconfined", expect: "rs", apply: (p) => p.add(k8s("kubernetes:apps/v1:ReplicaSet", "rs", { metadata: { namespace: "edgestack" }, spec: { selector: {}, template: { spec: podWith(p, (s) => (s.securityContext.seccompProfile = { type: "Unconfined" })) } } })) },
  { area: "k8s", title: "ClusterRoleBinding to cluster-admin", expect: "ops-admin", apply: (p) => p.add(k8s("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "ops-admin", { roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "Group", name: "ops" }] })) },
  { area: "k8s", title: "RoleBinding to cluster-admin", expect: "ns-admin", apply: (p) => p.add(k8s("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "ns-admin", { metadata: { namespace: "edgestack" }, roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "ServiceAccount", name: "default", namespace: "edgestack" }] })) },
  { area: "k8s", title: "default-deny NetworkPolicy deleted", expect: "workloads-namespace", apply: (p) => p.remove("workloads-netpol-default-deny") },
  { area: "k8s", title: "all NetworkPolicies deleted", expect: "workloads-namespace", apply: (p) => { for (const r of p.resources.filter((x) => x.type.includes("NetworkPolicy"))) p.remove(r.name); } },
  { area: "k8s", title: "default-deny turned into allow-all ingress", expect: "workloads-netpol-default-deny", apply: (p) => (p.inputs("workloads-netpol-default-deny").spec.ingress = [{}]) },
  { area: "k8s", title: "Redis egress opened to the world", expect: "workloads-netpol-app-to-redis", apply: (p) => (p.inputs("workloads-netpol-app-to-redis").spec.egress[0].to = [{ ipBlock: { cidr: "0.0.0.0/0" } }]) },
  { area: "k8s", title: "vpc-cni network policy agent off", expect: "cluster-vpc-cni", apply: (p) => (p.inputs("cluster-vpc-cni").configurationValues = JSON.stringify({ enableNetworkPolicy: "false" })) },
  { area: "k8s", title: "vpc-cni add-on removed", expect: "cluster-eks", apply: (p) => p.remove("cluster-vpc-cni") },
  { area: "k8s", title: "nginx ingress on every port", expect: "workloads-netpol-nginx-from-vpc", apply: (p) => delete p.inputs("workloads-netpol-nginx-from-vpc").spec.ingress[0].ports },
  { area: "k8s", title: "default deny limited to one app", expect: "workloads-namespace", apply: (p) => (p.inputs("workloads-netpol-default-deny").spec.podSelector = { matchLabels: { "app.kubernetes.io/name": "app" } }) },
  { area: "k8s", title: "default deny for ingress only", expect: "workloads-namespace", apply: (p) => (p.inputs("workloads-netpol-default-deny").spec.policyTypes = ["Ingress"]) },
  { area: "k8s", title: "workload moved to the default namespace", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", "kubernetes:apps/v1:Deployment").metadata.namespace = "default") },
  { area: "k8s", title: "namespace deleted", expect: "workloads-app", apply: (p) => p.remove("workloads-namespace") },
  { area: "k8s", title: "ClusterRole granting everything", expect: "god-mode", apply: (p) => p.add(k8s("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "god-mode", { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] })) },
  { area: "k8s", title: "capabilities add ALL", expect: "workloads-nginx", apply: (p) => (container(p.podSpec("workloads-nginx")).securityContext.capabilities.add = ["ALL"]) },
  { area: "k8s", title: "AppArmor unconfined", expect: "workloads-app", apply: (p) => (container(p.podSpec("workloads-app")).securityContext.appArmorProfile = { type: "Unconfined" }) },
  { area: "k8s", title: "app ingress from any pod anywhere", expect: "workloads-netpol-app-from-nginx", apply: (p) => (p.inputs("workloads-netpol-app-from-nginx").spec.ingress[0].from = [{ namespaceSelector: {} }]) },
  // ── S3 / VPC / NLB ───────────────────────────────────────────────────────────────────────
  { area: "s3", title: "static bucket policy grants *", expect: "cdn-static-policy", apply: (p) => { const d = p.doc("cdn-static-policy"); d.Statement[0].Principal = "*"; delete d.Statement[0].Condition; p.setDoc("cdn-static-policy", d); } },
  { area: "s3", title: "log bucket policy grants AWS *", expect: "alb-logs-policy", apply: (p) => { const d = p.doc("alb-logs-policy"); d.Statement[0].Principal = { AWS: "*" }; p.setDoc("alb-logs-policy", d); } },
  { area: "s3", title: "OAC read without the distribution condition", expect: "cdn-static-policy", apply: (p) => { const d = p.doc("cdn-static-policy"); delete d.Statement[0].Condition; p.setDoc("cdn-static-policy", d); } },
  { area: "s3", title: "TLS-only deny removed (static)", expect: "cdn-static-policy", apply: (p) => { const d = p.doc("cdn-static-policy"); d.Statement = d.Statement.filter((s: any) => s.Sid !== "DenyInsecureTransport"); p.setDoc("cdn-static-policy", d); } },
  { area: "s3", title: "TLS-only deny removed (logs)", expect: "cdn-logs-policy", apply: (p) => { const d = p.doc("cdn-logs-policy"); d.Statement = []; p.setDoc("cdn-logs-policy", d); } },
  { area: "s3", title: "TLS deny turned into Allow", expect: "alb-logs-policy", apply: (p) => { const d = p.doc("alb-logs-policy"); d.Statement[1].Effect = "Allow"; p.setDoc("alb-logs-policy", d); } },
  { area: "s3", title: "bucket policy deleted", expect: "cdn-logs-bucket", apply: (p) => p.remove("cdn-logs-policy") },
  { area: "vpc", title: "default SG ingress opened", expect: "network-default-sg", apply: (p) => (p.inputs("network-default-sg").ingress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]) },
  { area: "vpc", title: "default SG egress", expect: "network-default-sg", apply: (p) => (p.inputs("network-default-sg").egress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]) },
  { area: "vpc", title: "default SG resource deleted", expect: "network-vpc", apply: (p) => p.remove("network-default-sg") },
  { area: "vpc", title: "separate rule on the default SG", expect: "default-sg-open", apply: (p) => p.add({ type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "default-sg-open", parent: "network", inputs: { securityGroupId: "network-default-sg", cidrIpv4: "10.0.0.0/8", ipProtocol: "-1" } }) },
  { area: "nlb", title: "NLB deletion protection off", expect: "nlb-lb", apply: (p) => (p.inputs("nlb-lb").enableDeletionProtection = false) },
  { area: "nlb", title: "NLB access logs off", expect: "nlb-lb", apply: (p) => (p.inputs("nlb-lb").accessLogs.enabled = false) },
  { area: "nlb", title: "NLB access logs removed", expect: "nlb-lb", apply: (p) => delete p.inputs("nlb-lb").accessLogs },
  ...dnsFailoverMutations,
];
