/**
 * Round 8 of the red team, Kubernetes objects (workloads and pod templates, ServiceAccounts and tokens, RBAC,
 * NetworkPolicies, Services and TargetGroupBindings, Namespaces and Pod Security labels, HPAs, PDBs, priorities,
 * StorageClasses, Secrets, the Kubernetes provider, Helm releases, CRDs): insecure changes of the prod plan written blind
 * (before reading any rule), none repeating rounds 5-7, each naming the resource a mandatory rule must report, and
 * harmless changes a reviewer would accept. The blind corpus comes first (its first run: 54 caught, 1 on another
 * resource, 22 missed of 77; 3 of 18 harmless flagged); the sections marked below were written after the fixes, as
 * further spellings of the classes the blind run exposed.
 *
 * Dropped after reading the code, as not insecure in this product:
 * - "HPA minimum of 2 pods over three zones": the zone spread is hard (maxSkew 1) at any replica count and
 *   k8s-prod-replicas' configured floor for prod is 2; two pods in two zones survive a zone's loss. An operator's
 *   sizing choice, not a hole.
 * - "new PriorityClass of value 1e9 (the system range) that nginx opts into": user classes are capped at 1e9, below
 *   both system classes (2e9 and up), so it preempts none of the nodes' agents or add-ons; nginx preempting app pods
 *   under pressure is a capacity trade-off that k8s-peak-fits-nodes sizes for.
 * Re-targeted: "hostPath reached through a local PersistentVolume" names the PersistentVolume (the object that hands
 * out the node's directory, reported by k8s-no-host-storage), not the Deployment that claims it.
 */
import type { PlanResource } from "../../../offline/plan/format";
import type { Mutation, Plan } from "./mutations";
import { CLUSTER_ROLE, CLUSTER_ROLE_BINDING, ctr, DEPLOYMENT, HPA, k8s, NETPOL, netpol, PDB, pod, ROLE, ROLE_BINDING, SERVICE } from "./corpus-k8s";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const SA = "kubernetes:core/v1:ServiceAccount";
const SECRET = "kubernetes:core/v1:Secret";
const APP_SEL = { "app.kubernetes.io/name": "app", "app.kubernetes.io/part-of": "edgestack" };
const NGINX_LABELS = { "app.kubernetes.io/name": "nginx", "app.kubernetes.io/part-of": "edgestack" };
const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x));
/** A restricted-compliant pod spec copied from the app's. */
const appPod = (p: Plan) => copy(pod(p, "workloads-app"));
const rbacProvider = "pulumi:providers:kubernetes::cluster-k8s-rbac";
const rule = (p: Plan, name: string, type: string) => p.inputs(name, type).rules as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];

