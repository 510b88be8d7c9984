/**
 * Round 5, Kubernetes side and data plane: insecure changes of the prod plan written blind (before reading the
 * rules) as a reviewer who knows Kubernetes, nginx and the field's scanners would try them, each naming the
 * resource a mandatory rule must report; and harmless changes a reviewer would accept, which must stay green.
 * Areas: pod security contexts, images, probes, resources, service accounts, RBAC, NetworkPolicies, Services,
 * PDBs, HPAs, namespaces, ConfigMaps/Secrets, the cluster autoscaler, exporters, rollouts, the nginx.conf in
 * its ConfigMap, the app's environment, and the chains across them (viewer address, timeouts, grace periods).
 */
import { createHash } from "node:crypto";
import type { Mutation, Plan } from "./mutations";
import { APP_PODS, CLUSTER_ROLE, CLUSTER_ROLE_BINDING, ctr, DEPLOYMENT, env, HPA, k8s, netpol, PDB, pod, ROLE, ROLE_BINDING, SERVICE } from "./corpus-k8s";

const CF_FUNCTION = "aws:cloudfront/function:Function";
const ORIGIN_REQUEST_POLICY = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy";

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * Edits the generated nginx.conf as the program would after a config change: new content, the ConfigMap named by
 * its hash, the Deployment's checksum annotation and volume following it.
 */
export function editConf(p: Plan, edit: (conf: string) => string): void {
  const cm = p.inputs("workloads-nginx-conf");
  const before = String(cm.data["nginx.conf"]);
  const after = edit(before);
  if (after === before) throw new Error("nginx.conf edit changed nothing");
  const sha = createHash("sha256").update(after).digest("hex");
  const name = `nginx-conf-${sha.slice(0, 10)}`;
  const oldName = cm.metadata.name;
  cm.data["nginx.conf"] = after;
  cm.metadata.name = name;
  const tpl = p.inputs("workloads-nginx", DEPLOYMENT).spec.template;
  tpl.metadata.annotations["edgestack.io/nginx-conf-sha256"] = sha;
  tpl.metadata.annotations["edgestack.io/config-sources"] = String(tpl.metadata.annotations["edgestack.io/config-sources"]).replace(oldName, name);
  tpl.metadata.annotations["edgestack.io/config-digest"] = createHash("sha256").update(`digest:${after}`).digest("hex");
  for (const v of tpl.spec.volumes) if (v.configMap?.name === oldName) v.configMap.name = name;
}
/** Replaces every occurrence (the conf repeats directives per server and location). */
export const all = (from: string | RegExp, to: string) => (c: string) => c.split(from as string).join(to);
export const re = (from: RegExp, to: string) => (c: string) => c.replace(new RegExp(from.source, from.flags.includes("g") ? from.flags : from.flags + "g"), to);

