/**
 * Round 9 of the red team, the promises our documentation makes (README.md and docs/*.md except docs/policies.md and
 * the decision records) about what the DEPLOYED prod stack does: insecure or promise-breaking changes of the prod plan
 * written blind (before reading any rule), none repeating earlier rounds' titles, each naming the resource a mandatory
 * rule must report, and harmless changes the documentation allows.
 *
 * The promises, as the documentation states them (page in brackets):
 *  1. Origin lock: the ALB admits 443 only from CloudFront's origin-facing prefix list, port 80 closed, default action a
 *     fixed 403, forwarding only with the stack's random X-Origin-Verify secret (a Pulumi secret) [edge].
 *  2. Only the NLB's security group is open to the world; the load balancers send only to nginx's NodePorts, which the
 *     nodes open to the load balancers' security groups only, never to a CIDR [edge, traffic].
 *  3. TLS on every hop: viewer TLS >= TLSv1.2_2021 and redirect-to-https; CloudFront -> ALB HTTPS only; ALB -> nginx
 *     HTTPS with TLS 1.2/1.3 forward-secret AEAD suites and a per-stack RSA-2048 certificate valid a year, renewed in
 *     its last 30 days; NLB TLS 443 with the TLS 1.3 policy, PROXY v2 to nginx; the app -> Redis TLS + AUTH [edge, app].
 *  4. The viewer-address chain: CloudFront's viewer-request function overwrites X-Viewer-Address with the viewer's IP on
 *     every behaviour that reaches the ALB; the origin request policy forwards it; nginx's ALB listener takes the client
 *     from it (real_ip, VPC peers only, not recursive), PROXY listeners from the PROXY header (trusted senders only);
 *     every per-address limit keyed on that address; nginx hands the app exactly $remote_addr; the app believes
 *     X-Forwarded-For only from TRUST_PROXY_CIDRS (the VPC) [nginx, edge, app].
 *  5. Target health: /health answers 200 during a Redis outage and 503 only while draining; a dependency outage never
 *     fails target checks; what fails them is a node or nginx that reaches no app pod; /health has short timeouts and
 *     no limits; nginx's passive checks never count 503 [edge, nginx].
 *  6. Timeouts, one chain: CloudFront keep-alive < ALB idle < nginx client keep-alive; nginx upstream keep-alive < app
 *     keep-alive < app headers timeout; deregistration <= app shutdown delay < grace; SHUTDOWN_TIMEOUT = grace - 0.5 s;
 *     nginx's preStop pause then worker_shutdown_timeout = min(shutdown delay, grace - pause - 1) [cluster].
 *  7. Rollouts and disruption: both Deployments surge before removing (maxUnavailable 0), zone spread hard, PDB allowing
 *     one disruption, the HPA owns the app's replicas (ignoreChanges spec.replicas) [cluster].
 *  8. Readiness independent of dependencies: app readiness /readyz (drain only), liveness /livez; nginx probes on its
 *     status port, its readiness never follows the app; the headless Service resolves ready pods only [cluster, nginx].
 *  9. HPA on CPU utilisation of the pods' requests from metrics.k8s.io, served by the metrics-server add-on [cluster].
 * 10. Prod-only: NAT per AZ over three zones, multi-AZ cache with failover, one node group per zone in its own private
 *     subnet, deletion protection, access logs, `protect` on stateful resources, retained static assets, expiring but
 *     kept logs, 14-day container logs [configuration, cluster, caching, observability].
 * 11. Secrets as secrets: the Redis URL and API key digests only as mounted Secret files, the config digest rolling the
 *     pods on a rotation; the ALB-hop key only in nginx's Secret [app, cluster].
 * 12. Isolation: cache 6379 only from the node security group; NetworkPolicies default-deny, DNS only to kube-dns in
 *     kube-system [cluster].
 * 13. nginx's hostile-client behaviour: an unknown Host gets 421 from each port's default_server, server_tokens off,
 *     PROXY listeners answer only their trusted senders [nginx].
 * 14. CloudFront answers: 5xx cached 5 s; the WAF's per-IP rate rule at wafRateLimitPer5Minutes [edge].
 * 15. DNS failover: health checks on the distribution's and the NLB's own names (never the failing-over names), on a
 *     path CloudFront forwards to the app uncached; the secondary serves HTTPS (HSTS preload) [edge].
 * 16. Alert topics encrypted, their policies and key admit the AWS services for this account only [observability].
 *
 * Blind first run: 54 caught, 1 on another resource, 25 missed of 80; 0 of 19 harmless flagged. After the fixes: 78 of 78
 * blind cases (below) and 23 of 23 variants caught on the right resource, 0 of 27 harmless reported; one blind case is
 * open (round9rt9docOpen, at the end, with why).
 *
 * Corrected after reading the code:
 * - "zone b's NAT gateway placed in zone a's public subnet": re-targeted to the private route table (network-private-rt-1),
 *   which vpc-nat-per-az-prod reports: the table is what sends zone b's traffic to a NAT in another zone.
 * - "CloudFront log bucket / EKS cluster no longer protected": the blind mutation dropped the option but left the plan's
 *   second copy of protect (plans record it at the top too), so the plan still said protected; it now drops both, and
 *   stateful-deletion-protection-prod reports them.
 * - "WAF rate rule counted over an hour": not deployable (WAF takes 60-600 s windows); replaced by a 10-minute window at
 *   30,000, which the pack read as 15,000 per 5 minutes (a client may send all 30,000 inside 5).
 * Dropped as not a broken promise: "HPA scale-down 100% every 15 s, no stabilisation" (Kubernetes' own default policy
 * allows 100% per 15 s; the docs promise nothing about scale-down, and minReplicas still holds three pods).
 */
import type { Mutation, Plan } from "./mutations";
import { ctr, DEPLOYMENT, env, HPA, k8s, location, PDB, pod, SERVICE } from "./corpus-k8s";
import { add, dist, editDoc, Harmless, LISTENER, SG_IN, TG, wafRule } from "./corpus-aws";
import { all, editConf } from "./round5-rt-k8s";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SUBNET = "aws:ec2/subnet:Subnet";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const NETPOL_T = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const ALB_TLS_SERVER = "listen 0.0.0.0:8080 ssl;";

