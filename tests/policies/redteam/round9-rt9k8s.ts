/**
 * Round 9 of the red team, Kubernetes objects and the data plane's configuration: pod templates (security contexts,
 * volumes, probes and lifecycle hooks, resources, commands, env and envFrom as the kubelet builds them), accounts and
 * RBAC (aggregation, bindings' subjects), NetworkPolicies (the combined effect), Services, Endpoints, Ingress and
 * TargetGroupBindings, HPAs, quotas and limits, ConfigMaps and Secrets, webhooks and CRDs, manifests applied as YAML,
 * and the generated nginx.conf. Insecure changes of the prod plan written blind (before reading any rule), none
 * repeating earlier rounds' titles, each naming the resource a mandatory rule must report, and harmless changes a
 * reviewer would accept.
 *
 * Blind first run: 63 caught, 2 on another resource, 17 missed of 82; 0 of 17 harmless flagged. After the fixes: 123 of
 * 123 (80 blind, 43 variants written after the fixes) caught on the right resource, 0 of 25 harmless reported.
 *
 * Dropped after reading the code, as not insecure in this product:
 * - "per-client WebSocket cap dropped from /ws (per-pod cap kept)": /ws keeps its per-client limit_conn of 100
 *   connections and the app caps each client at WS_MAX_CONNECTIONS_PER_CLIENT (20) in every pod; the dropped zone was
 *   a third bound of the same thing.
 * - "PROXY TLS server's untrusted-peer guards removed from its locations": port 8443 admits only the VPC
 *   (nginx-from-vpc), and the guard's geo passes the whole VPC IPv4 block; a VPC IPv6 peer the guard would refuse is
 *   outside set_real_ip_from, so its PROXY line is never believed. Removing the guard changes what nobody can reach.
 * Re-targeted: "nginx conf volume points at a hand-written ConfigMap" names the hand-written ConfigMap, which the nginx
 * rules judge like the generated one (every ConfigMap holding an nginx.conf): that is where the weakened configuration is.
 * "NODE_TLS_REJECT_UNAUTHORIZED=0 arrives through an envFrom ConfigMap" was caught on the ConfigMap only in the blind
 * run; app-environment-as-built now also reports the workload that runs with it (the expect stays the app).
 */
import type { Mutation, Plan } from "./mutations";
import { APP_PODS, CLUSTER_ROLE, CLUSTER_ROLE_BINDING, configMap, ctr, DEPLOYMENT, dropEnv, env, HPA, k8s, NETPOL, netpol, pod, ROLE, ROLE_BINDING, SERVICE } from "./corpus-k8s";
import { editConf, all } from "./round5-rt-k8s";

const SA = "kubernetes:core/v1:ServiceAccount";
const PV = "kubernetes:core/v1:PersistentVolume";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";
const CRON_JOB = "kubernetes:batch/v1:CronJob";
const JOB = "kubernetes:batch/v1:Job";
const rbacProvider = "pulumi:providers:kubernetes::cluster-k8s-rbac";
const APP_SEL = { "app.kubernetes.io/name": "app", "app.kubernetes.io/part-of": "edgestack" };
const AUTOSCALER_SEL = { "app.kubernetes.io/name": "cluster-autoscaler", "app.kubernetes.io/part-of": "edgestack" };
const REDIS_HOST = "clustercfg.edgestack-prod.x1y2z3.use1.cache.amazonaws.com";
const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x));
/** A restricted-compliant pod spec copied from the app's, without the app's Secret and spread. */
const plainPod = (p: Plan) => {
  const spec = copy(pod(p, "workloads-app"));
  spec.containers[0].volumeMounts = spec.containers[0].volumeMounts.filter((m: { name: string }) => m.name === "tmp");
  spec.volumes = spec.volumes.filter((v: { name: string }) => v.name === "tmp");
  delete spec.topologySpreadConstraints;
  for (const k of ["readinessProbe", "livenessProbe", "startupProbe"]) delete spec.containers[0][k];
  spec.containers[0].ports = [];
  return spec;
};
const rules = (p: Plan, name: string, type: string) => p.inputs(name, type).rules as Record<string, unknown>[];
/** Edits one location block of every server (or the first `n` matches) through a text function. */
const conf = (edit: (c: string) => string) => (p: Plan) => editConf(p, edit);
/** Replaces text that must occur exactly once. */
const once = (from: string, to: string) => (c: string) => {
  const i = c.indexOf(from);
  if (i < 0 || c.indexOf(from, i + 1) >= 0) throw new Error(`not exactly one ${from}`);
  return c.replace(from, to);
};
/** The location block `location <head> {` of the first server (the ALB's), edited on its own. */
const firstLocation = (head: string, edit: (block: string) => string) => (c: string) => {
  const start = c.indexOf(`        location ${head} {\n`);
  if (start < 0) throw new Error(`no location ${head}`);
  const end = c.indexOf("\n        }\n", start) + "\n        }\n".length;
  return c.slice(0, start) + edit(c.slice(start, end)) + c.slice(end);
};
const yamlDaemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-tuning
  namespace: kube-system
spec:
  selector:
    matchLabels: {app: node-tuning}
  template:
    metadata:
      labels: {app: node-tuning}
    spec:
      hostPID: true
      containers:
      - name: tune
        image: public.ecr.aws/docker/library/busybox:1.37
        command: ["sh", "-c", "sysctl -w net.core.somaxconn=65535 && sleep infinity"]
        securityContext:
          privileged: true