export const round5K8sMutations: Mutation[] = [
  // ── Pod and container security contexts ──
  { area: "pods", title: "app container runs privileged", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").securityContext.privileged = true) },
  { area: "pods", title: "nginx container may escalate privileges", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").securityContext.allowPrivilegeEscalation = true) },
  { area: "pods", title: "nginx exporter sidecar runs as uid 0", expect: "workloads-nginx", apply: (p) => Object.assign(ctr(p, "workloads-nginx", 1).securityContext, { runAsUser: 0, runAsNonRoot: false }) },
  { area: "pods", title: "app runs as root: runAsNonRoot dropped at both levels, uid 0 on the container", expect: "workloads-app", apply: (p) => { delete pod(p, "workloads-app").securityContext.runAsNonRoot; delete pod(p, "workloads-app").securityContext.runAsUser; const sc = ctr(p, "workloads-app").securityContext; delete sc.runAsNonRoot; sc.runAsUser = 0; } },
  { area: "pods", title: "nginx adds NET_ADMIN", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").securityContext.capabilities = { drop: ["ALL"], add: ["NET_ADMIN"] }) },
  { area: "pods", title: "autoscaler adds SYS_ADMIN and drops nothing", expect: "cluster-autoscaler-deployment", apply: (p) => (ctr(p, "cluster-autoscaler-deployment").securityContext.capabilities = { add: ["SYS_ADMIN"] }) },
  { area: "pods", title: "app drops only NET_RAW instead of ALL", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").securityContext.capabilities = { drop: ["NET_RAW"] }) },
  { area: "pods", title: "app container seccomp Unconfined (pod level stays RuntimeDefault)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").securityContext.seccompProfile = { type: "Unconfined" }) },
  { area: "pods", title: "nginx root filesystem writable", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").securityContext.readOnlyRootFilesystem = false) },
  { area: "pods", title: "nginx on the host network", expect: "workloads-nginx", apply: (p) => (pod(p, "workloads-nginx").hostNetwork = true) },
  { area: "pods", title: "autoscaler shares the host PID namespace", expect: "cluster-autoscaler-deployment", apply: (p) => (pod(p, "cluster-autoscaler-deployment").hostPID = true) },
  { area: "pods", title: "app shares the host IPC namespace", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").hostIPC = true) },
  { area: "pods", title: "app mounts the container runtime socket from the host", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").volumes.push({ name: "runtime", hostPath: { path: "/run/containerd/containerd.sock", type: "Socket" } }); ctr(p, "workloads-app").volumeMounts.push({ name: "runtime", mountPath: "/run/containerd/containerd.sock" }); } },
  { area: "pods", title: "nginx binds a host port", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").ports[0].hostPort = 443) },
  { area: "pods", title: "app AppArmor unconfined through the annotation", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"] = "unconfined") },
  { area: "pods", title: "app AppArmor unconfined through the field", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").securityContext.appArmorProfile = { type: "Unconfined" }) },
  { area: "pods", title: "app unmasks /proc", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").securityContext.procMount = "Unmasked") },
  { area: "pods", title: "nginx sets an unsafe kernel sysctl", expect: "workloads-nginx", apply: (p) => (pod(p, "workloads-nginx").securityContext.sysctls = [{ name: "kernel.msgmax", value: "65536" }]) },
  { area: "pods", title: "app mounts its service-account token", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").automountServiceAccountToken = true) },
  { area: "pods", title: "nginx's token opt-out removed (the default mounts it)", expect: "workloads-nginx", apply: (p) => delete pod(p, "workloads-nginx").automountServiceAccountToken },
  { area: "pods", title: "app gets a privileged init container", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").initContainers = [{ ...copy(ctr(p, "workloads-app")), name: "init-sysctl", command: ["sysctl", "-w", "net.core.somaxconn=4096"], securityContext: { privileged: true, runAsUser: 0 } }]) },
  { area: "pods", title: "nginx init container runs as root with no security context", expect: "workloads-nginx", apply: (p) => (pod(p, "workloads-nginx").initContainers = [{ name: "fix-perms", image: "busybox:1.36", command: ["chown", "-R", "10101", "/tmp"], securityContext: { runAsUser: 0, runAsNonRoot: false } }]) },
  { area: "pods", title: "new debugging DaemonSet, privileged on the host network", expect: "node-debug", apply: (p) => { const spec = copy(pod(p, "workloads-app")); spec.hostNetwork = true; spec.containers[0].securityContext.privileged = true; k8s(p, "kubernetes:apps/v1:DaemonSet", "node-debug", "workloads", { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "node-debug", namespace: "edgestack" }, spec: { selector: { matchLabels: { app: "node-debug" } }, template: { metadata: { labels: { app: "node-debug" } }, spec } } }); } },
  { area: "pods", title: "new CronJob runs as root", expect: "cache-warmer", apply: (p) => { const spec = copy(pod(p, "workloads-app")); delete spec.securityContext.runAsNonRoot; spec.securityContext.runAsUser = 0; delete spec.containers[0].securityContext.runAsNonRoot; spec.containers[0].securityContext.runAsUser = 0; spec.restartPolicy = "OnFailure"; k8s(p, "kubernetes:batch/v1:CronJob", "cache-warmer", "workloads", { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "cache-warmer", namespace: "edgestack" }, spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec } } } } }); } },
  { area: "pods", title: "nginx TLS key mounted world-readable", expect: "workloads-nginx", apply: (p) => (pod(p, "workloads-nginx").volumes.find((v: { name: string }) => v.name === "alb-tls").secret.defaultMode = 0o644) },

  // ── Images ──
  { area: "images", title: "app image by the latest tag", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/edgestack-prod/app:latest") },
  { area: "images", title: "nginx image with no tag at all", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").image = "nginx") },
  { area: "images", title: "app image from a public registry by a mutable tag", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").image = "docker.io/someone/edgestack-app:1.4") },
  { area: "images", title: "exporter image latest", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx", 1).image = "nginx/nginx-prometheus-exporter:latest") },

  // ── Probes ──
  { area: "probes", title: "app readiness probe removed", expect: "workloads-app", apply: (p) => delete ctr(p, "workloads-app").readinessProbe },
  { area: "probes", title: "app readiness on /health (follows Redis)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").readinessProbe.httpGet.path = "/health") },
  { area: "probes", title: "app liveness on /health (a Redis outage restarts every pod)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").livenessProbe.httpGet.path = "/health") },
  { area: "probes", title: "nginx readiness follows the app through its own proxy", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").readinessProbe = { httpGet: { path: "/readyz", port: "alb-https", scheme: "HTTPS" }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 }) },
  { area: "probes", title: "nginx liveness probe removed", expect: "workloads-nginx", apply: (p) => delete ctr(p, "workloads-nginx").livenessProbe },

  // ── Resources ──
  { area: "resources", title: "app limits removed", expect: "workloads-app", apply: (p) => delete ctr(p, "workloads-app").resources.limits },
  { area: "resources", title: "exporter sidecar without resources", expect: "workloads-nginx", apply: (p) => delete ctr(p, "workloads-nginx", 1).resources },
  { area: "resources", title: "autoscaler memory limit removed", expect: "cluster-autoscaler-deployment", apply: (p) => delete ctr(p, "cluster-autoscaler-deployment").resources.limits.memory },

  // ── Service accounts and RBAC ──
  { area: "rbac", title: "long-lived token Secret for the autoscaler's service account", expect: "autoscaler-token", apply: (p) => k8s(p, "kubernetes:core/v1:Secret", "autoscaler-token", "cluster-autoscaler", { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token", metadata: { name: "autoscaler-token", namespace: "edgestack-system", annotations: { "kubernetes.io/service-account.name": "cluster-autoscaler" } } }, "pulumi:providers:kubernetes::cluster-k8s-rbac") },
  { area: "rbac", title: "cluster-admin bound to the app namespace's default service account", expect: "app-admin", apply: (p) => k8s(p, CLUSTER_ROLE_BINDING, "app-admin", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "app-admin" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "ServiceAccount", name: "default", namespace: "edgestack" }] }, "pulumi:providers:kubernetes::cluster-k8s-rbac") },
  { area: "rbac", title: "deployer gets every verb on everything", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE).rules.push({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }) },
  { area: "rbac", title: "deployer may bind and escalate roles", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE).rules.push({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["bind", "escalate", "create"] }) },
  { area: "rbac", title: "deployer may impersonate", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE).rules.push({ apiGroups: [""], resources: ["users", "groups", "serviceaccounts"], verbs: ["impersonate"] }) },
  { area: "rbac", title: "deployer may exec into pods", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE).rules.push({ apiGroups: [""], resources: ["pods/exec", "pods/attach"], verbs: ["create", "get"] }) },
  { area: "rbac", title: "autoscaler reads every Secret in the cluster", expect: "cluster-autoscaler-cluster-role", apply: (p) => p.inputs("cluster-autoscaler-cluster-role").rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }) },
  { area: "rbac", title: "autoscaler gets the kubelet API through nodes/proxy", expect: "cluster-autoscaler-cluster-role", apply: (p) => p.inputs("cluster-autoscaler-cluster-role").rules.push({ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get", "create"] }) },
  { area: "rbac", title: "deployer role bound to every authenticated user", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE_BINDING).subjects.push({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" }) },
  { area: "rbac", title: "scraper role bound to anonymous", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE_BINDING).subjects.push({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:anonymous" }) },
  { area: "rbac", title: "scraper role lists Secrets", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }) },
  { area: "rbac", title: "autoscaler's namespace binding points at cluster-admin", expect: "cluster-autoscaler-binding", apply: (p) => (p.inputs("cluster-autoscaler-binding").roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }) },
  { area: "rbac", title: "deployer may update any ClusterRoleBinding (resourceNames dropped)", expect: "cluster-deployer", apply: (p) => delete p.inputs("cluster-deployer", CLUSTER_ROLE).rules.find((r: { resourceNames?: string[] }) => r.resourceNames).resourceNames },
  { area: "rbac", title: "ClusterRole aggregated into view grants Secrets to every viewer", expect: "view-extras", apply: (p) => k8s(p, CLUSTER_ROLE, "view-extras", "cluster", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "view-extras", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }] }, "pulumi:providers:kubernetes::cluster-k8s-rbac") },
  { area: "rbac", title: "deployer may mint service-account tokens", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE).rules.push({ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] }) },
  { area: "rbac", title: "deployer may approve certificate requests", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE).rules.push({ apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval", "signers"], verbs: ["update", "approve"] }) },
  { area: "rbac", title: "deployer may edit admission webhooks", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE).rules.push({ apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], verbs: ["create", "update", "patch", "delete"] }) },

  // ── NetworkPolicies ──
  { area: "netpol", title: "app namespace's default-deny removed", expect: "workloads-namespace", apply: (p) => p.remove("workloads-netpol-default-deny") },
  { area: "netpol", title: "default-deny covers ingress only (egress open)", expect: "workloads-netpol-default-deny", apply: (p) => (p.inputs("workloads-netpol-default-deny").spec.policyTypes = ["Ingress"]) },
  { area: "netpol", title: "app → Redis rule opened to the world", expect: "workloads-netpol-app-to-redis", apply: (p) => (p.inputs("workloads-netpol-app-to-redis").spec.egress[0].to = [{ ipBlock: { cidr: "0.0.0.0/0" } }]) },
  { area: "netpol", title: "app → Redis rule with no destination (any address on 6379)", expect: "workloads-netpol-app-to-redis", apply: (p) => delete p.inputs("workloads-netpol-app-to-redis").spec.egress[0].to },
  { area: "netpol", title: "new policy lets the app reach anything", expect: "app-egress-all", apply: (p) => netpol(p, "app-egress-all", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{}] }) },
  { area: "netpol", title: "new policy: app HTTPS to two halves of the internet", expect: "app-egress-https", apply: (p) => netpol(p, "app-egress-https", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/1" } }], ports: [{ port: 443, protocol: "TCP" }] }] }) },
  { area: "netpol", title: "new policy: app reaches the instance metadata service", expect: "app-to-imds", apply: (p) => netpol(p, "app-to-imds", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ port: 80, protocol: "TCP" }] }] }) },
  { area: "netpol", title: "new policy: the world minus the VPC, written with except", expect: "app-egress-except", apply: (p) => netpol(p, "app-egress-except", { podSelector: APP_PODS, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }] }) },
  { area: "netpol", title: "nginx ingress from anywhere", expect: "workloads-netpol-nginx-from-vpc", apply: (p) => (p.inputs("workloads-netpol-nginx-from-vpc").spec.ingress[0].from = [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }]) },
  { area: "netpol", title: "app ingress from every namespace's pods", expect: "workloads-netpol-app-from-nginx", apply: (p) => (p.inputs("workloads-netpol-app-from-nginx").spec.ingress[0].from = [{ namespaceSelector: {} }]) },
  { area: "netpol", title: "app metrics from any pod in any namespace", expect: "workloads-netpol-app-metrics-from-scraper", apply: (p) => (p.inputs("workloads-netpol-app-metrics-from-scraper").spec.ingress[0].from[0] = { namespaceSelector: {}, podSelector: {} }) },
  { area: "netpol", title: "autoscaler egress to the internet on 443", expect: "cluster-autoscaler-np-autoscaler-to-apis", apply: (p) => (p.inputs("cluster-autoscaler-np-autoscaler-to-apis").spec.egress[0].to = [{ ipBlock: { cidr: "0.0.0.0/0" } }]) },
  { area: "netpol", title: "autoscaler namespace's default-deny removed", expect: "cluster-autoscaler-namespace", apply: (p) => p.remove("cluster-autoscaler-np-default-deny") },
  { area: "netpol", title: "DNS rule to any destination (DNS tunnelling out)", expect: "workloads-netpol-dns", apply: (p) => delete p.inputs("workloads-netpol-dns").spec.egress[0].to },
  { area: "netpol", title: "exporter metrics open to the world", expect: "workloads-netpol-nginx-exporter-from-scraper", apply: (p) => p.inputs("workloads-netpol-nginx-exporter-from-scraper").spec.ingress[0].from.push({ ipBlock: { cidr: "0.0.0.0/0" } }) },
  { area: "netpol", title: "nginx ingress rule loses its ports (every port from the VPC)", expect: "workloads-netpol-nginx-from-vpc", apply: (p) => delete p.inputs("workloads-netpol-nginx-from-vpc").spec.ingress[0].ports },

  // ── Services and NodePorts ──
  { area: "services", title: "nginx Service becomes a LoadBalancer (bypasses CloudFront and the ALB)", expect: "workloads-nginx", apply: (p) => (p.inputs("workloads-nginx", SERVICE).spec.type = "LoadBalancer") },
  { area: "services", title: "app Service becomes a NodePort (bypasses nginx)", expect: "workloads-app", apply: (p) => Object.assign(p.inputs("workloads-app", SERVICE).spec, { type: "NodePort" }) },
  { area: "services", title: "nginx status port exposed on a NodePort", expect: "workloads-nginx", apply: (p) => p.inputs("workloads-nginx", SERVICE).spec.ports.push({ name: "status", nodePort: 30083, port: 8082, protocol: "TCP", targetPort: "status" }) },
  { area: "services", title: "app Service gets an external IP", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", SERVICE).spec.externalIPs = ["203.0.113.10"]) },
  { area: "services", title: "new LoadBalancer Service straight to the app", expect: "app-public", apply: (p) => k8s(p, SERVICE, "app-public", "workloads", { apiVersion: "v1", kind: "Service", metadata: { name: "app-public", namespace: "edgestack" }, spec: { type: "LoadBalancer", selector: { "app.kubernetes.io/name": "app", "app.kubernetes.io/part-of": "edgestack" }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] } }) },
  { area: "services", title: "headless app Service publishes not-ready pods to nginx", expect: "workloads-app-pods", apply: (p) => (p.inputs("workloads-app-pods").spec.publishNotReadyAddresses = true) },
  { area: "services", title: "nginx Service externalTrafficPolicy Local (the stop pause no longer covers target deregistration)", expect: "workloads-nginx", apply: (p) => (p.inputs("workloads-nginx", SERVICE).spec.externalTrafficPolicy = "Local") },

  // ── PDBs and HPAs ──
  { area: "availability", title: "app PDB removed", expect: "workloads-app", apply: (p) => p.remove("workloads-app", PDB) },
  { area: "availability", title: "nginx PDB allows every pod to go", expect: "workloads-nginx", apply: (p) => (p.inputs("workloads-nginx", PDB).spec.maxUnavailable = "100%") },
  { area: "availability", title: "app PDB selects no pod", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", PDB).spec.selector = { matchLabels: { "app.kubernetes.io/name": "api" } }) },
  { area: "availability", title: "HPA may scale the app to one pod", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", HPA).spec.minReplicas = 1) },
  { area: "availability", title: "HPA scales on an external metric nothing serves", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", HPA).spec.metrics = [{ type: "External", external: { metric: { name: "sqs_queue_depth" }, target: { type: "AverageValue", averageValue: "10" } } }]) },
  { area: "availability", title: "HPA targets a Deployment that does not exist", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", HPA).spec.scaleTargetRef.name = "api") },
  { area: "availability", title: "autoscaler PDB removed", expect: "cluster-autoscaler-deployment", apply: (p) => p.remove("cluster-autoscaler-pdb") },

  // ── Namespaces ──
  { area: "namespaces", title: "app namespace enforces only baseline", expect: "workloads-namespace", apply: (p) => (p.inputs("workloads-namespace").metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline") },
  { area: "namespaces", title: "app namespace only warns (enforce label replaced by warn)", expect: "workloads-namespace", apply: (p) => { const l = p.inputs("workloads-namespace").metadata.labels; delete l["pod-security.kubernetes.io/enforce"]; delete l["pod-security.kubernetes.io/enforce-version"]; l["pod-security.kubernetes.io/warn"] = "restricted"; } },
  { area: "namespaces", title: "autoscaler namespace enforces privileged", expect: "cluster-autoscaler-namespace", apply: (p) => (p.inputs("cluster-autoscaler-namespace").metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged") },
  { area: "namespaces", title: "new tools namespace without Pod Security labels", expect: "tools-namespace", apply: (p) => k8s(p, "kubernetes:core/v1:Namespace", "tools-namespace", "workloads", { apiVersion: "v1", kind: "Namespace", metadata: { name: "tools", labels: { "app.kubernetes.io/part-of": "edgestack" } } }) },

  // ── ConfigMaps and Secrets ──
  { area: "config", title: "Redis URL with its password moved into a ConfigMap", expect: "app-redis-config", apply: (p) => k8s(p, "kubernetes:core/v1:ConfigMap", "app-redis-config", "workloads", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-redis-config", namespace: "edgestack" }, data: { REDIS_URL: "rediss://default:s3cr3t-auth-token-value@clustercfg.edgestack-prod.abc123.use1.cache.amazonaws.com:6379" } }) },
  { area: "config", title: "Redis secret mounted world-readable", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").volumes.find((v: { name: string }) => v.name === "redis-url").secret.defaultMode = 0o644) },
  { area: "config", title: "app reads Redis in plain text without auth (literal URL, file dropped)", expect: "workloads-app", apply: (p) => { const e = ctr(p, "workloads-app").env; e.splice(e.findIndex((x: { name: string }) => x.name === "REDIS_URL_FILE"), 1); e.push({ name: "REDIS_URL", value: "redis://clustercfg.edgestack-prod.abc123.use1.cache.amazonaws.com:6379" }); } },
  { area: "config", title: "app turns off TLS certificate checks (Redis TLS unverified)", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_TLS_REJECT_UNAUTHORIZED", "0") },

  // ── Cluster autoscaler ──
  { area: "autoscaler", title: "autoscaler drains nodes faster than the pods' grace period", expect: "cluster-autoscaler-deployment", apply: (p) => { const c = ctr(p, "cluster-autoscaler-deployment").command as string[]; c[c.findIndex((a) => a.startsWith("--max-graceful-termination-sec"))] = "--max-graceful-termination-sec=10"; } },
  { area: "autoscaler", title: "autoscaler one replica, zone spread removed", expect: "cluster-autoscaler-deployment", apply: (p) => { p.inputs("cluster-autoscaler-deployment").spec.replicas = 1; delete pod(p, "cluster-autoscaler-deployment").topologySpreadConstraints; } },

  // ── Rollouts and zone spread ──
  { area: "rollouts", title: "app rolls with Recreate", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.strategy = { type: "Recreate" }) },
  { area: "rollouts", title: "nginx rolls by removing first (maxUnavailable 1, no surge)", expect: "workloads-nginx", apply: (p) => (p.inputs("workloads-nginx", DEPLOYMENT).spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 1 }) },
  { area: "rollouts", title: "app maxUnavailable as a percentage", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.strategy.rollingUpdate.maxUnavailable = "50%") },
  { area: "rollouts", title: "app zone spread only a preference", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").topologySpreadConstraints[0].whenUnsatisfiable = "ScheduleAnyway") },
  { area: "rollouts", title: "nginx spread constraints removed", expect: "workloads-nginx", apply: (p) => delete pod(p, "workloads-nginx").topologySpreadConstraints },
  { area: "rollouts", title: "app spreads over hosts only (zone constraint dropped)", expect: "workloads-app", apply: (p) => pod(p, "workloads-app").topologySpreadConstraints.splice(0, 1) },
  { area: "rollouts", title: "nginx single replica", expect: "workloads-nginx", apply: (p) => (p.inputs("workloads-nginx", DEPLOYMENT).spec.replicas = 1) },
  { area: "rollouts", title: "app zone spread maxSkew 3 (all pods may land in one zone)", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").topologySpreadConstraints[0].maxSkew = 3) },

  // ── Timeouts and grace periods ──
  { area: "timeouts", title: "app grace period below its shutdown delay", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").terminationGracePeriodSeconds = 10) },
  { area: "timeouts", title: "nginx grace period shorter than its preStop pause", expect: "workloads-nginx", apply: (p) => (pod(p, "workloads-nginx").terminationGracePeriodSeconds = 5) },
  { area: "timeouts", title: "nginx preStop pause removed", expect: "workloads-nginx", apply: (p) => delete ctr(p, "workloads-nginx").lifecycle },
  { area: "timeouts", title: "app shutdown delay beyond the grace period", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "SHUTDOWN_DELAY_MS", "60000") },
  { area: "timeouts", title: "app keep-alive shorter than nginx's upstream keepalive", expect: "workloads-app", apply: (p) => { env(p, "workloads-app", "KEEPALIVE_TIMEOUT_MS", "30000"); env(p, "workloads-app", "HEADERS_TIMEOUT_MS", "31000"); } },
  { area: "timeouts", title: "app headers timeout below its keep-alive", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "HEADERS_TIMEOUT_MS", "5000") },
  { area: "timeouts", title: "nginx upstream keepalive longer than the app's", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("keepalive_timeout 60s;", "keepalive_timeout 120s;")) },
  { area: "timeouts", title: "nginx client keepalive shorter than the ALB idle timeout", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("keepalive_timeout 75s;", "keepalive_timeout 30s;")) },
  { area: "timeouts", title: "app shutdown hard limit below the shutdown delay", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "SHUTDOWN_TIMEOUT_MS", "15000") },

  // ── Viewer address chain and rate limiting ──
  { area: "viewer", title: "ALB listener takes the client from X-Forwarded-For (CloudFront's edge address)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("real_ip_header X-Viewer-Address;", "real_ip_header X-Forwarded-For;")) },
  { area: "viewer", title: "nginx trusts real-IP headers from anywhere", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("set_real_ip_from 10.20.0.0/16;", "set_real_ip_from 0.0.0.0/0;")) },
  { area: "viewer", title: "nginx trusts real-IP headers from two halves of the internet", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("set_real_ip_from 10.20.0.0/16;", "set_real_ip_from 0.0.0.0/1;\n        set_real_ip_from 128.0.0.0/1;")) },
  { area: "viewer", title: "nginx walks X-Forwarded-For recursively on the ALB listener", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("real_ip_header X-Viewer-Address;", "real_ip_header X-Forwarded-For;\n        real_ip_recursive on;")) },
  { area: "viewer", title: "CloudFront function keeps a viewer-sent X-Viewer-Address", expect: "cdn-viewer-address", apply: (p) => { const f = p.inputs("cdn-viewer-address", CF_FUNCTION); f.code = 'function handler(event) {\n  var request = event.request;\n  if (!request.headers["x-viewer-address"]) {\n    request.headers["x-viewer-address"] = { value: event.viewer.ip };\n  }\n  return request;\n}\n'; } },
  { area: "viewer", title: "origin request policy stops forwarding X-Viewer-Address", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", ORIGIN_REQUEST_POLICY).headersConfig = { headerBehavior: "none" }) },
  { area: "viewer", title: "app trusts every proxy", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "TRUST_PROXY_CIDRS", "0.0.0.0/0") },
  { area: "viewer", title: "app trusts two halves of the internet beside the VPC", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "TRUST_PROXY_CIDRS", "10.20.0.0/16,0.0.0.0/1,128.0.0.0/1") },
  { area: "viewer", title: "nginx passes the client's own X-Forwarded-For to the app", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_set_header X-Forwarded-For $remote_addr;", "proxy_set_header X-Forwarded-For $http_x_forwarded_for;")) },
  { area: "viewer", title: "PROXY-protocol listeners take the client from a header", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("real_ip_header proxy_protocol;", "real_ip_header X-Forwarded-For;")) },
  { area: "ratelimit", title: "nginx limits per a client-sent header", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("limit_req_zone $edge_client zone=per_ip_requests", "limit_req_zone $http_x_viewer_address zone=per_ip_requests")) },
  { area: "ratelimit", title: "nginx rate limit removed from the API locations", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/api\/ \{\n(?:[^\n]*\n){4,6}?)\s*limit_req zone=per_ip_requests burst=50 nodelay;\n/, "$1")) },
  { area: "ratelimit", title: "app rate limit effectively off", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "RATE_LIMIT_MAX", "10000000") },
  { area: "ratelimit", title: "PROXY listeners accept the PROXY header from any peer", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(geo \$realip_remote_addr \$edge_untrusted_peer_nlb_tls \{\n\s*default) 1;/, "$1 0;")) },
  { area: "ratelimit", title: "X-Forwarded-Proto believed from any peer", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(geo \$realip_remote_addr \$edge_trusted_peer_alb_https \{\n\s*default) 0;/, "$1 1;")) },

  // ── nginx.conf: TLS, headers, limits, logging ──
  { area: "nginx", title: "nginx accepts TLS 1.0 and 1.1", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;")) },
  { area: "nginx", title: "nginx offers weak ciphers", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/ssl_ciphers [^;]+;/, "ssl_ciphers HIGH:MEDIUM:RC4:3DES:!aNULL;")) },
  { area: "nginx", title: "ALB listener in plain HTTP", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("listen 0.0.0.0:8080 ssl;", "listen 0.0.0.0:8080;")) },
  { area: "nginx", title: "HSTS value emptied", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all('https "max-age=63072000; includeSubDomains; preload";', 'https "";')) },
  { area: "nginx", title: "HSTS max-age of one minute", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all('"max-age=63072000; includeSubDomains; preload"', '"max-age=60"')) },
  { area: "nginx", title: "nosniff header removed everywhere", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/\n\s*add_header X-Content-Type-Options "nosniff" always;/, "")) },
  { area: "nginx", title: "X-Frame-Options ALLOWALL", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all('add_header X-Frame-Options "DENY" always;', 'add_header X-Frame-Options "ALLOWALL" always;')) },
  { area: "nginx", title: "nginx shows its build", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("server_tokens off;", "server_tokens build;")) },
  { area: "nginx", title: "no request body limit", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("client_max_body_size 1m;", "client_max_body_size 0;")) },
  { area: "nginx", title: "directory listing on static", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/static\/ \{\n)/, "$1            autoindex on;\n")) },
  { area: "nginx", title: "stub_status open to all", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("stub_status;\n            allow 127.0.0.1/32;\n            deny all;", "stub_status;\n            allow all;")) },
  { area: "nginx", title: "access log off", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/access_log \/dev\/stdout edge_json[^;]*;/, "access_log off;")) },
  { area: "nginx", title: "error log discarded", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("error_log /dev/stderr warn;", "error_log /dev/null crit;")) },
  { area: "nginx", title: "API read timeout of an hour", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("proxy_read_timeout 30s;", "proxy_read_timeout 3600s;")) },
  { area: "nginx", title: "TLS session tickets on (no forward secrecy across ticket key lifetime)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, all("ssl_session_tickets off;", "ssl_session_tickets on;")) },

  // ── Variants of the classes found (hunted after the fixes) ──
  { area: "config", title: "TLS secret through a projected volume with mode 0644", expect: "workloads-nginx", apply: (p) => { const v = pod(p, "workloads-nginx").volumes.find((x: { name: string }) => x.name === "alb-tls"); delete v.secret; v.projected = { defaultMode: 0o644, sources: [{ secret: { name: "nginx-alb-tls" } }] }; } },
  { area: "config", title: "one Redis secret item given mode 0666", expect: "workloads-app", apply: (p) => (pod(p, "workloads-app").volumes.find((v: { name: string }) => v.name === "redis-url").secret.items[0].mode = 0o666) },
  { area: "config", title: "TLS secret volume's defaultMode dropped (Kubernetes' 0644)", expect: "workloads-nginx", apply: (p) => delete pod(p, "workloads-nginx").volumes.find((v: { name: string }) => v.name === "alb-tls").secret.defaultMode },
  { area: "rbac", title: "long-lived token Secret for the app namespace's default account", expect: "default-token", apply: (p) => k8s(p, "kubernetes:core/v1:Secret", "default-token", "workloads", { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token", metadata: { name: "default-token", namespace: "edgestack", annotations: { "kubernetes.io/service-account.name": "default" } } }) },
  { area: "netpol", title: "autoscaler namespace's default-deny covers egress only", expect: "cluster-autoscaler-np-default-deny", apply: (p) => (p.inputs("cluster-autoscaler-np-default-deny").spec.policyTypes = ["Egress"]) },
  { area: "services", title: "nginx Service gets a port with a random node port", expect: "workloads-nginx", apply: (p) => p.inputs("workloads-nginx", SERVICE).spec.ports.push({ name: "status", port: 8082, protocol: "TCP", targetPort: "status" }) },
  { area: "services", title: "new NodePort Service for the exporter's metrics", expect: "nginx-metrics", apply: (p) => k8s(p, SERVICE, "nginx-metrics", "workloads", { apiVersion: "v1", kind: "Service", metadata: { name: "nginx-metrics", namespace: "edgestack" }, spec: { type: "NodePort", selector: { "app.kubernetes.io/name": "nginx", "app.kubernetes.io/part-of": "edgestack" }, ports: [{ name: "metrics", port: 9113, nodePort: 30913, targetPort: "metrics", protocol: "TCP" }] } }) },
  { area: "services", title: "app ClusterIP Service publishes not-ready pods", expect: "workloads-app", apply: (p) => (p.inputs("workloads-app", SERVICE).spec.publishNotReadyAddresses = true) },
  { area: "timeouts", title: "nginx preStop pause of 2 s (kube-proxy needs 5)", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").lifecycle.preStop.sleep.seconds = 2) },
  { area: "timeouts", title: "nginx preStop as an exec sleep 1", expect: "workloads-nginx", apply: (p) => (ctr(p, "workloads-nginx").lifecycle = { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 1"] } } }) },
  { area: "timeouts", title: "app stops accepting 1 s after SIGTERM", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "SHUTDOWN_DELAY_MS", "1000") },
  { area: "autoscaler", title: "autoscaler drain one second short of the pods' grace period", expect: "cluster-autoscaler-deployment", apply: (p) => { const c = ctr(p, "cluster-autoscaler-deployment").command as string[]; c[c.findIndex((a) => a.startsWith("--max-graceful-termination-sec"))] = "--max-graceful-termination-sec=44"; } },
  { area: "config", title: "app metrics served on its serving port", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "METRICS_PORT", "8080") },
  { area: "config", title: "app's Node accepts TLS 1.0", expect: "workloads-app", apply: (p) => env(p, "workloads-app", "NODE_OPTIONS", "--tls-min-v1.0") },
  { area: "ratelimit", title: "PROXY listener gate trusts the whole IPv4 internet as an entry", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(geo \$realip_remote_addr \$edge_untrusted_peer_nlb_http \{\n\s*default 1;\n)/, "$1        0.0.0.0/0 0;\n")) },
  { area: "ratelimit", title: "X-Forwarded-Proto trusted from two halves of the internet", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(geo \$realip_remote_addr \$edge_trusted_peer_alb_https \{\n\s*default 0;\n)/, "$1        0.0.0.0/1 1;\n        128.0.0.0/1 1;\n")) },
  { area: "nginx", title: "frame options dropped from the API location only", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/api\/ \{\n(?:(?!\n {8}\}).)*?)\n\s*add_header X-Frame-Options "DENY" always;/s, "$1")) },
  { area: "nginx", title: "static-RSA cipher suites only (no forward secrecy)", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/ssl_ciphers [^;]+;/, "ssl_ciphers AES128-GCM-SHA256:AES256-GCM-SHA384;")) },
  { area: "nginx", title: "every cipher OpenSSL has", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/ssl_ciphers [^;]+;/, "ssl_ciphers ALL:!aNULL;")) },
  { area: "nginx", title: "API requests unlogged", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/api\/ \{\n)/, "$1            access_log off;\n")) },
  { area: "nginx", title: "API accepts 1 GB bodies", expect: "workloads-nginx-conf", apply: (p) => editConf(p, re(/(location \/api\/ \{\n)/, "$1            client_max_body_size 1g;\n")) },
  { area: "probes", title: "app readiness on an API route (goes through the limiter to Redis)", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").readinessProbe.httpGet.path = "/api/hello") },
  { area: "probes", title: "app startup probe on /health", expect: "workloads-app", apply: (p) => (ctr(p, "workloads-app").startupProbe.httpGet.path = "/health") },

  // ── Blue/green and canaries as new Deployments ──
  { area: "rollouts", title: "green colour added as a copy without a security context", expect: "workloads-app-green", apply: (p) => { const d = copy(p.inputs("workloads-app", DEPLOYMENT)); d.metadata.name = "app-green"; delete d.spec.template.spec.securityContext; delete d.spec.template.spec.containers[0].securityContext; k8s(p, DEPLOYMENT, "workloads-app-green", "workloads", d); } },
  { area: "rollouts", title: "canary Deployment by latest tag, with its token mounted and no probes", expect: "workloads-app-canary", apply: (p) => { const d = copy(p.inputs("workloads-app", DEPLOYMENT)); d.metadata.name = "app-canary"; d.spec.replicas = 1; const s = d.spec.template.spec; s.automountServiceAccountToken = true; s.containers[0].image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/edgestack-prod/app:canary"; delete s.containers[0].readinessProbe; delete s.containers[0].livenessProbe; k8s(p, DEPLOYMENT, "workloads-app-canary", "workloads", d); } },
];

export const round5K8sHarmless: { title: string; apply: (plan: Plan) => void }[] = [
  { title: "team label on the app Deployment", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).metadata.labels["example.com/team"] = "edge") },
  { title: "description annotation on the nginx Service", apply: (p) => (p.inputs("workloads-nginx", SERVICE).metadata.annotations = { "example.com/description": "nginx NodePorts behind the ALB and NLB" }) },
  { title: "app memory limit tightened", apply: (p) => (ctr(p, "workloads-app").resources.limits.memory = "384Mi") },
  { title: "HPA maximum lowered", apply: (p) => (p.inputs("workloads-app", HPA).spec.maxReplicas = 9) },
  { title: "HPA CPU target lowered", apply: (p) => (p.inputs("workloads-app", HPA).spec.metrics[0].resource.target.averageUtilization = 60) },
  { title: "app rate limit tightened", apply: (p) => env(p, "workloads-app", "RATE_LIMIT_MAX", "200") },
  { title: "an extra deny-all-ingress policy for nginx", apply: (p) => netpol(p, "nginx-deny-extra", { podSelector: { matchLabels: { "app.kubernetes.io/name": "nginx", "app.kubernetes.io/part-of": "edgestack" } }, policyTypes: ["Ingress"] }) },
  { title: "scraper role loses watch", apply: (p) => (p.inputs("alerting-prometheus-scraper-edgestack", ROLE).rules[0].verbs = ["get", "list"]) },
  { title: "deployer loses patch on deployments", apply: (p) => (p.inputs("cluster-deployer", CLUSTER_ROLE).rules[1].verbs = ["get", "list", "watch", "create", "update", "delete"]) },
  { title: "app pod template gets a version label", apply: (p) => (p.inputs("workloads-app", DEPLOYMENT).spec.template.metadata.labels["app.kubernetes.io/version"] = "1.4.2") },
  { title: "namespace also warns and audits at restricted", apply: (p) => Object.assign(p.inputs("workloads-namespace").metadata.labels, { "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted" }) },
  { title: "exporter image pinned by digest as well as tag", apply: (p) => (ctr(p, "workloads-nginx", 1).image = "nginx/nginx-prometheus-exporter:0.11.0@sha256:1b3a7e21e2c4c3a2f38f9d0b8a1c8f0e4a4a1d7b1f0a7c5e0d3c2b1a09f8e7d6") },
  { title: "revision history limit on both Deployments", apply: (p) => { p.inputs("workloads-app", DEPLOYMENT).spec.revisionHistoryLimit = 5; p.inputs("workloads-nginx", DEPLOYMENT).spec.revisionHistoryLimit = 5; } },
  { title: "nginx request burst lowered", apply: (p) => editConf(p, all("burst=50 nodelay", "burst=20 nodelay")) },
  { title: "nginx body limit tightened", apply: (p) => editConf(p, all("client_max_body_size 1m;", "client_max_body_size 512k;")) },
  { title: "autoscaler logs more verbosely", apply: (p) => { const c = ctr(p, "cluster-autoscaler-deployment").command as string[]; c[c.indexOf("--v=2")] = "--v=3"; } },
  { title: "app readiness checked every 3 s", apply: (p) => (ctr(p, "workloads-app").readinessProbe.periodSeconds = 3) },
  { title: "ConfigMap gets an owner label", apply: (p) => (p.inputs("workloads-nginx-conf").metadata.labels["example.com/owner"] = "edge-team") },
  { title: "autoscaler's drain flag dropped (its default 600 s exceeds every grace period)", apply: (p) => { const c = ctr(p, "cluster-autoscaler-deployment").command as string[]; c.splice(c.findIndex((a) => a.startsWith("--max-graceful-termination-sec")), 1); } },
  { title: "nginx offers two ECDHE GCM suites only", apply: (p) => editConf(p, re(/ssl_ciphers [^;]+;/, "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;")) },
  { title: "API bodies limited to 256k", apply: (p) => editConf(p, re(/(location \/api\/ \{\n)/, "$1            client_max_body_size 256k;\n")) },
  { title: "nginx pauses 6 s before stopping", apply: (p) => (ctr(p, "workloads-nginx").lifecycle.preStop.sleep.seconds = 6) },
  { title: "TLS secret mounted 0400", apply: (p) => (pod(p, "workloads-nginx").volumes.find((v: { name: string }) => v.name === "alb-tls").secret.defaultMode = 0o400) },
  { title: "extra Permissions-Policy header at http level", apply: (p) => editConf(p, all("    server_tokens off;\n", "    server_tokens off;\n    add_header Permissions-Policy \"camera=(), microphone=()\" always;\n")) },
  { title: "nginx PDB as minAvailable 2 of 3", apply: (p) => { const s = p.inputs("workloads-nginx", PDB).spec; delete s.maxUnavailable; s.minAvailable = 2; } },
];
