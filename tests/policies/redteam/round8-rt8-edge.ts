/**
 * The eighth blind red-team round on the AWS network edge of the prod plan: CloudFront (behaviours, origins, origin
 * request and cache policies, the viewer-address function, logging, response headers), the WAF, the ALB and NLB,
 * security groups, network ACLs, the VPC, flow logs, endpoints, Route53 and ACM. Written before their author read any
 * rule (not repeating rounds 5-7), each names the resource a mandatory rule must report; harmless changes no rule may
 * report. Run by blind-round8-aws.test.ts.
 *
 * First run, blind: 63 insecure changes, 38 caught, 2 reported only elsewhere or advisory, 23 missed; 19 harmless, none
 * flagged. Two were dropped after reading the rules, as not insecure in this product:
 * - "ALB HTTPS listener's sslPolicy unknown at preview": a value unknown in preview is judged at update, when the
 *   engine knows it (every rule of the pack decides unknowns then; failing previews on every computed value would
 *   fail every first deploy). The same policy, known, is judged by alb-https-listener-tls12.
 * - "ALB target group deregistration delay 0": it cuts in-flight requests of a node leaving the group, a reliability
 *   cost, and the chain the docs promise (delay ≤ the app's shutdown delay < grace period, edge-timeout-chain) still
 *   holds; no access, exposure or documented guarantee is lost.
 * The variants after the first run (rt8EdgeVariants) were written after the fixes, one or more per class of miss.
 */
import type { Mutation, Plan } from "./mutations";
import { ACCOUNT, add, behaviour, dist, Harmless, LISTENER, SG_IN, TG, waf, wafRule } from "./corpus-aws";

const FOREIGN = "999999999999";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const SUBNET = "aws:ec2/subnet:Subnet";
const RECORD = "aws:route53/record:Record";
const FUNCTION = "aws:cloudfront/function:Function";
const ORIGIN_REQUEST_POLICY = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy";
const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
const nodeSg = (p: Plan) => p.id("cluster-node-sg", SG);
const zoneId = (p: Plan) => p.inputs("dns-apex-caa", RECORD).zoneId as string;
/** A new first WAF rule (priority 1), as a team adds an exception ahead of the managed groups. */
const firstWafRule = (p: Plan, rule: Record<string, unknown>) => waf(p).rules.unshift({ priority: 1, visibilityConfig: visibility(`edgestack-prod-${String(rule.name)}`), ...rule });
/** Drops the plan's record that a value is a Pulumi secret (the value is then a literal in the program). */
const dropSecrets = (p: Plan, name: string, type?: string) => delete (p.get(name, type) as { secrets?: unknown }).secrets;
const fnCode = (body: string) => `function handler(event) {\n  var request = event.request;\n${body}\n  return request;\n}\n`;
const sshFrom = (p: Plan, name: string, cidr: Record<string, string>, port = 22, ipProtocol = "tcp") => add(p, SG_IN, name, "cluster", { description: "admin access", fromPort: port, toPort: port, ipProtocol, ...cidr, securityGroupId: nodeSg(p) });

