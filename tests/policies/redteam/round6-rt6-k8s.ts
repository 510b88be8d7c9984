/**
 * Round 6, Kubernetes side and data plane: insecure changes of the prod plan written blind (before reading the
 * rules), none repeating round 5's, each naming the resource a mandatory rule must report; and harmless changes a
 * reviewer would accept. The variants are other spellings of a known insecurity (another field, a set instead of a
 * literal, another resource type granting the same thing, a number weakened) and the chains across resources
 * (viewer address, timeouts and grace periods, readiness, zone spread, rollouts, autoscaling). The blind run's
 * corpus comes first; the section marked below was written after reading the rules, as further spellings of the
 * classes the blind run exposed. Dropped: "WebSocket per-client connection limit removed" (the location keeps its
 * per-client limit_conn of 100 and the app caps WebSockets per client itself: a looser knob, not an open door).
 */
import type { Mutation, Plan } from "./mutations";
import { APP_PODS, CLUSTER_ROLE, CLUSTER_ROLE_BINDING, ctr, env, HPA, k8s, NETPOL, netpol, PDB, pod, ROLE, SERVICE } from "./corpus-k8s";
import { all, editConf, re } from "./round5-rt-k8s";
import { nodeConfig } from "./corpus-aws";


/** The first ALB (CloudFront-facing) server block of nginx.conf, edited on its own. */
const albServer = (edit: (block: string) => string) => (c: string) => {
  const start = c.indexOf("listen 0.0.0.0:8080 ssl;");
  const end = c.indexOf("\n    server {", start);
  return c.slice(0, start) + edit(c.slice(start, end)) + c.slice(end);
};
/** The first PROXY-protocol TLS server block. */
const nlbTlsServer = (edit: (block: string) => string) => (c: string) => {
  const start = c.indexOf("listen 0.0.0.0:8443 proxy_protocol;");
  const end = c.indexOf("\n    server {", start);
  return c.slice(0, start) + edit(c.slice(start, end)) + c.slice(end);
};
const autoscalerCommand = (p: Plan) => ctr(p, "cluster-autoscaler-deployment").command as string[];
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const NODE_GROUPS = ["cluster-nodes-zone1", "cluster-nodes-zone2", "cluster-nodes-zone3"];
const eachNodeGroup = (p: Plan, edit: (g: Record<string, any>) => void) => NODE_GROUPS.forEach((n) => edit(p.inputs(n, NODE_GROUP)));
/** The nodes' launch template with nodeadm user data setting the kubelet's max pods. */
const maxPodsUserData = (maxPods: number) => nodeConfig({ maxPods });
/** A DaemonSet of the stack's (restricted pod spec) requesting `cpu` on every node. */
const nodeAgent = (p: Plan, cpu: string, memory: string) =>
  k8s(p, "kubernetes:apps/v1:DaemonSet", "workloads-node-agent", "workloads", {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "node-agent", namespace: "edgestack" },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": "node-agent" } },
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "node-agent" } },
        spec: { ...JSON.parse(JSON.stringify(pod(p, "workloads-app"))), containers: [{ ...JSON.parse(JSON.stringify(ctr(p, "workloads-app"))), name: "agent", resources: { requests: { cpu, memory }, limits: { cpu, memory } } }] },
      },
    },
  });

/**
 * Pods the cluster can't place at peak: the HPA's Deployment (or the nodes) is named. Prod: 3 zones × at most 3
 * m6i.large nodes (1480m CPU free per node after the add-ons' DaemonSets), the app at 250m × (12 + 1) spread over the
 * zones; each change below leaves pods Pending at peak, each harmless one (round6K8sHarmless) leaves room.
 */
