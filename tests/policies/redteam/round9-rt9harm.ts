/**
 * Round 9 of the red team, false positives: harmless changes of the prod plan an experienced platform team would make
 * and a security reviewer would accept (sizing, TTLs, extra records, behaviours, WAF rules, retention, stricter TLS and
 * CIDRs, least-privilege roles, conforming Kubernetes objects, labels, alarms, Redis and nginx.conf tweaks), written
 * blind (before reading any rule), with a few insecure changes so the file judges both ways.
 *
 * First run (blind): 14 caught, 0 on another resource, 0 missed of 14 insecure; 4 of 118 harmless flagged (Redis with
 * two shards and a metrics Service: recommended-alarms-deliver-prod; CAA at edge without issuewild:
 * route53-caa-restricts-issuance; status-page CNAME: dns-failover-health-checked).
 *
 * After reading the rules, per flagged change:
 * - status-page CNAME: the rule was wrong. dns-failover-health-checked refused any CNAME outside the plan, and was the
 *   only rule catching dangling CNAMEs (rounds 5, 6, 8) and a bare released Elastic IP (round 7), in prod only. The
 *   failover promise now covers the names the stack serves (distribution aliases, certificate names); takeover is
 *   judged in every stack by the new route53-targets-owned (claimable AWS names and Elastic IP addresses must be the
 *   stack's).
 * - metrics Service: the rule was wrong. recommended-alarms-deliver-prod wanted pod-limit alarms per Service object;
 *   it now judges pods: a Service with no alarm of its own whose workloads another alarmed Service selects adds
 *   nothing unwatched.
 * - Redis with two shards: my change was unrealistic. The program alarms every member cluster of the configured
 *   cacheShards; the case now adds the new shard's alarms as the program does (a shard without them is unwatched).
 * - CAA at edge without issuewild: my change was insecure after all and moved to the insecure list. A CAA set at a
 *   name replaces the apex's for that subtree (RFC 8659 climbs only until it finds one), so issue alone lets Amazon
 *   issue wildcard certificates for *.edge, which docs/edge.md promises no CA does (round 8 has the same case as
 *   insecure).
 * Known-strict rules reviewed (the brief's list), kept as they are:
 * - CAA without issuewild: above.
 * - HIGH without !kRSA (nginx-conf-hardened): the nginx ALB certificate is RSA, so HIGH offers static-RSA suites
 *   (no forward secrecy) and CBC-SHA1 ones to any client of the listener; peer scanners report both (round 8 insecure).
 * - WAF rate limit above 20000 per 5 minutes (cloudfront-waf-prod): four times the prod default; it is the only per-IP
 *   limit on answers CloudFront serves from cache, and maxRateLimit is the documented knob. A second, looser rule
 *   scoped to a path next to the per-IP rule over everything is not flagged (variant below).
 * - a public /32 on nodes (sg-public-ingress-only-on-public-lb): nodes sit in private subnets today, so the rule
 *   opens nothing yet, but one route or load-balancer change makes it reachable (the NLB preserves client addresses);
 *   an office address belongs on a load balancer's group (round 8's kubelet case is insecure).
 * - a security group shared by two tiers (security-groups-one-tier): every self-reference and peer rule written for
 *   one tier reaches the other; no realistic shared group is inert.
 * - a prod load balancer in one zone (lb-multi-az-prod): a documented prod promise (zone spread); a new balancer
 *   copies the stack's subnets of three zones.
 * Flagged among the variants written after the fixes, and kept: a monitoring role granting cloudwatch:DescribeAlarms on
 * "*" (iam-actions-scoped-to-resources). AWS scopes that action to alarm ARNs, and the catalogue files it at the Read
 * level with s3:GetObject and secretsmanager:GetSecretValue: no access-level cut separates metadata from data, so
 * the case now names the account's alarms, as a least-privilege policy does.
 * After the fixes: 22 of 22 insecure changes caught on the right resource (15 blind, 7 variants), 0 of 178 harmless
 * changes reported (117 blind, 61 variants written after the fixes in four batches, of which only the DescribeAlarms
 * role above was flagged on its first run).
 */
import type { Mutation, Plan } from "./mutations";
import { ACCOUNT, add, ALARM, behaviour, dist, doc, editDoc, type Harmless, LISTENER, OIDC, ROLE, ROLE_POLICY, SG_IN, TG, waf, wafRule } from "./corpus-aws";
import { ctr, DEPLOYMENT, env, HPA, k8s, location, netpol, PDB, pod, replace1, SERVICE, configMap, server } from "./corpus-k8s";
import { all, editConf } from "./round5-rt-k8s";

const RECORD = "aws:route53/record:Record";
const ZONE = "Z0CE8CDBAA275B3C6061E";
const DOMAIN = "edgestack.example.com";
const NODE_GROUPS = ["cluster-nodes-zone1", "cluster-nodes-zone2", "cluster-nodes-zone3"];
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const record = (p: Plan, name: string, inputs: Record<string, unknown>) => add(p, RECORD, name, "dns", { zoneId: ZONE, ttl: 300, ...inputs });
/** A WAF rule inserted ahead of the others at a free priority. */
const wafAdd = (p: Plan, rule: Record<string, unknown>) => {
  const name = String(rule.name);
  waf(p).rules.push({ ...rule, visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: `edgestack-prod-cdn-${name}`, sampledRequestsEnabled: true } });
  waf(p).rules.sort((a: { priority: number }, b: { priority: number }) => a.priority - b.priority);
};
const ALB = "listen 0.0.0.0:8080 ssl;";
/** After a line that must be there (every occurrence), one more line with the same indentation. */
const after = (line: string, extra: string) => (c: string) => {
  const re = new RegExp(`^( *)${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`, "gm");
  if (!re.test(c)) throw new Error(`no ${line}`);
  return c.replace(re, (m, indent: string) => `${m}${indent}${extra}\n`);
};
const irsaTrust = (sa: string) =>
  doc([{ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC}` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${OIDC}:sub`]: `system:serviceaccount:${sa}`, [`${OIDC}:aud`]: "sts.amazonaws.com" } } }]);
const WORKER_LABELS = { "app.kubernetes.io/name": "worker", "app.kubernetes.io/part-of": "edgestack" };

