/**
 * Round 7, Kubernetes side and data plane: insecure changes of the prod plan written blind (before reading the rules),
 * none repeating rounds 5 and 6, each naming the resource a mandatory rule must report, and harmless changes a
 * reviewer would accept. The variants are other spellings of a known insecurity (the app's environment by duplicates,
 * ConfigMap references and envFrom; what nginx passes to the app; TLS through OpenSSL's own commands; files, redirects
 * and upstreams the client steers; pod controllers in RBAC) and settings that keep a guarantee on paper only (an HPA
 * that cannot scale, a PDB wider than a zone, a paused rollout, a readiness probe that never sees the drain). The
 * blind run's corpus comes first; the section marked below was written after reading the rules, as further spellings
 * of the classes the blind run exposed.
 *
 * Dropped after reading the code, as not insecure in this product:
 * - "WS_ALLOWED_ORIGINS removed": unset is an empty allow-list, and the app refuses every request carrying an Origin
 *   (app/src/websocket.ts): it fails closed.
 * - "app trusts an extra CA from its writable /tmp": an extra CA is a legitimate setting; one in a writable directory
 *   matters only to code already running in the pod, which holds the Redis URL anyway.
 * - "app reads its Redis URL file from the writable /tmp": the file does not exist, the app exits at start with the
 *   variable named, and the surge-only rollout keeps the old pods serving.
 * - "PROXY TLS listener's gate removed from the API location": set_real_ip_from still ignores the PROXY claim of any
 *   peer outside the VPC, and the NetworkPolicy and security groups admit only the VPC: defence in depth, not a hole.
 * - "app's writable /tmp without a size limit, in memory": memory-backed emptyDir pages count against the container's
 *   512Mi memory limit; the writer is the one killed.
 * - "autoscaler may patch nodes": it already has update on nodes (the same power); patch adds none.
 * - "headless app-pods Service selects every edgestack pod": its targetPort is the named port "http", which nginx's
 *   pods do not declare, so no nginx address enters the endpoints.
 */