export const round8K8sMutations: Mutation[] = [
  // ── Pod and container security settings by other fields ──
  { area: "pod", title: "app container runs as a Windows host process", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").securityContext.windowsOptions = { hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM" }; pod(p, "workloads-app").hostNetwork = true; } },
  { area: "pod", title: "nginx container SELinux type spc_t (super-privileged container)", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").securityContext.seLinuxOptions = { type: "spc_t" }; } },
  { area: "pod", title: "pod-level SELinux user system_u with type unconfined_t on the app", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").securityContext.seLinuxOptions = { user: "system_u", role: "system_r", type: "unconfined_t" }; } },
  { area: "pod", title: "exporter sidecar adds DAC_READ_SEARCH (open_by_handle_at escape)", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx", 1).securityContext.capabilities.add = ["DAC_READ_SEARCH"]; } },
  { area: "pod", title: "autoscaler adds BPF and PERFMON", expect: "cluster-autoscaler-deployment", apply: (p) => { ctr(p, "cluster-autoscaler-deployment").securityContext.capabilities.add = ["BPF", "PERFMON"]; } },
  { area: "pod", title: "app mounts a flexVolume (driver binary runs on the node as root)", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").volumes.push({ name: "flex", flexVolume: { driver: "example.com/lvm", fsType: "ext4" } }); ctr(p, "workloads-app").volumeMounts.push({ name: "flex", mountPath: "/data" }); } },
  { area: "pod", title: "app mounts a cephfs volume from a host outside the stack", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").volumes.push({ name: "ceph", cephfs: { monitors: ["203.0.113.7:6789"], path: "/", user: "admin" } }); } },
  { area: "pod", title: "hostPath reached through a local PersistentVolume on the kubelet directory", expect: "workloads-kubelet-pv", apply: (p) => {
    k8s(p, "kubernetes:core/v1:PersistentVolume", "workloads-kubelet-pv", "workloads", { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "kubelet" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: "local", local: { path: "/var/lib/kubelet" }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] }] } } } });
    k8s(p, "kubernetes:core/v1:PersistentVolumeClaim", "workloads-kubelet-pvc", "workloads", { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "kubelet", namespace: "edgestack" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "local", volumeName: "kubelet", resources: { requests: { storage: "1Gi" } } } });
    pod(p, "workloads-app").volumes.push({ name: "kubelet", persistentVolumeClaim: { claimName: "kubelet" } });
    ctr(p, "workloads-app").volumeMounts.push({ name: "kubelet", mountPath: "/host-kubelet" });
  } },
  { area: "pod", title: "migration Job in the app namespace mounts its token (automount left unset)", expect: "workloads-migrate", apply: (p) => {
    const spec = appPod(p);
    delete spec.automountServiceAccountToken;
    spec.restartPolicy = "Never";
    delete spec.topologySpreadConstraints;
    k8s(p, "kubernetes:batch/v1:Job", "workloads-migrate", "workloads", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "edgestack" }, spec: { backoffLimit: 1, template: { metadata: { labels: { job: "migrate" } }, spec } } });
  } },
  { area: "pod", title: "app pods run at system-node-critical priority (preempt the nodes' agents)", expect: "workloads-app", apply: (p) => { pod(p, "workloads-app").priorityClassName = "system-node-critical"; } },
  { area: "pod", title: "nginx image by the moving stable-alpine tag", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").image = "nginxinc/nginx-unprivileged:stable-alpine"; } },
  { area: "pod", title: "autoscaler image from a lookalike registry under the same tag", expect: "cluster-autoscaler-deployment", apply: (p) => { ctr(p, "cluster-autoscaler-deployment").image = "ghcr.io/k8s-autoscaling/cluster-autoscaler:v1.35.1"; } },
  { area: "pod", title: "app container allowPrivilegeEscalation true while privileged stays false", expect: "workloads-app", apply: (p) => { ctr(p, "workloads-app").securityContext.allowPrivilegeEscalation = true; } },
  { area: "pod", title: "nginx container's securityContext replaced by an empty object (pod level kept)", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx").securityContext = {}; } },
  { area: "pod", title: "app pod's seccomp removed and container seccomp Localhost with an empty profile name", expect: "workloads-app", apply: (p) => { delete pod(p, "workloads-app").securityContext.seccompProfile; ctr(p, "workloads-app").securityContext.seccompProfile = { type: "Localhost" }; } },
  { area: "pod", title: "a debug Deployment carrying nginx's labels joins the nginx Service (unhardened image, no conf)", expect: "workloads-debug", apply: (p) => {
    const spec = appPod(p);
    spec.containers = [{ ...spec.containers[0], name: "debug", image: "docker.io/nicolaka/netshoot:latest", env: [], command: ["sleep", "infinity"], ports: [{ containerPort: 8080, name: "alb-https", protocol: "TCP" }], volumeMounts: [{ mountPath: "/tmp", name: "tmp" }] }];
    for (const k of ["readinessProbe", "livenessProbe", "startupProbe"]) delete spec.containers[0][k];
    spec.volumes = [{ emptyDir: { sizeLimit: "64Mi" }, name: "tmp" }];
    spec.topologySpreadConstraints = [];
    k8s(p, DEPLOYMENT, "workloads-debug", "workloads", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "debug", namespace: "edgestack" }, spec: { replicas: 1, selector: { matchLabels: { ...NGINX_LABELS, "edgestack.io/debug": "true" } }, template: { metadata: { labels: { ...NGINX_LABELS, "edgestack.io/debug": "true" } }, spec } } });
  } },
  { area: "pod", title: "DeploymentPatch (server-side apply) makes the app container privileged", expect: "workloads-app-patch", apply: (p) => {
    k8s(p, "kubernetes:apps/v1:DeploymentPatch", "workloads-app-patch", "workloads", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app", namespace: "edgestack", annotations: { "pulumi.com/patchForce": "true" } }, spec: { template: { spec: { containers: [{ name: "app", securityContext: { privileged: true, allowPrivilegeEscalation: true } }] } } } });
  } },
  { area: "pod", title: "NamespacePatch relabels the app namespace to enforce privileged", expect: "workloads-namespace-patch", apply: (p) => {
    k8s(p, "kubernetes:core/v1:NamespacePatch", "workloads-namespace-patch", "workloads", { apiVersion: "v1", kind: "Namespace", metadata: { name: "edgestack", labels: { "pod-security.kubernetes.io/enforce": "privileged" }, annotations: { "pulumi.com/patchForce": "true" } } });
  } },
  { area: "pod", title: "nginx Deployment moved into kube-system (no restricted profile, no NetworkPolicies)", expect: "workloads-nginx", apply: (p) => { p.inputs("workloads-nginx", DEPLOYMENT).metadata.namespace = "kube-system"; } },

  // ── Namespaces and Pod Security labels ──
  { area: "namespace", title: "app namespace enforces restricted as of v1.22 (before the seccomp and capability checks)", expect: "workloads-namespace", apply: (p) => { p.inputs("workloads-namespace", NAMESPACE).metadata.labels["pod-security.kubernetes.io/enforce-version"] = "v1.22"; } },
  { area: "namespace", title: "autoscaler namespace's enforce label spelled with a trailing space on the key (no label enforced)", expect: "cluster-autoscaler-namespace", apply: (p) => {
    const l = p.inputs("cluster-autoscaler-namespace", NAMESPACE).metadata.labels;
    delete l["pod-security.kubernetes.io/enforce"];
    l["pod-security.kubernetes.io/Enforce"] = "restricted";
  } },

  // ── ServiceAccounts, tokens and Secrets ──
  { area: "sa", title: "autoscaler's IRSA annotation names another account's admin role", expect: "cluster-autoscaler-sa", apply: (p) => { p.inputs("cluster-autoscaler-sa", SA).metadata.annotations["eks.amazonaws.com/role-arn"] = "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole"; } },
  { area: "sa", title: "autoscaler's IRSA annotation names the node role (node credentials in a pod)", expect: "cluster-autoscaler-sa", apply: (p) => { p.inputs("cluster-autoscaler-sa", SA).metadata.annotations["eks.amazonaws.com/role-arn"] = `arn:aws:iam::123456789012:role/${p.id("cluster-node-role")}`; } },
  { area: "secret", title: "Redis Secret written as base64 data in the clear (not a Pulumi secret)", expect: "workloads-app-redis", apply: (p) => {
    const i = p.inputs("workloads-app-redis", SECRET);
    delete i.stringData;
    i.data = { REDIS_URL: Buffer.from("rediss://:s3cr3t-token-value@clustercfg.edgestack.cache.amazonaws.com:6379").toString("base64") };
  } },
  { area: "secret", title: "registry pull Secret with its auth inline in the plan", expect: "workloads-regcred", apply: (p) => {
    k8s(p, SECRET, "workloads-regcred", "workloads", { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/dockerconfigjson", metadata: { name: "regcred", namespace: "edgestack" }, data: { ".dockerconfigjson": Buffer.from(JSON.stringify({ auths: { "ghcr.io": { auth: Buffer.from("bot:ghp_abcdefghijklmnopqrstuvwxyz0123456789").toString("base64") } } })).toString("base64") } });
  } },
  { area: "provider", title: "kubernetes provider's kubeconfig in the clear with a static bearer token", expect: "cluster-k8s", apply: (p) => {
    const r = p.get("cluster-k8s", "pulumi:providers:kubernetes");
    (r.inputs as any).kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://ABC.gr7.us-east-1.eks.amazonaws.com'}\nusers:\n- name: u\n  user: {token: 'eyJhbGciOiJSUzI1NiJ9.static-admin-token'}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n";
    delete r.secrets;
  } },
  { area: "provider", title: "kubernetes provider skips the API server's certificate checks (insecure-skip-tls-verify)", expect: "cluster-k8s-rbac", apply: (p) => {
    const r = p.get("cluster-k8s-rbac", "pulumi:providers:kubernetes");
    (r.inputs as any).kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --cluster-name, edgestack-prod]}}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n";
    delete r.secrets;
  } },

  // ── RBAC ──
  { area: "rbac", title: "autoscaler ClusterRole reaches the kubelet through nodes/* (proxy inside)", expect: "cluster-autoscaler-cluster-role", apply: (p) => { rule(p, "cluster-autoscaler-cluster-role", CLUSTER_ROLE).push({ apiGroups: [""], resources: ["nodes/*"], verbs: ["get", "create"] }); } },
  { area: "rbac", title: "scraper may impersonate the namespace's service accounts", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { rule(p, "alerting-prometheus-scraper-edgestack", ROLE).push({ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }); } },
  { area: "rbac", title: "deployer may create on pods/* (exec and attach inside)", expect: "cluster-deployer", apply: (p) => { rule(p, "cluster-deployer", CLUSTER_ROLE).push({ apiGroups: [""], resources: ["pods/*"], verbs: ["create", "get"] }); } },
  { area: "rbac", title: "scraper may patch Deployments (swap the app's image: code with its Secret)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { rule(p, "alerting-prometheus-scraper-edgestack", ROLE).push({ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "patch"] }); } },
  { area: "rbac", title: "scraper may create DaemonSets (a pod on every node)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { rule(p, "alerting-prometheus-scraper-edgestack", ROLE).push({ apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["create"] }); } },
  { area: "rbac", title: "autoscaler may update every pod cluster-wide (image swap in any namespace)", expect: "cluster-autoscaler-cluster-role", apply: (p) => { rule(p, "cluster-autoscaler-cluster-role", CLUSTER_ROLE).push({ apiGroups: [""], resources: ["pods"], verbs: ["update", "patch"] }); } },
  { area: "rbac", title: "scraper gets every verb on Roles and RoleBindings of its namespace", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { rule(p, "alerting-prometheus-scraper-edgestack", ROLE).push({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["*"] }); } },
  { area: "rbac", title: "ClusterRole aggregated into edit grants nodes/proxy to every editor", expect: "workloads-node-metrics", apply: (p) => {
    k8s(p, CLUSTER_ROLE, "workloads-node-metrics", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "edgestack-node-metrics", labels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" } }, rules: [{ apiGroups: [""], resources: ["nodes/proxy", "nodes/metrics"], verbs: ["get"] }] }, rbacProvider);
  } },
  { area: "rbac", title: "scraper binding's roleRef becomes the built-in edit ClusterRole", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { p.inputs("alerting-prometheus-scraper-edgestack", ROLE_BINDING).roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" }; } },
  { area: "rbac", title: "deployer ClusterRole bound to the app's default ServiceAccount spelled as a User", expect: "workloads-deployer-app", apply: (p) => {
    k8s(p, CLUSTER_ROLE_BINDING, "workloads-deployer-app", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "edgestack-deployer-app" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edgestack-deployer" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:serviceaccount:edgestack:default" }] }, rbacProvider);
  } },
  { area: "rbac", title: "deployer ClusterRole bound to every node (group system:nodes)", expect: "cluster-deployer", apply: (p) => { p.inputs("cluster-deployer", CLUSTER_ROLE_BINDING).subjects.push({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:nodes" }); } },
  { area: "rbac", title: "autoscaler's ClusterRole bound to unauthenticated callers (group)", expect: "cluster-autoscaler-cluster-binding", apply: (p) => { p.inputs("cluster-autoscaler-cluster-binding", CLUSTER_ROLE_BINDING).subjects.push({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:unauthenticated" }); } },
  { area: "rbac", title: "autoscaler's ClusterRoleBinding also names the app namespace's default ServiceAccount", expect: "cluster-autoscaler-cluster-binding", apply: (p) => { p.inputs("cluster-autoscaler-cluster-binding", CLUSTER_ROLE_BINDING).subjects.push({ kind: "ServiceAccount", name: "default", namespace: "edgestack" }); } },
  { area: "rbac", title: "scraper Role reads the namespace's Secrets through a wildcard API group and resource", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { rule(p, "alerting-prometheus-scraper-edgestack", ROLE)[0] = { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch"] }; } },
  { area: "rbac", title: "autoscaler namespace Role's configmap rule widened to every verb and resource name", expect: "cluster-autoscaler-role-ns", apply: (p) => { rule(p, "cluster-autoscaler-role-ns", ROLE)[1] = { apiGroups: ["", "apps"], resources: ["configmaps", "secrets"], verbs: ["*"] }; } },

  // ── NetworkPolicies ──
  { area: "netpol", title: "new policy: app egress to the IPv6 internet on 443 (0:0::/0)", expect: "workloads-netpol-app-v6", apply: (p) => netpol(p, "workloads-netpol-app-v6", { podSelector: { matchLabels: APP_SEL }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0:0::/0" } }], ports: [{ port: 443, protocol: "TCP" }] }] }) },
  { area: "netpol", title: "app → Redis egress to every IPv4 address spelled as IPv4-mapped IPv6 (::ffff:0:0/96)", expect: "workloads-netpol-app-to-redis", apply: (p) => { p.inputs("workloads-netpol-app-to-redis", NETPOL).spec.egress[0].to.push({ ipBlock: { cidr: "::ffff:0.0.0.0/96" } }); } },
  { area: "netpol", title: "app ingress from nginx-labelled pods of every namespace (namespaceSelector Exists)", expect: "workloads-netpol-app-from-nginx", apply: (p) => { p.inputs("workloads-netpol-app-from-nginx", NETPOL).spec.ingress[0].from[0].namespaceSelector = { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] }; } },
  { area: "netpol", title: "nginx status port from the IPv4 internet in four /2 blocks", expect: "workloads-netpol-nginx-status", apply: (p) => netpol(p, "workloads-netpol-nginx-status", { podSelector: { matchLabels: NGINX_LABELS }, policyTypes: ["Ingress"], ingress: [{ from: ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"].map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: 8082, protocol: "TCP" }] }] }) },
  { area: "netpol", title: "autoscaler namespace's default-deny gains an empty egress rule (allows all egress)", expect: "cluster-autoscaler-np-default-deny", apply: (p) => { p.inputs("cluster-autoscaler-np-default-deny", NETPOL).spec.egress = [{}]; } },
  { area: "netpol", title: "app ingress from the private subnets on every port by range (8080 → 1-65535)", expect: "workloads-netpol-app-from-nginx", apply: (p) => { p.inputs("workloads-netpol-app-from-nginx", NETPOL).spec.ingress[1].ports = [{ port: 1, endPort: 65535, protocol: "TCP" }]; } },
  { area: "netpol", title: "autoscaler egress on 443 to the world written with except of the VPC", expect: "cluster-autoscaler-np-autoscaler-to-apis", apply: (p) => { p.inputs("cluster-autoscaler-np-autoscaler-to-apis", NETPOL).spec.egress[0].to = [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.20.0.0/16"] } }]; } },
  { area: "netpol", title: "DNS rule to the kube-system namespace on every port (pod selector and ports dropped)", expect: "workloads-netpol-dns", apply: (p) => { const e = p.inputs("workloads-netpol-dns", NETPOL).spec.egress[0]; delete e.ports; e.to = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }]; } },
  { area: "netpol", title: "vpc-cni network policy agent off, written as YAML", expect: "cluster-vpc-cni", apply: (p) => { p.inputs("cluster-vpc-cni").configurationValues = "enableNetworkPolicy: \"false\"\n"; } },
  { area: "netpol", title: "new policy: api pods (selected by matchExpressions) egress to 0.0.0.0/0 on every port", expect: "workloads-netpol-app-egress", apply: (p) => netpol(p, "workloads-netpol-app-egress", { podSelector: { matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: ["api"] }] }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }) },

  // ── Services, load balancers, custom resources ──
  { area: "service", title: "nginx Service becomes type LoadBalancer (an NLB around CloudFront and the WAF)", expect: "workloads-nginx", apply: (p) => { const s = p.inputs("workloads-nginx", SERVICE); s.spec.type = "LoadBalancer"; s.metadata.annotations = { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing", "service.beta.kubernetes.io/aws-load-balancer-type": "external" }; } },
  { area: "service", title: "new internal-looking LoadBalancer Service for nginx's status port, source ranges two /1 halves", expect: "workloads-nginx-status", apply: (p) => {
    k8s(p, SERVICE, "workloads-nginx-status", "workloads", { apiVersion: "v1", kind: "Service", metadata: { name: "nginx-status", namespace: "edgestack" }, spec: { type: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/1", "128.0.0.0/1"], selector: NGINX_LABELS, ports: [{ name: "status", port: 8082, targetPort: "status", protocol: "TCP" }] } });
  } },
  { area: "service", title: "ServicePatch turns the nginx Service into a LoadBalancer", expect: "workloads-nginx-patch", apply: (p) => {
    k8s(p, "kubernetes:core/v1:ServicePatch", "workloads-nginx-patch", "workloads", { apiVersion: "v1", kind: "Service", metadata: { name: "nginx", namespace: "edgestack" }, spec: { type: "LoadBalancer" } });
  } },
  { area: "service", title: "app-pods selector dropped, a hand-written EndpointSlice sends nginx's upstream outside the cluster", expect: "workloads-app-pods-external", apply: (p) => {
    delete p.inputs("workloads-app-pods", SERVICE).spec.selector;
    k8s(p, "kubernetes:discovery.k8s.io/v1:EndpointSlice", "workloads-app-pods-external", "workloads", { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "app-pods-1", namespace: "edgestack", labels: { "kubernetes.io/service-name": "app-pods" } }, addressType: "IPv4", ports: [{ name: "http", port: 8080, protocol: "TCP" }], endpoints: [{ addresses: ["203.0.113.10"] }] });
  } },
  { area: "service", title: "TargetGroupBinding opens the nodes to the world (networking from 0.0.0.0/0)", expect: "workloads-tgb-alb", apply: (p) => {
    k8s(p, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "workloads-tgb-alb", "workloads", { apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding", metadata: { name: "alb-nginx", namespace: "edgestack" }, spec: { targetType: "instance", targetGroupARN: "@id:alb-nginx", serviceRef: { name: "nginx", port: "alb-https" }, networking: { ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP" }] }] } } });
  } },
  { area: "service", title: "Gateway API Gateway with a plain-HTTP public listener routed to the app", expect: "workloads-gateway", apply: (p) => {
    k8s(p, "kubernetes:gateway.networking.k8s.io/v1:Gateway", "workloads-gateway", "workloads", { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "public", namespace: "edgestack", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" } }, spec: { gatewayClassName: "amazon-vpc-lattice", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }] } });
    k8s(p, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "workloads-gateway-route", "workloads", { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "app", namespace: "edgestack" }, spec: { parentRefs: [{ name: "public" }], rules: [{ backendRefs: [{ name: "app", port: 8080 }] }] } });
  } },
  { area: "storage", title: "new gp3 StorageClass with EBS encryption off", expect: "workloads-gp3", apply: (p) => {
    k8s(p, "kubernetes:storage.k8s.io/v1:StorageClass", "workloads-gp3", "workloads", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp3" }, provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "false" }, volumeBindingMode: "WaitForFirstConsumer" });
  } },
  { area: "helm", title: "Helm release of a node exporter with host network and privileged values", expect: "workloads-node-exporter", apply: (p) => {
    k8s(p, "kubernetes:helm.sh/v3:Release", "workloads-node-exporter", "workloads", { chart: "prometheus-node-exporter", version: "4.39.0", namespace: "edgestack", repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" }, values: { hostNetwork: true, hostPID: true, securityContext: { runAsUser: 0, runAsNonRoot: false }, containerSecurityContext: { privileged: true } } });
  } },
  { area: "helm", title: "Helm release fetched over plain HTTP with an unverified chart", expect: "workloads-tools", apply: (p) => {
    k8s(p, "kubernetes:helm.sh/v3:Release", "workloads-tools", "workloads", { chart: "tools", version: "1.0.0", namespace: "edgestack-system", verify: false, repositoryOpts: { repo: "http://charts.example.net/stable" }, values: {} });
  } },

  // ── HPA, PDB, rollouts ──
  { area: "availability", title: "app PDB maxUnavailable 50% (rounds up to two of three)", expect: "workloads-app", apply: (p) => { p.inputs("workloads-app", PDB).spec.maxUnavailable = "50%"; } },
  { area: "availability", title: "autoscaler zone spread's topology key mistyped (no node carries it)", expect: "cluster-autoscaler-deployment", apply: (p) => { pod(p, "cluster-autoscaler-deployment").topologySpreadConstraints[0].topologyKey = "topology.kubernetes.io/Zone"; } },
  { area: "availability", title: "nginx Deployment's own replicas 1 while its PDB still allows one down", expect: "workloads-nginx", apply: (p) => { p.inputs("workloads-nginx", DEPLOYMENT).spec.replicas = 1; pod(p, "workloads-nginx").topologySpreadConstraints[0].whenUnsatisfiable = "ScheduleAnyway"; } },
  // ── Second blind batch (still before reading any rule) ──
  { area: "sa", title: "app namespace's default ServiceAccount annotated with the CI runner's role (IRSA)", expect: "workloads-default-sa", apply: (p) => {
    k8s(p, SA, "workloads-default-sa", "workloads", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "edgestack", annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::123456789012:role/${p.id("ci-runner-role")}` } } });
  } },
  { area: "sa", title: "EKS Pod Identity association gives the app's default ServiceAccount the deploy role", expect: "workloads-app-pod-identity", apply: (p) => {
    p.add({ type: "aws:eks/podIdentityAssociation:PodIdentityAssociation", name: "workloads-app-pod-identity", parent: "workloads", inputs: { clusterName: "edgestack-prod", namespace: "edgestack", serviceAccount: "default", roleArn: "arn:aws:iam::123456789012:role/edgestack-prod-deploy" }, options: { provider: "pulumi:providers:aws::aws" } } as PlanResource);
  } },
  { area: "secret", title: "nginx TLS Secret's key written as plain stringData in the plan", expect: "workloads-nginx-alb-tls", apply: (p) => {
    const i = p.inputs("workloads-nginx-alb-tls", SECRET);
    i.stringData = { "tls.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "tls.key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n" };
    delete p.get("workloads-nginx-alb-tls", SECRET).secrets;
  } },
  { area: "rbac", title: "autoscaler namespace binding's roleRef becomes the aggregation controller's ClusterRole (escalate on every ClusterRole)", expect: "cluster-autoscaler-binding", apply: (p) => { p.inputs("cluster-autoscaler-binding", ROLE_BINDING).roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:controller:clusterrole-aggregation-controller" }; } },
  { area: "rbac", title: "autoscaler may create Jobs in every namespace (pods as any service account)", expect: "cluster-autoscaler-cluster-role", apply: (p) => { rule(p, "cluster-autoscaler-cluster-role", CLUSTER_ROLE).find((r) => r.apiGroups[0] === "batch")!.verbs.push("create"); } },
  { area: "netpol", title: "app ingress from nginx-labelled pods of any namespace but one (NotIn)", expect: "workloads-netpol-app-from-nginx", apply: (p) => { p.inputs("workloads-netpol-app-from-nginx", NETPOL).spec.ingress[0].from[0].namespaceSelector = { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-public"] }] }; } },
  { area: "netpol", title: "DNS rule to kube-dns-labelled pods of every namespace (selector on a key no namespace has)", expect: "workloads-netpol-dns", apply: (p) => { p.inputs("workloads-netpol-dns", NETPOL).spec.egress[0].to[0].namespaceSelector = { matchExpressions: [{ key: "edgestack.io/untrusted", operator: "DoesNotExist" }] }; } },
  { area: "service", title: "TargetGroupBinding registers the app's Service in the ALB's target group (bypasses nginx)", expect: "workloads-tgb-app", apply: (p) => {
    k8s(p, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "workloads-tgb-app", "workloads", { apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding", metadata: { name: "alb-app", namespace: "edgestack" }, spec: { targetType: "ip", targetGroupARN: "@id:alb-nginx", serviceRef: { name: "app", port: 8080 } } });
  } },
  { area: "crd", title: "CRD with a conversion webhook at an outside URL (every object of the kind sent there)", expect: "workloads-crd", apply: (p) => {
    k8s(p, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "workloads-crd", "workloads", { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "routes.edgestack.io" }, spec: { group: "edgestack.io", names: { kind: "Route", plural: "routes" }, scope: "Namespaced", versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }, { name: "v2", served: true, storage: false, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }], conversion: { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"], clientConfig: { url: "https://convert.example.net/routes" } } } } });
  } },
  { area: "availability", title: "HPA maximum equal to its minimum (3): never scales", expect: "workloads-app", apply: (p) => { p.inputs("workloads-app", HPA).spec.maxReplicas = 3; } },
  { area: "storage", title: "PersistentVolumeClaim on the in-tree gp2 class with no encryption for the app's cache", expect: "workloads-cache-pvc", apply: (p) => {
    k8s(p, "kubernetes:storage.k8s.io/v1:StorageClass", "workloads-gp2-plain", "workloads", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp2-plain" }, provisioner: "kubernetes.io/aws-ebs", parameters: { type: "gp2" } });
    k8s(p, "kubernetes:core/v1:PersistentVolumeClaim", "workloads-cache-pvc", "workloads", { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "cache", namespace: "edgestack" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp2-plain", resources: { requests: { storage: "10Gi" } } } });
  } },
  // ── Variants written after the fixes (other spellings of the classes the blind run exposed) ──
  { area: "secret", title: "kubernetes provider (RBAC) kubeconfig as JSON in clear with a client key", expect: "cluster-k8s-rbac", apply: (p) => {
    const r = p.get("cluster-k8s-rbac", "pulumi:providers:kubernetes");
    (r.inputs as any).kubeconfig = JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: "c", cluster: { server: "https://ABC.gr7.us-east-1.eks.amazonaws.com", "certificate-authority-data": "TU9DSw==" } }], users: [{ name: "ci", user: { "client-certificate-data": "TU9DSw==", "client-key-data": "TU9DSw==" } }], contexts: [{ name: "c", context: { cluster: "c", user: "ci" } }], "current-context": "c" });
    delete r.secrets;
  } },
  { area: "secret", title: "a new Opaque Secret whose one key is in clear beside a masked one", expect: "workloads-api-keys", apply: (p) => {
    k8s(p, SECRET, "workloads-api-keys", "workloads", { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "api-keys", namespace: "edgestack" }, stringData: { PRIMARY: "[secret]", FALLBACK: "sk_live_51HqFallbackKeyValue" } });
  } },
  { area: "sa", title: "a new ServiceAccount in the app namespace annotated with the autoscaler's IRSA role (written for another account)", expect: "workloads-ops-sa", apply: (p) => {
    k8s(p, SA, "workloads-ops-sa", "workloads", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ops", namespace: "edgestack", annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::123456789012:role/${p.id("cluster-autoscaler-role")}` } }, automountServiceAccountToken: false });
  } },
  { area: "rbac", title: "scraper binding's roleRef becomes system:aggregate-to-edit", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { p.inputs("alerting-prometheus-scraper-edgestack", ROLE_BINDING).roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:aggregate-to-edit" }; } },
  { area: "rbac", title: "autoscaler namespace binding's roleRef becomes the built-in admin role (namespace-scoped)", expect: "cluster-autoscaler-binding", apply: (p) => { p.inputs("cluster-autoscaler-binding", ROLE_BINDING).roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" }; } },
  { area: "rbac", title: "deployer binding's roleRef becomes the nodes' built-in role system:node", expect: "cluster-deployer", apply: (p) => { p.inputs("cluster-deployer", CLUSTER_ROLE_BINDING).roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:node" }; } },
  { area: "rbac", title: "deployer may patch pods in every API group (image swap)", expect: "cluster-deployer", apply: (p) => { rule(p, "cluster-deployer", CLUSTER_ROLE).push({ apiGroups: ["*"], resources: ["pods"], verbs: ["patch"] }); } },
  { area: "rbac", title: "scraper binding also names the app namespace's default account (namespace left to the binding's)", expect: "alerting-prometheus-scraper-edgestack", apply: (p) => { p.inputs("alerting-prometheus-scraper-edgestack", ROLE_BINDING).subjects.push({ kind: "ServiceAccount", name: "default" }); } },
  { area: "rbac", title: "autoscaler namespace binding also names an account the stack does not declare", expect: "cluster-autoscaler-binding", apply: (p) => { p.inputs("cluster-autoscaler-binding", ROLE_BINDING).subjects.push({ kind: "ServiceAccount", name: "debug", namespace: "edgestack-system" }); } },
  { area: "netpol", title: "app metrics from scraper-labelled pods of every namespace but kube-system", expect: "workloads-netpol-app-metrics-from-scraper", apply: (p) => { p.inputs("workloads-netpol-app-metrics-from-scraper", NETPOL).spec.ingress[0].from[0].namespaceSelector = { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] }] }; } },
  { area: "netpol", title: "nginx → app egress to every pod of every namespace on 8080 (namespaceSelector Exists, no pod selector)", expect: "workloads-netpol-nginx-to-app", apply: (p) => { p.inputs("workloads-netpol-nginx-to-app", NETPOL).spec.egress[0].to = [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] } }]; } },
  { area: "pod", title: "exporter image by the moving edge tag", expect: "workloads-nginx", apply: (p) => { ctr(p, "workloads-nginx", 1).image = "nginx/nginx-prometheus-exporter:edge"; } },
  { area: "pod", title: "app image from the stack's ECR by a branch tag (main)", expect: "workloads-app", apply: (p) => { const c = ctr(p, "workloads-app"); c.image = c.image.replace(/@sha256:.*$/, ":main"); } },
  { area: "namespace", title: "autoscaler namespace enforces restricted as of v1.34 (one release below the cluster)", expect: "cluster-autoscaler-namespace", apply: (p) => { p.inputs("cluster-autoscaler-namespace", NAMESPACE).metadata.labels["pod-security.kubernetes.io/enforce-version"] = "v1.34"; } },
  { area: "namespace", title: "app namespace's enforce-version written without the v (not a version the admission reads)", expect: "workloads-namespace", apply: (p) => { p.inputs("workloads-namespace", NAMESPACE).metadata.labels["pod-security.kubernetes.io/enforce-version"] = "1.35"; } },
  { area: "service", title: "TargetGroupBinding registers nginx's status port (no node port) in the ALB's target group", expect: "workloads-tgb-status", apply: (p) => {
    k8s(p, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "workloads-tgb-status", "workloads", { apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding", metadata: { name: "status", namespace: "edgestack" }, spec: { targetGroupARN: "@id:alb-nginx", serviceRef: { name: "nginx", port: 8082 } } });
  } },
  { area: "service", title: "TargetGroupBinding for nginx opens the nodes to the IPv4 internet in two halves", expect: "workloads-tgb-halves", apply: (p) => {
    k8s(p, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "workloads-tgb-halves", "workloads", { apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding", metadata: { name: "alb-nginx", namespace: "edgestack" }, spec: { targetGroupARN: "@id:alb-nginx", serviceRef: { name: "nginx", port: "alb-https" }, networking: { ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/1" } }], ports: [{ protocol: "TCP", port: "alb-https" }] }] } } });
  } },
  { area: "storage", title: "EBS CSI StorageClass with encrypted \"False\"", expect: "workloads-gp3-f", apply: (p) => {
    k8s(p, "kubernetes:storage.k8s.io/v1:StorageClass", "workloads-gp3-f", "workloads", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp3-f" }, provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "False" } });
  } },
  { area: "pod", title: "nightly CronJob in the app namespace at system-cluster-critical", expect: "workloads-nightly", apply: (p) => {
    const spec = appPod(p);
    spec.restartPolicy = "Never";
    delete spec.topologySpreadConstraints;
    spec.priorityClassName = "system-cluster-critical";
    k8s(p, "kubernetes:batch/v1:CronJob", "workloads-nightly", "workloads", { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "nightly", namespace: "edgestack" }, spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { metadata: { labels: { job: "nightly" } }, spec } } } } });
  } },
];

export const round8K8sHarmless: { title: string; apply: (p: Plan) => void }[] = [
  { title: "team annotation on the autoscaler Deployment", apply: (p) => { p.inputs("cluster-autoscaler-deployment", DEPLOYMENT).metadata.annotations = { "edgestack.io/owner": "platform" }; } },
  { title: "app container seccomp Localhost with a named profile (stricter)", apply: (p) => { ctr(p, "workloads-app").securityContext.seccompProfile = { type: "Localhost", localhostProfile: "profiles/edgestack-app.json" }; } },
  { title: "app rollout written as maxUnavailable 0% and maxSurge 34%", apply: (p) => { p.inputs("workloads-app", DEPLOYMENT).spec.strategy.rollingUpdate = { maxSurge: "34%", maxUnavailable: "0%" }; } },
  { title: "vpc-cni configuration written as YAML (network policy on)", apply: (p) => { p.inputs("cluster-vpc-cni").configurationValues = "enableNetworkPolicy: \"true\"\n"; } },
  { title: "a LimitRange with default container limits in the app namespace", apply: (p) => k8s(p, "kubernetes:core/v1:LimitRange", "workloads-limits", "workloads", { apiVersion: "v1", kind: "LimitRange", metadata: { name: "defaults", namespace: "edgestack" }, spec: { limits: [{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } }] } }) },
  { title: "a ResourceQuota on the app namespace", apply: (p) => k8s(p, "kubernetes:core/v1:ResourceQuota", "workloads-quota", "workloads", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "quota", namespace: "edgestack" }, spec: { hard: { pods: "60", "requests.cpu": "16", "limits.memory": "32Gi" } } }) },
  { title: "app PDB evicts unhealthy pods always (AlwaysAllow, the recommended policy)", apply: (p) => { p.inputs("workloads-app", PDB).spec.unhealthyPodEvictionPolicy = "AlwaysAllow"; } },
  { title: "HPA scale-up stabilisation of 30 s", apply: (p) => { p.inputs("workloads-app", HPA).spec.behavior.scaleUp = { stabilizationWindowSeconds: 30, policies: [{ type: "Pods", value: 3, periodSeconds: 60 }] }; } },
  { title: "deployer loses delete on namespaces", apply: (p) => { rule(p, "cluster-deployer", CLUSTER_ROLE).splice(0, 1, { apiGroups: [""], resources: ["configmaps", "secrets", "services"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] }, { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch", "create", "update", "patch"] }); } },
  { title: "app namespace pins enforce-version to the cluster's v1.35", apply: (p) => { p.inputs("workloads-namespace", NAMESPACE).metadata.labels["pod-security.kubernetes.io/enforce-version"] = "v1.35"; } },
  { title: "app runs as uid 20001 at pod and container level", apply: (p) => { pod(p, "workloads-app").securityContext.runAsUser = 20001; ctr(p, "workloads-app").securityContext.runAsUser = 20001; } },
  { title: "an app ServiceAccount without token automount, used by the app pods", apply: (p) => {
    k8s(p, SA, "workloads-app-sa", "workloads", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: "edgestack" }, automountServiceAccountToken: false });
    pod(p, "workloads-app").serviceAccountName = "app";
  } },
  { title: "an app ServiceAccount with automount true while the pod keeps it off (the pod's setting wins)", apply: (p) => {
    k8s(p, SA, "workloads-app-sa", "workloads", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: "edgestack" }, automountServiceAccountToken: true });
    pod(p, "workloads-app").serviceAccountName = "app";
  } },
  { title: "scraper Role also reads endpoints and services", apply: (p) => { rule(p, "alerting-prometheus-scraper-edgestack", ROLE).push({ apiGroups: [""], resources: ["endpoints", "services"], verbs: ["get", "list", "watch"] }); } },
  { title: "HPA also scales on memory at 80%", apply: (p) => { p.inputs("workloads-app", HPA).spec.metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } }); } },
  { title: "autoscaler waits 15 minutes before removing an unneeded node", apply: (p) => { const c = ctr(p, "cluster-autoscaler-deployment"); c.command = c.command.map((a: string) => (a === "--scale-down-unneeded-time=10m" ? "--scale-down-unneeded-time=15m" : a)); } },
  { title: "owner label on both PDBs", apply: (p) => { for (const n of ["workloads-app", "workloads-nginx"]) p.inputs(n, PDB).metadata.labels["edgestack.io/owner"] = "platform"; } },
  { title: "an extra NetworkPolicy denying all ingress to the autoscaler", apply: (p) => netpol(p, "cluster-autoscaler-np-no-ingress", { podSelector: { matchLabels: { "app.kubernetes.io/name": "cluster-autoscaler" } }, policyTypes: ["Ingress"] }, "edgestack-system") },

  // ── Harmless variants written after the fixes ──
  { title: "the autoscaler's ServiceAccount states automount true (an API client of apiServiceAccounts)", apply: (p) => { p.inputs("cluster-autoscaler-sa", SA).automountServiceAccountToken = true; } },
  { title: "the built-in view role bound in the app namespace to the scraper's user", apply: (p) => k8s(p, ROLE_BINDING, "workloads-view-scraper", "workloads", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "view-scraper", namespace: "edgestack" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "aps-collector-user" }] }, rbacProvider) },
  { title: "an encrypted gp3 StorageClass with the stack's key", apply: (p) => k8s(p, "kubernetes:storage.k8s.io/v1:StorageClass", "workloads-gp3", "workloads", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "gp3" }, provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/d5f89185-1672-9cdf-225f-6e6da2a62626" }, volumeBindingMode: "WaitForFirstConsumer" }) },
  { title: "nginx image on a newer patch tag (1.30.6-alpine)", apply: (p) => { ctr(p, "workloads-nginx").image = "nginxinc/nginx-unprivileged:1.30.6-alpine"; } },
  { title: "app namespace's enforce-version pinned ahead of the cluster (v1.36)", apply: (p) => { p.inputs("workloads-namespace", NAMESPACE).metadata.labels["pod-security.kubernetes.io/enforce-version"] = "v1.36"; } },
  { title: "the app's metrics scraper admitted from the monitoring namespace by an In expression", apply: (p) => { p.inputs("workloads-netpol-app-metrics-from-scraper", NETPOL).spec.ingress[0].from[0].namespaceSelector = { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["monitoring"] }] }; } },
];