export const round9rt9harmHarmless: Harmless[] = [
  // ── Sizing and scaling ──
  { title: "node groups may grow to 5 nodes each", apply: (p) => NODE_GROUPS.forEach((n) => (p.inputs(n).scalingConfig.maxSize = 5)) },
  { title: "node groups keep 2 nodes per zone at least", apply: (p) => NODE_GROUPS.forEach((n) => Object.assign(p.inputs(n).scalingConfig, { minSize: 2, desiredSize: 2, maxSize: 4 })) },
  { title: "nodes move to m6i.xlarge", apply: (p) => NODE_GROUPS.forEach((n) => (p.inputs(n).instanceTypes = ["m6i.xlarge"])) },
  { title: "nodes on a newer generation, m7i.large", apply: (p) => NODE_GROUPS.forEach((n) => (p.inputs(n).instanceTypes = ["m7i.large"])) },
  { title: "node root volumes 80 GiB gp3 (still encrypted)", apply: (p) => (p.inputs("cluster-nodes").blockDeviceMappings[0].ebs.volumeSize = 80) },
  { title: "node root volumes with provisioned gp3 iops and throughput", apply: (p) => Object.assign(p.inputs("cluster-nodes").blockDeviceMappings[0].ebs, { iops: 4000, throughput: 250 }) },
  { title: "node group rolling update by percentage (33%)", apply: (p) => NODE_GROUPS.forEach((n) => (p.inputs(n).updateConfig = { maxUnavailablePercentage: 33 })) },
  { title: "app Deployment starts with 6 replicas", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.replicas = 6) },
  { title: "nginx Deployment runs 6 replicas", apply: (p) => (p.inputs("workloads-nginx", DEPLOYMENT).spec.replicas = 6) },
  { title: "HPA may scale the app to 20 pods", apply: (p) => (p.inputs("workloads-app", HPA).spec.maxReplicas = 20) },
  { title: "HPA floor and Deployment start at 6", apply: (p) => { p.inputs("workloads-app", HPA).spec.minReplicas = 6; p.inputs("workloads-app", DEPLOYMENT).spec.replicas = 6; } },
  { title: "HPA targets 60% CPU", apply: (p) => (p.inputs("workloads-app", HPA).spec.metrics[0].resource.target.averageUtilization = 60) },
  { title: "HPA scale-down stabilisation 10 minutes", apply: (p) => (p.inputs("workloads-app", HPA).spec.behavior.scaleDown.stabilizationWindowSeconds = 600) },
  { title: "app requests 500m CPU and 384Mi (limits unchanged)", apply: (p) => Object.assign(ctr(p, "workloads-app").resources.requests, { cpu: "500m", memory: "384Mi" }) },
  { title: "app memory limit 768Mi", apply: (p) => (ctr(p, "workloads-app").resources.limits.memory = "768Mi") },
  { title: "nginx requests 200m CPU and 128Mi", apply: (p) => Object.assign(ctr(p, "workloads-nginx").resources.requests, { cpu: "200m", memory: "128Mi" }) },
  { title: "exporter sidecar memory limit 64Mi", apply: (p) => (ctr(p, "workloads-nginx", 1).resources.limits.memory = "64Mi") },
  { title: "autoscaler runs 3 replicas (one per zone)", apply: (p) => (p.inputs("cluster-autoscaler-deployment", DEPLOYMENT).spec.replicas = 3) },
  { title: "app PDB as minAvailable 2 (same as maxUnavailable 1 at 3 pods)", apply: (p) => { const s = p.inputs("workloads-app", PDB).spec; delete s.maxUnavailable; s.minAvailable = 2; } },
  { title: "app pods also spread hard across nodes", apply: (p) => (pod(p, "workloads-app").topologySpreadConstraints[1].whenUnsatisfiable = "DoNotSchedule") },
  { title: "autoscaler scales down below 40% utilisation only", apply: (p) => ctr(p, "cluster-autoscaler-deployment").command.push("--scale-down-utilization-threshold=0.4") },

  // ── Redis ──
  { title: "Redis nodes on cache.r7g.xlarge", apply: (p) => (p.inputs("cache-group").nodeType = "cache.r7g.xlarge") },
  { title: "Redis snapshots kept 14 days", apply: (p) => (p.inputs("cache-group").snapshotRetentionLimit = 14) },
  { title: "Redis maintenance window moved to Tuesday night", apply: (p) => (p.inputs("cache-group").maintenanceWindow = "tue:06:00-tue:07:00") },
  { title: "Redis eviction volatile-lru", apply: (p) => (p.inputs("cache-params").parameters.find((x: { name: string }) => x.name === "maxmemory-policy").value = "volatile-lru") },
  { title: "Redis closes idle clients after 300 s", apply: (p) => p.inputs("cache-params").parameters.push({ name: "timeout", value: "300" }) },
  { title: "Redis slow log threshold 5 ms", apply: (p) => p.inputs("cache-params").parameters.push({ name: "slowlog-log-slower-than", value: "5000" }) },
  { title: "Redis cluster with two shards (cacheShards 2: the program alarms the new shard's nodes too)", apply: (p) => {
    p.inputs("cache-group").numNodeGroups = 2;
    for (const r of p.resources.filter((x) => x.type === ALARM && x.name.startsWith("alerting-cache-0001-"))) {
      const a = copy(r.inputs) as Record<string, any>;
      a.name = String(a.name).replace("-0001-", "-0002-");
      a.dimensions = { ...a.dimensions, CacheClusterId: String(a.dimensions.CacheClusterId).replace("-0001-", "-0002-") };
      a.alarmDescription = String(a.alarmDescription).replace(/0001-0/g, "0002-0");
      a.tags = { ...a.tags, "alarm-id": String(a.tags?.["alarm-id"] ?? "").replace("0001-", "0002-") };
      add(p, ALARM, r.name.replace("-0001-", "-0002-"), "alerting", a);
    }
  } },

  // ── TTLs and caching ──
  { title: "HTML cache policy default TTL 30 s", apply: (p) => (p.inputs("cdn-html").defaultTtl = 30) },
  { title: "HTML cache policy max TTL 10 minutes", apply: (p) => (p.inputs("cdn-html").maxTtl = 600) },
  { title: "404s cached 10 s at the edge", apply: (p) => (dist(p).customErrorResponses[0].errorCachingMinTtl = 10) },
  { title: "apex CAA and TXT records at a one-hour TTL", apply: (p) => { p.inputs("dns-apex-caa").ttl = 3600; p.inputs("dns-apex-txt").ttl = 3600; } },
  { title: "www CNAME TTL 60 s", apply: (p) => (p.inputs("dns-www-cname").ttl = 60) },
  { title: "nginx default Cache-Control max-age 30 s", apply: (p) => editConf(p, all("public, max-age=60, stale-while-revalidate=60", "public, max-age=30, stale-while-revalidate=30")) },

  // ── DNS records ──
  { title: "MX to a mail provider with an SPF that allows it", apply: (p) => {
    record(p, "dns-apex-mx", { name: DOMAIN, type: "MX", records: ["10 inbound-smtp.us-east-1.amazonaws.com"] });
    p.inputs("dns-apex-txt").records[0] = "v=spf1 include:amazonses.com -all";
  } },
  { title: "DKIM public key TXT record", apply: (p) => record(p, "dns-dkim", { name: `ses1._domainkey.${DOMAIN}`, type: "TXT", records: ["v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7"] }) },
  { title: "MTA-STS and TLS-RPT policy records", apply: (p) => {
    record(p, "dns-mta-sts", { name: `_mta-sts.${DOMAIN}`, type: "TXT", records: ["v=STSv1; id=20261207"] });
    record(p, "dns-tls-rpt", { name: `_smtp._tls.${DOMAIN}`, type: "TXT", records: [`v=TLSRPTv1; rua=mailto:tls-reports@${DOMAIN}`] });
  } },
  { title: "SRV stating IMAP is not offered (RFC 6186 target .)", apply: (p) => record(p, "dns-no-imap", { name: `_imaps._tcp.${DOMAIN}`, type: "SRV", records: ["0 0 0 ."] }) },
  { title: "apex CAA gains a contactemail property", apply: (p) => p.inputs("dns-apex-caa").records.push(`0 contactemail "security@${DOMAIN}"`) },
  { title: "staging subdomain delegated with a DS record", apply: (p) => {
    record(p, "dns-zone-delegate-staging", { name: `staging.${DOMAIN}`, type: "NS", records: ["ns-100.awsdns-12.com", "ns-700.awsdns-23.net", "ns-1200.awsdns-34.org", "ns-1800.awsdns-45.co.uk"] });
    record(p, "dns-zone-delegate-staging-ds", { name: `staging.${DOMAIN}`, type: "DS", records: ["23456 13 2 4A7B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A3B"] });
  } },
  { title: "site verification TXT for a second tool", apply: (p) => p.inputs("dns-apex-txt").records.push("atlassian-domain-verification=Yb3k9T2q") },
  { title: "HTTPS (SVCB) record advertising h3 and h2 at the apex", apply: (p) => record(p, "dns-apex-https", { name: DOMAIN, type: "HTTPS", records: ['1 . alpn="h3,h2"'] }) },
  { title: "status page CNAME to the vendor's hosted page", apply: (p) => record(p, "dns-status-cname", { name: `status.${DOMAIN}`, type: "CNAME", records: ["edgestack.statuspage.io"] }) },

  // ── CloudFront ──
  { title: "an /api/v2/* behaviour like /api/*, ahead of it", apply: (p) => {
    const b = copy(behaviour(p, "/api/*"));
    b.pathPattern = "/api/v2/*";
    const list = dist(p).orderedCacheBehaviors;
    list.splice(list.findIndex((x: { pathPattern: string }) => x.pathPattern === "/api/*"), 0, b);
  } },
  { title: "favicon served from the static bucket", apply: (p) => {
    const b = copy(behaviour(p, "/static/*"));
    b.pathPattern = "/favicon.ico";
    dist(p).orderedCacheBehaviors.push(b);
  } },
  { title: "CloudFront price class 100 (North America and Europe)", apply: (p) => (dist(p).priceClass = "PriceClass_100") },
  { title: "CloudFront HTTP/2 only (no HTTP/3)", apply: (p) => (dist(p).httpVersion = "http2") },
  { title: "origin keep-alive 10 s (below the ALB's idle timeout)", apply: (p) => (dist(p).origins[0].customOriginConfig.originKeepaliveTimeout = 10) },
  { title: "response headers add a Content-Security-Policy", apply: (p) => (p.inputs("cdn-security-headers").securityHeadersConfig.contentSecurityPolicy = { contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'; object-src 'none'", override: true }) },
  { title: "response headers add Permissions-Policy", apply: (p) => (p.inputs("cdn-security-headers").customHeadersConfig = { items: [{ header: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()", override: true }] }) },
  { title: "response headers remove X-Powered-By", apply: (p) => (p.inputs("cdn-security-headers").removeHeadersConfig = { items: [{ header: "X-Powered-By" }] }) },
  { title: "distribution comment reworded", apply: (p) => (dist(p).comment = "edgestack prod (public site)") },

  // ── WAF ──
  { title: "WAF adds the AWS SQL-injection rule group", apply: (p) => wafAdd(p, { name: "aws-sqli", priority: 50, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { name: "AWSManagedRulesSQLiRuleSet", vendorName: "AWS" } } }) },
  { title: "WAF adds the Amazon IP reputation list first", apply: (p) => wafAdd(p, { name: "aws-ip-reputation", priority: 5, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { name: "AWSManagedRulesAmazonIpReputationList", vendorName: "AWS" } } }) },
  { title: "WAF rate limit 2000 per 5 minutes", apply: (p) => (wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.limit = 2000) },
  { title: "WAF blocks hosting-provider addresses too (override removed)", apply: (p) => delete wafRule(p, "aws-anonymous-ip-list").statement.managedRuleGroupStatement.ruleActionOverrides },
  { title: "WAF blocks URIs longer than 2048 bytes", apply: (p) => wafAdd(p, { name: "long-uri", priority: 15, action: { block: {} }, statement: { sizeConstraintStatement: { comparisonOperator: "GT", size: 2048, fieldToMatch: { uriPath: {} }, textTransformations: [{ priority: 0, type: "NONE" }] } } }) },
  { title: "WAF tighter rate limit on /api/ (scope-down)", apply: (p) => wafAdd(p, { name: "rate-limit-api", priority: 11, action: { block: {} }, statement: { rateBasedStatement: { aggregateKeyType: "IP", evaluationWindowSec: 300, limit: 1000, scopeDownStatement: { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH", searchString: "/api/", textTransformations: [{ priority: 0, type: "NONE" }] } } } } }) },
  { title: "WAF also redacts the query string in its logs", apply: (p) => p.inputs("cdn-waf-logging").redactedFields.push({ queryString: {} }) },

  // ── Log retention ──
  { title: "WAF logs kept one year", apply: (p) => (p.inputs("cdn-waf-logs", LOG_GROUP).retentionInDays = 365) },
  { title: "control-plane logs kept 400 days", apply: (p) => (p.inputs("cluster-control-plane-logs", LOG_GROUP).retentionInDays = 400) },
  { title: "flow logs kept two years", apply: (p) => (p.inputs("network-flow-logs", LOG_GROUP).retentionInDays = 731) },
  { title: "Redis slow log kept 90 days", apply: (p) => (p.inputs("cache-slow-log", LOG_GROUP).retentionInDays = 90) },
  { title: "ALB access logs expire after 400 days", apply: (p) => (p.inputs("alb-logs-lifecycle").rules[0].expiration.days = 400) },
  { title: "flow logs aggregated every minute", apply: (p) => (p.inputs("network-flow-log").maxAggregationInterval = 60) },

  // ── TLS ──
  { title: "ALB on the FIPS TLS 1.3/1.2 policy", apply: (p) => (p.inputs("alb-https", LISTENER).sslPolicy = "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04") },
  { title: "NLB TLS listener TLS 1.3 only", apply: (p) => (p.inputs("nlb-tls", LISTENER).sslPolicy = "ELBSecurityPolicy-TLS13-1-3-2021-06") },
  { title: "nginx ciphers AES-256-GCM only", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers [^;]+;/g, "ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384;")) },
  { title: "nginx adds ChaCha20 ECDHE suites", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers ([^;]+);/g, "ssl_ciphers $1:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;")) },
  { title: "nginx TLS session cache 10m", apply: (p) => editConf(p, all("ssl_session_cache shared:edge_tls:1m;", "ssl_session_cache shared:edge_tls:10m;")) },
  { title: "ALB strictest desync mitigation", apply: (p) => (p.inputs("alb-lb").desyncMitigationMode = "strictest") },

  // ── Stricter CIDRs ──
  { title: "Kubernetes API public access narrowed to a /26", apply: (p) => (p.inputs("cluster-eks").vpcConfig.publicAccessCidrs = ["198.51.100.0/26"]) },
  { title: "Kubernetes API private only", apply: (p) => { const v = p.inputs("cluster-eks").vpcConfig; v.endpointPublicAccess = false; delete v.publicAccessCidrs; } },
  { title: "nginx trusts only the private subnets as peers", apply: (p) => editConf(p, all("set_real_ip_from 10.20.0.0/16;", "set_real_ip_from 10.20.96.0/19;\n        set_real_ip_from 10.20.128.0/19;\n        set_real_ip_from 10.20.160.0/19;")) },
  { title: "app trusts only the private subnets as proxies", apply: (p) => env(p, "workloads-app", "TRUST_PROXY_CIDRS", "10.20.96.0/19,10.20.128.0/19,10.20.160.0/19") },
  { title: "nginx status server allows the pod itself only (VPC dropped)", apply: (p) => editConf(p, replace1("            allow 10.20.0.0/16;\n", "")) },

  // ── IAM ──
  { title: "a DNS-updater IRSA role limited to the zone's record sets", apply: (p) => {
    add(p, ROLE, "dns-updater-role", "dns", { assumeRolePolicy: irsaTrust("edgestack-system:dns-updater"), description: "edgestack-prod: updates the zone's records", inlinePolicies: [{ name: "records", policy: doc([{ Effect: "Allow", Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"], Resource: `arn:aws:route53:::hostedzone/${ZONE}` }, { Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" }]) }] });
    k8s(p, "kubernetes:core/v1:ServiceAccount", "dns-updater-sa", "cluster-autoscaler", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "dns-updater", namespace: "edgestack-system", annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/dns-updater-role` } }, automountServiceAccountToken: false });
  } },
  { title: "the CI runner may read its own build logs", apply: (p) => add(p, ROLE_POLICY, "ci-runner-read-logs", "ci-runner", { role: "ci-runner-role-7addd7d", policy: doc([{ Effect: "Allow", Action: ["logs:GetLogEvents", "logs:FilterLogEvents"], Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/edgestack-prod-ci-runner:*` }]) }) },
  { title: "autoscaler role no longer describes images", apply: (p) => {
    const inline = p.inputs("cluster-autoscaler-role", ROLE).inlinePolicies[0];
    const d = JSON.parse(inline.policy);
    d.Statement[0].Action = d.Statement[0].Action.filter((a: string) => a !== "ec2:DescribeImages");
    inline.policy = JSON.stringify(d);
  } },
  { title: "container insights agent no longer describes volumes", apply: (p) => editDoc(p, "alerting-container-insights-agent", ROLE_POLICY, "policy", (d) => (d.Statement[3].Action = ["ec2:DescribeInstances", "ec2:DescribeTags"])) },
  { title: "autoscaler role sessions capped at one hour", apply: (p) => (p.inputs("cluster-autoscaler-role", ROLE).maxSessionDuration = 3600) },

  // ── Kubernetes objects ──
  { title: "a conforming worker Deployment with its PDB and no ingress (its pod template carries the app's config digest, as the app's does: k8s-config-rolls-pods)", apply: (p) => {
    const spec = copy(pod(p, "workloads-app"));
    spec.topologySpreadConstraints.forEach((t: { labelSelector: { matchLabels: unknown } }) => (t.labelSelector.matchLabels = WORKER_LABELS));
    spec.containers[0].name = "worker";
    spec.containers[0].env.push({ name: "ROLE", value: "worker" });
    k8s(p, DEPLOYMENT, "workloads-worker", "workloads", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "worker", namespace: "edgestack", labels: { ...WORKER_LABELS, "app.kubernetes.io/component": "worker" } }, spec: { replicas: 3, selector: { matchLabels: WORKER_LABELS }, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, template: { metadata: { labels: { ...WORKER_LABELS, "app.kubernetes.io/component": "worker" }, annotations: copy(p.inputs("workloads-app", DEPLOYMENT).spec.template.metadata.annotations) }, spec } } });
    k8s(p, PDB, "workloads-worker-pdb", "workloads", { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "worker", namespace: "edgestack" }, spec: { maxUnavailable: 1, selector: { matchLabels: WORKER_LABELS } } });
  } },
  { title: "a ClusterIP Service for the app's metrics port", apply: (p) => k8s(p, SERVICE, "workloads-app-metrics", "workloads", { apiVersion: "v1", kind: "Service", metadata: { name: "app-metrics", namespace: "edgestack" }, spec: { type: "ClusterIP", selector: { "app.kubernetes.io/name": "app", "app.kubernetes.io/part-of": "edgestack" }, ports: [{ name: "metrics", port: 9464, targetPort: "metrics", protocol: "TCP" }] } }) },
  { title: "an extra NetworkPolicy selecting nginx with no egress rule (denies nothing more, allows nothing)", apply: (p) => netpol(p, "workloads-netpol-deny-egress-nginx-extra", { podSelector: { matchLabels: { "app.kubernetes.io/name": "nginx", "app.kubernetes.io/part-of": "edgestack" } }, policyTypes: ["Egress"] }) },
  { title: "a feature-flag ConfigMap", apply: (p) => configMap(p, "workloads-flags", "app-flags", { NEW_CHECKOUT: "false" }) },
  { title: "team label on every Deployment", apply: (p) => ["workloads-app", "workloads-nginx", "cluster-autoscaler-deployment"].forEach((n) => (p.inputs(n, DEPLOYMENT).metadata.labels["edgestack.io/team"] = "platform")) },
  { title: "scrape annotations on the app's pod template", apply: (p) => Object.assign(p.inputs("workloads-app", DEPLOYMENT).spec.template.metadata.annotations, { "prometheus.io/scrape": "true", "prometheus.io/port": "9464" }) },
  { title: "namespace also audits and warns at restricted", apply: (p) => Object.assign(p.inputs("workloads-namespace").metadata.labels, { "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" }) },
  { title: "nginx preStop sleep 10 s", apply: (p) => (ctr(p, "workloads-nginx").lifecycle.preStop.sleep.seconds = 10) },
  { title: "app readiness probe every 3 s", apply: (p) => (ctr(p, "workloads-app").readinessProbe.periodSeconds = 3) },
  { title: "nginx image pinned by tag and digest", apply: (p) => (ctr(p, "workloads-nginx").image = "nginxinc/nginx-unprivileged:1.30.5-alpine@sha256:3b1ac1a8e1b8c5b3bd5bbdd3a2f1c4e5d6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1") },
  { title: "app image always pulled", apply: (p) => (ctr(p, "workloads-app").imagePullPolicy = "Always") },
  { title: "node group team label", apply: (p) => NODE_GROUPS.forEach((n) => (p.inputs(n).labels["edgestack.io/team"] = "platform")) },
  { title: "cost tags on the ALB and NLB", apply: (p) => ["alb-lb", "nlb-lb"].forEach((n) => (p.inputs(n).tags = { ...(p.inputs(n).tags ?? {}), CostCenter: "edge-prod" })) },

  // ── Alarms and notifications ──
  { title: "ALB 5xx pages at 5 per minute", apply: (p) => (p.inputs("alerting-alb-HTTPCode_ELB_5XX_Count", ALARM).threshold = 5) },
  { title: "ALB 5xx alarm over 3 of 3 minutes", apply: (p) => Object.assign(p.inputs("alerting-alb-HTTPCode_ELB_5XX_Count", ALARM), { evaluationPeriods: 3, datapointsToAlarm: 3 }) },
  { title: "a ticket alarm on target connection errors", apply: (p) => {
    const a = copy(p.inputs("alerting-alb-HTTPCode_ELB_5XX_Count", ALARM));
    Object.assign(a, { name: "edgestack-prod-alb-TargetConnectionErrorCount", metricName: "TargetConnectionErrorCount", alarmDescription: "[ticket] the ALB cannot connect to nginx. Runbook: docs/observability.md#runbooks", alarmActions: ["arn:aws:sns:us-east-1:123456789012:edgestack-prod-alerts-ticket"], okActions: ["arn:aws:sns:us-east-1:123456789012:edgestack-prod-alerts-ticket"], tags: { "alarm-id": "alb.TargetConnectionErrorCount", severity: "ticket" } });
    add(p, ALARM, "alerting-alb-TargetConnectionErrorCount", "alerting", a);
  } },
  { title: "an email subscription to the ticket topic", apply: (p) => add(p, "aws:sns/topicSubscription:TopicSubscription", "alerting-topics-ticket-email", "alerting-topics", { topic: "arn:aws:sns:us-east-1:123456789012:edgestack-prod-alerts-ticket", protocol: "email", endpoint: "oncall@edgestack.example.com" }) },

  // ── Load balancers ──
  { title: "ALB idle timeout 45 s", apply: (p) => (p.inputs("alb-lb").idleTimeout = 45) },
  { title: "ALB health checks every 10 s", apply: (p) => (p.inputs("alb-nginx", TG).healthCheck.interval = 10) },
  { title: "NLB TLS targets healthy after 3 checks", apply: (p) => (p.inputs("nlb-tls", TG).healthCheck.healthyThreshold = 3) },

  // ── nginx.conf ──
  { title: "proxy buffers 16k", apply: (p) => editConf(p, after("reset_timedout_connection on;", "proxy_buffer_size 16k;\n    proxy_buffers 8 16k;")) },
  { title: "client header and body timeouts 10 s", apply: (p) => editConf(p, after("reset_timedout_connection on;", "client_header_timeout 10s;\n    client_body_timeout 10s;")) },
  { title: "large header buffers stated at nginx's default (4 8k)", apply: (p) => editConf(p, after("client_max_body_size 1m;", "large_client_header_buffers 4 8k;")) },
  { title: "gzip also for XML and web manifests", apply: (p) => editConf(p, replace1("gzip_types text/css text/plain text/javascript application/javascript application/json application/xml image/svg+xml;", "gzip_types text/css text/plain text/javascript application/javascript application/json application/xml image/svg+xml text/xml application/manifest+json;")) },
  { title: "gzip level 6", apply: (p) => editConf(p, replace1("gzip_comp_level 5;", "gzip_comp_level 6;")) },
  { title: "Permissions-Policy on every nginx answer", apply: (p) => editConf(p, after('add_header X-Content-Type-Options "nosniff" always;', 'add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;')) },
  { title: "Cross-Origin-Opener-Policy on every nginx answer", apply: (p) => editConf(p, after('add_header X-Content-Type-Options "nosniff" always;', 'add_header Cross-Origin-Opener-Policy "same-origin" always;')) },
  { title: "client keep-alive requests 1000", apply: (p) => editConf(p, replace1("    keepalive_requests 10000;\n", "    keepalive_requests 1000;\n")) },
  { title: "per-IP burst 30", apply: (p) => editConf(p, all("burst=50 nodelay;", "burst=30 nodelay;")) },
  { title: "per-IP connections 50", apply: (p) => editConf(p, all("limit_conn per_ip_connections 100;", "limit_conn per_ip_connections 50;")) },
  { title: "API upstream connect timeout 3 s", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("proxy_connect_timeout 5s;", "proxy_connect_timeout 3s;")))) },
  { title: "resolver timeout 1 s", apply: (p) => editConf(p, replace1("resolver_timeout 2s;", "resolver_timeout 1s;")) },
  { title: "request bodies capped at 256k", apply: (p) => editConf(p, replace1("client_max_body_size 1m;", "client_max_body_size 256k;")) },
  { title: "access log buffer 32k flushed every 5 s", apply: (p) => editConf(p, replace1("buffer=64k flush=1s", "buffer=32k flush=5s")) },
  { title: "nginx hides X-Powered-By from upstream answers", apply: (p) => editConf(p, after("server_tokens off;", "proxy_hide_header X-Powered-By;")) },
  { title: "file descriptor limit 16384", apply: (p) => editConf(p, replace1("worker_rlimit_nofile 12352;", "worker_rlimit_nofile 16384;")) },
];

