/* Scratch probe of round 7 (Kubernetes objects, nginx.conf, app environment, chains): prints each case's fate. */
import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import { Plan, type Mutation } from "./mutations";
import { CLUSTER_ROLE, ctr, DEPLOYMENT, env, HPA, k8s, NETPOL, netpol, PDB, pod, ROLE, ROLE_BINDING, SERVICE } from "./corpus-k8s";
import { all, editConf } from "./round5-rt-k8s";

/** The server block that starts at `listen`, edited on its own. */
const server = (listen: string, edit: (block: string) => string) => (c: string) => {
  const start = c.indexOf(listen);
  if (start < 0) throw new Error(`no ${listen}`);
  const next = c.indexOf("\n    server {", start);
  const end = next < 0 ? c.length : next;
  return c.slice(0, start) + edit(c.slice(start, end)) + c.slice(end);
};
const ALB = "listen 0.0.0.0:8080 ssl;";
const NLB_TLS = "listen 0.0.0.0:8443 proxy_protocol;";
/** One location block (first match inside the given text), edited on its own. */
const location = (head: string, edit: (block: string) => string) => (c: string) => {
  const start = c.indexOf(`        location ${head} {`);
  if (start < 0) throw new Error(`no location ${head}`);
  const end = c.indexOf("\n        }\n", start) + "\n        }\n".length;
  return c.slice(0, start) + edit(c.slice(start, end)) + c.slice(end);
};
const replace1 = (from: string, to: string) => (c: string) => {
  if (!c.includes(from)) throw new Error(`no ${from}`);
  return c.split(from).join(to);
};
const dropEnv = (p: Plan, name: string, key: string) => {
  const c = ctr(p, name);
  c.env = c.env.filter((e: { name: string }) => e.name !== key);
};
const configMap = (p: Plan, name: string, cmName: string, data: Record<string, string>) =>
  k8s(p, "kubernetes:core/v1:ConfigMap", name, "workloads", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: cmName, namespace: "edgestack" }, data });