`;

export const round9Rt9k8sMutations: Mutation[] = [
  // ── Pod and container security settings ──
  { area: "pod", title: "app container mounts an unmasked /proc (procMount Unmasked in a user namespace)", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").hostUsers = false; ctr(p, "workloads-app").securityContext.procMount = "Unmasked"; } },
  { area: "pod", title: "exporter sidecar's securityContext deleted (the pod level alone: escalation allowed, capabilities kept, root filesystem writable)", expect: "workloads-nginx", apply: (p) => { delete ctr(p, "workloads-nginx", 1).securityContext; } },
  { area: "pod", title: "app container adds SETUID and SETGID next to drop ALL", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").securityContext.capabilities.add = ["SETUID", "SETGID"]; } },
  { area: "pod", title: "nginx pod template carries the legacy AppArmor annotation unconfined", expect: "workloads-nginx", apply: (p) => { p.inputs("workloads-nginx", DEPLOYMENT).spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/nginx"] = "unconfined"; } },
  { area: "pod", title: "app gains an init container (copies static assets) with no securityContext at all", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").initContainers = [{ name: "assets", image: ctr(p, "workloads-app").image, command: ["cp", "-r", "/app/static", "/tmp/static"], volumeMounts: [{ name: "tmp", mountPath: "/tmp" }] }]; } },
  { area: "pod", title: "app gains a debug sidecar with only runAsNonRoot (escalation, capabilities and seccomp left to their defaults)", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").containers.push({ name: "debug", image: "public.ecr.aws/docker/library/busybox:1.37", command: ["sleep", "infinity"], securityContext: { runAsNonRoot: true, runAsUser: 10001 } }); } },

  // ── Probes and lifecycle hooks (the kubelet makes these requests from the node) ──
  { area: "probe", title: "app liveness probe's httpGet host set to the instance metadata address (the kubelet fetches it from the node)", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").livenessProbe.httpGet = { host: "169.254.169.254", path: "/latest/meta-data/iam/security-credentials/", port: 80 }; } },
  { area: "probe", title: "nginx postStart hook calls the metadata service's credentials path from the node", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").lifecycle.postStart = { httpGet: { host: "169.254.169.254", path: "/latest/api/token", port: 80, scheme: "HTTP" } }; } },
  { area: "probe", title: "app readiness probe is a TCP check of the Redis configuration endpoint (host field)", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").readinessProbe = { tcpSocket: { host: REDIS_HOST, port: 6379 }, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 2 }; } },
  { area: "probe", title: "app readiness probe runs a Node one-liner that pings Redis (exec)", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").readinessProbe = { exec: { command: ["node", "-e", "require('./dist/redis').ping().then(()=>process.exit(0),()=>process.exit(1))"] }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 }; } },

  // ── Resources and scratch storage ──
  { area: "resources", title: "app memory limit 512Gi (above any node: no limit in effect)", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").resources.limits.memory = "512Gi"; } },
  { area: "resources", title: "nginx /tmp emptyDir without its sizeLimit (proxy temp files may fill the node's disk)", expect: "workloads-nginx", apply: (p) => { const v = pod(p, "workloads-nginx").volumes.find((x: { name: string }) => x.name === "tmp"); v.emptyDir = {}; } },
  { area: "storage", title: "app scratch space as a generic ephemeral volume on a new StorageClass without encryption", expect: "workloads-scratch-sc", apply: (p) => {
    k8s(p, STORAGE_CLASS, "workloads-scratch-sc", "workloads", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "scratch" }, provisioner: "ebs.csi.aws.com", parameters: { type: "gp3" }, volumeBindingMode: "WaitForFirstConsumer" });
    pod(p, "workloads-app").volumes.push({ name: "scratch", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], storageClassName: "scratch", resources: { requests: { storage: "5Gi" } } } } } });
    ctr(p, "workloads-app").volumeMounts.push({ name: "scratch", mountPath: "/scratch" });
  } },

  // ── Volumes of other kinds ──
  { area: "volume", title: "app mounts an iSCSI LUN from a portal outside the VPC", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").volumes.push({ name: "lun", iscsi: { targetPortal: "198.51.100.20:3260", iqn: "iqn.2001-04.com.example:storage.disk1", lun: 0, fsType: "ext4", readOnly: true } }); ctr(p, "workloads-app").volumeMounts.push({ name: "lun", mountPath: "/data", readOnly: true }); } },
  { area: "volume", title: "app mounts an EBS volume by id (in-tree awsElasticBlockStore)", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").volumes.push({ name: "ebs", awsElasticBlockStore: { volumeID: "vol-0a1b2c3d4e5f67890", fsType: "ext4" } }); ctr(p, "workloads-app").volumeMounts.push({ name: "ebs", mountPath: "/data" }); } },
  { area: "volume", title: "an NFS PersistentVolume on a server outside the VPC, claimed by the app", expect: "workloads-shared-pv", apply: (p) => {
    k8s(p, PV, "workloads-shared-pv", "workloads", { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "shared" }, spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteMany"], storageClassName: "", nfs: { server: "203.0.113.40", path: "/exports/edgestack" } } });
    k8s(p, PVC, "workloads-shared-pvc", "workloads", { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "shared", namespace: "edgestack" }, spec: { accessModes: ["ReadWriteMany"], storageClassName: "", volumeName: "shared", resources: { requests: { storage: "10Gi" } } } });
    pod(p, "workloads-app").volumes.push({ name: "shared", persistentVolumeClaim: { claimName: "shared" } });
    ctr(p, "workloads-app").volumeMounts.push({ name: "shared", mountPath: "/shared" });
  } },
  { area: "volume", title: "nginx TLS Secret's key file mode 0644 through the item's own mode (defaultMode kept)", expect: "workloads-nginx", apply: (p) => { const v = pod(p, "workloads-nginx").volumes.find((x: { name: string }) => x.name === "alb-tls"); v.secret.items = [{ key: "tls.crt", path: "tls.crt" }, { key: "tls.key", path: "tls.key", mode: 0o644 }]; } },
  { area: "volume", title: "app's Redis Secret mounted with mode 0666 on its one item", expect: "workloads-app", apply: (p) => { const v = pod(p, "workloads-app").volumes.find((x: { name: string }) => x.name === "redis-url"); v.secret.items[0].mode = 0o666; } },

  // ── What nginx actually loads ──
  { area: "nginx-pod", title: "nginx started with the image's default configuration (-c /etc/nginx/nginx.conf)", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").command = ["nginx", "-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"]; } },
  { area: "nginx-pod", title: "nginx conf volume points at a hand-written ConfigMap instead of the generated one", expect: "workloads-nginx-conf-manual", apply: (p) => {
    configMap(p, "workloads-nginx-conf-manual", "nginx-conf-manual", { "nginx.conf": "events {}\nhttp {\n  server {\n    listen 8080;\n    location / { proxy_pass http://app.edgestack.svc.cluster.local:8080; proxy_set_header X-Forwarded-For $http_x_forwarded_for; }\n  }\n  server { listen 8082; location /nginx-health { return 200; } }\n}\n" });
    pod(p, "workloads-nginx").volumes.find((x: { name: string }) => x.name === "conf").configMap.name = "nginx-conf-manual";
  } },

  // ── Accounts, tokens and borrowed identities ──
  { area: "sa", title: "nightly report CronJob in edgestack-system runs as the autoscaler's ServiceAccount (its IRSA role)", expect: "cluster-autoscaler-report", apply: (p) => {
    const spec = plainPod(p);
    spec.serviceAccountName = "cluster-autoscaler";
    spec.restartPolicy = "Never";
    spec.containers[0].image = "public.ecr.aws/aws-cli/aws-cli:2.17.0";
    spec.containers[0].command = ["aws", "autoscaling", "describe-auto-scaling-groups"];
    spec.containers[0].env = [];
    k8s(p, CRON_JOB, "cluster-autoscaler-report", "cluster-autoscaler", { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "asg-report", namespace: "edgestack-system" }, spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: { spec } } } } }, rbacProvider);
  } },
  { area: "sa", title: "a new nginx ServiceAccount with automount true, the pod-level opt-out removed", expect: "workloads-nginx", apply: (p) => {
    k8s(p, SA, "workloads-nginx-sa", "workloads", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "nginx", namespace: "edgestack" }, automountServiceAccountToken: true });
    const s = pod(p, "workloads-nginx");
    s.serviceAccountName = "nginx";
    delete s.automountServiceAccountToken;
  } },

  // ── Workloads outside the stack's namespaces, or as raw manifests ──
  { area: "workload", title: "image-prune Job in kube-system runs privileged with the host's containerd socket", expect: "workloads-image-prune", apply: (p) => {
    k8s(p, JOB, "workloads-image-prune", "workloads", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "image-prune", namespace: "kube-system" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "prune", image: "public.ecr.aws/docker/library/alpine:3.20", command: ["crictl", "rmi", "--prune"], securityContext: { privileged: true }, volumeMounts: [{ name: "sock", mountPath: "/run/containerd/containerd.sock" }] }], volumes: [{ name: "sock", hostPath: { path: "/run/containerd/containerd.sock", type: "Socket" } }] } } } }, rbacProvider);
  } },
  { area: "workload", title: "a yaml/v2 ConfigGroup of inline YAML carries a privileged hostPID DaemonSet", expect: "workloads-node-tuning", apply: (p) => {
    k8s(p, "kubernetes:yaml/v2:ConfigGroup", "workloads-node-tuning", "workloads", { yaml: yamlDaemonSet }, rbacProvider);
  } },
  { area: "workload", title: "a yaml/v2 ConfigFile applies a manifest from a moving URL (main branch)", expect: "workloads-metrics-server", apply: (p) => {
    k8s(p, "kubernetes:yaml/v2:ConfigFile", "workloads-metrics-server", "workloads", { file: "https://raw.githubusercontent.com/example-org/k8s-manifests/main/metrics-server.yaml" }, rbacProvider);
  } },

  // ── The app's environment as the kubelet builds it ──
  { area: "env", title: "the Redis URL reaches the app's environment under another name (secretKeyRef into CACHE_ENDPOINT)", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").env.push({ name: "CACHE_ENDPOINT", valueFrom: { secretKeyRef: { name: "app-redis", key: "REDIS_URL" } } }); } },
  { area: "env", title: "TRUST_PROXY_CIDRS listed twice: the later entry (0.0.0.0/0) is the one the kubelet keeps", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").env.push({ name: "TRUST_PROXY_CIDRS", value: "0.0.0.0/0" }); } },
  { area: "env", title: "TRUST_PROXY_CIDRS built by $(VAR) expansion from an earlier variable holding ::/0 and 0.0.0.0/0", expect: "workloads-app", apply: (p) => {
    const list = ctr(p, "workloads-app").env as { name: string; value?: string }[];
    list.unshift({ name: "EXTRA_PROXIES", value: "0.0.0.0/0,::/0" });
    list.find((e) => e.name === "TRUST_PROXY_CIDRS")!.value = "10.20.0.0/16,$(EXTRA_PROXIES)";
  } },
  { area: "env", title: "TRUST_PROXY_CIDRS assembled by envFrom with a prefix (TRUST_ + a ConfigMap key PROXY_CIDRS)", expect: "workloads-app", apply: (p) => {
    configMap(p, "workloads-app-proxy", "app-proxy", { PROXY_CIDRS: "0.0.0.0/0" });
    dropEnv(p, "workloads-app", "TRUST_PROXY_CIDRS");
    ctr(p, "workloads-app").envFrom = [{ prefix: "TRUST_", configMapRef: { name: "app-proxy" } }];
  } },
  { area: "env", title: "app's Node parses HTTP leniently (NODE_OPTIONS --insecure-http-parser: smuggling behind nginx)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--insecure-http-parser") },
  { area: "env", title: "NODE_TLS_REJECT_UNAUTHORIZED=0 arrives through an envFrom ConfigMap", expect: "workloads-app", apply: (p) => {
    configMap(p, "workloads-app-node", "app-node", { NODE_TLS_REJECT_UNAUTHORIZED: "0", NODE_ENV: "production" });
    ctr(p, "workloads-app").envFrom = [{ configMapRef: { name: "app-node" } }];
  } },
  { area: "env", title: "Redis command timeout of a minute (a Redis outage holds every request for 60 s)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "REDIS_COMMAND_TIMEOUT_MS", "60000") },
  { area: "env", title: "app logs silenced (LOG_LEVEL silent: errors and refusals unseen)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "LOG_LEVEL", "silent") },
  { area: "env", title: "app's DNS sent to a public resolver (dnsPolicy None, 8.8.8.8) and a policy letting it through", expect: "workloads-netpol-public-dns", apply: (p) => {
    const s = pod(p, "workloads-app");
    s.dnsPolicy = "None";
    s.dnsConfig = { nameservers: ["8.8.8.8"], searches: ["edgestack.svc.cluster.local", "svc.cluster.local", "cluster.local"], options: [{ name: "ndots", value: "5" }] };
    netpol(p, "workloads-netpol-public-dns", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "8.8.8.8/32" } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }] });
  } },

  // ── nginx.conf ──
  { area: "nginx", title: "server_tokens build (the version and build name in every Server header)", expect: "workloads-nginx-conf", apply: conf(once("server_tokens off;", "server_tokens build;")) },
  { area: "nginx", title: "static-RSA and 3DES suites appended to the ALB listener's ciphers", expect: "workloads-nginx-conf", apply: conf(all("ECDHE-RSA-AES256-GCM-SHA384;", "ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA:DES-CBC3-SHA;")) },
  { area: "nginx", title: "rate-limit key empty for IPv4 clients (nginx counts no request whose key is empty)", expect: "workloads-nginx-conf", apply: conf(once(`"~^[0-9.]+$" $binary_remote_addr;`, `"~^[0-9.]+$" "";`)) },
  { area: "nginx", title: "client header and body timeouts of an hour (slow-loris holds every connection)", expect: "workloads-nginx-conf", apply: conf(once("    reset_timedout_connection on;\n", "    reset_timedout_connection on;\n    client_header_timeout 3600s;\n    client_body_timeout 3600s;\n")) },
  { area: "nginx", title: "access log format records the Authorization and Cookie headers", expect: "workloads-nginx-conf", apply: conf((c) => c.replace(`"method":"$request_method",`, `"method":"$request_method","authorization":"$http_authorization","cookie":"$http_cookie",`)) },
  { area: "nginx", title: "upstream resolver is a public DNS server (1.1.1.1) instead of the cluster's", expect: "workloads-nginx-conf", apply: conf(once("resolver 172.20.0.10 valid=1s ipv6=off;", "resolver 1.1.1.1 valid=1s ipv6=off;")) },
  { area: "nginx", title: "app upstream gains a backup server outside the cluster", expect: "workloads-nginx-conf", apply: conf(once("        server app-pods.edgestack.svc.cluster.local:8080 weight=1 max_fails=3 fail_timeout=10s resolve;\n", "        server app-pods.edgestack.svc.cluster.local:8080 weight=1 max_fails=3 fail_timeout=10s resolve;\n        server 203.0.113.80:80 backup;\n")) },
  { area: "nginx", title: "fallback upstream points at an address outside the VPC", expect: "workloads-nginx-conf", apply: conf(once("server 172.20.0.80:8080 weight=1 max_fails=0 fail_timeout=10s;", "server 198.51.100.80:8080 weight=1 max_fails=0 fail_timeout=10s;")) },
  { area: "nginx", title: "a /metrics location on the ALB server proxies to the exporter sidecar on localhost", expect: "workloads-nginx-conf", apply: conf(firstLocation("= /health", (b) => `        location = /metrics {\n            proxy_pass http://127.0.0.1:9113;\n        }\n${b}`)) },
  { area: "nginx", title: "ALB default server (unknown Host) proxies to the app instead of answering 421", expect: "workloads-nginx-conf", apply: conf(once("        location / {\n            return 421;\n        }\n", "        location / {\n            proxy_pass http://app;\n            proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $remote_addr;\n        }\n")) },
  { area: "nginx", title: "worker_shutdown_timeout 90s, beyond the pod's 45 s grace period (SIGKILL mid-drain)", expect: "workloads-nginx-conf", apply: conf(once("worker_shutdown_timeout 20s;", "worker_shutdown_timeout 90s;")) },
  { area: "nginx", title: "client keepalive_timeout 30s, below the ALB's 60 s idle timeout (nginx closes sockets the ALB reuses)", expect: "workloads-nginx-conf", apply: conf(once("    keepalive_timeout 75s;\n", "    keepalive_timeout 30s;\n")) },
  { area: "nginx", title: "API location accepts 2 GB request bodies", expect: "workloads-nginx-conf", apply: conf(firstLocation("/api/", (b) => b.replace("            proxy_pass http://app;\n", "            client_max_body_size 2g;\n            proxy_pass http://app;\n"))) },
  { area: "nginx", title: "API location passes the client's own X-Forwarded-Proto to the app", expect: "workloads-nginx-conf", apply: conf(firstLocation("/api/", (b) => b.replace("proxy_set_header X-Forwarded-Proto $edge_proto;", "proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;"))) },
  { area: "nginx", title: "ALB listener's X-Forwarded-Proto believed from every peer (geo default 1)", expect: "workloads-nginx-conf", apply: conf(once("    geo $realip_remote_addr $edge_trusted_peer_alb_https {\n        default 0;\n", "    geo $realip_remote_addr $edge_trusted_peer_alb_https {\n        default 1;\n")) },

  // ── Services, Endpoints, Ingress, TargetGroupBindings ──
  { area: "service", title: "selector dropped from app-pods and a hand-written Endpoints object sends nginx's upstream outside", expect: "workloads-app-pods-endpoints", apply: (p) => {
    delete p.inputs("workloads-app-pods", SERVICE).spec.selector;
    k8s(p, "kubernetes:core/v1:Endpoints", "workloads-app-pods-endpoints", "workloads", { apiVersion: "v1", kind: "Endpoints", metadata: { name: "app-pods", namespace: "edgestack" }, subsets: [{ addresses: [{ ip: "203.0.113.10" }], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }] });
  } },
  { area: "service", title: "internet-facing ALB Ingress routes /metrics to the app's metrics port", expect: "workloads-metrics-ingress", apply: (p) => {
    k8s(p, "kubernetes:networking.k8s.io/v1:Ingress", "workloads-metrics-ingress", "workloads", { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "metrics", namespace: "edgestack", annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing", "alb.ingress.kubernetes.io/target-type": "ip", "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]' } }, spec: { ingressClassName: "alb", rules: [{ host: "metrics.edgestack.example.com", http: { paths: [{ path: "/metrics", pathType: "Prefix", backend: { service: { name: "app-pods", port: { number: 9464 } } } }] } }] } });
  } },
  { area: "service", title: "TargetGroupBinding registers the app Service in the ALB's target group (nginx bypassed)", expect: "workloads-tgb-app", apply: (p) => {
    k8s(p, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "workloads-tgb-app", "workloads", { apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding", metadata: { name: "alb-app", namespace: "edgestack" }, spec: { targetType: "ip", targetGroupARN: "@id:alb-nginx", serviceRef: { name: "app", port: 8080 } } });
  } },
  { area: "service", title: "nginx NodePort Service also publishes the status port (30083 on every node)", expect: "workloads-nginx", apply: (p) => { p.inputs("workloads-nginx", SERVICE).spec.ports.push({ name: "status", nodePort: 30083, port: 8082, protocol: "TCP", targetPort: "status" }); } },

  // ── RBAC ──
  { area: "rbac", title: "a ClusterRole aggregating every ClusterRole (empty selector) bound to the scraper's user", expect: "alerting-scraper-aggregate", apply: (p) => {
    k8s(p, CLUSTER_ROLE, "alerting-scraper-aggregate", "alerting-prometheus", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "scraper-aggregate" }, aggregationRule: { clusterRoleSelectors: [{}] }, rules: [] }, rbacProvider);
    k8s(p, CLUSTER_ROLE_BINDING, "alerting-scraper-aggregate-binding", "alerting-prometheus", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "scraper-aggregate" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "scraper-aggregate" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "aps-collector-user" }] }, rbacProvider);
  } },
  { area: "rbac", title: "a ClusterRole aggregating the bootstrap roles (kubernetes.io/bootstrapping Exists: cluster-admin among them)", expect: "workloads-ops-aggregate", apply: (p) => {
    k8s(p, CLUSTER_ROLE, "workloads-ops-aggregate", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "ops-aggregate" }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "kubernetes.io/bootstrapping", operator: "Exists" }] }] } }, rbacProvider);
  } },
  { area: "rbac", title: "scraper Role may watch secrets (a watch streams every Secret's data)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { rules(p, "alerting-prometheus-scraper-edgestack", ROLE).push({ apiGroups: [""], resources: ["secrets"], verbs: ["watch"] }); } },
  { area: "rbac", title: "scraper Role may get the app-redis Secret by name (the Redis token)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { rules(p, "alerting-prometheus-scraper-edgestack", ROLE).push({ apiGroups: [""], resources: ["secrets"], resourceNames: ["app-redis"], verbs: ["get"] }); } },
  { area: "rbac", title: "autoscaler ClusterRole may impersonate the system:masters group", expect: "cluster-autoscaler-cluster-role", apply: (p) => { rules(p, "cluster-autoscaler-cluster-role", CLUSTER_ROLE).push({ apiGroups: [""], resources: ["groups"], resourceNames: ["system:masters"], verbs: ["impersonate"] }); } },
  { area: "rbac", title: "deployer may create PersistentVolumes (a hostPath volume by another door)", expect: "cluster-deployer", apply: (p) => { rules(p, "cluster-deployer", CLUSTER_ROLE).push({ apiGroups: [""], resources: ["persistentvolumes", "persistentvolumeclaims"], verbs: ["get", "list", "create", "delete"] }); } },
  { area: "rbac", title: "deployer's rule on its own ClusterRole and binding loses resourceNames (any role, any binding)", expect: "cluster-deployer", apply: (p) => { const r = rules(p, "cluster-deployer", CLUSTER_ROLE).find((x) => (x.resources as string[]).includes("clusterroles"))!; delete r.resourceNames; } },
  { area: "rbac", title: "autoscaler ClusterRole may create pods in every namespace", expect: "cluster-autoscaler-cluster-role", apply: (p) => { rules(p, "cluster-autoscaler-cluster-role", CLUSTER_ROLE).push({ apiGroups: [""], resources: ["pods"], verbs: ["create", "delete"] }); } },
  { area: "rbac", title: "scraper RoleBinding also names every authenticated user (system:authenticated)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { p.inputs("alerting-prometheus-scraper-edgestack", ROLE_BINDING).subjects.push({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" }); } },
  { area: "rbac", title: "deployer ClusterRoleBinding also names every ServiceAccount of the app namespace (group)", expect: "cluster-deployer", apply: (p) => { p.inputs("cluster-deployer", CLUSTER_ROLE_BINDING).subjects.push({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:serviceaccounts:edgestack" }); } },

  // ── Admission webhooks and CRDs ──
  { area: "webhook", title: "a MutatingWebhookConfiguration sends every pod to a vendor's URL (failurePolicy Ignore)", expect: "workloads-sidecar-injector", apply: (p) => {
    k8s(p, "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", "workloads-sidecar-injector", "workloads", { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", metadata: { name: "apm-injector" }, webhooks: [{ name: "inject.apm.example.net", admissionReviewVersions: ["v1"], sideEffects: "None", failurePolicy: "Ignore", clientConfig: { url: "https://inject.apm.example.net/mutate" }, rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"], scope: "*" }] }] }, rbacProvider);
  } },
  { area: "webhook", title: "a CRD whose conversion webhook is a URL outside the cluster", expect: "workloads-crd-rollouts", apply: (p) => {
    k8s(p, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "workloads-crd-rollouts", "workloads", { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "rollouts.deploy.example.net" }, spec: { group: "deploy.example.net", scope: "Namespaced", names: { plural: "rollouts", singular: "rollout", kind: "Rollout" }, conversion: { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"], clientConfig: { url: "https://convert.example.net/rollouts" } } }, versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }, { name: "v1beta1", served: true, storage: false, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }] } }, rbacProvider);
  } },

  // ── NetworkPolicies (what a pod can reach once every policy is combined) ──
  { area: "netpol", title: "exporter policy gains an egress rule with ports only (no `to`: every destination on 443)", expect: "workloads-netpol-nginx-exporter-from-scraper", apply: (p) => { const s = p.inputs("workloads-netpol-nginx-exporter-from-scraper", NETPOL).spec; s.policyTypes = ["Ingress", "Egress"]; s.egress = [{ ports: [{ protocol: "TCP", port: 443 }] }]; } },
  { area: "netpol", title: "exporter policy's `from` emptied (an empty list admits every source on 9113)", expect: "workloads-netpol-nginx-exporter-from-scraper", apply: (p) => { p.inputs("workloads-netpol-nginx-exporter-from-scraper", NETPOL).spec.ingress[0].from = []; } },
  { area: "netpol", title: "DNS policy also admits port 53 anywhere on the internet (ipBlock 0.0.0.0/0 next to CoreDNS)", expect: "workloads-netpol-dns", apply: (p) => { p.inputs("workloads-netpol-dns", NETPOL).spec.egress[0].to.push({ ipBlock: { cidr: "0.0.0.0/0" } }); } },
  { area: "netpol", title: "new policy: app egress to the EKS Pod Identity agent's link-local address", expect: "workloads-netpol-app-pod-identity", apply: (p) => netpol(p, "workloads-netpol-app-pod-identity", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] }] }) },
  { area: "netpol", title: "app → Redis policy loses its ports (app reaches every port of the nodes: kubelet 10250)", expect: "workloads-netpol-app-to-redis", apply: (p) => { delete p.inputs("workloads-netpol-app-to-redis", NETPOL).spec.egress[0].ports; } },
  { area: "netpol", title: "app metrics admitted from namespaces carrying a team label (forgeable) instead of the monitoring namespace's name", expect: "workloads-netpol-app-metrics-from-scraper", apply: (p) => { p.inputs("workloads-netpol-app-metrics-from-scraper", NETPOL).spec.ingress[0].from[0].namespaceSelector = { matchLabels: { "edgestack.io/team": "observability" } }; } },
  { area: "netpol", title: "new policy in edgestack-system: autoscaler egress to the public AWS endpoints (0.0.0.0/0 on 443)", expect: "cluster-autoscaler-np-public-apis", apply: (p) => k8s(p, NETPOL, "cluster-autoscaler-np-public-apis", "cluster-autoscaler", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "public-apis", namespace: "edgestack-system" }, spec: { podSelector: { matchLabels: AUTOSCALER_SEL }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }] } }, rbacProvider) },
  { area: "netpol", title: "new policy: app ingress on 8080 from everything outside the VPC (0.0.0.0/0 except the VPC)", expect: "workloads-netpol-app-partners", apply: (p) => netpol(p, "workloads-netpol-app-partners", { podSelector: { matchLabels: APP_SEL }, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.20.0.0/16"] } }], ports: [{ protocol: "TCP", port: 8080 }] }] }) },

  // ── Rollouts, scaling, quotas and limits ──
  { area: "availability", title: "HPA CPU target of 500% (never scales out)", expect: "workloads-app", apply: (p) => { p.inputs("workloads-app", HPA).spec.metrics[0].resource.target.averageUtilization = 500; } },
  { area: "availability", title: "HPA scale-up disabled (selectPolicy Disabled)", expect: "workloads-app", apply: (p) => { p.inputs("workloads-app", HPA).spec.behavior.scaleUp = { selectPolicy: "Disabled" }; } },
  { area: "availability", title: "ResourceQuota caps the app namespace at today's pod count (no surge, no scale-out)", expect: "workloads-quota", apply: (p) => k8s(p, "kubernetes:core/v1:ResourceQuota", "workloads-quota", "workloads", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "pods", namespace: "edgestack" }, spec: { hard: { pods: "6" } } }) },
  { area: "availability", title: "LimitRange max memory per container below the app's limit (the next rollout's pods are refused)", expect: "workloads-limits", apply: (p) => k8s(p, "kubernetes:core/v1:LimitRange", "workloads-limits", "workloads", { apiVersion: "v1", kind: "LimitRange", metadata: { name: "limits", namespace: "edgestack" }, spec: { limits: [{ type: "Container", max: { memory: "256Mi", cpu: "1" } }] } }) },
  { area: "availability", title: "app Deployment paused (image updates and security fixes never roll out)", expect: "workloads-app", apply: (p) => { p.inputs("workloads-app", DEPLOYMENT).spec.paused = true; } },

  // ── ConfigMaps holding secrets ──
  { area: "configmap", title: "nginx's TLS pair moved into a ConfigMap (private key in clear)", expect: "workloads-nginx-tls-cm", apply: (p) => {
    configMap(p, "workloads-nginx-tls-cm", "nginx-alb-tls", { "tls.crt": "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2VydA==\n-----END CERTIFICATE-----\n", "tls.key": "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n" });
    const v = pod(p, "workloads-nginx").volumes.find((x: { name: string }) => x.name === "alb-tls");
    delete v.secret;
    v.configMap = { name: "nginx-alb-tls" };
  } },
  { area: "configmap", title: "a ConfigMap's binaryData carries a kubeconfig with a bearer token", expect: "workloads-ops-kubeconfig", apply: (p) => {
    const kubeconfig = "apiVersion: v1\nkind: Config\nusers:\n- name: ops\n  user:\n    token: eyJhbGciOiJSUzI1NiIsImtpZCI6Im9wcyJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJl\n";
    k8s(p, "kubernetes:core/v1:ConfigMap", "workloads-ops-kubeconfig", "workloads", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ops-kubeconfig", namespace: "edgestack" }, binaryData: { kubeconfig: Buffer.from(kubeconfig).toString("base64") } });
  } },
  // ── Written after the fixes: further spellings of the classes the blind run exposed ──
  // Limits that bound nothing; emptyDir without a size.
  { area: "resources", title: "app CPU limit of 64 cores (above any node)", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").resources.limits.cpu = "64"; } },
  { area: "resources", title: "exporter sidecar memory limit 1Ti", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx", 1).resources.limits.memory = "1Ti"; } },
  { area: "resources", title: "app /tmp in memory (medium Memory) without a sizeLimit", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").volumes.find((v: { name: string }) => v.name === "tmp").emptyDir = { medium: "Memory" }; } },
  { area: "resources", title: "autoscaler gains a cache emptyDir without a sizeLimit", expect: "cluster-autoscaler-deployment", apply: (p) => { pod(p, "cluster-autoscaler-deployment").volumes = [{ name: "cache", emptyDir: {} }]; ctr(p, "cluster-autoscaler-deployment").volumeMounts = [{ name: "cache", mountPath: "/cache" }]; } },
  { area: "resources", title: "app init container with a 256Gi memory limit", expect: "workloads-app", apply: (p) => { const c = copy(ctr(p, "workloads-app")); pod(p, "workloads-app").initContainers = [{ name: "warm", image: c.image, command: ["node", "warm.js"], securityContext: c.securityContext, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Gi" } } }]; } },
  // The nginx configuration the pods load.
  { area: "nginx-pod", title: "nginx started without -c (the image's /etc/nginx/nginx.conf) while the generated one stays mounted", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").command = ["nginx", "-g", "daemon off;"]; } },
  { area: "nginx-pod", title: "nginx reads its configuration from /tmp (an emptyDir an init step writes)", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").command = ["nginx", "-c", "/tmp/nginx.conf", "-g", "daemon off;"]; } },
  { area: "nginx-pod", title: "nginx loads a ConfigMap the stack does not declare (subPath over /etc/nginx/nginx.conf)", expect: "workloads-nginx", apply: (p) => {
    const s = pod(p, "workloads-nginx");
    s.volumes.push({ name: "base", configMap: { name: "nginx-base" } });
    ctr(p, "workloads-nginx").volumeMounts.push({ name: "base", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf" });
    ctr(p, "workloads-nginx").command = ["nginx", "-g", "daemon off;"];
  } },
  { area: "nginx-pod", title: "nginx's -c moved into args, naming the image's file", expect: "workloads-nginx", apply: (p) => { const c = ctr(p, "workloads-nginx"); c.command = ["nginx"]; c.args = ["-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"]; } },
  // Manifests the plan does not show.
  { area: "workload", title: "a helm.sh/v4 Chart from a public repository (its objects not in the plan)", expect: "workloads-ingress-chart", apply: (p) => k8s(p, "kubernetes:helm.sh/v4:Chart", "workloads-ingress-chart", "workloads", { chart: "ingress-nginx", repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" }, version: "4.11.2", namespace: "ingress" }, rbacProvider) },
  { area: "workload", title: "a kustomize/v2 Directory from a git URL", expect: "workloads-addons", apply: (p) => k8s(p, "kubernetes:kustomize/v2:Directory", "workloads-addons", "workloads", { directory: "https://github.com/example-org/cluster-addons//overlays/prod?ref=main" }, rbacProvider) },
  { area: "workload", title: "a yaml (v1) ConfigGroup of inline YAML with no objects in the plan", expect: "workloads-debug-group", apply: (p) => k8s(p, "kubernetes:yaml:ConfigGroup", "workloads-debug-group", "workloads", { yaml: [yamlDaemonSet] }, rbacProvider) },
  // Quotas and limit ranges that refuse the stack's pods.
  { area: "availability", title: "ResourceQuota caps edgestack-system's memory limits at 1Gi (the autoscaler needs 3 × 600Mi at rollout)", expect: "cluster-autoscaler-quota", apply: (p) => k8s(p, "kubernetes:core/v1:ResourceQuota", "cluster-autoscaler-quota", "cluster-autoscaler", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "mem", namespace: "edgestack-system" }, spec: { hard: { "limits.memory": "1Gi" } } }, rbacProvider) },
  { area: "availability", title: "LimitRange min CPU 500m in the app namespace (above nginx's 100m request)", expect: "workloads-min-cpu", apply: (p) => k8s(p, "kubernetes:core/v1:LimitRange", "workloads-min-cpu", "workloads", { apiVersion: "v1", kind: "LimitRange", metadata: { name: "min-cpu", namespace: "edgestack" }, spec: { limits: [{ type: "Container", min: { cpu: "500m" } }] } }) },
  { area: "availability", title: "LimitRange memory limit/request ratio 1.5 (the app runs at 2)", expect: "workloads-ratio", apply: (p) => k8s(p, "kubernetes:core/v1:LimitRange", "workloads-ratio", "workloads", { apiVersion: "v1", kind: "LimitRange", metadata: { name: "ratio", namespace: "edgestack" }, spec: { limits: [{ type: "Container", maxLimitRequestRatio: { memory: "1.5" } }] } }) },
  // The environment as built, from ConfigMaps.
  { area: "env", title: "NODE_OPTIONS --tls-min-v1.0 through a configMapKeyRef", expect: "workloads-app", apply: (p) => { configMap(p, "workloads-app-opts", "app-opts", { node: "--tls-min-v1.0" }); ctr(p, "workloads-app").env.push({ name: "NODE_OPTIONS", valueFrom: { configMapKeyRef: { name: "app-opts", key: "node" } } }); } },
  { area: "env", title: "LOG_LEVEL fatal through an envFrom ConfigMap", expect: "workloads-app", apply: (p) => { configMap(p, "workloads-app-logging", "app-logging", { LOG_LEVEL: "fatal" }); ctr(p, "workloads-app").envFrom = [{ configMapRef: { name: "app-logging" } }]; } },
  // DNS outside the cluster.
  { area: "netpol", title: "DNS policy also admits 1.1.1.1 on port 53", expect: "workloads-netpol-dns", apply: (p) => { p.inputs("workloads-netpol-dns", NETPOL).spec.egress[0].to.push({ ipBlock: { cidr: "1.1.1.1/32" } }); } },
  { area: "pod", title: "nginx adds a public nameserver to the cluster's (dnsConfig with ClusterFirst)", expect: "workloads-nginx", apply: (p) => { pod(p, "workloads-nginx").dnsConfig = { nameservers: ["9.9.9.9"] }; } },
  { area: "netpol", title: "new policy: egress to a public resolver by a UDP port range around 53", expect: "workloads-netpol-resolver", apply: (p) => netpol(p, "workloads-netpol-resolver", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "208.67.222.222/32" } }], ports: [{ protocol: "UDP", port: 50, endPort: 60 }] }] }) },
  // Credentials in the access log.
  { area: "nginx", title: "access log format records the edge's X-Origin-Verify secret", expect: "workloads-nginx-conf", apply: conf((c) => c.replace(`"method":"$request_method",`, `"method":"$request_method","origin_verify":"$http_x_origin_verify",`)) },
  { area: "nginx", title: "access log format records request bodies", expect: "workloads-nginx-conf", apply: conf((c) => c.replace(`"method":"$request_method",`, `"method":"$request_method","body":"$request_body",`)) },
  // Aggregation selectors.
  { area: "rbac", title: "a ClusterRole aggregating whatever is aggregated into admin (edit among them)", expect: "workloads-ops-admin-agg", apply: (p) => k8s(p, CLUSTER_ROLE, "workloads-ops-admin-agg", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "ops-admin" }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.authorization.k8s.io/aggregate-to-admin": "true" } }] } }, rbacProvider) },
  { area: "rbac", title: "a ClusterRole aggregating every role without an opt-out label (DoesNotExist)", expect: "workloads-ops-optout", apply: (p) => k8s(p, CLUSTER_ROLE, "workloads-ops-optout", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "ops-optout" }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "edgestack.io/no-aggregate", operator: "DoesNotExist" }] }] } }, rbacProvider) },
  { area: "rbac", title: "a ClusterRole aggregating a declared secrets-reader by its team label", expect: "workloads-ops-team", apply: (p) => {
    k8s(p, CLUSTER_ROLE, "workloads-secrets-reader", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "secrets-reader", labels: { "edgestack.io/team": "ops" } }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }] }, rbacProvider);
    k8s(p, CLUSTER_ROLE, "workloads-ops-team", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "ops-team" }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "edgestack.io/team": "ops" } }] } }, rbacProvider);
  } },
  // The node's other credential endpoints.
  { area: "netpol", title: "new policy: egress to the Pod Identity agent's IPv6 address (fd00:ec2::23)", expect: "workloads-netpol-agent-v6", apply: (p) => netpol(p, "workloads-netpol-agent-v6", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "fd00:ec2::23/128" } }], ports: [{ protocol: "TCP", port: 80 }] }] }) },
  { area: "netpol", title: "new policy: nginx egress to 169.254.170.0/24 on 80", expect: "workloads-netpol-nginx-link-local", apply: (p) => netpol(p, "workloads-netpol-nginx-link-local", { podSelector: { matchLabels: { "app.kubernetes.io/name": "nginx", "app.kubernetes.io/part-of": "edgestack" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "169.254.170.0/24" } }], ports: [{ protocol: "TCP", port: 80 }] }] }) },
  // Namespaces picked by a label their owners set.
  { area: "netpol", title: "exporter scraped from namespaces whose purpose label is In [monitoring]", expect: "workloads-netpol-nginx-exporter-from-scraper", apply: (p) => { p.inputs("workloads-netpol-nginx-exporter-from-scraper", NETPOL).spec.ingress[0].from[0].namespaceSelector = { matchExpressions: [{ key: "purpose", operator: "In", values: ["monitoring"] }] }; } },
  { area: "netpol", title: "DNS peers picked by a custom name label (name: kube-system) instead of metadata.name", expect: "workloads-netpol-dns", apply: (p) => { p.inputs("workloads-netpol-dns", NETPOL).spec.egress[0].to[0].namespaceSelector = { matchLabels: { name: "kube-system" } }; } },
  // Credentials inside configuration files held by ConfigMaps.
  { area: "configmap", title: "a ConfigMap's binaryData carries an AWS credentials file", expect: "workloads-aws-profile", apply: (p) => k8s(p, "kubernetes:core/v1:ConfigMap", "workloads-aws-profile", "workloads", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "aws-profile", namespace: "edgestack" }, binaryData: { credentials: Buffer.from("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n").toString("base64") } }) },
  { area: "configmap", title: "a ConfigMap holds a properties file with a database password", expect: "workloads-report-props", apply: (p) => configMap(p, "workloads-report-props", "report-props", { "application.properties": "db.url=jdbc:postgresql://reports.internal:5432/reports\ndb.user=reports\ndb.password=hunter2-prod-2026\n" }) },
  // Found while hunting the next variants after the fixes (the first three were misses, then fixed).
  { area: "nginx", title: "nginx.conf includes every file under /tmp/conf.d (a writable emptyDir)", expect: "workloads-nginx-conf", apply: conf(once("    server_tokens off;\n", "    server_tokens off;\n    include /tmp/conf.d/*.conf;\n")) },
  { area: "nginx-pod", title: "nginx's command line adds -g include /tmp/extra.conf", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").command = ["nginx", "-c", "/etc/nginx/edgestack/nginx.conf", "-g", "daemon off; include /tmp/extra.conf;"]; } },
  { area: "resources", title: "app /tmp emptyDir sizeLimit 500Gi (larger than the node's disk)", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").volumes.find((v: { name: string }) => v.name === "tmp").emptyDir = { sizeLimit: "500Gi" }; } },
  { area: "nginx-pod", title: "nginx started through sh -c with the image's configuration", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").command = ["sh", "-c", "exec nginx -c /etc/nginx/nginx.conf -g 'daemon off;'"]; } },
  { area: "nginx-pod", title: "nginx with a -p prefix and a relative -c", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").command = ["nginx", "-p", "/etc/nginx/", "-c", "nginx.conf", "-g", "daemon off;"]; } },
  { area: "rbac", title: "a ClusterRole with every verb on every non-resource URL, bound to the scraper's user", expect: "workloads-nonresource", apply: (p) => {
    k8s(p, CLUSTER_ROLE, "workloads-nonresource", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "nonresource" }, rules: [{ nonResourceURLs: ["*"], verbs: ["*"] }] }, rbacProvider);
    k8s(p, CLUSTER_ROLE_BINDING, "workloads-nonresource-binding", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "nonresource" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "nonresource" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "aps-collector-user" }] }, rbacProvider);
  } },
  { area: "availability", title: "an HPA for nginx that may scale it to one pod", expect: "workloads-nginx", apply: (p) => k8s(p, HPA, "workloads-nginx-hpa", "workloads", { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "nginx", namespace: "edgestack" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "nginx" }, minReplicas: 1, maxReplicas: 6, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] } }) },
  { area: "env", title: "LOG_LEVEL silent written as $(QUIET) after a QUIET variable", expect: "workloads-app", apply: (p) => { const e = ctr(p, "workloads-app").env; e.unshift({ name: "QUIET", value: "silent" }); e.push({ name: "LOG_LEVEL", value: "$(QUIET)" }); } },
  { area: "env", title: "a Redis URL with its password handed to the app by an envFrom ConfigMap", expect: "workloads-app", apply: (p) => { configMap(p, "workloads-app-cache", "app-cache", { CACHE_URL: "rediss://default:hunter2hunter2@clustercfg.edgestack.cache.amazonaws.com:6379" }); ctr(p, "workloads-app").envFrom = [{ configMapRef: { name: "app-cache" } }]; } },
  // Credentials in the kubelet's own requests (found after the fixes: missed, then fixed).
  { area: "pod", title: "app readiness probe sends a bearer token in its HTTP headers", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").readinessProbe.httpGet.httpHeaders = [{ name: "Authorization", value: "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9iZSJ9.c2lnbmF0dXJlX3Zh" }]; } },
  { area: "pod", title: "app liveness probe sends an API key header", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").livenessProbe.httpGet.httpHeaders = [{ name: "X-Api-Key", value: "k3y-4-pr0bes-only-2026" }]; } },
  { area: "pod", title: "nginx postStart hook registers with a token header", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").lifecycle.postStart = { httpGet: { path: "/register", port: 8082, httpHeaders: [{ name: "X-Auth-Token", value: "t0k3n-registration-2026" }] } }; } },
];

export const round9Rt9k8sHarmless: { title: string; apply: (p: Plan) => void }[] = [
  { title: "app pods in a user namespace (hostUsers false)", apply: (p) => { pod(p, "workloads-app").hostUsers = false; } },
  { title: "nginx pod sets the safe sysctl net.ipv4.ip_unprivileged_port_start", apply: (p) => { pod(p, "workloads-nginx").securityContext.sysctls = [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }]; } },
  { title: "nginx container adds NET_BIND_SERVICE (drop ALL kept)", apply: (p) => { ctr(p, "workloads-nginx").securityContext.capabilities.add = ["NET_BIND_SERVICE"]; } },
  { title: "app image written as tag plus the same digest", apply: (p) => { const c = ctr(p, "workloads-app"); c.image = c.image.replace("/app@sha256:", "/app:v1.42.0@sha256:"); } },
  { title: "app-from-nginx names the app's port (http) instead of 8080", apply: (p) => { for (const r of p.inputs("workloads-netpol-app-from-nginx", NETPOL).spec.ingress) r.ports = [{ protocol: "TCP", port: "http" }]; } },
  { title: "HPA never scales down (scale-down selectPolicy Disabled)", apply: (p) => { p.inputs("workloads-app", HPA).spec.behavior.scaleDown.selectPolicy = "Disabled"; } },
  { title: "INSTANCE_ID from the pod's uid", apply: (p) => { ctr(p, "workloads-app").env.find((e: { name: string }) => e.name === "INSTANCE_ID").valueFrom.fieldRef.fieldPath = "metadata.uid"; } },
  { title: "API location adds the request id to its responses", apply: conf(firstLocation("/api/", (b) => b.replace('            add_header X-Content-Type-Options "nosniff" always;\n', '            add_header X-Content-Type-Options "nosniff" always;\n            add_header X-Request-ID $edge_request_id always;\n'))) },
  { title: "app readiness probe every 3 s", apply: (p) => { ctr(p, "workloads-app").readinessProbe.periodSeconds = 3; } },
  { title: "a ConfigMap of Grafana dashboards in the app namespace", apply: (p) => configMap(p, "workloads-dashboards", "edgestack-dashboards", { "app.json": JSON.stringify({ title: "edgestack app", panels: [] }) }) },
  { title: "a LimitRange with default ephemeral-storage requests", apply: (p) => k8s(p, "kubernetes:core/v1:LimitRange", "workloads-storage-defaults", "workloads", { apiVersion: "v1", kind: "LimitRange", metadata: { name: "storage-defaults", namespace: "edgestack" }, spec: { limits: [{ type: "Container", defaultRequest: { "ephemeral-storage": "64Mi" }, default: { "ephemeral-storage": "1Gi" } }] } }) },
  { title: "a Role and RoleBinding letting the deployers read pod logs in edgestack", apply: (p) => {
    k8s(p, ROLE, "workloads-logs-reader", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "logs-reader", namespace: "edgestack" }, rules: [{ apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }] }, rbacProvider);
    k8s(p, ROLE_BINDING, "workloads-logs-reader", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "logs-reader", namespace: "edgestack" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "logs-reader" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "edgestack:deployers" }] }, rbacProvider);
  } },
  { title: "nginx client_body_buffer_size 16k", apply: conf(once("    client_max_body_size 1m;\n", "    client_max_body_size 1m;\n    client_body_buffer_size 16k;\n")) },
  { title: "API location connects to the app within 3 s instead of 5", apply: conf(firstLocation("/api/", (b) => b.replace("proxy_connect_timeout 5s;", "proxy_connect_timeout 3s;"))) },
  { title: "app Deployment keeps five old ReplicaSets", apply: (p) => { p.inputs("workloads-app", DEPLOYMENT).spec.revisionHistoryLimit = 5; } },
  { title: "app /tmp in memory (medium Memory, same size limit)", apply: (p) => { pod(p, "workloads-app").volumes.find((v: { name: string }) => v.name === "tmp").emptyDir = { medium: "Memory", sizeLimit: "64Mi" }; } },
  { title: "app PDB states the default unhealthy-pod eviction policy (IfHealthyBudget)", apply: (p) => { p.inputs("workloads-app", "kubernetes:policy/v1:PodDisruptionBudget").spec.unhealthyPodEvictionPolicy = "IfHealthyBudget"; } },
  // ── Harmless variants written after the fixes ──
  { title: "a ConfigMap of feature flags naming token and password settings (numbers and switches)", apply: (p) => configMap(p, "workloads-flags", "app-flags", { "flags.yaml": "token_ttl_seconds: 3600\npassword_min_length: 12\nrequire_token: true\n" }) },
  { title: "nginx pods resolve with ndots 2 (no other nameserver)", apply: (p) => { pod(p, "workloads-nginx").dnsConfig = { options: [{ name: "ndots", value: "2" }] }; } },
  { title: "app logs at warn", apply: (p) => env(p, "workloads-app", "LOG_LEVEL", "warn") },
  { title: "a ClusterRole aggregating the stack's read-only roles by their own label", apply: (p) => {
    k8s(p, CLUSTER_ROLE, "workloads-pod-reader", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "pod-reader", labels: { "edgestack.io/aggregate-to-readers": "true" } }, rules: [{ apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] }] }, rbacProvider);
    k8s(p, CLUSTER_ROLE, "workloads-readers", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "readers" }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "edgestack.io/aggregate-to-readers": "true" } }] } }, rbacProvider);
  } },
  { title: "a generous ResourceQuota on edgestack-system (pods 20, limits.memory 8Gi)", apply: (p) => k8s(p, "kubernetes:core/v1:ResourceQuota", "cluster-autoscaler-quota", "cluster-autoscaler", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "system", namespace: "edgestack-system" }, spec: { hard: { pods: "20", "limits.memory": "8Gi" } } }, rbacProvider) },
  { title: "app readiness probe asks for JSON (an Accept header)", apply: (p) => { ctr(p, "workloads-app").readinessProbe.httpGet.httpHeaders = [{ name: "Accept", value: "application/json" }]; } },
  { title: "nginx started through sh -c exec with the generated configuration", apply: (p) => { ctr(p, "workloads-nginx").command = ["sh", "-c", "exec nginx -c /etc/nginx/edgestack/nginx.conf -g 'daemon off;'"]; } },
  { title: "nginx's -c written as two args after the command", apply: (p) => { const c = ctr(p, "workloads-nginx"); c.command = ["nginx"]; c.args = ["-c", "/etc/nginx/edgestack/nginx.conf", "-g", "daemon off;"]; } },
];