const placementMutations: Mutation[] = [
  { area: "capacity", title: "HPA maximum far beyond what the nodes hold at peak", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", HPA).spec.maxReplicas = 60) },
  { area: "capacity", title: "node groups may grow to one node per zone", expect: "cluster-nodes-zone1", apply: (p) => eachNodeGroup(p, (g) => Object.assign(g.scalingConfig, { minSize: 1, desiredSize: 1, maxSize: 1 })) },
  { area: "capacity", title: "one zone's node group capped at one node (its zone's share no longer fits)", expect: "cluster-nodes-zone2", apply: (p) => Object.assign(p.inputs("cluster-nodes-zone2", NODE_GROUP).scalingConfig, { desiredSize: 1, maxSize: 1 }) },
  { area: "capacity", title: "nodes shrunk to t3.micro (the autoscaler's 600Mi pod fits no node)", expect: "cluster-nodes-zone1", apply: (p) => eachNodeGroup(p, (g) => (g.instanceTypes = ["t3.micro"])) },
  { area: "capacity", title: "nodes shrunk to c6i.large with one node per zone", expect: "cluster-nodes-zone3", apply: (p) => eachNodeGroup(p, (g) => { g.instanceTypes = ["c6i.large"]; g.scalingConfig.maxSize = 1; }) },
  { area: "capacity", title: "app requests a whole CPU per pod at the same HPA maximum", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").resources = { requests: { cpu: "1", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } }) },
  { area: "capacity", title: "app requests 4.5G per pod in decimal units (one pod per node)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").resources = { requests: { cpu: "250m", memory: "4.5G" }, limits: { cpu: "1", memory: "4.5G" } }) },
  { area: "capacity", title: "a node agent DaemonSet requests a whole CPU on every node", expect: "workloads-node-agent", apply: (p) => nodeAgent(p, "1", "128Mi") },
  { area: "capacity", title: "app surges 100% while the HPA may reach 30 (fits without the surge)", expect: "workloads-app", apply: (p) => { p.inputs("workloads-app", HPA).spec.maxReplicas = 30; p.inputs("workloads-app", "kubernetes:apps/v1:Deployment").spec.strategy.rollingUpdate.maxSurge = "100%"; } },
  { area: "capacity", title: "nginx gets an HPA up to 90 replicas", expect: "workloads-nginx", apply: (p) => {
    const hpa = JSON.parse(JSON.stringify(p.inputs("workloads-app", HPA)));
    hpa.metadata = { ...hpa.metadata, name: "nginx", labels: { ...hpa.metadata.labels, "app.kubernetes.io/name": "nginx", "app.kubernetes.io/component": "proxy" } };
    Object.assign(hpa.spec, { minReplicas: 3, maxReplicas: 90, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "nginx" } });
    k8s(p, HPA, "workloads-nginx-hpa", "workloads", hpa);
  } },
  { area: "capacity", title: "kubelet max pods lowered to 7 in the nodes' user data", expect: "cluster-nodes-zone1", apply: (p) => (p.inputs("cluster-nodes", "aws:ec2/launchTemplate:LaunchTemplate").userData = maxPodsUserData(7)) },
  { area: "capacity", title: "autoscaler scaled to zero (node groups stay at their desired size)", expect: "cluster-nodes-zone1", apply: (p) => (p.inputs("cluster-autoscaler-deployment", "kubernetes:apps/v1:Deployment").spec.replicas = 0) },
  { area: "capacity", title: "autoscaler discovers another cluster's node groups", expect: "cluster-nodes-zone1", apply: (p) => { const c = autoscalerCommand(p); c[c.findIndex((a) => a.startsWith("--node-group-auto-discovery"))] = "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/edgestack-staging"; } },
  { area: "capacity", title: "autoscaler capped at 3 nodes in all", expect: "cluster-nodes-zone1", apply: (p) => autoscalerCommand(p).push("--max-nodes-total=3") },
];