export const round9rt9harmMutations: Mutation[] = [
  { area: "cluster", title: "Kubernetes API open to the world as two /1 halves", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").vpcConfig.publicAccessCidrs = ["0.0.0.0/1", "128.0.0.0/1"]) },
  { area: "waf", title: "rate rule only counts", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "rate-limit-per-ip").action = { count: {} }) },
  { area: "sg", title: "ALB takes HTTPS from any IPv6 address", expect: "alb-https-from-any-v6", apply: (p) => add(p, SG_IN, "alb-https-from-any-v6", "alb", { securityGroupId: p.id("alb-sg"), cidrIpv6: "::/0", fromPort: 443, toPort: 443, ipProtocol: "tcp", description: "HTTPS" }) },
  { area: "nginx", title: "ALB server trusts X-Viewer-Address from anyone", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("set_real_ip_from 10.20.0.0/16;", "set_real_ip_from 0.0.0.0/0;"))) },
  { area: "cache", title: "Redis transit encryption preferred (plain text accepted)", expect: "cache-group", apply: (p) => (p.inputs("cache-group").transitEncryptionMode = "preferred") },
  { area: "logs", title: "WAF logs kept one day", expect: "cdn-waf-logs", apply: (p) => (p.inputs("cdn-waf-logs", LOG_GROUP).retentionInDays = 1) },
  { area: "iam", title: "IRSA role trusting any service account of the cluster, with zone write", expect: "dns-updater-role", apply: (p) => add(p, ROLE, "dns-updater-role", "dns", { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC}` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${OIDC}:aud`]: "sts.amazonaws.com" } } }]), inlinePolicies: [{ name: "records", policy: doc([{ Effect: "Allow", Action: "route53:ChangeResourceRecordSets", Resource: `arn:aws:route53:::hostedzone/${ZONE}` }]) }] }) },
  { area: "s3", title: "static bucket public policies no longer blocked", expect: "cdn-static-public-access", apply: (p) => Object.assign(p.inputs("cdn-static-public-access"), { blockPublicPolicy: false, restrictPublicBuckets: false }) },
  { area: "k8s", title: "app ingress from every namespace on every port", expect: "workloads-netpol-app-from-all", apply: (p) => netpol(p, "workloads-netpol-app-from-all", { podSelector: { matchLabels: { "app.kubernetes.io/name": "app" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {} }] }] }) },
  { area: "cdn", title: "an /admin/* behaviour that allows plain HTTP", expect: "cdn-distribution", apply: (p) => { const b = copy(behaviour(p, "/api/*")); b.pathPattern = "/admin/*"; b.viewerProtocolPolicy = "allow-all"; dist(p).orderedCacheBehaviors.unshift(b); } },
  { area: "sg", title: "SSH to the nodes from anywhere", expect: "nodes-ssh", apply: (p) => add(p, SG_IN, "nodes-ssh", "cluster", { securityGroupId: p.id("cluster-node-sg"), cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22, ipProtocol: "tcp" }) },
  { area: "pod", title: "app adds NET_RAW", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").securityContext.capabilities.add = ["NET_RAW"]) },
  { area: "cdn", title: "HSTS dropped from the response headers policy", expect: "cdn-security-headers", apply: (p) => delete p.inputs("cdn-security-headers").securityHeadersConfig.strictTransportSecurity },
  // Written as harmless in the blind run; moved here after reading the rule (see the header).
  { area: "dns", title: "CAA for edge allowing Amazon only, without issuewild (Amazon may then issue wildcards for edge)", expect: "dns-edge-caa", apply: (p) => record(p, "dns-edge-caa", { name: `edge.${DOMAIN}`, type: "CAA", records: ['0 issue "amazon.com"'] }) },
  { area: "tls", title: "ALB on the 2016 policy (TLS 1.0)", expect: "alb-https", apply: (p) => (p.inputs("alb-https", LISTENER).sslPolicy = "ELBSecurityPolicy-2016-08") },
];