export const rt8EdgeMutations: Mutation[] = [
  // ---- CloudFront: TLS to viewers and to the origin
  { area: "cdn", title: "origin accepts TLSv1.1 alongside TLSv1.2", expect: "cdn-distribution", apply: (p) => (dist(p).origins[0].customOriginConfig.originSslProtocols = ["TLSv1.1", "TLSv1.2"]) },
  { area: "cdn", title: "ALB origin protocol policy match-viewer (HTTPS only as long as every behaviour redirects)", expect: "cdn-distribution", apply: (p) => (dist(p).origins[0].customOriginConfig.originProtocolPolicy = "match-viewer") },
  { area: "cdn", title: "viewer TLS minimum TLSv1.1_2016", expect: "cdn-distribution", apply: (p) => (dist(p).viewerCertificate.minimumProtocolVersion = "TLSv1.1_2016") },
  { area: "cdn", title: "static origin switched to the bucket's website endpoint over plain HTTP", expect: "cdn-distribution", apply: (p) => (dist(p).origins[1] = { domainName: `${p.id("cdn-static-bucket")}.s3-website-us-east-1.amazonaws.com`, originId: "static-s3", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "http-only", originSslProtocols: ["TLSv1.2"] } }) },
  { area: "cdn", title: "origin-verify header value written as a literal in the program (not a Pulumi secret)", expect: "cdn-distribution", apply: (p) => { dist(p).origins[0].customHeaders[0].value = "edgestack-origin-2026"; dropSecrets(p, "cdn-distribution"); } },
  { area: "cdn", title: "OAC resource removed while the static origin still names its id", expect: "cdn-distribution", apply: (p) => p.remove("cdn-oac") },
  // ---- CloudFront: WAF attachment, logging, caching
  { area: "cdn", title: "web ACL id set to an empty string (no WAF)", expect: "cdn-distribution", apply: (p) => (dist(p).webAclId = "") },
  { area: "cdn", title: "standard logs include cookies (session tokens in the log bucket)", expect: "cdn-distribution", apply: (p) => (dist(p).loggingConfig.includeCookies = true) },
  { area: "cdn", title: "/api/* on the managed CachingOptimized policy (per-user API answers shared)", expect: "cdn-distribution", apply: (p) => (behaviour(p, "/api/*").cachePolicyId = "658327ea-f89d-4fab-a63d-7e88639e58f6") },
  { area: "cdn", title: "HTML cache policy minimum TTL 1 s (origin's Cache-Control private/no-store overridden)", expect: "cdn-html", apply: (p) => (p.inputs("cdn-html").minTtl = 1) },
  { area: "cdn", title: "origin request policy forwards every cookie while the HTML cache key has none (personalised pages shared)", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", ORIGIN_REQUEST_POLICY).cookiesConfig = { cookieBehavior: "all" }) },
  { area: "cdn", title: "origin request policy forwards every viewer header (unkeyed headers poison the shared HTML cache)", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", ORIGIN_REQUEST_POLICY).headersConfig = { headerBehavior: "allViewer" }) },
  // ---- CloudFront: the viewer-address chain
  { area: "cdn", title: "/ws loses the viewer-address function (WebSocket clients keyed on whatever they send)", expect: "cdn-distribution", apply: (p) => delete behaviour(p, "/ws").functionAssociations },
  { area: "cdn", title: "viewer-address function writes a capitalised header key (the viewer's own lower-case value survives)", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", FUNCTION).code = fnCode('  request.headers["X-Viewer-Address"] = { value: event.viewer.ip };')) },
  { area: "cdn", title: "viewer-address function writes the address under another header name (X-Viewer-Address passes from the viewer)", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", FUNCTION).code = fnCode('  request.headers["x-client-ip"] = { value: event.viewer.ip };')) },
  { area: "cdn", title: "viewer-address function not published (LIVE stage keeps old code or none)", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", FUNCTION).publish = false) },
  { area: "cdn", title: "viewer-address function resource removed while the behaviours still name its ARN", expect: "cdn-distribution", apply: (p) => p.remove("cdn-viewer-address", FUNCTION) },
  // ---- response headers
  { area: "cdn", title: "HSTS max-age one second under a year", expect: "cdn-security-headers", apply: (p) => (p.inputs("cdn-security-headers").securityHeadersConfig.strictTransportSecurity.accessControlMaxAgeSec = 31535999) },
  { area: "cdn", title: "HSTS preload dropped", expect: "cdn-security-headers", apply: (p) => (p.inputs("cdn-security-headers").securityHeadersConfig.strictTransportSecurity.preload = false) },
  // ---- WAF
  { area: "waf", title: "rate rule evaluated over 60 s with the same limit (five times the configured rate)", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.evaluationWindowSec = 60) },
  { area: "waf", title: "rate limit scoped down to NOT (URI starts with /), which matches nothing", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.scopeDownStatement = { notStatement: { statements: [{ byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH", searchString: "/", textTransformations: [{ priority: 0, type: "NONE" }] } }] } }) },
  { area: "waf", title: "rate limit counted per URI path (custom keys: one counter per path, not per client)", expect: "cdn-waf-acl", apply: (p) => { const r = wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement; r.aggregateKeyType = "CUSTOM_KEYS"; r.customKeys = [{ uriPath: { textTransformations: [{ priority: 0, type: "NONE" }] } }]; } },
  { area: "waf", title: "allow rule: a regex pattern set matching .* on the URI before the managed groups", expect: "cdn-waf-acl", apply: (p) => { add(p, "aws:wafv2/regexPatternSet:RegexPatternSet", "cdn-waf-any-path", "cdn-waf", { name: "edgestack-prod-any-path", scope: "CLOUDFRONT", regularExpressions: [{ regexString: ".*" }] }); firstWafRule(p, { name: "allow-known-paths", action: { allow: {} }, statement: { regexPatternSetReferenceStatement: { arn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/regexpatternset/edgestack-prod-any-path/${p.id("cdn-waf-any-path")}`, fieldToMatch: { uriPath: {} }, textTransformations: [{ priority: 0, type: "NONE" }] } } }); } },
  { area: "waf", title: "allow rule: body size at least 0 bytes (every request) before the managed groups", expect: "cdn-waf-acl", apply: (p) => firstWafRule(p, { name: "allow-small-bodies", action: { allow: {} }, statement: { sizeConstraintStatement: { comparisonOperator: "GE", size: 0, fieldToMatch: { body: { oversizeHandling: "CONTINUE" } }, textTransformations: [{ priority: 0, type: "NONE" }] } } }) },
  { area: "waf", title: "common rule set's GenericRFI_BODY and SizeRestrictions_BODY overridden to allow (evaluation stops, later groups skipped)", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "aws-common-rule-set").statement.managedRuleGroupStatement.ruleActionOverrides = [{ name: "GenericRFI_BODY", actionToUse: { allow: {} } }, { name: "SizeRestrictions_BODY", actionToUse: { allow: {} } }]) },
  { area: "waf", title: "known-bad-inputs group overridden to count as a whole", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "aws-known-bad-inputs").overrideAction = { count: {} }) },
  { area: "waf", title: "allow rule on an office IP set read from X-Forwarded-For (any client can claim it)", expect: "cdn-waf-acl", apply: (p) => { add(p, "aws:wafv2/ipSet:IpSet", "cdn-waf-office", "cdn-waf", { name: "edgestack-prod-office", scope: "CLOUDFRONT", ipAddressVersion: "IPV4", addresses: ["198.51.100.0/24"] }); firstWafRule(p, { name: "allow-office", action: { allow: {} }, statement: { ipSetReferenceStatement: { arn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/ipset/edgestack-prod-office/${p.id("cdn-waf-office")}`, ipSetForwardedIpConfig: { headerName: "X-Forwarded-For", fallbackBehavior: "MATCH", position: "FIRST" } } } }); } },
  // ---- ALB and NLB
  { area: "alb", title: "ALB HTTPS listener's sslPolicy removed (AWS then applies ELBSecurityPolicy-2016-08, TLS 1.0)", expect: "alb-https", apply: (p) => delete p.inputs("alb-https", LISTENER).sslPolicy },
  { area: "nlb", title: "NLB TLS listener's sslPolicy removed (TLS 1.0 default)", expect: "nlb-tls", apply: (p) => delete p.inputs("nlb-tls", LISTENER).sslPolicy },
  { area: "alb", title: "new rule forwards every OPTIONS request (CORS preflight) to nginx without the origin header", expect: "alb-route-preflight", apply: (p) => add(p, "aws:lb/listenerRule:ListenerRule", "alb-route-preflight", "alb", { listenerArn: p.id("alb-https", LISTENER), priority: 5, actions: [{ type: "forward", targetGroupArn: p.id("alb-nginx", TG) }], conditions: [{ httpRequestMethod: { values: ["OPTIONS"] } }] }) },
  { area: "alb", title: "WebSocket route's origin header compared with a literal in the program (not the stack's secret)", expect: "alb-route-ws", apply: (p) => { p.inputs("alb-route-ws").conditions[0].httpHeader.values = ["edgestack-origin-2026"]; dropSecrets(p, "alb-route-ws"); } },
  { area: "alb", title: "ALB access logs enabled: 'false' (a string)", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").accessLogs.enabled = "false") },
  { area: "nlb", title: "NLB deletion protection key removed (defaults off)", expect: "nlb-lb", apply: (p) => delete p.inputs("nlb-lb").enableDeletionProtection },
  { area: "nlb", title: "NLB TLS target group: proxyProtocolV2 'false' as a string", expect: "nlb-tls", apply: (p) => (p.inputs("nlb-tls", TG).proxyProtocolV2 = "false") },
  { area: "alb", title: "ALB may send to the whole internet on the NodePort (egress 0.0.0.0/0 instead of the VPC)", expect: "alb-to-nginx", apply: (p) => (p.inputs("alb-to-nginx").cidrIpv4 = "0.0.0.0/0") },
  // ---- security groups: the world in other spellings and splits
  { area: "sg", title: "SSH to the nodes from four /2 rules (each only a quarter of the internet)", expect: "cluster-ssh-q0", apply: (p) => ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"].forEach((c, i) => sshFrom(p, `cluster-ssh-q${i}`, { cidrIpv4: c })) },
  { area: "sg", title: "kubelet from 0:0:0:0:0:0:0:0/0 (the IPv6 world spelled long)", expect: "cluster-kubelet-v6-long", apply: (p) => sshFrom(p, "cluster-kubelet-v6-long", { cidrIpv6: "0:0:0:0:0:0:0:0/0" }, 10250) },
  { area: "sg", title: "SSH to the nodes from a consultant's public /24", expect: "cluster-ssh-consultant", apply: (p) => sshFrom(p, "cluster-ssh-consultant", { cidrIpv4: "81.2.69.0/24" }) },
  { area: "sg", title: "RDP to the nodes from the world, protocol spelled 'TCP'", expect: "cluster-rdp-world", apply: (p) => sshFrom(p, "cluster-rdp-world", { cidrIpv4: "0.0.0.0/0" }, 3389, "TCP") },
  { area: "sg", title: "kubelet from 52.0.0.0/6 (a /6 of public space)", expect: "cluster-kubelet-52", apply: (p) => sshFrom(p, "cluster-kubelet-52", { cidrIpv4: "52.0.0.0/6" }, 10250) },
  // ---- VPC: ACLs, subnets, endpoints, flow logs
  { area: "vpc", title: "network ACL rule resource admits SSH from the world to the private subnets", expect: "network-private-acl-ssh", apply: (p) => { add(p, "aws:ec2/networkAcl:NetworkAcl", "network-private-acl", "network", { vpcId: p.id("network-vpc"), subnetIds: [0, 1, 2].map((i) => p.id(`network-private-${i}`, SUBNET)) }); add(p, "aws:ec2/networkAclRule:NetworkAclRule", "network-private-acl-ssh", "network", { networkAclId: p.id("network-private-acl"), ruleNumber: 100, egress: false, protocol: "tcp", ruleAction: "allow", cidrBlock: "0.0.0.0/0", fromPort: 22, toPort: 22 }); } },
  { area: "vpc", title: "NLB offered as a PrivateLink endpoint service to every AWS account, no acceptance", expect: "nlb-endpoint-service", apply: (p) => add(p, "aws:ec2/vpcEndpointService:VpcEndpointService", "nlb-endpoint-service", "nlb", { acceptanceRequired: false, networkLoadBalancerArns: [p.id("nlb-lb")], allowedPrincipals: ["*"] }) },
  { area: "vpc", title: "new bastion subnet on the public route table maps public IPs on launch", expect: "network-bastion", apply: (p) => { add(p, SUBNET, "network-bastion", "network", { vpcId: p.id("network-vpc"), availabilityZone: "us-east-1a", cidrBlock: "10.20.200.0/24", mapPublicIpOnLaunch: true, tags: { Name: "network-bastion" } }); add(p, "aws:ec2/routeTableAssociation:RouteTableAssociation", "network-bastion-rt", "network", { subnetId: p.id("network-bastion"), routeTableId: p.id("network-public-rt") }); } },
  { area: "vpc", title: "flow log records only accepted traffic", expect: "network-flow-log", apply: (p) => (p.inputs("network-flow-log").trafficType = "ACCEPT") },
  { area: "vpc", title: "flow log custom format without the action, ports and protocol", expect: "network-flow-log", apply: (p) => (p.inputs("network-flow-log").logFormat = "${version} ${srcaddr} ${dstaddr} ${bytes}") },
  { area: "vpc", title: "flow-log log group removed (delivery creates its own group, unencrypted, kept forever)", expect: "network-flow-log", apply: (p) => p.remove("network-flow-logs") },
  // ---- Route53
  { area: "dns", title: "SPF record +all (anyone may send mail as the domain)", expect: "dns-apex-txt", apply: (p) => (p.inputs("dns-apex-txt").records[0] = "v=spf1 +all") },
  { area: "dns", title: "CAA also allows Let's Encrypt", expect: "dns-apex-caa", apply: (p) => p.inputs("dns-apex-caa").records.push('0 issue "letsencrypt.org"') },
  { area: "dns", title: "CAA issuewild amazon.com (wildcard certificates allowed)", expect: "dns-apex-caa", apply: (p) => (p.inputs("dns-apex-caa").records = p.inputs("dns-apex-caa").records.map((r: string) => (r.includes("issuewild") ? '0 issuewild "amazon.com"' : r))) },
  { area: "dns", title: "status name CNAME to a CloudFront distribution the stack does not declare (dangling, takeover)", expect: "dns-status-cname", apply: (p) => add(p, RECORD, "dns-status-cname", "dns", { zoneId: zoneId(p), name: "status.edgestack.example.com", type: "CNAME", ttl: 300, records: ["d1a2b3c4d5e6f7.cloudfront.net"] }) },
  { area: "dns", title: "dev delegation's DS record with a SHA-1 digest (type 1)", expect: "dns-zone-delegate-dev-ds", apply: (p) => (p.inputs("dns-zone-delegate-dev-ds").records = ["12345 13 1 3F6A1B0C9D8E7F605142332415069788A9BACBDC"]) },
  { area: "dns", title: "dev delegation's DS record removed (the subdomain loses its chain of trust)", expect: "dns-zone-delegate-dev", apply: (p) => p.remove("dns-zone-delegate-dev-ds") },
  { area: "dns", title: "site health check inverted (fails over while healthy)", expect: "dns-health-site", apply: (p) => (p.inputs("dns-health-site").invertHealthcheck = true) },
  { area: "dns", title: "edge health check from two checker regions only", expect: "dns-health-edge", apply: (p) => (p.inputs("dns-health-edge").regions = ["us-east-1", "eu-west-1"]) },
  { area: "dns", title: "site health check on a static asset (cached: says nothing about the origin)", expect: "dns-health-site", apply: (p) => (p.inputs("dns-health-site").resourcePath = "/static/edgestack-v1.31a222a88c7e.svg") },
  { area: "dns", title: "edge health check becomes TCP (the NLB accepts connections with every target down)", expect: "dns-health-edge", apply: (p) => { const h = p.inputs("dns-health-edge"); h.type = "TCP"; delete h.resourcePath; delete h.enableSni; } },
  { area: "dns", title: "key-signing key on a KMS key of another account", expect: "dns-zone-ksk", apply: (p) => (p.inputs("dns-zone-ksk").keyManagementServiceArn = `arn:aws:kms:us-east-1:${FOREIGN}:key/35be8602-23d6-ccf0-20b6-3d8517b47837`) },
  { area: "dns", title: "zone signing resource removed (key-signing key left behind)", expect: "dns-zone-ksk", apply: (p) => p.remove("dns-zone-dnssec") },
  // ---- ACM
  { area: "acm", title: "CloudFront certificate validated by e-mail", expect: "cdn-certificate-cert", apply: (p) => (p.inputs("cdn-certificate-cert").validationMethod = "EMAIL") },
  { area: "acm", title: "load balancer certificate with an RSA-1024 key", expect: "lb-certificate-cert", apply: (p) => (p.inputs("lb-certificate-cert").keyAlgorithm = "RSA_1024") },
  { area: "acm", title: "load balancer certificate imported with its private key in plain inputs (not a Pulumi secret)", expect: "lb-certificate-cert", apply: (p) => { const c = p.inputs("lb-certificate-cert"); delete c.domainName; delete c.subjectAlternativeNames; delete c.validationMethod; c.certificateBody = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"; c.privateKey = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n"; } },
];

/** Variants of each class of miss, written after the fixes (other fields, types and spellings of the same insecurity). */
export const rt8EdgeVariants: Mutation[] = [
  // CAA / SPF / DS: records judged by what they let happen
  { area: "dns", title: "CAA at edge allows Amazon without an issuewild entry (wildcards from Amazon for edge and below)", expect: "dns-edge-caa", apply: (p) => add(p, RECORD, "dns-edge-caa", "dns", { zoneId: zoneId(p), name: "edge.edgestack.example.com", type: "CAA", ttl: 300, records: ['0 issue "amazon.com"'] }) },
  { area: "dns", title: "SPF authorises the whole IPv4 space in two halves", expect: "dns-apex-txt", apply: (p) => (p.inputs("dns-apex-txt").records[0] = "v=spf1 ip4:0.0.0.0/1 ip4:128.0.0.0/1 -all") },
  { area: "dns", title: "SPF with includes but no all (every other sender neutral)", expect: "dns-apex-txt", apply: (p) => (p.inputs("dns-apex-txt").records[0] = "v=spf1 include:amazonses.com") },
  { area: "dns", title: "SPF +all written across two TXT strings", expect: "dns-apex-txt", apply: (p) => (p.inputs("dns-apex-txt").records[0] = 'v=spf1 ""+all') },
  { area: "dns", title: "DS record on key algorithm 7 (RSASHA1-NSEC3-SHA1), type written in lower case", expect: "dns-zone-delegate-dev-ds", apply: (p) => { const r = p.inputs("dns-zone-delegate-dev-ds"); r.type = "ds"; r.records = [`12345 7 2 ${"3F".repeat(32)}`]; } },
  // References by ARN: another account's resource with the same id is not the stack's
  { area: "kms", title: "watchdog topic encrypted with a key of another account that has the same key id", expect: "alerting-prometheus-watchdog", apply: (p) => (p.inputs("alerting-prometheus-watchdog").kmsMasterKeyId = `arn:aws:kms:us-east-1:${FOREIGN}:key/92f16528-e798-4e27-c359-0158f5ca8537`) },
  { area: "logs", title: "Container Insights log group on a foreign account's key with the stack key's id", expect: "alerting-container-insights-application", apply: (p) => (p.inputs("alerting-container-insights-application").kmsKeyId = `arn:aws:kms:us-east-1:${FOREIGN}:key/c58e6558-db9f-0ba8-47cb-d22e5acf1b14`) },
  // ACM
  { area: "acm", title: "CloudFront certificate imported, its key a Pulumi secret (ACM never renews it)", expect: "cdn-certificate-cert", apply: (p) => { const c = p.inputs("cdn-certificate-cert"); delete c.validationMethod; c.certificateBody = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"; c.privateKey = "[secret]"; } },
  // flow logs and subnets
  { area: "vpc", title: "flow log custom format without the action only", expect: "network-flow-log", apply: (p) => (p.inputs("network-flow-log").logFormat = "${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes}") },
  { area: "vpc", title: "an existing public subnet maps public IPs on launch", expect: "network-public-1", apply: (p) => (p.inputs("network-public-1", SUBNET).mapPublicIpOnLaunch = true) },
  // public sources of any size
  { area: "sg", title: "cache reachable on 6379 from one public IPv6 address", expect: "cache-from-office-v6", apply: (p) => add(p, SG_IN, "cache-from-office-v6", "cache", { description: "Redis from the office", fromPort: 6379, toPort: 6379, ipProtocol: "tcp", cidrIpv6: "2a05:d018:1:2::10/128", securityGroupId: p.id("cache-sg", SG) }) },
  { area: "sg", title: "node group's own security group gains an inline kubelet rule from a public /32", expect: "cluster-node-sg", apply: (p) => (p.inputs("cluster-node-sg", SG).ingress = [{ protocol: "tcp", fromPort: 10250, toPort: 10250, cidrBlocks: ["81.2.69.10/32"], description: "kubelet debugging" }]) },
  { area: "sg", title: "legacy securityGroupRule: API endpoints from a public /28", expect: "cluster-endpoints-partner", apply: (p) => add(p, "aws:ec2/securityGroupRule:SecurityGroupRule", "cluster-endpoints-partner", "cluster", { type: "ingress", description: "partner", fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["81.2.69.16/28"], securityGroupId: p.id("cluster-api-endpoints-sg", SG) }) },
  // WAF rate in requests per 5 minutes
  { area: "waf", title: "rate rule over 120 s at twice the limit (25000 per 5 minutes)", expect: "cdn-waf-acl", apply: (p) => { const r = wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement; r.evaluationWindowSec = 120; r.limit = 10000; } },
  { area: "waf", title: "rate limit raised to 25000 per 5 minutes (past four times the prod default)", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.limit = 25000) },
  // CloudFront cache key and references
  { area: "cdn", title: "origin request policy forwards every viewer header but Host (allExcept)", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", ORIGIN_REQUEST_POLICY).headersConfig = { headerBehavior: "allExcept", headers: { items: ["Host"] } }) },
  { area: "cdn", title: "origin request policy forwards the session cookie, unkeyed", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", ORIGIN_REQUEST_POLICY).cookiesConfig = { cookieBehavior: "whitelist", cookies: { items: ["session"] } }) },
  { area: "cdn", title: "HTML cache policy minimum TTL '60' as a string", expect: "cdn-html", apply: (p) => (p.inputs("cdn-html").minTtl = "60") },
  { area: "cdn", title: "default behaviour on a cache policy id the stack does not declare", expect: "cdn-distribution", apply: (p) => (dist(p).defaultCacheBehavior.cachePolicyId = "a1b2c3d4-0000-4000-8000-000000000001") },
  { area: "cdn", title: "default behaviour on the managed CachingOptimized policy (minTtl 1)", expect: "cdn-distribution", apply: (p) => (dist(p).defaultCacheBehavior.cachePolicyId = "658327ea-f89d-4fab-a63d-7e88639e58f6") },
  // the viewer-address function and the origin header
  { area: "cdn", title: "viewer-address function key in upper case with single quotes", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", FUNCTION).code = fnCode("  request.headers['X-VIEWER-ADDRESS'] = { value: event.viewer.ip };")) },
  { area: "cdn", title: "viewer-address function publish 'false' as a string", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", FUNCTION).publish = "false") },
  { area: "cdn", title: "origin-verify header CloudFront sends is a 31-character literal", expect: "cdn-distribution", apply: (p) => { dist(p).origins[0].customHeaders[0].value = "x".repeat(31); dropSecrets(p, "cdn-distribution"); } },
  { area: "cdn", title: "CloudFront standard logs include cookies, spelled 'true'", expect: "cdn-distribution", apply: (p) => (dist(p).loggingConfig.includeCookies = "true") },
  // health checks
  { area: "dns", title: "site health check on / (the HTML default behaviour caches it)", expect: "dns-health-site", apply: (p) => (p.inputs("dns-health-site").resourcePath = "/") },
  { area: "dns", title: "site health check regions listed three times but only two distinct", expect: "dns-health-site", apply: (p) => (p.inputs("dns-health-site").regions = ["us-east-1", "us-east-1", "eu-west-1"]) },
  { area: "waf", title: "rate limit 4001 over 60 s (just past 20000 per 5 minutes)", expect: "cdn-waf-acl", apply: (p) => { const r = wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement; r.evaluationWindowSec = 60; r.limit = 4001; } },
  { area: "cdn", title: "HTML cache key drops query strings while the origin request policy forwards them all", expect: "cdn-viewer-address", apply: (p) => { p.inputs("cdn-html").parametersInCacheKeyAndForwardedToOrigin.queryStringsConfig = { queryStringBehavior: "none" }; p.inputs("cdn-viewer-address", ORIGIN_REQUEST_POLICY).queryStringsConfig = { queryStringBehavior: "all" }; } },
  { area: "vpc", title: "another public subnet maps public IPs on launch, spelled 'true'", expect: "network-public-2", apply: (p) => (p.inputs("network-public-2", SUBNET).mapPublicIpOnLaunch = "true") },
  { area: "dns", title: "site health check string-matches a static asset path", expect: "dns-health-site", apply: (p) => { const h = p.inputs("dns-health-site"); h.type = "HTTPS_STR_MATCH"; h.searchString = "svg"; h.resourcePath = "/static/edgestack-v1.31a222a88c7e.svg"; } },
];

export const rt8EdgeHarmless: Harmless[] = [
  { title: "/api/* viewer protocol https-only (stricter than redirect)", apply: (p) => (behaviour(p, "/api/*").viewerProtocolPolicy = "https-only") },
  { title: "referrer policy no-referrer (stricter)", apply: (p) => (p.inputs("cdn-security-headers").securityHeadersConfig.referrerPolicy.referrerPolicy = "no-referrer") },
  { title: "WAF log redaction names written in canonical case (header names are case-insensitive)", apply: (p) => (p.inputs("cdn-waf-logging").redactedFields = [{ singleHeader: { name: "Authorization" } }, { singleHeader: { name: "Cookie" } }, { singleHeader: { name: "X-Api-Key" } }]) },
  { title: "WAF blocks User-Agents containing sqlmap ahead of the other rules", apply: (p) => firstWafRule(p, { name: "block-sqlmap", action: { block: {} }, statement: { byteMatchStatement: { fieldToMatch: { singleHeader: { name: "user-agent" } }, positionalConstraint: "CONTAINS", searchString: "sqlmap", textTransformations: [{ priority: 0, type: "LOWERCASE" }] } } }) },
  { title: "WAF blocks requests from one sanctioned country", apply: (p) => firstWafRule(p, { name: "block-kp", priority: 5, action: { block: {} }, statement: { geoMatchStatement: { countryCodes: ["KP"] } } }) },
  { title: "CloudFront log prefix renamed", apply: (p) => (dist(p).loggingConfig.prefix = "cf/") },
  { title: "origin shield in us-east-1 on the ALB origin", apply: (p) => (dist(p).origins[0].originShield = { enabled: true, originShieldRegion: "us-east-1" }) },
  { title: "viewer-address origin request policy forwards all query strings (already in the HTML cache key)", apply: (p) => (p.inputs("cdn-viewer-address", ORIGIN_REQUEST_POLICY).queryStringsConfig = { queryStringBehavior: "all" }) },
  { title: "CloudFront geo restriction blocks one sanctioned country", apply: (p) => (dist(p).restrictions.geoRestriction = { restrictionType: "blacklist", locations: ["KP"] }) },
  { title: "ALB HTTPS listener on the TLS 1.3-only policy", apply: (p) => (p.inputs("alb-https", LISTENER).sslPolicy = "ELBSecurityPolicy-TLS13-1-3-2021-06") },
  { title: "NLB TLS listener on the restricted TLS 1.3/1.2 policy", apply: (p) => (p.inputs("nlb-tls", LISTENER).sslPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06") },
  { title: "ALB HTTP listener redirects with 302 instead of 301", apply: (p) => (p.inputs("alb-http", LISTENER).defaultActions[0].redirect.statusCode = "HTTP_302") },
  { title: "ALB access log prefix renamed", apply: (p) => (p.inputs("alb-lb").accessLogs.prefix = "alb-prod") },
  { title: "a DMARC record that rejects unauthenticated mail", apply: (p) => add(p, RECORD, "dns-dmarc", "dns", { zoneId: zoneId(p), name: "_dmarc.edgestack.example.com", type: "TXT", ttl: 300, records: ["v=DMARC1; p=reject; adkim=s; aspf=s"] }) },
  { title: "CAA gains an iodef reporting address", apply: (p) => p.inputs("dns-apex-caa").records.push('0 iodef "mailto:security@edgestack.example.com"') },
  { title: "CloudFront certificate on an ECDSA P-256 key", apply: (p) => (p.inputs("cdn-certificate-cert").keyAlgorithm = "EC_prime256v1") },
  { title: "site health check every 10 s (fast)", apply: (p) => (p.inputs("dns-health-site").requestInterval = 10) },
  { title: "edge health check fails over after 5 failures", apply: (p) => (p.inputs("dns-health-edge").failureThreshold = 5) },
  { title: "CAA at edge allowing Amazon, no wildcards (issuewild ;)", apply: (p) => add(p, RECORD, "dns-edge-caa", "dns", { zoneId: zoneId(p), name: "edge.edgestack.example.com", type: "CAA", ttl: 300, records: ['0 issue "amazon.com"', '0 issuewild ";"'] }) },
  { title: "SPF that lets Amazon SES send and fails the rest", apply: (p) => (p.inputs("dns-apex-txt").records[0] = "v=spf1 include:amazonses.com -all") },
  { title: "WAF rate rule over 600 s at twice the limit (the same rate per 5 minutes)", apply: (p) => { const r = wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement; r.evaluationWindowSec = 600; r.limit = 10000; } },
  { title: "flow log custom format with every field the default has and the TCP flags", apply: (p) => (p.inputs("network-flow-log").logFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${tcp-flags}") },
  { title: "private subnets assign IPv6 addresses on creation (the egress-only gateway keeps them unreachable)", apply: (p) => [0, 1, 2].forEach((i) => (p.inputs(`network-private-${i}`, SUBNET).assignIpv6AddressOnCreation = true)) },
];