/** Sets a resource option off (the plan lists only non-default options). */
const dropOption = (p: Plan, name: string, type: string, option: "ignoreChanges" | "retainOnDelete" | "protect") => {
  const r = p.get(name, type) as unknown as { options: Record<string, unknown>; protect?: true };
  if (!(option in r.options)) throw new Error(`${name} has no ${option}`);
  delete r.options[option];
  // The plan records protect twice (as an option and at the top, for older plans): a program without it has neither.
  if (option === "protect") delete r.protect;
};

export const round9DocMutations: Mutation[] = [
  // ── 4. The viewer-address chain ──
  { area: "viewer chain", title: "viewer-address function sets the header for IPv4 viewers only (an IPv6 viewer's own value passes)", expect: "cdn-viewer-address", apply: (p) => {
    p.inputs("cdn-viewer-address", "aws:cloudfront/function:Function").code = [
      "function handler(event) {",
      "  var request = event.request;",
      "  // IPv4 viewers: the app groups IPv6 clients by /64 itself.",
      "  if (event.viewer.ip.indexOf(':') === -1) {",
      '    request.headers["x-viewer-address"] = { value: event.viewer.ip };',
      "  }",
      "  return request;",
      "}",
      "",
    ].join("\n");
  } },
  { area: "viewer chain", title: "nginx per-client request zone keyed on the X-Viewer-Address header itself (PROXY-listener clients write it or omit it)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_req_zone $edge_client zone=per_ip_requests", "limit_req_zone $http_x_viewer_address zone=per_ip_requests")) },
  { area: "viewer chain", title: "ALB listener takes the client from proxy_protocol (the ALB sends none: every viewer is one node address)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("real_ip_header X-Viewer-Address;", "real_ip_header proxy_protocol;")) },
  { area: "viewer chain", title: "app believes X-Forwarded-For from any IPv6 peer (::/0 appended to TRUST_PROXY_CIDRS)", expect: "workloads-app", apply: (p) => { env(p, "workloads-app", "TRUST_PROXY_CIDRS", "10.20.0.0/16,::/0"); } },
  { area: "viewer chain", title: "origin name aliased to the NLB (CloudFront's requests arrive by PROXY protocol keyed on its edge addresses)", expect: "dns-origin-a", apply: (p) => {
    p.inputs("dns-origin-a").aliases = [{ evaluateTargetHealth: true, name: "dualstack.nlb-lb-ae5b90ea.elb.amazonaws.com", zoneId: "Z26RNL4JYFTOTI" }];
  } },
  { area: "viewer chain", title: "/api/* sent to a second origin at edge.<domain> (the NLB path: no origin lock, viewers keyed on CloudFront's edges)", expect: "cdn-distribution", apply: (p) => {
    const d = dist(p);
    const alb = d.origins.find((o: { originId: string }) => o.originId === "alb-origin");
    d.origins.push({ ...JSON.parse(JSON.stringify(alb)), originId: "edge-nlb", domainName: "edge.edgestack.example.com", customHeaders: [] });
    d.orderedCacheBehaviors.find((b: { pathPattern: string }) => b.pathPattern === "/api/*").targetOriginId = "edge-nlb";
  } },

  // ── 1. Origin lock ──
  { area: "origin lock", title: "origin-lock secret shortened to 8 characters of digits only", expect: "origin-lock-secret", apply: (p) => { Object.assign(p.inputs("origin-lock-secret"), { length: 8, lower: false, upper: false, special: false, numeric: true }); } },

  // ── 2. Security groups around the NodePorts and the cache ──
  { area: "security groups", title: "nginx's ALB NodePort opened on the nodes to the VPC's range instead of the ALB's group (any VPC host forges X-Viewer-Address past the origin lock)", expect: "lb-targets-alb-30080", apply: (p) => {
    const r = p.inputs("lb-targets-alb-30080", SG_IN);
    delete r.referencedSecurityGroupId;
    r.cidrIpv4 = "10.20.0.0/16";
  } },
  { area: "security groups", title: "CI runner's group may reach nginx's ALB NodePort directly (new node ingress and runner egress)", expect: "lb-targets-ci-runner-30080", apply: (p) => {
    add(p, SG_IN, "lb-targets-ci-runner-30080", "lb-targets", { description: "smoke tests from the CI runner", fromPort: 30080, toPort: 30080, ipProtocol: "tcp", referencedSecurityGroupId: p.id("ci-runner-sg", SG), securityGroupId: p.id("cluster-node-sg", SG) });
    add(p, SG_OUT, "ci-runner-to-nginx", "ci-runner", { description: "smoke tests", fromPort: 30080, toPort: 30080, ipProtocol: "tcp", referencedSecurityGroupId: p.id("cluster-node-sg", SG), securityGroupId: p.id("ci-runner-sg", SG) });
  } },
  { area: "security groups", title: "Redis reachable from the CI runner's group (migration job) besides the nodes", expect: "cache-from-ci-runner", apply: (p) => {
    add(p, SG_IN, "cache-from-ci-runner", "cache", { description: "Redis/TLS from the CI runner (data migration)", fromPort: 6379, toPort: 6379, ipProtocol: "tcp", referencedSecurityGroupId: p.id("ci-runner-sg", SG), securityGroupId: p.id("cache-sg", SG) });
    add(p, SG_OUT, "ci-runner-to-cache", "ci-runner", { description: "Redis", fromPort: 6379, toPort: 6379, ipProtocol: "tcp", referencedSecurityGroupId: p.id("cache-sg", SG), securityGroupId: p.id("ci-runner-sg", SG) });
  } },

  // ── 3. TLS on every hop ──
  { area: "tls", title: "nginx's ALB-hop listener also speaks TLS 1.0 and 1.1", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;")) },
  { area: "tls", title: "NLB TLS listener on the 2015 policy that admits TLS 1.0", expect: "nlb-tls", apply: (p) => { p.inputs("nlb-tls", LISTENER).sslPolicy = "ELBSecurityPolicy-TLS-1-0-2015-04"; } },
  { area: "tls", title: "NLB 443 listener passes TCP through (clients speak plain HTTP on port 443 to nginx's PROXY port)", expect: "nlb-tls", apply: (p) => {
    const l = p.inputs("nlb-tls", LISTENER);
    l.protocol = "TCP";
    delete l.certificateArn;
    delete l.sslPolicy;
  } },
  { area: "tls", title: "ALB-hop certificate valid ten years and never renewed early", expect: "workloads-nginx-alb-tls-cert", apply: (p) => { Object.assign(p.inputs("workloads-nginx-alb-tls-cert"), { validityPeriodHours: 87600, earlyRenewalHours: 0 }); } },
  { area: "tls", title: "ALB-hop private key RSA 1024", expect: "workloads-nginx-alb-tls-key", apply: (p) => { p.inputs("workloads-nginx-alb-tls-key").rsaBits = 1024; } },
  { area: "tls", title: "ALB-hop key generated as ECDSA P-224", expect: "workloads-nginx-alb-tls-key", apply: (p) => { Object.assign(p.inputs("workloads-nginx-alb-tls-key"), { algorithm: "ECDSA", ecdsaCurve: "P224" }); delete p.inputs("workloads-nginx-alb-tls-key").rsaBits; } },
  { area: "tls", title: "NLB port 80 forwards to the PROXY https target group (plain HTTP served as https, no redirect)", expect: "nlb-tcp-80", apply: (p) => {
    p.inputs("nlb-tcp-80", LISTENER).defaultActions[0].targetGroupArn = p.inputs("nlb-tls", LISTENER).defaultActions[0].targetGroupArn;
  } },
  { area: "tls", title: "cache AUTH token shortened to 12 characters", expect: "cache-auth-token", apply: (p) => { Object.assign(p.inputs("cache-auth-token"), { length: 12, minLower: 0, minNumeric: 0, minUpper: 0 }); } },

  // ── 5. Target health ──
  { area: "target health", title: "NLB TLS target group checks only that the PROXY port accepts TCP (an nginx that reaches no app pod stays in)", expect: "nlb-tls", apply: (p) => {
    p.inputs("nlb-tls", TG).healthCheck = { enabled: true, protocol: "TCP", port: "traffic-port", healthyThreshold: 2, unhealthyThreshold: 2, interval: 15, timeout: 5 };
  } },
  { area: "target health", title: "/health rate-limited at 6 requests a minute per address (the load balancers' checks get 429)", expect: "workloads-nginx-conf", apply: (p) =>
    editConf(p, (c) => location("= /health", (b) => b.replace("            recursive_error_pages on;\n", "            limit_req zone=health_probe;\n            recursive_error_pages on;\n"))(all("    limit_req_status 429;\n", "    limit_req_zone $edge_client zone=health_probe:1m rate=6r/m;\n    limit_req_status 429;\n")(c))) },
  { area: "target health", title: "nginx's passive checks count the app's 503s (a fail-closed limiter marks every pod down)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => all("proxy_next_upstream error http_502 http_504;", "proxy_next_upstream error http_502 http_503 http_504;")(all("proxy_next_upstream error timeout http_502 http_504;", "proxy_next_upstream error timeout http_502 http_503 http_504;")(c))) },
  { area: "target health", title: "/health waits 30 s for the app (beyond the target groups' 5 s check timeout: a hung pod fails the node)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, location("= /health", (b) => b.replace("proxy_read_timeout 5s;", "proxy_read_timeout 30s;").replace("proxy_connect_timeout 5s;", "proxy_connect_timeout 30s;"))) },

  // ── 6. Timeouts and grace periods ──
  { area: "timeouts", title: "CloudFront origin keep-alive equal to the ALB's idle timeout (60 = 60: the tie races)", expect: "cdn-distribution", apply: (p) => { dist(p).origins[0].customOriginConfig.originKeepaliveTimeout = 60; } },
  { area: "timeouts", title: "ALB idle timeout equal to nginx's client keep-alive (75 = 75)", expect: "alb-lb", apply: (p) => { p.inputs("alb-lb").idleTimeout = 75; } },
  { area: "timeouts", title: "app keep-alive equal to nginx's upstream keep-alive (60 s both)", expect: "workloads-app", apply: (p) => { env(p, "workloads-app", "KEEPALIVE_TIMEOUT_MS", "60000"); env(p, "workloads-app", "HEADERS_TIMEOUT_MS", "61000"); } },
  { area: "timeouts", title: "app headers timeout equal to its keep-alive (65 s both)", expect: "workloads-app", apply: (p) => { env(p, "workloads-app", "HEADERS_TIMEOUT_MS", "65000"); } },
  { area: "timeouts", title: "NLB TLS target group deregistration 300 s (AWS's default) beyond the app's 20 s shutdown delay", expect: "nlb-tls", apply: (p) => { p.inputs("nlb-tls", TG).deregistrationDelay = 300; } },
  { area: "timeouts", title: "app shutdown hard limit equal to the grace period (SIGKILL races the clean exit)", expect: "workloads-app", apply: (p) => { env(p, "workloads-app", "SHUTDOWN_TIMEOUT_MS", "45000"); } },
  { area: "timeouts", title: "nginx worker shutdown 40 s leaves no second to exit after the 5 s pause in a 45 s grace", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("worker_shutdown_timeout 20s;", "worker_shutdown_timeout 40s;")) },
  { area: "timeouts", title: "nginx re-resolves the app pods every 5 minutes (a draining pod stays an upstream long after its 20 s delay)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("resolver 172.20.0.10 valid=1s ipv6=off;", "resolver 172.20.0.10 valid=300s ipv6=off;")) },
  { area: "timeouts", title: "app grace period 30 s while nginx keeps 45 s and the app's shutdown deadline stays 44.5 s", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").terminationGracePeriodSeconds = 30; } },
  { area: "timeouts", title: "app WebSocket ping every 15 s while nginx drops a socket silent for 10 s", expect: "workloads-app", apply: (p) => { env(p, "workloads-app", "WS_HEARTBEAT_MS", "15000"); } },

  // ── 7. Rollouts, disruption, replicas ──
  { area: "rollouts", title: "app rollout removes a pod before starting its replacement (maxSurge 0, maxUnavailable 1)", expect: "workloads-app", apply: (p) => { p.inputs("workloads-app", DEPLOYMENT).spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 1 }; } },
  { area: "rollouts", title: "app rollout keeps surge but may also take 50% down", expect: "workloads-app", apply: (p) => { p.inputs("workloads-app", DEPLOYMENT).spec.strategy.rollingUpdate = { maxSurge: 1, maxUnavailable: "50%" }; } },
  { area: "rollouts", title: "nginx PDB created in edgestack-system (it covers no nginx pod)", expect: "workloads-nginx", apply: (p) => { p.inputs("workloads-nginx", PDB).metadata.namespace = "edgestack-system"; } },
  { area: "rollouts", title: "app Deployment no longer ignores spec.replicas (each pulumi up scales a busy app back to 3)", expect: "workloads-app", apply: (p) => dropOption(p, "workloads-app", DEPLOYMENT, "ignoreChanges") },
  { area: "rollouts", title: "zone-3 node group no longer ignores its desired size (each pulumi up drains autoscaled nodes)", expect: "cluster-nodes-zone3", apply: (p) => dropOption(p, "cluster-nodes-zone3", "aws:eks/nodeGroup:NodeGroup", "ignoreChanges") },
  { area: "rollouts", title: "nginx replicas 1 in prod (one pod behind every NodePort)", expect: "workloads-nginx", apply: (p) => { p.inputs("workloads-nginx", DEPLOYMENT).spec.replicas = 1; } },

  // ── 8. Readiness ──
  { area: "readiness", title: "nginx readiness by exec of its own TLS /health (follows the app: an app outage empties every NodePort)", expect: "workloads-nginx", apply: (p) => {
    ctr(p, "workloads-nginx").readinessProbe = { exec: { command: ["wget", "-q", "-O", "/dev/null", "--no-check-certificate", "https://127.0.0.1:8080/health"] }, failureThreshold: 2, periodSeconds: 5, timeoutSeconds: 2 };
  } },
  { area: "readiness", title: "headless app-pods Service publishes not-ready addresses (nginx sends to starting and draining pods)", expect: "workloads-app-pods", apply: (p) => { p.inputs("workloads-app-pods", SERVICE).spec.publishNotReadyAddresses = true; } },
  { area: "readiness", title: "app readiness checks the Redis URL file's host by TCP (a Redis outage empties the Service)", expect: "workloads-app", apply: (p) => {
    ctr(p, "workloads-app").readinessProbe = { exec: { command: ["node", "-e", "const u=new URL(require('fs').readFileSync(process.env.REDIS_URL_FILE,'utf8').trim());require('net').connect(+u.port,u.hostname).on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"] }, failureThreshold: 2, periodSeconds: 2, successThreshold: 1, timeoutSeconds: 1 };
  } },

  // ── 9. The HPA's metrics source ──
  { area: "hpa", title: "HPA on the CPU of a container the app pod does not have (ContainerResource nginx)", expect: "workloads-app", apply: (p) => {
    p.inputs("workloads-app", HPA).spec.metrics = [{ type: "ContainerResource", containerResource: { name: "cpu", container: "nginx", target: { type: "Utilization", averageUtilization: 70 } } }];
  } },
  { area: "hpa", title: "HPA on an Object metric of the app Service (requests per second, no custom metrics adapter)", expect: "workloads-app", apply: (p) => {
    p.inputs("workloads-app", HPA).spec.metrics = [{ type: "Object", object: { describedObject: { apiVersion: "v1", kind: "Service", name: "app" }, metric: { name: "requests_per_second" }, target: { type: "Value", value: "500" } } }];
  } },
  { area: "hpa", title: "app CPU request removed (the HPA's utilisation target has nothing to divide by)", expect: "workloads-app", apply: (p) => { delete ctr(p, "workloads-app").resources.requests.cpu; } },
  { area: "hpa", title: "metrics.k8s.io APIService pointed at a Service in the app namespace, TLS unchecked", expect: "workloads-metrics-apiservice", apply: (p) => {
    k8s(p, "kubernetes:apiregistration.k8s.io/v1:APIService", "workloads-metrics-apiservice", "workloads", {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1beta1.metrics.k8s.io", annotations: { "pulumi.com/patchForce": "true" } },
      spec: { group: "metrics.k8s.io", version: "v1beta1", groupPriorityMinimum: 100, versionPriority: 100, insecureSkipTLSVerify: true, service: { name: "metrics-proxy", namespace: "edgestack", port: 443 } },
    });
  } },

  // ── 10. Prod-only availability and retention ──
  { area: "prod availability", title: "zone b's NAT gateway placed in zone a's public subnet (each route table still has its own NAT)", expect: "network-private-rt-1", apply: (p) => { p.inputs("network-nat-1", "aws:ec2/natGateway:NatGateway").subnetId = p.id("network-public-0", SUBNET); } },
  { area: "prod availability", title: "private subnet of zone b associated with the public route table (nodes there get no NAT, the subnet is public by route)", expect: "network-private-1", apply: (p) => { p.inputs("network-private-1", "aws:ec2/routeTableAssociation:RouteTableAssociation").routeTableId = p.id("network-public-rt"); } },
  { area: "prod availability", title: "cache multi-AZ on, every node placed in us-east-1a", expect: "cache-group", apply: (p) => {
    p.inputs("cache-group").nodeGroupConfigurations = [{ nodeGroupId: "0001", primaryAvailabilityZone: "us-east-1a", replicaAvailabilityZones: ["us-east-1a", "us-east-1a"], replicaCount: 2 }];
  } },
  { area: "prod availability", title: "zone-2 node group placed in zone a's private subnet (two groups in one zone, zone b empty)", expect: "cluster-nodes-zone2", apply: (p) => { p.inputs("cluster-nodes-zone2").subnetIds = [p.id("network-private-0", SUBNET)]; } },
  { area: "prod availability", title: "static bucket expires current objects after 400 days (unchanged assets still in use vanish)", expect: "cdn-static-lifecycle", apply: (p) => { p.inputs("cdn-static-lifecycle").rules[0].expiration = { days: 400 }; } },
  { area: "prod availability", title: "ALB access logs expire after one day", expect: "alb-logs-lifecycle", apply: (p) => { p.inputs("alb-logs-lifecycle").rules[0].expiration.days = 1; } },
  { area: "prod availability", title: "container application logs kept one day", expect: "alerting-container-insights-application", apply: (p) => { p.inputs("alerting-container-insights-application").retentionInDays = 1; } },
  { area: "prod availability", title: "CloudFront log bucket no longer protected in prod", expect: "cdn-logs-bucket", apply: (p) => dropOption(p, "cdn-logs-bucket", "aws:s3/bucket:Bucket", "protect") },
  { area: "prod availability", title: "EKS cluster no longer protected (protect dropped, deletionProtection kept)", expect: "cluster-eks", apply: (p) => dropOption(p, "cluster-eks", "aws:eks/cluster:Cluster", "protect") },
  { area: "prod availability", title: "cache final snapshot name removed while protect stays", expect: "cache-group", apply: (p) => { delete p.inputs("cache-group").finalSnapshotIdentifier; } },
  { area: "prod availability", title: "NLB access logs switched off (bucket kept)", expect: "nlb-lb", apply: (p) => { p.inputs("nlb-lb").accessLogs.enabled = false; } },
  { area: "prod availability", title: "zone c's NAT gateway made private (its route table keeps a NAT, its nodes lose internet egress)", expect: "network-nat-2", apply: (p) => {
    const n = p.inputs("network-nat-2", "aws:ec2/natGateway:NatGateway");
    delete n.allocationId;
    n.connectivityType = "private";
  } },

  // ── 11. Secrets as secrets ──
  { area: "secrets", title: "REDIS_URL_FILE read from a ConfigMap volume holding the URL with its token", expect: "workloads-app-redis-url", apply: (p) => {
    k8s(p, CONFIG_MAP, "workloads-app-redis-url", "workloads", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-redis-url", namespace: "edgestack" }, data: { REDIS_URL: "rediss://:q8ZtV3mN5pK2xW7rL4sJ9dF6gH1cB0aE@clustercfg.edgestack-prod.abc123.use1.cache.amazonaws.com:6379" } });
    const v = pod(p, "workloads-app").volumes.find((x: { name: string }) => x.name === "redis-url");
    delete v.secret;
    v.configMap = { name: "app-redis-url", items: [{ key: "REDIS_URL", path: "REDIS_URL" }] };
  } },
  { area: "secrets", title: "app pod template loses its config digest (a token rotation no longer rolls the pods)", expect: "workloads-app", apply: (p) => {
    const a = p.inputs("workloads-app", DEPLOYMENT).spec.template.metadata.annotations;
    delete a["edgestack.io/config-digest"];
    delete a["edgestack.io/config-sources"];
  } },
  { area: "secrets", title: "exporter sidecar mounts nginx's TLS Secret (a third-party binary reads the ALB hop's private key)", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx", 1).volumeMounts = [{ name: "alb-tls", mountPath: "/etc/exporter/tls", readOnly: true }]; } },
  { area: "secrets", title: "app-redis Secret mounted world-readable (mode 0444)", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").volumes.find((x: { name: string }) => x.name === "redis-url").secret.defaultMode = 292; } },

  // ── 12. Isolation ──
  { area: "isolation", title: "DNS egress to kube-dns-labelled pods of any namespace (a pod labelled k8s-app=kube-dns receives the queries)", expect: "workloads-netpol-dns", apply: (p) => { p.inputs("workloads-netpol-dns", NETPOL_T).spec.egress[0].to[0].namespaceSelector = {}; } },
  { area: "isolation", title: "DNS egress allowed to the node-local resolver range 169.254.0.0/16 besides kube-dns (instance metadata on any port 53 peer)", expect: "workloads-netpol-dns", apply: (p) => { p.inputs("workloads-netpol-dns", NETPOL_T).spec.egress[0].to.push({ ipBlock: { cidr: "169.254.0.0/16" } }); } },
  { area: "isolation", title: "app egress to the whole VPC on 6379 and 443 (Redis rule widened for a new dependency)", expect: "workloads-netpol-app-to-redis", apply: (p) => {
    p.inputs("workloads-netpol-app-to-redis", NETPOL_T).spec.egress = [{ ports: [{ port: 6379, protocol: "TCP" }, { port: 443, protocol: "TCP" }], to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }] }];
  } },

  // ── 13. nginx's hostile-client behaviour ──
  { area: "nginx", title: "ALB listener's catch-all loses default_server (unknown Host values reach the app)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("listen 0.0.0.0:8080 ssl default_server;", "listen 0.0.0.0:8080 ssl;")) },
  { area: "nginx", title: "PROXY TLS listener answers any sender (geo default trusted)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("geo $realip_remote_addr $edge_untrusted_peer_nlb_tls {\n        default 1;", "geo $realip_remote_addr $edge_untrusted_peer_nlb_tls {\n        default 0;")) },
  { area: "nginx", title: "nginx announces its version (server_tokens on)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("    server_tokens off;", "    server_tokens on;")) },
  { area: "nginx", title: "ALB listener's per-client connection limit removed from /api/ (limit_conn dropped)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => {
    const start = c.indexOf(ALB_TLS_SERVER);
    const api = c.indexOf("        location /api/ {", start);
    return c.slice(0, api) + c.slice(api).replace("            limit_conn per_ip_connections 100;\n", "");
  }) },

  // ── 14. CloudFront answers and the WAF ──
  { area: "cloudfront", title: "503 answers cached for 5 minutes (a fail-closed blip becomes a 5-minute outage)", expect: "cdn-distribution", apply: (p) => { dist(p).customErrorResponses.find((e: { errorCode: number }) => e.errorCode === 503).errorCachingMinTtl = 300; } },
  { area: "cloudfront", title: "WAF rate rule over a 10-minute window at 30,000 (a client may spend it all within 5 minutes)", expect: "cdn-waf-acl", apply: (p) => { Object.assign(wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement, { evaluationWindowSec: 600, limit: 30_000 }); } },
  { area: "cloudfront", title: "WAF rate limit raised to two million per client", expect: "cdn-waf-acl", apply: (p) => { wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.limit = 2_000_000; } },
  { area: "cloudfront", title: "/ws behaviour accepts plain HTTP from viewers (allow-all)", expect: "cdn-distribution", apply: (p) => { dist(p).orderedCacheBehaviors.find((b: { pathPattern: string }) => b.pathPattern === "/ws").viewerProtocolPolicy = "allow-all"; } },

  // ── 15. DNS failover ──
  { area: "dns failover", title: "edge health check follows edge.<domain> (fails over, then finds the secondary healthy)", expect: "dns-health-edge", apply: (p) => { p.inputs("dns-health-edge").fqdn = "edge.edgestack.example.com"; } },
  { area: "dns failover", title: "site health check on a static asset (CloudFront answers from S3 while the origin is down)", expect: "dns-health-site", apply: (p) => { p.inputs("dns-health-site").resourcePath = "/static/edgestack-v1.31a222a88c7e.svg"; } },
  { area: "dns failover", title: "apex SECONDARY aliases an S3 website endpoint (plain HTTP under an HSTS-preloaded name)", expect: "dns-apex-a-secondary", apply: (p) => { p.inputs("dns-apex-a-secondary").aliases = [{ evaluateTargetHealth: false, name: "s3-website-us-east-1.amazonaws.com", zoneId: "Z3AQBSTGFYJSTF" }]; } },
  { area: "dns failover", title: "site health check over HTTP on port 80 (CloudFront redirects: 301 counts as healthy)", expect: "dns-health-site", apply: (p) => { Object.assign(p.inputs("dns-health-site"), { type: "HTTP", port: 80 }); delete p.inputs("dns-health-site").enableSni; } },

  // ── 16. Alert topics ──
  { area: "alerts", title: "page topic lets CloudWatch alarms of any account publish (SourceAccount dropped, SourceArn any account)", expect: "alerting-topics-page", apply: (p) =>
    editDoc(p, "alerting-topics-page", "aws:sns/topicPolicy:TopicPolicy", "policy", (d) => {
      const s = d.Statement.find((x: { Sid: string }) => x.Sid === "Publishcloudwatch");
      s.Condition = { ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:*:alarm:*" } };
    }) },
  { area: "alerts", title: "alert topics' key lets CloudWatch and AMP of any account use it (condition dropped)", expect: "alerting-topics-key", apply: (p) =>
    editDoc(p, "alerting-topics-key", "aws:kms/key:Key", "policy", (d) => { delete d.Statement.find((x: { Sid: string }) => x.Sid === "AlertPublishersEncrypt").Condition; }) },
];

/**
 * Written after the fixes: further spellings of each class the blind run exposed (whose group a source is; what a
 * health-checked path may do; the app's deliberate answers; the catch-all server; unconditional assignment; where a
 * CloudFront origin lands; what a plain listener fronts; the WebSocket heartbeat; a WAF window; pinned zones; the
 * failover secondary; counts an autoscaler owns; configuration that rolls pods; a Secret's containers; errors cached).
 */
export const round9DocVariants: Mutation[] = [
  { area: "security groups", title: "EC2-style rule lets the Prometheus scraper's group reach nginx's PROXY NodePorts", expect: "lb-targets-scraper-proxy", apply: (p) => {
    add(p, "aws:ec2/securityGroupRule:SecurityGroupRule", "lb-targets-scraper-proxy", "lb-targets", { type: "ingress", description: "scrape through the NodePorts", fromPort: 30080, toPort: 30082, protocol: "tcp", sourceSecurityGroupId: p.id("alerting-prometheus-scraper", SG), securityGroupId: p.id("cluster-node-sg", SG) });
  } },
  { area: "security groups", title: "Redis admits the ALB's security group (an EC2-style rule)", expect: "cache-from-alb", apply: (p) => {
    add(p, "aws:ec2/securityGroupRule:SecurityGroupRule", "cache-from-alb", "cache", { type: "ingress", description: "Redis from the ALB", fromPort: 6379, toPort: 6379, protocol: "tcp", sourceSecurityGroupId: p.id("alb-sg", SG), securityGroupId: p.id("cache-sg", SG) });
  } },
  { area: "target health", title: "ALB server-level limit_req (it covers /health too)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace("        set_real_ip_from 10.20.0.0/16;\n        real_ip_header X-Viewer-Address;\n", "        set_real_ip_from 10.20.0.0/16;\n        real_ip_header X-Viewer-Address;\n        limit_req zone=per_ip_requests burst=20;\n")) },
  { area: "target health", title: "/health loses its own read timeout (nginx's 60 s default applies)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, location("= /health", (b) => b.replace("            proxy_read_timeout 5s;\n", ""))) },
  { area: "target health", title: "nginx's passive checks count the app's 429s", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_next_upstream error http_502 http_504;", "proxy_next_upstream error http_502 http_504 http_429;")) },
  { area: "target health", title: "NLB TLS target group's health check protocol dropped (TCP by default)", expect: "nlb-tls", apply: (p) => {
    const hc = p.inputs("nlb-tls", TG).healthCheck;
    delete hc.protocol;
    delete hc.path;
    delete hc.matcher;
  } },
  { area: "nginx", title: "PROXY TLS port's catch-all loses default_server", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("listen 0.0.0.0:8443 proxy_protocol default_server;", "listen 0.0.0.0:8443 proxy_protocol;")) },
  { area: "viewer chain", title: "viewer-address function sets the header only for requests without an Authorization header", expect: "cdn-viewer-address", apply: (p) => {
    p.inputs("cdn-viewer-address", "aws:cloudfront/function:Function").code = [
      "function handler(event) {",
      "  var request = event.request;",
      "  // Signed API clients are keyed on their key, not their address.",
      "  if (request.headers.authorization) {",
      "    return request;",
      "  }",
      '  request.headers["x-viewer-address"] = { value: event.viewer.ip };',
      "  return request;",
      "}",
      "",
    ].join("\n");
  } },
  { area: "viewer chain", title: "origin's AAAA record aliased to the NLB (IPv6 origin connections skip the origin lock)", expect: "dns-origin-aaaa", apply: (p) => {
    p.inputs("dns-origin-aaaa").aliases = [{ evaluateTargetHealth: true, name: "dualstack.nlb-lb-ae5b90ea.elb.amazonaws.com", zoneId: "Z26RNL4JYFTOTI" }];
  } },
  { area: "tls", title: "new NLB TCP listener on 8443 in front of the PROXY https target group", expect: "nlb-tcp-8443", apply: (p) => {
    const l = p.inputs("nlb-tcp-80", LISTENER);
    add(p, LISTENER, "nlb-tcp-8443", "nlb", { loadBalancerArn: l.loadBalancerArn, port: 8443, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: p.inputs("nlb-tls", LISTENER).defaultActions[0].targetGroupArn }] });
  } },
  { area: "timeouts", title: "nginx's WebSocket read timeout 3 s below the app's 3.3 s ping", expect: "workloads-app", apply: (p) => editConf(p, location("= /ws", (b) => b.replace("proxy_read_timeout 10s;", "proxy_read_timeout 3s;"))) },
  { area: "cloudfront", title: "WAF rate rule over 10 minutes at 24,000 (within the cap only if averaged)", expect: "cdn-waf-acl", apply: (p) => { Object.assign(wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement, { evaluationWindowSec: 600, limit: 24_000 }); } },
  { area: "cloudfront", title: "504 answered with a 200 maintenance page", expect: "cdn-distribution", apply: (p) => { dist(p).customErrorResponses.find((e: { errorCode: number }) => e.errorCode === 504).responseCode = "200"; dist(p).customErrorResponses.find((e: { errorCode: number }) => e.errorCode === 504).responsePagePath = "/static/edgestack-v1.31a222a88c7e.svg"; } },
  { area: "prod availability", title: "two cache shards, each pinned whole to one zone", expect: "cache-group", apply: (p) => {
    Object.assign(p.inputs("cache-group"), { numNodeGroups: 2, nodeGroupConfigurations: [
      { nodeGroupId: "0001", primaryAvailabilityZone: "us-east-1a", replicaAvailabilityZones: ["us-east-1a", "us-east-1a"], replicaCount: 2 },
      { nodeGroupId: "0002", primaryAvailabilityZone: "us-east-1b", replicaAvailabilityZones: ["us-east-1b", "us-east-1b"], replicaCount: 2 },
    ] });
  } },
  { area: "dns failover", title: "edge SECONDARY aliases an S3 website endpoint in another region", expect: "dns-edge-a-secondary", apply: (p) => { p.inputs("dns-edge-a-secondary").aliases = [{ evaluateTargetHealth: false, name: "s3-website-us-west-2.amazonaws.com", zoneId: "Z3BJ6K6RIION7M" }]; } },
  { area: "rollouts", title: "app Deployment ignores its annotations instead of spec.replicas", expect: "workloads-app", apply: (p) => { (p.get("workloads-app", DEPLOYMENT) as unknown as { options: Record<string, unknown> }).options.ignoreChanges = ["metadata.annotations"]; } },
  { area: "rollouts", title: "zone-1 node group ignores minSize instead of its desired size", expect: "cluster-nodes-zone1", apply: (p) => { (p.get("cluster-nodes-zone1", "aws:eks/nodeGroup:NodeGroup") as unknown as { options: Record<string, unknown> }).options.ignoreChanges = ["scalingConfig.minSize"]; } },
  { area: "hpa", title: "HPA ContainerResource names the app container with a typo", expect: "workloads-app", apply: (p) => {
    p.inputs("workloads-app", HPA).spec.metrics = [{ type: "ContainerResource", containerResource: { name: "cpu", container: "ap", target: { type: "Utilization", averageUtilization: 70 } } }];
  } },
  { area: "secrets", title: "nginx pod template loses both digests (the TLS Secret's renewal reaches no pod)", expect: "workloads-nginx", apply: (p) => {
    const a = p.inputs("workloads-nginx", DEPLOYMENT).spec.template.metadata.annotations;
    delete a["edgestack.io/config-digest"];
    delete a["edgestack.io/nginx-conf-sha256"];
  } },
  { area: "secrets", title: "a native log-shipper sidecar mounts the app's Redis URL Secret", expect: "workloads-app", apply: (p) => {
    const app = ctr(p, "workloads-app");
    pod(p, "workloads-app").initContainers = [{ name: "log-shipper", image: app.image, restartPolicy: "Always", command: ["node", "dist/ship.js"], securityContext: app.securityContext, resources: { limits: { cpu: "100m", memory: "64Mi" }, requests: { cpu: "10m", memory: "32Mi" } }, volumeMounts: [{ name: "redis-url", mountPath: "/var/run/secrets/edgestack/redis", readOnly: true }] }];
  } },
  { area: "viewer chain", title: "origin name becomes a CNAME to edge.<domain> (followed, it lands on the NLB)", expect: "dns-origin-cname", apply: (p) => {
    p.remove("dns-origin-a");
    p.remove("dns-origin-aaaa");
    add(p, "aws:route53/record:Record", "dns-origin-cname", "dns", { name: "origin.edgestack.example.com", type: "CNAME", ttl: 300, records: ["edge.edgestack.example.com"], zoneId: p.inputs("dns-www-cname").zoneId });
  } },
  { area: "secrets", title: "a StatefulSet worker reads the Redis URL Secret without a digest", expect: "workloads-queue", apply: (p) => {
    const app = JSON.parse(JSON.stringify(p.inputs("workloads-app", DEPLOYMENT)));
    const labels = { "app.kubernetes.io/name": "queue", "app.kubernetes.io/part-of": "edgestack" };
    app.kind = "StatefulSet";
    app.metadata = { name: "queue", namespace: "edgestack", labels };
    app.spec = { serviceName: "queue", replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: app.spec.template.spec } };
    for (const c of app.spec.template.spec.topologySpreadConstraints) c.labelSelector = { matchLabels: labels };
    k8s(p, "kubernetes:apps/v1:StatefulSet", "workloads-queue", "workloads", app);
  } },
  { area: "timeouts", title: "app's WebSocket ping setting dropped (its 30 s default outlasts nginx's 10 s read timeout)", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").env = ctr(p, "workloads-app").env.filter((e: { name: string }) => e.name !== "WS_HEARTBEAT_MS"); } },
];

export const round9DocVariantsHarmless: Harmless[] = [
  { title: "5xx answers cached 10 s (CloudFront's own default)", apply: (p) => { for (const e of dist(p).customErrorResponses) if (e.errorCode >= 500) e.errorCachingMinTtl = 10; } },
  { title: "/health waits at most 3 s for the app", apply: (p) => editConf(p, location("= /health", (b) => b.replace("proxy_read_timeout 5s;", "proxy_read_timeout 3s;"))) },
  { title: "app Deployment also ignores annotation drift", apply: (p) => { (p.get("workloads-app", DEPLOYMENT) as unknown as { options: Record<string, unknown> }).options.ignoreChanges = ["spec.replicas", "metadata.annotations"]; } },
  { title: "WAF rate rule over 10 minutes at 4,000", apply: (p) => { Object.assign(wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement, { evaluationWindowSec: 600, limit: 4000 }); } },
  { title: "Redis from the nodes written as an EC2-style rule", apply: (p) => {
    p.remove("cache-from-nodes", SG_IN);
    add(p, "aws:ec2/securityGroupRule:SecurityGroupRule", "cache-from-nodes", "cache", { type: "ingress", description: "Redis/TLS from the Kubernetes worker nodes", fromPort: 6379, toPort: 6379, protocol: "tcp", sourceSecurityGroupId: p.id("cluster-node-sg", SG), securityGroupId: p.id("cache-sg", SG) });
  } },
  { title: "app WebSocket ping every 2 s", apply: (p) => { env(p, "workloads-app", "WS_HEARTBEAT_MS", "2000"); } },
  { title: "/health on the NLB's PROXY TLS listener rate-limited (the target groups check the ALB listener's port)", apply: (p) =>
    editConf(p, (c) => {
      const start = c.indexOf("listen 0.0.0.0:8443 proxy_protocol;");
      const at = c.indexOf("        location = /health {\n", start);
      const head = "        location = /health {\n";
      return c.slice(0, at) + head + "            limit_req zone=per_ip_requests burst=10 nodelay;\n" + c.slice(at + head.length);
    }) },
  { title: "viewer-address function's assignment wrapped in try/catch", apply: (p) => {
    p.inputs("cdn-viewer-address", "aws:cloudfront/function:Function").code = [
      "function handler(event) {",
      "  var request = event.request;",
      "  try {",
      '    request.headers["x-viewer-address"] = { value: event.viewer.ip };',
      "  } catch (e) {",
      "    // never fails; kept for the runtime's sake",
      "  }",
      "  return request;",
      "}",
      "",
    ].join("\n");
  } },
];

export const round9DocHarmless: Harmless[] = [
  { title: "ALB target group balances round robin", apply: (p) => { p.inputs("alb-nginx", TG).loadBalancingAlgorithmType = "round_robin"; } },
  { title: "ALB stickiness on for an hour (lb_cookie)", apply: (p) => { p.inputs("alb-nginx", TG).stickiness = { enabled: true, type: "lb_cookie", cookieDuration: 3600 }; } },
  { title: "HPA CPU target 60%", apply: (p) => { p.inputs("workloads-app", HPA).spec.metrics[0].resource.target.averageUtilization = 60; } },
  { title: "nginx re-resolves the app pods every 2 s", apply: (p) => editConf(p, all("resolver 172.20.0.10 valid=1s ipv6=off;", "resolver 172.20.0.10 valid=2s ipv6=off;")) },
  { title: "HTML cached 2 minutes by default, at most 10", apply: (p) => { Object.assign(p.inputs("cdn-html"), { defaultTtl: 120, maxTtl: 600 }); } },
  { title: "WAF rate limit lowered to 2000 per 5 minutes", apply: (p) => { wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.limit = 2000; } },
  { title: "Route53 health checks at the fast 10 s interval", apply: (p) => { p.inputs("dns-health-site").requestInterval = 10; p.inputs("dns-health-edge").requestInterval = 10; } },
  { title: "cache snapshots kept 14 days", apply: (p) => { p.inputs("cache-group").snapshotRetentionLimit = 14; } },
  { title: "ALB access logs kept a year", apply: (p) => { p.inputs("alb-logs-lifecycle").rules[0].expiration.days = 365; } },
  { title: "grace period 60 s on both Deployments, the app's deadline and the autoscaler's drain following", apply: (p) => {
    pod(p, "workloads-app").terminationGracePeriodSeconds = 60;
    pod(p, "workloads-nginx").terminationGracePeriodSeconds = 60;
    env(p, "workloads-app", "SHUTDOWN_TIMEOUT_MS", "59500");
    const cmd: string[] = ctr(p, "cluster-autoscaler-deployment").command;
    cmd[cmd.indexOf("--max-graceful-termination-sec=45")] = "--max-graceful-termination-sec=60";
  } },
  { title: "app shutdown delay 25 s with nginx's worker shutdown following", apply: (p) => { env(p, "workloads-app", "SHUTDOWN_DELAY_MS", "25000"); editConf(p, all("worker_shutdown_timeout 20s;", "worker_shutdown_timeout 25s;")); } },
  { title: "origin-lock header name written in lower case on the CloudFront side", apply: (p) => { dist(p).origins[0].customHeaders[0].name = "x-origin-verify"; } },
  { title: "app PDB lets unhealthy pods be evicted (AlwaysAllow)", apply: (p) => { p.inputs("workloads-app", PDB).spec.unhealthyPodEvictionPolicy = "AlwaysAllow"; } },
  { title: "nginx balances with two random choices", apply: (p) => editConf(p, all("        least_conn;\n        server app-pods", "        random two least_conn;\n        server app-pods")) },
  { title: "app trusts only the private subnets where nginx pods run", apply: (p) => { env(p, "workloads-app", "TRUST_PROXY_CIDRS", "10.20.96.0/19,10.20.128.0/19,10.20.160.0/19"); } },
  { title: "CloudFront price class 100", apply: (p) => { dist(p).priceClass = "PriceClass_100"; } },
  { title: "apex TXT gains a site-verification token", apply: (p) => { p.inputs("dns-apex-txt").records.push("google-site-verification=3pQ9cXnW7rTz1bKdLmVf0sYhJ4gE8uA2oNiR6tPq5w"); } },
  { title: "NLB TLS target group deregisters in 10 s", apply: (p) => { p.inputs("nlb-tls", TG).deregistrationDelay = 10; } },
  { title: "WAF blocks hosting providers too (block-all)", apply: (p) => { delete wafRule(p, "aws-anonymous-ip-list").statement.managedRuleGroupStatement.ruleActionOverrides; } },
];

/**
 * Cases of this round not fixed, kept out of the running arrays (each with why):
 * - "static asset uploads no longer retained on delete": retainOnDelete is a resource option CrossGuard does not hand
 *   to policies (PolicyResourceOptions carries protect, ignoreChanges, aliases, timeouts, provider, parent, not
 *   retainOnDelete), so no rule can see it under `pulumi preview`; the offline runner could, but a rule that passes
 *   offline and cannot judge under the engine would be a check CI and the deploy disagree on. The static bucket's
 *   versioning and lifecycle (static-assets-retained-prod) are what a rule can judge, and a delete through Pulumi
 *   leaves a delete marker there (the object 404s). Needs the program to stop deleting (a policy cannot).
 */
export const round9rt9docOpen: Mutation[] = [
  { area: "prod availability", title: "static asset uploads no longer retained on delete (pages cached with old names lose them)", expect: "cdn-assets-edgestack-v1.31a222a88c7e.svg", apply: (p) => dropOption(p, "cdn-assets-edgestack-v1.31a222a88c7e.svg", "aws:s3/bucketObjectv2:BucketObjectv2", "retainOnDelete") },
];