// ── Written after the fixes: further spellings of the classes the blind run exposed ──
export const round9rt9harmVariantsHarmless: Harmless[] = [
  { title: "docs CNAME to a hosted docs site (not a name the stack serves)", apply: (p) => record(p, "dns-docs-cname", { name: `docs.${DOMAIN}`, type: "CNAME", records: ["edgestack.readthedocs.io"] }) },
  { title: "shop CNAME to the shop platform", apply: (p) => record(p, "dns-shop-cname", { name: `shop.${DOMAIN}`, type: "CNAME", records: ["shops.myshopify.com"] }) },
  { title: "a mail host A record at the provider's address", apply: (p) => {
    record(p, "dns-mail-a", { name: `mail.${DOMAIN}`, type: "A", records: ["192.0.2.25"] });
    record(p, "dns-apex-mx", { name: DOMAIN, type: "MX", records: [`10 mail.${DOMAIN}`] });
  } },
  { title: "a status page A record at the vendor's anycast address", apply: (p) => record(p, "dns-status-a", { name: `status.${DOMAIN}`, type: "A", records: ["198.51.100.44"] }) },
  { title: "a headless-free second Service on the nginx pods' status port", apply: (p) => k8s(p, SERVICE, "workloads-nginx-status", "workloads", { apiVersion: "v1", kind: "Service", metadata: { name: "nginx-status", namespace: "edgestack" }, spec: { type: "ClusterIP", selector: { "app.kubernetes.io/name": "nginx", "app.kubernetes.io/part-of": "edgestack" }, ports: [{ name: "status", port: 8082, targetPort: "status", protocol: "TCP" }] } }) },
  { title: "a metrics Service selecting the app pods by one label of the app Service's two", apply: (p) => k8s(p, SERVICE, "workloads-app-metrics", "workloads", { apiVersion: "v1", kind: "Service", metadata: { name: "app-metrics", namespace: "edgestack" }, spec: { type: "ClusterIP", selector: { "app.kubernetes.io/name": "app" }, ports: [{ name: "metrics", port: 9464, targetPort: "metrics", protocol: "TCP" }] } }) },
  // Second batch, probing the areas the brief names (written after the fixes, before running them).
  { title: "CloudFront: a docs origin on the static bucket under /docs with the same OAC, and its behaviour", apply: (p) => {
    const o = copy(dist(p).origins.find((x: { originId: string }) => x.originId === "static-s3"));
    o.originId = "static-s3-docs";
    o.originPath = "/docs";
    dist(p).origins.push(o);
    const b = copy(behaviour(p, "/static/*"));
    b.pathPattern = "/docs/*";
    b.targetOriginId = "static-s3-docs";
    dist(p).orderedCacheBehaviors.push(b);
  } },
  { title: "CloudFront: ALB origin tries twice with a 5 s connect timeout", apply: (p) => Object.assign(dist(p).origins[0], { connectionAttempts: 2, connectionTimeout: 5 }) },
  { title: "CloudFront: 429 answers never cached", apply: (p) => dist(p).customErrorResponses.push({ errorCode: 429, errorCachingMinTtl: 0 }) },
  { title: "HTML cache key varies on Accept-Language", apply: (p) => (p.inputs("cdn-html").parametersInCacheKeyAndForwardedToOrigin.headersConfig = { headerBehavior: "whitelist", headers: { items: ["Accept-Language"] } }) },
  { title: "response headers: Server-Timing off stated explicitly", apply: (p) => (p.inputs("cdn-security-headers").serverTimingHeadersConfig = { enabled: false, samplingRate: 0 }) },
  { title: "a read-only CloudWatch role for the monitoring account, with an external id", apply: (p) => add(p, ROLE, "alerting-grafana-reader", "alerting", { description: "Grafana in the monitoring account reads metrics", assumeRolePolicy: doc([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/grafana` }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": "edgestack-prod-grafana" } } }]), inlinePolicies: [{ name: "read-metrics", policy: doc([{ Effect: "Allow", Action: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], Resource: "*" }, { Effect: "Allow", Action: "cloudwatch:DescribeAlarms", Resource: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` }]) }] }) },
  { title: "SSM Session Manager for the nodes (managed core policy) instead of SSH", apply: (p) => add(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-node-AmazonSSMManagedInstanceCore", "cluster", { role: "cluster-node-role-bb1a483", policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }) },
  { title: "an S3 gateway endpoint for the private subnets limited to the stack's buckets", apply: (p) => add(p, "aws:ec2/vpcEndpoint:VpcEndpoint", "cluster-endpoint-s3", "cluster", { vpcId: p.inputs("cluster-endpoint-sts").vpcId, serviceName: "com.amazonaws.us-east-1.s3", vpcEndpointType: "Gateway", routeTableIds: [0, 1, 2].map((i) => p.id(`network-private-rt-${i}`)), policy: doc([{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"] }]), tags: { Name: "edgestack-prod-s3" } }) },
  { title: "an ECR API interface endpoint like the others", apply: (p) => { const e = copy(p.inputs("cluster-endpoint-sts")); e.serviceName = "com.amazonaws.us-east-1.ecr.api"; e.tags = { Name: "edgestack-prod-ecr-api" }; add(p, "aws:ec2/vpcEndpoint:VpcEndpoint", "cluster-endpoint-ecr-api", "cluster", e); } },
  { title: "launch template states instance metadata tags off", apply: (p) => (p.inputs("cluster-nodes").metadataOptions.instanceMetadataTags = "disabled") },
  { title: "Redis network type IPv4 stated explicitly", apply: (p) => Object.assign(p.inputs("cache-group"), { networkType: "ipv4", ipDiscovery: "ipv4" }) },
  { title: "ECR keeps the 30 newest images", apply: (p) => editDoc(p, "image-lifecycle", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "policy", (d) => (d.rules[0].selection.countNumber = 30)) },
  { title: "CI builds time out after 30 minutes and queue at most an hour", apply: (p) => Object.assign(p.inputs("ci-runner-project"), { buildTimeout: 30, queuedTimeout: 60 }) },
  { title: "CloudFront logs move to Glacier IR after 30 days (expiry unchanged)", apply: (p) => (p.inputs("cdn-logs-lifecycle").rules[0].transitions = [{ days: 30, storageClass: "GLACIER_IR" }]) },
  { title: "a PagerDuty HTTPS subscription to the page topic", apply: (p) => add(p, "aws:sns/topicSubscription:TopicSubscription", "alerting-topics-page-pagerduty", "alerting-topics", { topic: "arn:aws:sns:us-east-1:123456789012:edgestack-prod-alerts-page", protocol: "https", endpoint: "https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue" }) },
  { title: "nginx answers /robots.txt itself", apply: (p) => editConf(p, server(ALB, (c) => c.replace("        location = /health {\n", '        location = /robots.txt {\n            limit_req zone=per_ip_requests burst=50 nodelay;\n            limit_conn per_ip_connections 100;\n            default_type text/plain;\n            add_header X-Content-Type-Options "nosniff" always;\n            add_header X-Frame-Options "DENY" always;\n            add_header Referrer-Policy "strict-origin-when-cross-origin" always;\n            add_header Strict-Transport-Security $edge_hsts always;\n            return 200 "User-agent: *\\nDisallow: /api/\\n";\n        }\n        location = /health {\n'))) },
  { title: "app limiter allows 200 a minute (stricter)", apply: (p) => env(p, "workloads-app", "RATE_LIMIT_MAX", "200") },
  { title: "app log level warn", apply: (p) => env(p, "workloads-app", "LOG_LEVEL", "warn") },
  { title: "feature flags mounted into the app from a ConfigMap", apply: (p) => {
    configMap(p, "workloads-flags", "app-flags", { "flags.json": "{\"newCheckout\":false}" });
    pod(p, "workloads-app").volumes.push({ name: "flags", configMap: { name: "app-flags" } });
    ctr(p, "workloads-app").volumeMounts.push({ name: "flags", mountPath: "/etc/edgestack/flags", readOnly: true });
  } },
  { title: "a nightly cache-warming CronJob (restricted pod, no token, egress to nginx only)", apply: (p) => {
    const spec = copy(pod(p, "workloads-app"));
    delete spec.topologySpreadConstraints;
    spec.restartPolicy = "Never";
    const c = spec.containers[0];
    Object.assign(c, { name: "warm", command: ["node", "dist/warm.js"], env: [{ name: "TARGET", value: "https://nginx.edgestack.svc.cluster.local:8080" }], ports: [] });
    for (const k of ["readinessProbe", "livenessProbe", "startupProbe"]) delete c[k];
    c.volumeMounts = [{ mountPath: "/tmp", name: "tmp" }];
    spec.volumes = [{ emptyDir: { sizeLimit: "64Mi" }, name: "tmp" }];
    k8s(p, "kubernetes:batch/v1:CronJob", "workloads-warm", "workloads", { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "warm", namespace: "edgestack" }, spec: { schedule: "0 4 * * *", concurrencyPolicy: "Forbid", jobTemplate: { spec: { backoffLimit: 1, activeDeadlineSeconds: 600, template: { metadata: { labels: { "app.kubernetes.io/name": "warm", "app.kubernetes.io/part-of": "edgestack" } }, spec } } } } });
  } },
  { title: "nginx speaks HTTP/2 on its ALB listener too", apply: (p) => editConf(p, all("        listen 0.0.0.0:8080 ssl;\n", "        listen 0.0.0.0:8080 ssl;\n        http2 on;\n")) },
  { title: "nginx favicon answered empty without a log line", apply: (p) => editConf(p, server(ALB, (c) => c.replace("        location = /health {\n", '        location = /favicon.ico {\n            access_log off;\n            add_header X-Content-Type-Options "nosniff" always;\n            return 204;\n        }\n        location = /health {\n'))) },
  { title: "a dual-stack AAAA for the mail host at the provider", apply: (p) => record(p, "dns-mail-aaaa", { name: `mail.${DOMAIN}`, type: "AAAA", records: ["2001:db8::25"] }) },
  { title: "TLSA record pinning the edge certificate's issuer (DANE)", apply: (p) => record(p, "dns-edge-tlsa", { name: `_443._tcp.edge.${DOMAIN}`, type: "TLSA", records: ["2 1 1 8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D"] }) },
  { title: "an ALB listener rule answering security.txt (behind the origin header)", apply: (p) => {
    const r = copy(p.inputs("alb-method-not-allowed"));
    r.priority = 5;
    r.tags = { Name: "alb-security-txt" };
    r.actions = [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "200", messageBody: `Contact: mailto:security@${DOMAIN}\nExpires: 2027-12-31T23:59:59Z\n` } }];
    r.conditions.push({ pathPattern: { values: ["/.well-known/security.txt"] } });
    add(p, "aws:lb/listenerRule:ListenerRule", "alb-security-txt", "alb", r);
  } },
  // Third batch: sizing within the chains and the capacity rules, rollout settings, more WAF and health-check settings.
  { title: "app CPU limit 1500m", apply: (p) => (ctr(p, "workloads-app").resources.limits.cpu = "1500m") },
  { title: "nginx memory limit 512Mi", apply: (p) => (ctr(p, "workloads-nginx").resources.limits.memory = "512Mi") },
  { title: "app grace period 60 s (more room than its 44.5 s shutdown)", apply: (p) => (pod(p, "workloads-app").terminationGracePeriodSeconds = 60) },
  { title: "nginx grace period 60 s", apply: (p) => (pod(p, "workloads-nginx").terminationGracePeriodSeconds = 60) },
  { title: "ALB deregistration delay 15 s", apply: (p) => (p.inputs("alb-nginx", TG).deregistrationDelay = 15) },
  { title: "HPA may scale the app to 24 pods", apply: (p) => (p.inputs("workloads-app", HPA).spec.maxReplicas = 24) },
  { title: "node groups capped at 2 nodes per zone", apply: (p) => NODE_GROUPS.forEach((n) => (p.inputs(n).scalingConfig.maxSize = 2)) },
  { title: "CloudFront waits 45 s for the origin (nginx still gives up at 30 s)", apply: (p) => (dist(p).origins[0].customOriginConfig.originReadTimeout = 45) },
  { title: "app keep-alive 70 s, headers timeout 71 s", apply: (p) => { env(p, "workloads-app", "KEEPALIVE_TIMEOUT_MS", "70000"); env(p, "workloads-app", "HEADERS_TIMEOUT_MS", "71000"); } },
  { title: "a version label on the app's pod template", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.template.metadata.labels["app.kubernetes.io/version"] = "1.31.0") },
  { title: "an annotation on the nginx Service", apply: (p) => (p.inputs("workloads-nginx", SERVICE).metadata.annotations = { "edgestack.io/owner": "edge-team" }) },
  { title: "app Deployment minReadySeconds 10, history 5, progress deadline 5 minutes", apply: (p) => Object.assign(p.inputs("workloads-app", DEPLOYMENT).spec, { minReadySeconds: 10, revisionHistoryLimit: 5, progressDeadlineSeconds: 300 }) },
  { title: "app readiness fails after 3 probes", apply: (p) => (ctr(p, "workloads-app").readinessProbe.failureThreshold = 3) },
  { title: "app startup allowed 2 minutes", apply: (p) => (ctr(p, "workloads-app").startupProbe.failureThreshold = 60) },
  { title: "a non-preempting PriorityClass for the app", apply: (p) => {
    k8s(p, "kubernetes:scheduling.k8s.io/v1:PriorityClass", "workloads-priority", "workloads", { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "edgestack-app" }, value: 1000, preemptionPolicy: "Never", globalDefault: false, description: "edgestack app pods" });
    pod(p, "workloads-app").priorityClassName = "edgestack-app";
  } },
  { title: "secrets key description reworded", apply: (p) => (p.inputs("cluster-secrets-key").description = "edgestack-prod: envelope encryption of the cluster's Secrets") },
  { title: "ALB client keep-alive 10 minutes", apply: (p) => (p.inputs("alb-lb").clientKeepAlive = 600) },
  { title: "WAF rate rule answers 429 with a JSON body", apply: (p) => {
    waf(p).customResponseBodies = [{ key: "too-many", contentType: "APPLICATION_JSON", content: '{"error":"too many requests","status":429}' }];
    wafRule(p, "rate-limit-per-ip").action = { block: { customResponse: { responseCode: 429, customResponseBodyKey: "too-many" } } };
  } },
  { title: "WAF common rule set pinned to a version", apply: (p) => (wafRule(p, "aws-common-rule-set").statement.managedRuleGroupStatement.version = "Version_1.12") },
  { title: "site health check from three named regions", apply: (p) => (p.inputs("dns-health-site").regions = ["us-east-1", "us-west-2", "eu-west-1"]) },
  { title: "edge health check measures latency", apply: (p) => (p.inputs("dns-health-edge").measureLatency = true) },
  // Fourth batch: access, peers and images.
  { title: "an ops role reads the app namespace (EKS access entry, view policy scoped to edgestack)", apply: (p) => {
    add(p, "aws:eks/accessEntry:AccessEntry", "cluster-access-ops", "cluster", { clusterName: "edgestack-prod", principalArn: `arn:aws:iam::${ACCOUNT}:role/edgestack-prod-ops-readonly`, type: "STANDARD" });
    add(p, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-access-ops-view", "cluster", { clusterName: "edgestack-prod", principalArn: `arn:aws:iam::${ACCOUNT}:role/edgestack-prod-ops-readonly`, policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", accessScope: { type: "namespace", namespaces: ["edgestack"] } });
  } },
  { title: "the scraper also reads services and endpoints (read-only)", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", "kubernetes:rbac.authorization.k8s.io/v1:Role").rules.push({ apiGroups: [""], resources: ["services", "endpoints"], verbs: ["get", "list", "watch"] }) },
  { title: "nginx metrics rule description reworded", apply: (p) => (p.inputs("alerting-prometheus-nginx-from-scraper", SG_IN).description = "nginx exporter (9113) from the managed Prometheus scraper") },
  { title: "app pods' supplemental group stated (10001)", apply: (p) => (pod(p, "workloads-app").securityContext.supplementalGroups = [10001]) },
  { title: "app container procMount Default stated", apply: (p) => (ctr(p, "workloads-app").securityContext.procMount = "Default") },
  { title: "nginx exporter on a newer release tag", apply: (p) => (ctr(p, "workloads-nginx", 1).image = "nginx/nginx-prometheus-exporter:1.3.0") },
  { title: "cluster autoscaler on the next patch release", apply: (p) => (ctr(p, "cluster-autoscaler-deployment").image = "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2") },
  { title: "app container drops ALL and keeps the default seccomp at both levels (restated)", apply: (p) => (ctr(p, "workloads-nginx", 1).securityContext.seccompProfile = { type: "RuntimeDefault" }) },
  { title: "WAF: a second, looser rate rule scoped to /static/ besides the per-IP rule over everything", apply: (p) => wafAdd(p, { name: "rate-limit-static", priority: 12, action: { block: {} }, statement: { rateBasedStatement: { aggregateKeyType: "IP", evaluationWindowSec: 300, limit: 50000, scopeDownStatement: { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH", searchString: "/static/", textTransformations: [{ priority: 0, type: "NONE" }] } } } } }) },
];

export const round9rt9harmVariants: Mutation[] = [
  { area: "dns", title: "assets CNAME to a CloudFront distribution of another account", expect: "dns-assets-cname", apply: (p) => record(p, "dns-assets-cname", { name: `assets.${DOMAIN}`, type: "CNAME", records: ["d3kx2p9q7r5s1t.cloudfront.net"] }) },
  { area: "dns", title: "legacy A alias to an S3 website endpoint whose bucket the stack lacks", expect: "dns-legacy-a", apply: (p) => record(p, "dns-legacy-a", { name: `legacy.${DOMAIN}`, type: "A", aliases: [{ name: "s3-website-us-east-1.amazonaws.com", zoneId: "Z3AQBSTGFYJSTF", evaluateTargetHealth: false }] }) },
  { area: "dns", title: "beta CNAME to an Elastic Beanstalk environment name", expect: "dns-beta-cname", apply: (p) => record(p, "dns-beta-cname", { name: `beta.${DOMAIN}`, type: "CNAME", records: ["edgestack-beta.us-east-1.elasticbeanstalk.com"] }) },
  { area: "dns", title: "files CNAME to a bucket's dual-stack endpoint the stack lacks", expect: "dns-files-cname", apply: (p) => record(p, "dns-files-cname", { name: `files.${DOMAIN}`, type: "CNAME", records: ["edgestack-files.s3.dualstack.us-east-1.amazonaws.com"] }) },
  { area: "dns", title: "vpn A record at an AWS address the stack does not hold (a released Elastic IP)", expect: "dns-vpn-a", apply: (p) => record(p, "dns-vpn-a", { name: `vpn.${DOMAIN}`, type: "A", records: ["3.91.44.7"] }) },
  { area: "dns", title: "www CNAME to an outside load balancer (a name the stack serves loses failover)", expect: "dns-www-cname", apply: (p) => (p.inputs("dns-www-cname").records = ["old-alb-123.us-east-1.elb.amazonaws.com"]) },
  { area: "alarms", title: "a worker Deployment's Service without pod-limit alarms (pods no alarmed Service selects)", expect: "workloads-worker-svc", apply: (p) => {
    const spec = copy(pod(p, "workloads-app"));
    spec.topologySpreadConstraints.forEach((t: { labelSelector: { matchLabels: unknown } }) => (t.labelSelector.matchLabels = WORKER_LABELS));
    k8s(p, DEPLOYMENT, "workloads-worker", "workloads", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "worker", namespace: "edgestack" }, spec: { replicas: 3, selector: { matchLabels: WORKER_LABELS }, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, template: { metadata: { labels: WORKER_LABELS }, spec } } });
    k8s(p, PDB, "workloads-worker-pdb", "workloads", { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "worker", namespace: "edgestack" }, spec: { maxUnavailable: 1, selector: { matchLabels: WORKER_LABELS } } });
    k8s(p, SERVICE, "workloads-worker-svc", "workloads", { apiVersion: "v1", kind: "Service", metadata: { name: "worker", namespace: "edgestack" }, spec: { type: "ClusterIP", selector: WORKER_LABELS, ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }] } });
  } },
];