import type { Mutation, Plan } from "./mutations";
import { CLUSTER_ROLE, configMap, ctr, DEPLOYMENT, dropEnv, env, HPA, k8s, location, NETPOL, netpol, PDB, pod, replace1, ROLE, ROLE_BINDING, SERVICE } from "./corpus-k8s";
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
  { area: "env", title: "TRUST_PROXY_CIDRS removed (every client keyed on nginx's address)", expect: "workloads-app", apply: (p) => dropEnv(p, "workloads-app", "TRUST_PROXY_CIDRS") },
  { area: "env", title: "app's Node parses HTTP leniently (--insecure-http-parser: request smuggling)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--insecure-http-parser") },
  { area: "env", title: "app's Node reverts a security fix (--security-revert)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--security-revert=CVE-2023-46809") },
  { area: "env", title: "app accepts 1 GB WebSocket messages", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_MAX_MESSAGE_BYTES", "1073741824") },
  { area: "env", title: "WebSockets per client raised to 100000", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_MAX_CONNECTIONS_PER_CLIENT", "100000") },
  { area: "env", title: "Redis command timeout of a minute (limiter waits past nginx's read timeout)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "REDIS_COMMAND_TIMEOUT_MS", "60000") },
  { area: "secrets", title: "Redis URL with its token copied into a pod-template annotation", expect: "workloads-app", apply: (p) => {
    p.inputs("workloads-app", DEPLOYMENT).spec.template.metadata.annotations["edgestack.io/redis-url"] = "rediss://:s3cr3t-auth-token-value@clustercfg.edgestack-prod.abc123.use1.cache.amazonaws.com:6379";
  } },

  // ── Viewer-address chain inside nginx ──
  { area: "viewer-address", title: "API location stops setting X-Forwarded-For (the client's own header reaches the app)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("            proxy_set_header X-Forwarded-For $remote_addr;\n", "")))) },
  { area: "viewer-address", title: "ALB listener's real_ip_header removed (every client keyed on a node address)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        real_ip_header X-Viewer-Address;\n", ""))) },
  { area: "viewer-address", title: "nginx hands the app the peer's address ($realip_remote_addr) as X-Forwarded-For", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, all("proxy_set_header X-Forwarded-For $remote_addr;", "proxy_set_header X-Forwarded-For $realip_remote_addr;"))) },
  { area: "viewer-address", title: "limiter keyed on $binary_remote_addr (IPv6 clients rotate through their /64)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_req_zone $edge_client zone=per_ip_requests", "limit_req_zone $binary_remote_addr zone=per_ip_requests")) },
  { area: "viewer-address", title: "limiter keyed on the load balancer's address ($realip_remote_addr)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_req_zone $edge_client zone=per_ip_requests", "limit_req_zone $realip_remote_addr zone=per_ip_requests")) },
  { area: "viewer-address", title: "X-Forwarded-Proto gate on the ALB judged on the client-claimed address (geo $remote_addr)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("geo $realip_remote_addr $edge_trusted_peer_alb_https {", "geo $remote_addr $edge_trusted_peer_alb_https {")) },
  { area: "viewer-address", title: "nginx passes the client's X-Forwarded-Proto to the app", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_set_header X-Forwarded-Proto $edge_proto;", "proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;")) },

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

  // ── RBAC by other verbs and subresources ──
  { area: "rbac", title: "scraper may watch Secrets (watch returns their data)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["watch"] }) },
  { area: "rbac", title: "scraper may add ephemeral containers to pods (exec by another door)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch", "update"] }) },
  { area: "rbac", title: "scraper may attach to pods", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["pods/attach"], verbs: ["create", "get"] }) },
  { area: "rbac", title: "scraper may create pods (any secret of the namespace mounted)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["pods"], verbs: ["create"] }) },
  { area: "rbac", title: "scraper may create CronJobs (runs pods as any service account of the namespace)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: ["create", "update", "patch"] }) },
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
  { area: "timeouts", title: "app pre-stop hook of 30 s before its 44.5 s shutdown (beyond the 45 s grace)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").lifecycle = { preStop: { exec: { command: ["sleep", "30"] } } }) },

  // ── Written after reading the rules: further spellings of the classes the blind run exposed ──
  { area: "env", title: "WebSocket origins from an envFrom ConfigMap that admits any origin", expect: "workloads-app", apply: (p) => {
    configMap(p, "workloads-app-settings", "app-settings", { WS_ALLOWED_ORIGINS: "*" });
    dropEnv(p, "workloads-app", "WS_ALLOWED_ORIGINS");
    ctr(p, "workloads-app").envFrom = [{ configMapRef: { name: "app-settings" } }];
  } },
  { area: "env", title: "limiter window of one second (300 a second per client)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "RATE_LIMIT_WINDOW_MS", "1000") },
  { area: "env", title: "NODE_OPTIONS with the inspector from a ConfigMap the app loads", expect: "workloads-app-settings", apply: (p) => {
    configMap(p, "workloads-app-settings", "app-settings", { NODE_OPTIONS: "--inspect=0.0.0.0:9229" });
    ctr(p, "workloads-app").envFrom = [{ configMapRef: { name: "app-settings" } }];
  } },
  { area: "env", title: "certificate checks off through a ConfigMap key reference", expect: "workloads-app-settings", apply: (p) => {
    configMap(p, "workloads-app-settings", "app-settings", { NODE_TLS_REJECT_UNAUTHORIZED: "0" });
    ctr(p, "workloads-app").env.push({ name: "NODE_TLS_REJECT_UNAUTHORIZED", valueFrom: { configMapKeyRef: { name: "app-settings", key: "NODE_TLS_REJECT_UNAUTHORIZED" } } });
  } },
  { area: "viewer-address", title: "API location's X-Forwarded-For moved to the server level (the location's own headers drop it)", expect: "workloads-nginx-conf", apply: (p) =>
    editConf(p, server(ALB, (b) => location("/api/", replace1("            proxy_set_header X-Forwarded-For $remote_addr;\n", ""))(b).replace("        real_ip_header X-Viewer-Address;\n", "        real_ip_header X-Viewer-Address;\n        proxy_set_header X-Forwarded-For $remote_addr;\n"))) },
  { area: "viewer-address", title: "ALB listener names X-Real-IP as the client's header (no viewer function sets it)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("real_ip_header X-Viewer-Address;", "real_ip_header X-Real-IP;"))) },
  { area: "viewer-address", title: "connection limits keyed on the full address (IPv6 clients rotate)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_conn_zone $edge_client zone=per_ip_connections:10m;", "limit_conn_zone $binary_remote_addr zone=per_ip_connections:10m;")) },
  { area: "nginx", title: "unsafe legacy renegotiation through ssl_conf_command", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_conf_command Options UnsafeLegacyRenegotiation;\n")) },
  { area: "nginx", title: "OpenSSL's DEFAULT cipher list", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers [^;]+;/g, "ssl_ciphers DEFAULT;")) },
  { area: "nginx", title: "port-80 redirect rewritten to the client's Host", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("return 301 https://$edge_redirect_host_nlb_http$request_uri;", "rewrite ^ https://$http_host$request_uri permanent;")) },
  { area: "nginx", title: "nginx passes the decoded path to the app in a header (header injection)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_set_header X-Request-ID $edge_request_id;", "proxy_set_header X-Request-ID $edge_request_id;\n            proxy_set_header X-Original-Path $uri;")) },
  { area: "nginx", title: "a backup upstream server outside the cluster", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("        server app-pods.edgestack.svc.cluster.local:8080 weight=1 max_fails=3 fail_timeout=10s resolve;\n", "        server app-pods.edgestack.svc.cluster.local:8080 weight=1 max_fails=3 fail_timeout=10s resolve;\n        server app.example.net:8080 backup;\n")) },
  { area: "nginx", title: "upstream resolved through a public IPv6 resolver", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("resolver 172.20.0.10 valid=1s ipv6=off;", "resolver [2606:4700:4700::1111] valid=1s ipv6=off;")) },
  { area: "nginx", title: "CONNECT admitted on the API", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", (b) => b.replace(/if \(\$request_method !~ \^\(([^)]*)\)\$\)/, "if ($request_method !~ ^($1|CONNECT)$)")))) },
  { area: "nginx", title: "WebSocket per-client connections raised to 5000", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_conn ws_per_client 20;", "limit_conn ws_per_client 5000;")) },
  { area: "nginx", title: "a location serves nginx's whole config directory (the TLS key below it)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        location = /health {", "        location /debug-files/ {\n            root /etc/nginx;\n        }\n        location = /health {"))) },
  { area: "pods", title: "the app pins the Redis endpoint's name to a fixed address", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").hostAliases = [{ ip: "10.20.200.9", hostnames: ["clustercfg.edgestack-prod.abc123.use1.cache.amazonaws.com"] }]) },
  { area: "secrets", title: "Redis URL with its token in the nginx Deployment's own annotation", expect: "workloads-nginx", apply: (p) => (p.inputs("workloads-nginx", DEPLOYMENT).metadata.annotations = { "example.com/debug-redis": "rediss://default:s3cr3t-auth-token-value@clustercfg.edgestack-prod.abc123.use1.cache.amazonaws.com:6379" }) },
  { area: "rbac", title: "scraper may write ReplicationControllers", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["replicationcontrollers"], verbs: ["create"] }) },
  { area: "rbac", title: "autoscaler may do anything to pods/ephemeralcontainers", expect: "cluster-autoscaler-cluster-role", apply: (p) => p.inputs("cluster-autoscaler-cluster-role", CLUSTER_ROLE).rules.push({ apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["*"] }) },
  { area: "netpol", title: "app metrics scraped from the whole 10.0.0.0/8", expect: "workloads-netpol-app-metrics-from-scraper", apply: (p) => p.inputs("workloads-netpol-app-metrics-from-scraper", NETPOL).spec.ingress[0].from.push({ ipBlock: { cidr: "10.0.0.0/8" } }) },
  { area: "netpol", title: "nginx ingress from the VPC's IPv6 /56 widened to a /40", expect: "workloads-netpol-nginx-from-vpc", apply: (p) => {
    const from = p.inputs("workloads-netpol-nginx-from-vpc", NETPOL).spec.ingress[0].from;
    const v6 = from.find((x: { ipBlock: { cidr: string } }) => x.ipBlock.cidr.includes(":"));
    v6.ipBlock.cidr = v6.ipBlock.cidr.replace(/:[0-9a-f]*::\/56$/, "::/40");
  } },
  { area: "hpa", title: "HPA on the app container's own CPU at 600% (its limit is 400% of its request)", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", HPA).spec.metrics = [{ type: "ContainerResource", containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 600 } } }]) },
  { area: "hpa", title: "HPA on memory above the limit's share of the request", expect: "workloads-app", apply: (p) => p.inputs("workloads-app", HPA).spec.metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "1Gi" } } }) },
  { area: "pdb", title: "nginx PDB minAvailable 1 of 3", expect: "workloads-nginx", apply: (p) => {
    const spec = p.inputs("workloads-nginx", PDB).spec;
    delete spec.maxUnavailable;
    spec.minAvailable = 1;
  } },
  { area: "rollout", title: "app rollouts paused", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.paused = true) },
  { area: "readiness", title: "app readiness on / (an HTML route, not the drain-aware one)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").readinessProbe.httpGet.path = "/") },
  { area: "timeouts", title: "Redis command timeout of 2 s (beyond nginx's 1.25 s retry phase)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "REDIS_COMMAND_TIMEOUT_MS", "2000") },
  { area: "timeouts", title: "app upstream keep-alive 70 s with the fallback's left at 60 s", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace("resolve;\n        keepalive 64;\n        keepalive_timeout 60s;", "resolve;\n        keepalive 64;\n        keepalive_timeout 70s;")) },
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
  // Written after reading the rules.
  { title: "the app also loads a ConfigMap of log settings (envFrom)", apply: (p) => {
    configMap(p, "workloads-app-logging", "app-logging", { LOG_LEVEL: "warn", ACCESS_LOG: "errors" });
    ctr(p, "workloads-app").envFrom = [{ configMapRef: { name: "app-logging" } }];
  } },
  { title: "nginx ingress narrowed to the private subnets", apply: (p) => (p.inputs("workloads-netpol-nginx-from-vpc", NETPOL).spec.ingress[0].from = [{ ipBlock: { cidr: "10.20.96.0/19" } }, { ipBlock: { cidr: "10.20.128.0/19" } }, { ipBlock: { cidr: "10.20.160.0/19" } }]) },
  { title: "HPA CPU target 60%", apply: (p) => (p.inputs("workloads-app", HPA).spec.metrics[0].resource.target.averageUtilization = 60) },
  { title: "nginx prefers ChaCha20 for clients without AES hardware", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_conf_command Options PrioritizeChaCha;\n")) },
  { title: "per-IP connection limit 80", apply: (p) => editConf(p, all("limit_conn per_ip_connections 100;", "limit_conn per_ip_connections 80;")) },
  { title: "app PDB as maxUnavailable 33%", apply: (p) => (p.inputs("workloads-app", PDB).spec.maxUnavailable = "33%") },
];