export const round7K8sMutations: Mutation[] = [
  // ── The app's environment by other routes ──
  { area: "env", title: "TRUST_PROXY_CIDRS given twice, the later entry trusts everyone (last wins)", expect: "workloads-app", apply: (p) => ctr(p, "workloads-app").env.push({ name: "TRUST_PROXY_CIDRS", value: "0.0.0.0/0" }) },
  { area: "env", title: "RATE_LIMIT_MAX given twice, the later one a million", expect: "workloads-app", apply: (p) => ctr(p, "workloads-app").env.push({ name: "RATE_LIMIT_MAX", value: "1000000" }) },
  { area: "env", title: "TRUST_PROXY_CIDRS from a ConfigMap key holding 0.0.0.0/0", expect: "workloads-app", apply: (p) => {
    configMap(p, "workloads-app-settings", "app-settings", { TRUST_PROXY_CIDRS: "0.0.0.0/0" });
    const e = ctr(p, "workloads-app").env.find((x: { name: string }) => x.name === "TRUST_PROXY_CIDRS");
    delete e.value;
    e.valueFrom = { configMapKeyRef: { name: "app-settings", key: "TRUST_PROXY_CIDRS" } };
  } },
  { area: "env", title: "TRUST_PROXY_CIDRS moved into an envFrom ConfigMap that trusts everyone", expect: "workloads-app", apply: (p) => {
    configMap(p, "workloads-app-settings", "app-settings", { TRUST_PROXY_CIDRS: "0.0.0.0/0,::/0" });
    dropEnv(p, "workloads-app", "TRUST_PROXY_CIDRS");
    ctr(p, "workloads-app").envFrom = [{ configMapRef: { name: "app-settings" } }];
  } },
  { area: "env", title: "RATE_LIMIT_MAX from a ConfigMap of a million", expect: "workloads-app", apply: (p) => {
    configMap(p, "workloads-app-settings", "app-settings", { RATE_LIMIT_MAX: "1000000" });
    const e = ctr(p, "workloads-app").env.find((x: { name: string }) => x.name === "RATE_LIMIT_MAX");
    delete e.value;
    e.valueFrom = { configMapKeyRef: { name: "app-settings", key: "RATE_LIMIT_MAX" } };
  } },
  { area: "env", title: "WS_ALLOWED_ORIGINS removed (every origin may open /ws)", expect: "workloads-app", apply: (p) => dropEnv(p, "workloads-app", "WS_ALLOWED_ORIGINS") },
  { area: "env", title: "TRUST_PROXY_CIDRS removed (every client keyed on nginx's address)", expect: "workloads-app", apply: (p) => dropEnv(p, "workloads-app", "TRUST_PROXY_CIDRS") },
  { area: "env", title: "app's Node parses HTTP leniently (--insecure-http-parser: request smuggling)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--insecure-http-parser") },
  { area: "env", title: "app's Node reverts a security fix (--security-revert)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--security-revert=CVE-2023-46809") },
  { area: "env", title: "app trusts an extra CA from its writable /tmp (Redis TLS spoofable)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_EXTRA_CA_CERTS", "/tmp/extra-ca.pem") },
  { area: "env", title: "app accepts 1 GB WebSocket messages", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_MAX_MESSAGE_BYTES", "1073741824") },
  { area: "env", title: "WebSockets per client raised to 100000", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_MAX_CONNECTIONS_PER_CLIENT", "100000") },
  { area: "env", title: "Redis command timeout of a minute (limiter waits past nginx's read timeout)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "REDIS_COMMAND_TIMEOUT_MS", "60000") },
  { area: "secrets", title: "Redis URL with its token copied into a pod-template annotation", expect: "workloads-app", apply: (p) => {
    p.inputs("workloads-app", DEPLOYMENT).spec.template.metadata.annotations["edgestack.io/redis-url"] = "rediss://:s3cr3t-auth-token-value@clustercfg.edgestack-prod.abc123.use1.cache.amazonaws.com:6379";
  } },
  { area: "env", title: "app reads its Redis URL file from the writable /tmp", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "REDIS_URL_FILE", "/tmp/REDIS_URL") },

  // ── Viewer-address chain inside nginx ──
  { area: "viewer-address", title: "API location stops setting X-Forwarded-For (the client's own header reaches the app)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("            proxy_set_header X-Forwarded-For $remote_addr;\n", "")))) },
  { area: "viewer-address", title: "ALB listener's real_ip_header removed (every client keyed on a node address)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        real_ip_header X-Viewer-Address;\n", ""))) },
  { area: "viewer-address", title: "nginx hands the app the peer's address ($realip_remote_addr) as X-Forwarded-For", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, all("proxy_set_header X-Forwarded-For $remote_addr;", "proxy_set_header X-Forwarded-For $realip_remote_addr;"))) },
  { area: "viewer-address", title: "limiter keyed on $binary_remote_addr (IPv6 clients rotate through their /64)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_req_zone $edge_client zone=per_ip_requests", "limit_req_zone $binary_remote_addr zone=per_ip_requests")) },
  { area: "viewer-address", title: "limiter keyed on the load balancer's address ($realip_remote_addr)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_req_zone $edge_client zone=per_ip_requests", "limit_req_zone $realip_remote_addr zone=per_ip_requests")) },
  { area: "viewer-address", title: "X-Forwarded-Proto gate on the ALB judged on the client-claimed address (geo $remote_addr)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("geo $realip_remote_addr $edge_trusted_peer_alb_https {", "geo $remote_addr $edge_trusted_peer_alb_https {")) },
  { area: "viewer-address", title: "nginx passes the client's X-Forwarded-Proto to the app", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_set_header X-Forwarded-Proto $edge_proto;", "proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;")) },
  { area: "viewer-address", title: "PROXY TLS listener's gate removed from the API location", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(NLB_TLS, location("/api/", (b) => b.replace(/ {12}if \(\$edge_untrusted_peer_nlb_tls\) \{\n {16}return 403;\n {12}\}\n/, "")))) },

  // ── nginx hardening by other directives ──
  { area: "nginx", title: "TLS 1.0 re-enabled through ssl_conf_command MinProtocol", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_conf_command MinProtocol TLSv1;\n")) },
  { area: "nginx", title: "cipher string with @SECLEVEL=0 (every legacy suite)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers [^;]+;/g, "ssl_ciphers DEFAULT:@SECLEVEL=0;")) },
  { area: "nginx", title: "static location aliased without a trailing slash (alias traversal)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/static/", (b) => b.replace("        location /static/ {\n", "        location /static {\n            alias /usr/share/nginx/html/;\n").replace(/ {12}proxy_pass http:\/\/app;\n/, "")))) },
  { area: "nginx", title: "a location serves the TLS secret's mount directory", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        location = /health {", "        location /certs/ {\n            alias /etc/nginx/edgestack-tls/;\n        }\n        location = /health {"))) },
  { area: "nginx", title: "app sees the client's raw Host ($http_host: host spoofing)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_set_header Host $host;", "proxy_set_header Host $http_host;")) },
  { area: "nginx", title: "port-80 redirect to the client's Host (open redirect)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("return 301 https://$edge_redirect_host_nlb_http$request_uri;", "return 301 https://$http_host$request_uri;")) },
  { area: "nginx", title: "port-80 redirect built from the decoded $uri (CRLF header splitting)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("return 301 https://$edge_redirect_host_nlb_http$request_uri;", "return 301 https://$edge_redirect_host_nlb_http$uri;")) },
  { area: "nginx", title: "upstream resolved through a public DNS server", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("resolver 172.20.0.10 valid=1s ipv6=off;", "resolver 8.8.8.8 valid=1s ipv6=off;")) },
  { area: "nginx", title: "fallback upstream sends plain HTTP to a host outside the cluster", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("server 172.20.0.80:8080 weight=1 max_fails=0 fail_timeout=10s;", "server 203.0.113.10:8080 weight=1 max_fails=0 fail_timeout=10s;")) },
  { area: "nginx", title: "stub_status exposed on the public ALB server", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        location = /health {", "        location = /nginx_status {\n            stub_status;\n        }\n        location = /health {"))) },
  { area: "nginx", title: "client body timeout of an hour (slow POST)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("    keepalive_timeout 75s;\n", "    keepalive_timeout 75s;\n    client_body_timeout 3600s;\n")) },
  { area: "nginx", title: "request header buffers of 64 × 1 MB", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("    keepalive_timeout 75s;\n", "    keepalive_timeout 75s;\n    large_client_header_buffers 64 1m;\n")) },
  { area: "nginx", title: "per-IP connection limit raised to 100000", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_conn per_ip_connections 100;", "limit_conn per_ip_connections 100000;")) },
  { area: "nginx", title: "WebSocket per-client and per-pod caps removed from /ws", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("            limit_conn ws_per_client 20;\n            limit_conn ws_per_pod 4608;\n", "")) },
  { area: "nginx", title: "request rate limit removed from /ws", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("= /ws", replace1("            limit_req zone=per_ip_requests burst=50 nodelay;\n", "")))) },
  { area: "nginx", title: "POSTs retried on another pod (proxy_next_upstream non_idempotent)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_next_upstream error http_502 http_504;", "proxy_next_upstream error http_502 http_504 non_idempotent;")) },
  { area: "nginx", title: "HSTS dropped from the API location only", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("            add_header Strict-Transport-Security $edge_hsts always;\n", "")))) },
  { area: "nginx", title: "TRACE allowed on the HTML route", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/", replace1("if ($request_method !~ ^(GET|HEAD)$)", "if ($request_method !~ ^(GET|HEAD|TRACE)$)")))) },
  { area: "nginx", title: "fallback upstream keep-alive 70 s (beyond the app's 65 s)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace("server 172.20.0.80:8080 weight=1 max_fails=0 fail_timeout=10s;\n        keepalive 64;\n        keepalive_timeout 60s;", "server 172.20.0.80:8080 weight=1 max_fails=0 fail_timeout=10s;\n        keepalive 64;\n        keepalive_timeout 70s;")) },

  // ── Pods by other fields ──
  { area: "pods", title: "app runs with the root group (runAsGroup 0)", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").securityContext.runAsGroup = 0; ctr(p, "workloads-app").securityContext.runAsGroup = 0; } },
  { area: "pods", title: "nginx gets the root group as a supplemental group and fsGroup", expect: "workloads-nginx", apply: (p) => Object.assign(pod(p, "workloads-nginx").securityContext, { supplementalGroups: [0], fsGroup: 0 }) },
  { area: "pods", title: "app mounts a gitRepo volume (hooks run on the node)", expect: "workloads-app", apply: (p) => {
    pod(p, "workloads-app").volumes.push({ name: "src", gitRepo: { repository: "https://github.com/example/app-config.git", revision: "main" } });
    ctr(p, "workloads-app").volumeMounts.push({ name: "src", mountPath: "/src", readOnly: true });
  } },
  { area: "pods", title: "nginx hostAliases send the app's headless name to an outside address", expect: "workloads-nginx", apply: (p) => (pod(p, "workloads-nginx").hostAliases = [{ ip: "203.0.113.10", hostnames: ["app-pods.edgestack.svc.cluster.local"] }]) },
  { area: "pods", title: "app's writable /tmp without a size limit, in memory", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").volumes.find((v: { name: string }) => v.name === "tmp").emptyDir = { medium: "Memory" }) },

  // ── RBAC by other verbs and subresources ──
  { area: "rbac", title: "scraper may watch Secrets (watch returns their data)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["watch"] }) },
  { area: "rbac", title: "scraper may add ephemeral containers to pods (exec by another door)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch", "update"] }) },
  { area: "rbac", title: "scraper may attach to pods", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["pods/attach"], verbs: ["create", "get"] }) },
  { area: "rbac", title: "scraper may create pods (any secret of the namespace mounted)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["pods"], verbs: ["create"] }) },
  { area: "rbac", title: "scraper may create CronJobs (runs pods as any service account of the namespace)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: ["create", "update", "patch"] }) },
  { area: "rbac", title: "autoscaler may patch nodes (taints steer any pod)", expect: "cluster-autoscaler-cluster-role", apply: (p) => (p.inputs("cluster-autoscaler-cluster-role", CLUSTER_ROLE).rules[3].verbs = ["get", "list", "watch", "update", "patch", "delete"]) },
  { area: "rbac", title: "built-in admin role bound to every service account of the app namespace", expect: "workloads-all-sa-admin", apply: (p) => k8s(p, ROLE_BINDING, "workloads-all-sa-admin", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "all-sa-admin", namespace: "edgestack" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:serviceaccounts:edgestack" }] }) },

  // ── NetworkPolicies ──
  { area: "netpol", title: "new policy: app egress to the IPv6 metadata address fd00:ec2::254", expect: "workloads-netpol-app-imds6", apply: (p) => netpol(p, "workloads-netpol-app-imds6", { podSelector: { matchLabels: { "app.kubernetes.io/component": "api", "app.kubernetes.io/part-of": "edgestack" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "fd00:ec2::254/128" } }], ports: [{ port: 80, protocol: "TCP" }] }] }) },
  { area: "netpol", title: "DNS rule loses its ports (every port of kube-dns pods)", expect: "workloads-netpol-dns", apply: (p) => delete p.inputs("workloads-netpol-dns", NETPOL).spec.egress[0].ports },
  { area: "netpol", title: "nginx ingress from every private range (peered networks skip CloudFront)", expect: "workloads-netpol-nginx-from-vpc", apply: (p) => (p.inputs("workloads-netpol-nginx-from-vpc", NETPOL).spec.ingress[0].from = [{ ipBlock: { cidr: "10.0.0.0/8" } }, { ipBlock: { cidr: "172.16.0.0/12" } }, { ipBlock: { cidr: "192.168.0.0/16" } }]) },
  { area: "netpol", title: "app → Redis egress to the private subnets on every port", expect: "workloads-netpol-app-to-redis", apply: (p) => delete p.inputs("workloads-netpol-app-to-redis", NETPOL).spec.egress[0].ports },
  { area: "netpol", title: "app → Redis egress to the whole IPv4 space by /1s on 6379", expect: "workloads-netpol-app-to-redis", apply: (p) => (p.inputs("workloads-netpol-app-to-redis", NETPOL).spec.egress[0].to = [{ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/1" } }]) },

  // ── Availability chains: readiness, spread, rollouts, autoscaling ──
  { area: "readiness", title: "app readiness on /livez (never sees the drain)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").readinessProbe.httpGet.path = "/livez") },
  { area: "readiness", title: "app readiness on the metrics port", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").readinessProbe.httpGet = { path: "/metrics", port: "metrics" }) },
  { area: "spread", title: "app spread over regions instead of zones", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").topologySpreadConstraints[0].topologyKey = "topology.kubernetes.io/region") },
  { area: "spread", title: "nginx zone spread replaced by a soft zone anti-affinity", expect: "workloads-nginx", apply: (p) => {
    const spec = pod(p, "workloads-nginx");
    spec.topologySpreadConstraints = spec.topologySpreadConstraints.filter((t: { topologyKey: string }) => t.topologyKey !== "topology.kubernetes.io/zone");
    spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone", labelSelector: { matchLabels: { "app.kubernetes.io/name": "nginx" } } } }] } };
  } },
  { area: "rollout", title: "nginx rollouts paused (fixes never roll out)", expect: "workloads-nginx", apply: (p) => (p.inputs("workloads-nginx", DEPLOYMENT).spec.paused = true) },
  { area: "rollout", title: "app maxUnavailable 34% (one of three pods down first)", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: "34%" }) },
  { area: "pdb", title: "nginx PDB lets two of three pods go", expect: "workloads-nginx", apply: (p) => (p.inputs("workloads-nginx", PDB).spec.maxUnavailable = 2) },
  { area: "hpa", title: "HPA CPU target above the limit/request ratio (never scales)", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", HPA).spec.metrics[0].resource.target.averageUtilization = 500) },
  { area: "hpa", title: "HPA scale-up disabled", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", HPA).spec.behavior.scaleUp = { selectPolicy: "Disabled" }) },
  { area: "hpa", title: "HPA metric on the target's average value far above the limit", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", HPA).spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "AverageValue", averageValue: "4" } } }]) },
  { area: "service", title: "headless app-pods Service selects every edgestack pod (nginx balances to itself)", expect: "workloads-app-pods", apply: (p) => (p.inputs("workloads-app-pods", SERVICE).spec.selector = { "app.kubernetes.io/part-of": "edgestack" }) },
  { area: "timeouts", title: "app pre-stop hook of 30 s before its 44.5 s shutdown (beyond the 45 s grace)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").lifecycle = { preStop: { exec: { command: ["sleep", "30"] } } }) },
];

export const round7K8sHarmless: { title: string; apply: (plan: Plan) => void }[] = [
  { title: "cost-centre label on the app Deployment's pods", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.template.metadata.labels["example.com/cost-centre"] = "edge") },
  { title: "service links off on both pods", apply: (p) => { pod(p, "workloads-app").enableServiceLinks = false; pod(p, "workloads-nginx").enableServiceLinks = false; } },
  { title: "termination messages fall back to logs", apply: (p) => (ctr(p, "workloads-app").terminationMessagePolicy = "FallbackToLogsOnError") },
  { title: "app minReadySeconds 5", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.minReadySeconds = 5) },
  { title: "nginx progress deadline 5 minutes", apply: (p) => (p.inputs("workloads-nginx", DEPLOYMENT).spec.progressDeadlineSeconds = 300) },
  { title: "app zone spread requires three zones (minDomains 3)", apply: (p) => (pod(p, "workloads-app").topologySpreadConstraints[0].minDomains = 3) },
  { title: "app WebSocket messages capped at 8 KB", apply: (p) => env(p, "workloads-app", "WS_MAX_MESSAGE_BYTES", "8192") },
  { title: "app Redis command timeout 300 ms", apply: (p) => env(p, "workloads-app", "REDIS_COMMAND_TIMEOUT_MS", "300") },
  { title: "client body timeout 10 s", apply: (p) => editConf(p, all("    keepalive_timeout 75s;\n", "    keepalive_timeout 75s;\n    client_body_timeout 10s;\n")) },
  { title: "nginx ECDH curves pinned to X25519 and P-256", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_ecdh_curve X25519:prime256v1;\n")) },
  { title: "HPA scales up at most 4 pods a minute", apply: (p) => (p.inputs("workloads-app", HPA).spec.behavior.scaleUp = { policies: [{ type: "Pods", value: 4, periodSeconds: 60 }], stabilizationWindowSeconds: 0 }) },
  { title: "PDB evicts unhealthy pods only within budget (explicit default)", apply: (p) => (p.inputs("workloads-app", PDB).spec.unhealthyPodEvictionPolicy = "IfHealthyBudget") },
  { title: "capabilities drop list names NET_RAW beside ALL", apply: (p) => (ctr(p, "workloads-app").securityContext.capabilities.drop = ["ALL", "NET_RAW"]) },
  { title: "description annotation on the app → Redis policy", apply: (p) => (p.inputs("workloads-netpol-app-to-redis", NETPOL).metadata.annotations = { "example.com/description": "app to ElastiCache" }) },
  { title: "scraper role gets a label", apply: (p) => (p.inputs("alerting-prometheus-scraper-edgestack", ROLE).metadata.labels = { "example.com/team": "observability" }) },
  { title: "WebSocket heartbeat every 3 s", apply: (p) => env(p, "workloads-app", "WS_HEARTBEAT_MS", "3000") },
  { title: "the app's ClusterIP Service keeps a client on one pod (sessionAffinity)", apply: (p) => (p.inputs("workloads-app", SERVICE).spec.sessionAffinity = "ClientIP") },
  { title: "app limiter maximum lowered to 200", apply: (p) => env(p, "workloads-app", "RATE_LIMIT_MAX", "200") },
];

describe("round 7 probe (scratch)", () => {
  let base: PlanResource[];
  let evaluate: ReturnType<typeof planEvaluator>;
  beforeAll(async () => {
    base = toPlan((await runStack({ stack: "prod" })).resources);
    evaluate = planEvaluator(base);
  }, 180_000);

  it("runs every case", async () => {
    const lines: string[] = [];
    const tally = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0 };
    for (const m of round7K8sMutations) {
      const plan = new Plan(JSON.parse(JSON.stringify(base)));
      let verdict: keyof typeof tally;
      let detail = "";
      try {
        m.apply(plan);
        const found = await evaluate(plan.resources);
        const mandatory = found.filter((v) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message));
        if (mandatory.some((v) => v.resource?.name === m.expect)) verdict = "CAUGHT";
        else if (found.length) { verdict = "OTHER"; detail = found.map((v) => `${v.resource?.name}:${v.policy}:${v.enforcement}`).join(", "); }
        else verdict = "MISSED";
        if (verdict === "CAUGHT") detail = mandatory.filter((v) => v.resource?.name === m.expect).map((v) => v.policy).join(",");
      } catch (e) { verdict = "ERROR"; detail = String(e); }
      tally[verdict]++;
      lines.push(`${verdict.padEnd(6)} [${m.area}] ${m.title} ${detail ? "— " + detail : ""}`);
    }
    let flagged = 0;
    for (const h of round7K8sHarmless) {
      const plan = new Plan(JSON.parse(JSON.stringify(base)));
      h.apply(plan);
      const found = await evaluate(plan.resources);
      if (found.length) flagged++;
      lines.push(`${found.length ? "FLAGGED" : "ok     "} harmless: ${h.title} ${found.map((v) => `${v.resource?.name}:${v.policy}`).join(", ")}`);
    }
    lines.push(`TOTAL ${JSON.stringify(tally)} of ${round7K8sMutations.length}; harmless flagged ${flagged} of ${round7K8sHarmless.length}`);
    console.log(lines.join("\n"));
    expect(lines.length).toBe(round7K8sMutations.length + round7K8sHarmless.length + 1);
  }, 600_000);
});