export const round6K8sMutations: Mutation[] = [
  // ── Pod security by other spellings ──
  { area: "pods", title: "app adds CAP_SYS_ADMIN (with the CAP_ prefix)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").securityContext.capabilities.add = ["CAP_SYS_ADMIN"]) },
  { area: "pods", title: "nginx adds sys_ptrace in lower case", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").securityContext.capabilities.add = ["sys_ptrace"]) },
  { area: "pods", title: "app mounts a service-account token through a projected volume (automount stays off)", expect: "workloads-app", apply: (p) => {
    pod(p, "workloads-app").volumes.push({ name: "kube-token", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 3600 } }, { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } }] } });
    ctr(p, "workloads-app").volumeMounts.push({ name: "kube-token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true });
  } },
  { area: "pods", title: "hostPath reached through a new PersistentVolume the app claims", expect: "workloads-host-pv", apply: (p) => {
    k8s(p, "kubernetes:core/v1:PersistentVolume", "workloads-host-pv", "workloads", { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "host-root" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/" }, storageClassName: "manual", claimRef: { namespace: "edgestack", name: "scratch" } } });
    k8s(p, "kubernetes:core/v1:PersistentVolumeClaim", "workloads-scratch-pvc", "workloads", { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "scratch", namespace: "edgestack" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "manual", volumeName: "host-root", resources: { requests: { storage: "1Gi" } } } });
    pod(p, "workloads-app").volumes.push({ name: "scratch", persistentVolumeClaim: { claimName: "scratch" } });
    ctr(p, "workloads-app").volumeMounts.push({ name: "scratch", mountPath: "/scratch" });
  } },
  { area: "pods", title: "nginx gets a native sidecar (init, restartPolicy Always) that may escalate and adds NET_RAW", expect: "workloads-nginx", apply: (p) => {
    const sidecar = JSON.parse(JSON.stringify(ctr(p, "workloads-nginx", 1)));
    sidecar.name = "log-shipper";
    sidecar.restartPolicy = "Always";
    sidecar.securityContext.allowPrivilegeEscalation = true;
    sidecar.securityContext.capabilities = { add: ["NET_RAW"] };
    pod(p, "workloads-nginx").initContainers = [sidecar];
  } },
  { area: "pods", title: "app opens the Node inspector on every interface", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--inspect=0.0.0.0:9229") },
  { area: "pods", title: "app image from another account's registry (by digest)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").image = "999999999999.dkr.ecr.eu-west-1.amazonaws.com/shared/app@sha256:5e1748931653c312c6ff7e63f3c74b39432bfa4100cd2523ed8fb6bc046786d2") },

  // ── Secrets and the app's environment ──
  { area: "secrets", title: "Redis URL from the Secret as an environment variable (not a file)", expect: "workloads-app", apply: (p) => {
    const c = ctr(p, "workloads-app");
    c.env = c.env.filter((e: { name: string }) => e.name !== "REDIS_URL_FILE");
    c.env.push({ name: "REDIS_URL", valueFrom: { secretKeyRef: { name: "app-redis", key: "REDIS_URL" } } });
  } },
  { area: "secrets", title: "Redis URL with a literal password in the Deployment (TLS kept)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "REDIS_URL", "rediss://:s3cr3t-auth-token-value-123@clustercfg.edgestack-prod.abc123.use1.cache.amazonaws.com:6379") },
  { area: "ratelimit", title: "app trusts the whole IPv6 internet beside the VPC", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "TRUST_PROXY_CIDRS", "10.20.0.0/16,::/0") },
  { area: "ratelimit", title: "app limiter window of one millisecond", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "RATE_LIMIT_WINDOW_MS", "1") },
  { area: "websocket", title: "WebSocket origins opened to any origin", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_ALLOWED_ORIGINS", "*") },
  { area: "websocket", title: "WebSocket origins include a plain-http foreign site", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "WS_ALLOWED_ORIGINS", "https://edgestack.example.com,http://attacker.example.net") },
  { area: "timeouts", title: "app shutdown hard limit beyond the pod's grace period", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "SHUTDOWN_TIMEOUT_MS", "90000") },

  // ── nginx.conf: viewer address and limiter ──
  { area: "ratelimit", title: "ALB listener trusts real-IP headers from the IPv6 internet", expect: "workloads-nginx-conf", apply: (p) => editConf(p, albServer(all("set_real_ip_from 10.20.0.0/16;", "set_real_ip_from 10.20.0.0/16;\n        set_real_ip_from ::/0;"))) },
  { area: "ratelimit", title: "ALB listener takes the client from X-Real-IP (a viewer-sent header on /api)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, albServer(all("real_ip_header X-Viewer-Address;", "real_ip_header X-Real-IP;"))) },
  { area: "ratelimit", title: "underscored headers accepted (X_Viewer_Address slips past CloudFront's rewrite)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("    server_tokens off;\n", "    server_tokens off;\n    underscores_in_headers on;\n    ignore_invalid_headers off;\n")) },
  { area: "ratelimit", title: "IPv4 clients get an empty limiter key (never counted)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all('"~^[0-9.]+$" $binary_remote_addr;', '"~^[0-9.]+$" "";')) },
  { area: "ratelimit", title: "request rate per second instead of per minute", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("rate=1200r/m", "rate=1200r/s")) },
  { area: "ratelimit", title: "burst of a hundred thousand", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("burst=50 nodelay", "burst=100000 nodelay")) },
  { area: "ratelimit", title: "PROXY listener gate judges the PROXY-claimed address (geo on $remote_addr)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("geo $realip_remote_addr $edge_untrusted_peer_nlb_tls {", "geo $remote_addr $edge_untrusted_peer_nlb_tls {")) },
  { area: "ratelimit", title: "PROXY listener gate defaults to trusted", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(geo \$realip_remote_addr \$edge_untrusted_peer_nlb_tls \{\n\s*)default 1;/, "$1default 0;")) },
  { area: "ratelimit", title: "PROXY TLS listener hands the app a client-written X-Viewer-Address as X-Forwarded-For", expect: "workloads-nginx-conf", apply: (p) => editConf(p, nlbTlsServer(all("proxy_set_header X-Forwarded-For $remote_addr;", "proxy_set_header X-Forwarded-For $http_x_viewer_address;"))) },

  // ── nginx.conf: TLS, headers, proxying, logging ──
  { area: "nginx", title: "nginx offers SSLv3 beside TLS 1.2/1.3", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols SSLv3 TLSv1.2 TLSv1.3;")) },
  { area: "nginx", title: "a NULL (unencrypted) cipher suite added", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/ssl_ciphers ([^;]+);/, "ssl_ciphers $1:NULL-SHA256;")) },
  { area: "nginx", title: "3DES suite added (Sweet32)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/ssl_ciphers ([^;]+);/, "ssl_ciphers $1:ECDHE-RSA-DES-CBC3-SHA;")) },
  { area: "nginx", title: "status page allowed from 0.0.0.0/0", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("            stub_status;\n            allow 127.0.0.1/32;", "            stub_status;\n            allow 0.0.0.0/0;")) },
  { area: "nginx", title: "API proxies to whatever host the client names (open proxy / SSRF)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/api\/ \{\n(?:(?!\n {8}\}).)*?)proxy_pass http:\/\/app;/s, "$1resolver 172.20.0.10;\n            proxy_pass http://$http_host$request_uri;")) },
  { area: "nginx", title: "a location proxies to the instance metadata service", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(\n {8}location \/api\/ \{\n)/, "\n        location /internal/meta/ {\n            proxy_pass http://169.254.169.254/;\n        }$1")) },
  { area: "nginx", title: "Referrer-Policy unsafe-url", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all('add_header Referrer-Policy "strict-origin-when-cross-origin" always;', 'add_header Referrer-Policy "unsafe-url" always;')) },
  { area: "nginx", title: "API answers any origin with credentials (CORS)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/api\/ \{\n)/, "$1            add_header Access-Control-Allow-Origin $http_origin always;\n            add_header Access-Control-Allow-Credentials true always;\n")) },
  { area: "nginx", title: "error log only at emerg", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("error_log /dev/stderr warn;", "error_log /dev/stderr emerg;")) },
  { area: "nginx", title: "client header timeout of an hour (slowloris)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("    keepalive_timeout 75s;\n", "    keepalive_timeout 75s;\n    client_header_timeout 3600s;\n    client_body_timeout 3600s;\n")) },
  { area: "timeouts", title: "nginx worker shutdown beyond the pod's grace period", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("worker_shutdown_timeout 20s;", "worker_shutdown_timeout 120s;")) },

  // ── NetworkPolicies by other spellings ──
  { area: "netpol", title: "new policy: app egress on every port by range, no destination", expect: "workloads-netpol-app-any-port", apply: (p) => netpol(p, "workloads-netpol-app-any-port", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "TCP", port: 1, endPort: 65535 }] }] }) },
  { area: "netpol", title: "new policy: app egress to the whole link-local range (IMDS inside)", expect: "workloads-netpol-app-linklocal", apply: (p) => netpol(p, "workloads-netpol-app-linklocal", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "169.254.0.0/16" } }] }] }) },
  { area: "netpol", title: "nginx egress to any pod in any namespace on any port", expect: "workloads-netpol-nginx-to-app", apply: (p) => { const s = p.inputs("workloads-netpol-nginx-to-app").spec; s.egress = [{ to: [{ namespaceSelector: {} }] }]; } },
  { area: "netpol", title: "nginx ingress from the VPC plus the IPv6 internet", expect: "workloads-netpol-nginx-from-vpc", apply: (p) => p.inputs("workloads-netpol-nginx-from-vpc").spec.ingress[0].from.push({ ipBlock: { cidr: "2000::/3" } }) },

  // ── RBAC by other spellings ──
  { area: "rbac", title: "scraper may port-forward to pods", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["pods/portforward"], verbs: ["create", "get"] }) },
  { area: "rbac", title: "autoscaler reads every core resource by wildcard (Secrets inside)", expect: "cluster-autoscaler-cluster-role", apply: (p) => p.inputs("cluster-autoscaler-cluster-role", CLUSTER_ROLE).rules.push({ apiGroups: [""], resources: ["*"], verbs: ["get", "list", "watch"] }) },
  { area: "rbac", title: "deployer bound to every service account in the cluster", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE_BINDING).subjects.push({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:serviceaccounts" }) },
  { area: "rbac", title: "deployer may create PersistentVolumes (hostPath to any node)", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE).rules.push({ apiGroups: [""], resources: ["persistentvolumes"], verbs: ["create", "update"] }) },
  { area: "rbac", title: "deployer gets every verb on its own ClusterRole (escalate through *)", expect: "cluster-deployer", apply: (p) => { const r = p.inputs("cluster-deployer", CLUSTER_ROLE).rules.find((x: { resources: string[] }) => x.resources.includes("clusterroles")); r.verbs = ["*"]; } },

  // ── Services ──
  { area: "services", title: "headless app-pods Service becomes an ExternalName to a foreign host (nginx's upstream)", expect: "workloads-app-pods", apply: (p) => { const s = p.inputs("workloads-app-pods", SERVICE).spec; s.type = "ExternalName"; s.externalName = "app.attacker.example.net"; delete s.clusterIP; delete s.selector; } },

  // ── Disruption, autoscaling, spread, rollouts ──
  { area: "availability", title: "app PDB minAvailable 0%", expect: "workloads-app", apply: (p) => { const s = p.inputs("workloads-app", PDB).spec; delete s.maxUnavailable; s.minAvailable = "0%"; } },
  { area: "availability", title: "HPA scales on a Pods metric no adapter serves", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", HPA).spec.metrics = [{ type: "Pods", pods: { metric: { name: "http_requests_per_second" }, target: { type: "AverageValue", averageValue: "100" } } }]) },
  { area: "availability", title: "app zone spread counts no pod (selector typo)", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").topologySpreadConstraints[0].labelSelector = { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "edgestack" } }) },
  { area: "availability", title: "app pinned to one zone by nodeSelector (spread kept)", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").nodeSelector = { "topology.kubernetes.io/zone": "us-east-1a" }) },
  { area: "availability", title: "nginx pinned to one zone by required node affinity", expect: "workloads-nginx", apply: (p) => (pod(p, "workloads-nginx").affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["us-east-1b"] }] }] } } }) },
  { area: "timeouts", title: "app preStop pause plus shutdown delay beyond the grace period", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").lifecycle = { preStop: { sleep: { seconds: 30 } } }) },
  { area: "probes", title: "app readiness by TCP socket (never sees the drain)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").readinessProbe = { tcpSocket: { port: "http" }, periodSeconds: 2, failureThreshold: 2, timeoutSeconds: 1 }) },
  { area: "probes", title: "app readiness notices the drain only after 5 minutes", expect: "workloads-app", apply: (p) => Object.assign(ctr(p, "workloads-app").readinessProbe, { periodSeconds: 10, failureThreshold: 30 }) },
  { area: "timeouts", title: "autoscaler drain limit of 10 s as a separate argument", expect: "cluster-autoscaler-deployment", apply: (p) => { const c = autoscalerCommand(p); const i = c.findIndex((a) => a.startsWith("--max-graceful-termination-sec")); c.splice(i, 1, "--max-graceful-termination-sec", "10"); } },
  { area: "timeouts", title: "autoscaler drain limit of 10 s moved into args", expect: "cluster-autoscaler-deployment", apply: (p) => { const c = autoscalerCommand(p); c.splice(c.findIndex((a) => a.startsWith("--max-graceful-termination-sec")), 1); ctr(p, "cluster-autoscaler-deployment").args = ["--max-graceful-termination-sec=10"]; } },

  // ── Found after the blind run: further spellings of each class the blind run exposed ──
  { area: "ratelimit", title: "API connection limits in dry-run mode", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/api\/ \{\n)/, "$1            limit_conn_dry_run on;\n")) },
  { area: "ratelimit", title: "request rate of 600000 a minute", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("rate=1200r/m", "rate=600000r/m")) },
  { area: "ratelimit", title: "PROXY http listener gate keyed on the PROXY line's claimed source", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("geo $realip_remote_addr $edge_untrusted_peer_nlb_http {", "geo $proxy_protocol_addr $edge_untrusted_peer_nlb_http {")) },
  { area: "ratelimit", title: "ALB listener keeps invalid header names", expect: "workloads-nginx-conf", apply: (p) => editConf(p, albServer(all("real_ip_header X-Viewer-Address;", "real_ip_header X-Viewer-Address;\n        ignore_invalid_headers off;"))) },
  { area: "nginx", title: "Referrer-Policy origin-when-cross-origin", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all('add_header Referrer-Policy "strict-origin-when-cross-origin" always;', 'add_header Referrer-Policy "origin-when-cross-origin" always;')) },
  { area: "nginx", title: "API CORS * with credentials", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/api\/ \{\n)/, '$1            add_header Access-Control-Allow-Origin "*" always;\n            add_header Access-Control-Allow-Credentials "true" always;\n')) },
  { area: "nginx", title: "static proxied to a backend named by a query argument", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/static\/ \{\n(?:(?!\n {8}\}).)*?)proxy_pass http:\/\/app;/s, "$1resolver 172.20.0.10;\n            proxy_pass http://$arg_backend;")) },
  { area: "nginx", title: "send timeout of an hour on the API", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/api\/ \{\n)/, "$1            send_timeout 1h;\n            client_body_timeout 30m;\n")) },
  { area: "availability", title: "app pinned to one node by name", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").nodeName = "ip-10-20-96-10.ec2.internal") },
  { area: "availability", title: "nginx pinned to one host by nodeSelector", expect: "workloads-nginx", apply: (p) => (pod(p, "workloads-nginx").nodeSelector = { "kubernetes.io/hostname": "ip-10-20-96-10.ec2.internal" }) },
  { area: "probes", title: "app readiness by exec of a file check (never sees the drain)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").readinessProbe = { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 2, failureThreshold: 2 }) },
  { area: "probes", title: "app readiness probe removed while the app drains by readiness", expect: "workloads-app", apply: (p) => delete ctr(p, "workloads-app").readinessProbe },
  { area: "timeouts", title: "autoscaler drain limit of 5 s with one dash", expect: "cluster-autoscaler-deployment", apply: (p) => { const c = autoscalerCommand(p); c[c.findIndex((a) => a.startsWith("--max-graceful-termination-sec"))] = "-max-graceful-termination-sec=5"; } },
  { area: "pods", title: "app debugger through --inspect-port and --inspect in NODE_OPTIONS", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--inspect-port=0.0.0.0:9229 --inspect") },
  { area: "pods", title: "app started with --inspect-brk in args", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").args = ["--inspect-brk=0.0.0.0:9229", "dist/server.js"]) },

  // ── Pods the nodes cannot hold at peak (k8s-peak-fits-nodes: the program's placement arithmetic from the plan) ──
  ...placementMutations,
];

export const round6K8sHarmless: { title: string; apply: (plan: Plan) => void }[] = [
  { title: "HPA maximum lowered to 8", apply: (p) => (p.inputs("workloads-app", HPA).spec.maxReplicas = 8) },
  { title: "nodes one size bigger (m6i.xlarge)", apply: (p) => eachNodeGroup(p, (g) => (g.instanceTypes = ["m6i.xlarge"])) },
  { title: "node groups may grow to 5 nodes each", apply: (p) => eachNodeGroup(p, (g) => (g.scalingConfig.maxSize = 5)) },
  { title: "app surges 2 pods at a time", apply: (p) => (p.inputs("workloads-app", "kubernetes:apps/v1:Deployment").spec.strategy.rollingUpdate.maxSurge = 2) },
  { title: "kubelet max pods pinned at 29 (the ENI figure) in the nodes' user data", apply: (p) => (p.inputs("cluster-nodes", "aws:ec2/launchTemplate:LaunchTemplate").userData = maxPodsUserData(29)) },
  { title: "autoscaler capped at 30 nodes in all", apply: (p) => autoscalerCommand(p).push("--max-nodes-total=30") },
  { title: "app CPU limit lowered to 750m", apply: (p) => (ctr(p, "workloads-app").resources.limits.cpu = "750m") },
  { title: "nginx memory limit tightened to 192Mi", apply: (p) => (ctr(p, "workloads-nginx").resources.limits.memory = "192Mi") },
  { title: "owner annotation on the HPA", apply: (p) => (p.inputs("workloads-app", HPA).metadata.annotations = { "example.com/owner": "edge-team" }) },
  { title: "team label on the default-deny policy", apply: (p) => (p.inputs("workloads-netpol-default-deny", NETPOL).metadata.labels = { "example.com/team": "edge" }) },
  { title: "app liveness checked every 15 s", apply: (p) => (ctr(p, "workloads-app").livenessProbe.periodSeconds = 15) },
  { title: "gzip level 4", apply: (p) => editConf(p, all("gzip_comp_level 5;", "gzip_comp_level 4;")) },
  { title: "per-IP connection limit tightened to 50", apply: (p) => editConf(p, all("limit_conn per_ip_connections 100;", "limit_conn per_ip_connections 50;")) },
  { title: "TLS session timeout 30 minutes", apply: (p) => editConf(p, all("ssl_session_timeout 1h;", "ssl_session_timeout 30m;")) },
  { title: "app limiter window doubled (same maximum: stricter)", apply: (p) => env(p, "workloads-app", "RATE_LIMIT_WINDOW_MS", "120000") },
  { title: "WebSockets per client lowered to 10", apply: (p) => env(p, "workloads-app", "WS_MAX_CONNECTIONS_PER_CLIENT", "10") },
  { title: "contact annotation on the namespace", apply: (p) => (p.inputs("workloads-namespace").metadata.annotations = { "example.com/contact": "edge@example.com" }) },
  { title: "deployer loses delete on HPAs", apply: (p) => (p.inputs("cluster-deployer", CLUSTER_ROLE).rules[2].verbs = ["get", "list", "watch", "create", "update", "patch"]) },
  { title: "an extra deny-all policy in the autoscaler namespace", apply: (p) => netpol(p, "cluster-autoscaler-np-extra-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }, "edgestack-system") },
  { title: "HPA scale-down stabilised over 10 minutes", apply: (p) => (p.inputs("workloads-app", HPA).spec.behavior.scaleDown.stabilizationWindowSeconds = 600) },
  { title: "nginx worker shutdown 15 s", apply: (p) => editConf(p, all("worker_shutdown_timeout 20s;", "worker_shutdown_timeout 15s;")) },
  { title: "app latency thresholds 200,1000", apply: (p) => env(p, "workloads-app", "METRICS_LATENCY_THRESHOLDS_MS", "200,1000") },
  { title: "nginx request rate lowered to 600 a minute", apply: (p) => editConf(p, all("rate=1200r/m", "rate=600r/m")) },
  { title: "client header timeout 10 s", apply: (p) => editConf(p, all("    keepalive_timeout 75s;\n", "    keepalive_timeout 75s;\n    client_header_timeout 10s;\n")) },
  { title: "Referrer-Policy no-referrer", apply: (p) => editConf(p, all('add_header Referrer-Policy "strict-origin-when-cross-origin" always;', 'add_header Referrer-Policy "no-referrer" always;')) },
  { title: "app readiness every 1 s", apply: (p) => (ctr(p, "workloads-app").readinessProbe.periodSeconds = 1) },
  { title: "nginx prefers arm64 nodes (required arch affinity)", apply: (p) => (pod(p, "workloads-nginx").affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }] } } }) },
];
