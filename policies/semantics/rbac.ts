/**
 * Kubernetes RBAC risk: what a role's rules let a subject do, judged by verbs and resources (wildcards
 * included), and which subjects a binding hands them to.
 * https://kubernetes.io/docs/concepts/security/rbac-good-practices/
 */

export interface PolicyRule {
  apiGroups?: unknown;
  resources?: unknown;
  verbs?: unknown;
  resourceNames?: unknown;
  nonResourceURLs?: unknown;
}

export interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);

/** Does a rule grant `verb` on `resource` (with `group`)? Wildcards in any of the three match everything. */
export function ruleGrants(rule: PolicyRule, verb: string, resource: string, group = ""): boolean {
  const verbs = strings(rule.verbs);
  const resources = strings(rule.resources);
  const groups = strings(rule.apiGroups);
  const resourceOk = resources.includes("*") || resources.includes(resource) || (resource.includes("/") && resources.includes(`${resource.split("/")[0]}/*`));
  const groupOk = groups.length === 0 ? group === "" : groups.includes("*") || groups.includes(group);
  return (verbs.includes("*") || verbs.includes(verb)) && resourceOk && groupOk;
}

/** Grants that hand over the cluster or its secrets, by what they allow (resource, verbs, api group, why). */
const RISKY: { resource: string; group: string; verbs: string[]; why: string }[] = [
  { resource: "secrets", group: "", verbs: ["get", "list", "watch"], why: "reads Secrets (service-account tokens, credentials)" },
  { resource: "pods/exec", group: "", verbs: ["create", "get"], why: "execs into pods" },
  { resource: "pods/attach", group: "", verbs: ["create", "get"], why: "attaches to pods" },
  { resource: "pods/portforward", group: "", verbs: ["create", "get"], why: "port-forwards into pods" },
  { resource: "nodes/proxy", group: "", verbs: ["get", "create"], why: "reaches the kubelet API of nodes (nodes/proxy)" },
  { resource: "serviceaccounts/token", group: "", verbs: ["create"], why: "mints service-account tokens" },
  { resource: "roles", group: "rbac.authorization.k8s.io", verbs: ["escalate", "bind"], why: "escalates or binds roles" },
  { resource: "clusterroles", group: "rbac.authorization.k8s.io", verbs: ["escalate", "bind"], why: "escalates or binds cluster roles" },
  { resource: "rolebindings", group: "rbac.authorization.k8s.io", verbs: ["create", "update", "patch"], why: "writes role bindings (grants itself any role it may bind)" },
  { resource: "clusterrolebindings", group: "rbac.authorization.k8s.io", verbs: ["create", "update", "patch"], why: "writes cluster role bindings" },
  { resource: "endpointslices", group: "discovery.k8s.io", verbs: ["create", "update", "patch"], why: "writes EndpointSlices (sends a Service's traffic to any address)" },
  { resource: "endpoints", group: "", verbs: ["create", "update", "patch"], why: "writes Endpoints (sends a Service's traffic to any address)" },
  { resource: "services/status", group: "", verbs: ["update", "patch"], why: "sets Service status (load-balancer ingress IPs that kube-proxy routes: CVE-2020-8554 interception)" },
  { resource: "users", group: "", verbs: ["impersonate"], why: "impersonates users" },
  { resource: "groups", group: "", verbs: ["impersonate"], why: "impersonates groups" },
  { resource: "serviceaccounts", group: "", verbs: ["impersonate"], why: "impersonates service accounts" },
  { resource: "certificatesigningrequests/approval", group: "certificates.k8s.io", verbs: ["update", "patch"], why: "approves certificate requests" },
  { resource: "validatingwebhookconfigurations", group: "admissionregistration.k8s.io", verbs: ["create", "update", "patch", "delete"], why: "rewrites admission webhooks" },
  { resource: "mutatingwebhookconfigurations", group: "admissionregistration.k8s.io", verbs: ["create", "update", "patch", "delete"], why: "rewrites admission webhooks" },
  { resource: "pods", group: "", verbs: ["create"], why: "creates pods (runs as any service account of the namespace, mounts its secrets)" },
  // A running pod's container image may be changed in place: the new code runs with the pod's account and secrets.
  { resource: "pods", group: "", verbs: ["update", "patch"], why: "rewrites running pods (a new image runs with their service accounts and secrets)" },
  { resource: "deployments", group: "apps", verbs: ["create", "update", "patch"], why: "writes workloads (runs code as their service accounts)" },
  { resource: "daemonsets", group: "apps", verbs: ["create", "update", "patch"], why: "writes DaemonSets (code on every node)" },
  // Every other controller that makes pods runs code as well as a Deployment does.
  ...[
    { resource: "statefulsets", group: "apps" },
    { resource: "replicasets", group: "apps" },
    { resource: "replicationcontrollers", group: "" },
    { resource: "jobs", group: "batch" },
    { resource: "cronjobs", group: "batch" },
  ].map((x) => ({ ...x, verbs: ["create", "update", "patch"], why: "writes workloads (runs code as their service accounts)" })),
  { resource: "pods/ephemeralcontainers", group: "", verbs: ["update", "patch"], why: "adds ephemeral containers to running pods (a shell in them, like exec)" },
  { resource: "persistentvolumes", group: "", verbs: ["create"], why: "creates PersistentVolumes (hostPath mounts of nodes)" },
  { resource: "namespaces", group: "", verbs: ["update", "patch"], why: "relabels namespaces (turns Pod Security off)" },
  { resource: "networkpolicies", group: "networking.k8s.io", verbs: ["create", "update", "patch", "delete", "deletecollection"], why: "rewrites or deletes NetworkPolicies (lifts the namespace's isolation)" },
  // Defence evasion: the record of what was done goes with them.
  ...["", "events.k8s.io"].map((group) => ({ resource: "events", group, verbs: ["delete", "deletecollection"], why: "deletes events (erases the record of what happened)" })),
];

/** Written in kube-system, these ConfigMaps steer the whole cluster: CoreDNS's Corefile (every pod's name resolution), kube-proxy's config. */
const CLUSTER_CONFIG_RISK = "writes ConfigMaps in kube-system (CoreDNS's Corefile, kube-proxy's config: every pod's DNS and routing)";

/**
 * Why a role's rules are risky (empty: nothing above least privilege found). `namespace` is a Role's namespace;
 * a ClusterRole (undefined) may be bound cluster-wide, kube-system included.
 */
export function roleRisks(rules: PolicyRule[], namespace?: string): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    const verbs = strings(r.verbs);
    const resources = strings(r.resources);
    if (verbs.includes("*") && resources.includes("*")) out.add("grants every verb on every resource (cluster-admin in all but name)");
    else if (verbs.includes("*") && strings(r.apiGroups).includes("*")) out.add(`grants every verb on ${resources.join(", ")} in every API group`);
    // "*" is every verb the API server has or will have (deletecollection, escalate, bind, impersonate), never least privilege.
    else if (verbs.includes("*")) out.add(`grants every verb (*) on ${resources.join(", ") || "nothing named"}, present and future ones included`);
    if (verbs.includes("deletecollection") && !verbs.includes("*")) out.add(`deletes whole collections of ${resources.join(", ")} at once (deletecollection)`);
    if ((namespace === undefined || namespace === "kube-system") && ["create", "update", "patch", "delete"].some((v) => ruleGrants(r, v, "configmaps"))) out.add(CLUSTER_CONFIG_RISK);
    if (strings(r.nonResourceURLs).includes("*") && verbs.includes("*")) out.add("grants every verb on every non-resource URL");
    for (const risk of RISKY) {
      if (risk.verbs.some((v) => ruleGrants(r, v, risk.resource, risk.group))) out.add(risk.why);
    }
  }
  return [...out];
}

/**
 * What a deploy identity needs to apply the stack's own objects: it writes the workloads and the
 * namespace (with its Pod Security label), reads back the Secrets it writes, and keeps its own role
 * and binding current. Accepted only for a role bound to nothing but groups that EKS access entries
 * give to IAM principals (a person or CI role entering through the EKS API, never a pod's service
 * account); exec/attach, nodes/proxy, tokens, impersonation, escalate/bind, webhooks and wildcards
 * stay violations for it too.
 */
export const DEPLOYER_NEEDS: readonly string[] = [
  "reads Secrets (service-account tokens, credentials)",
  "writes workloads (runs code as their service accounts)",
  "relabels namespaces (turns Pod Security off)",
  "creates pods (runs as any service account of the namespace, mounts its secrets)",
  "rewrites or deletes NetworkPolicies (lifts the namespace's isolation)",
  CLUSTER_CONFIG_RISK,
];

/** Cluster role bindings written only by name, and only the role's own (keeping its binding current). */
export function writesOnlyOwnBinding(rules: PolicyRule[], roleName: string): boolean {
  const writes = rules.filter((r) => ["create", "update", "patch"].some((v) => ruleGrants(r, v, "clusterrolebindings", "rbac.authorization.k8s.io")));
  return writes.every((r) => {
    const names = strings(r.resourceNames);
    return names.length > 0 && names.every((n) => n === roleName) && !strings(r.verbs).includes("create") && !strings(r.verbs).includes("*");
  });
}

/** Subjects that are everyone: anonymous requests, every authenticated identity, every service account. */
export const BROAD_SUBJECTS = ["system:anonymous", "system:unauthenticated", "system:authenticated", "system:serviceaccounts", "system:masters"];

export function broadSubjects(subjects: Subject[]): string[] {
  return subjects.map((s) => String(s?.name ?? "")).filter((n) => BROAD_SUBJECTS.includes(n) || /^system:serviceaccounts:/.test(n));
}

/** Built-in cluster roles that hand over the cluster or write access to everything in a namespace. */
export const POWERFUL_CLUSTER_ROLES = ["cluster-admin", "admin", "edit", "system:masters", "system:controller:clusterrole-aggregation-controller"];

/** Built-in cluster roles that read no Secret and run nothing: binding them (in a namespace or cluster-wide) hands over nothing. */
export const HARMLESS_BUILT_IN_ROLES = ["view", "system:aggregate-to-view", "system:basic-user", "system:discovery", "system:public-info-viewer", "system:monitoring"];

/**
 * Why binding a built-in ClusterRole by name hands over too much, or undefined (a role the stack declares itself is
 * judged by its rules instead). Even bound in one namespace, admin and edit read its Secrets, exec into its pods and
 * write its workloads (every service account's rights there); the controllers' roles (system:controller:*), the
 * control plane's and the nodes' roles, the aggregation sources of admin/edit, and any other system: role whose rights
 * the pack does not know are reported too. Harmless: view and the discovery/basic roles.
 */
export function builtInRoleRisk(name: string, clusterWide: boolean): string | undefined {
  if (HARMLESS_BUILT_IN_ROLES.includes(name)) return undefined;
  if (name === "cluster-admin") return "cluster-admin: every verb on every resource";
  if (name === "admin" || name === "edit" || name === "system:aggregate-to-admin" || name === "system:aggregate-to-edit")
    return `the built-in ${name} role: reads the Secrets, execs into the pods and writes the workloads ${clusterWide ? "of every namespace" : "of the namespace"} (every service account's rights there)`;
  if (/^system:controller:/.test(name)) return `the controller role ${name}: a control-plane controller's rights (many write pods, read Secrets or escalate roles)`;
  if (/^system:(node|kube-controller-manager|kube-scheduler|kube-proxy|masters|certificates\.k8s\.io:)/.test(name)) return `the control-plane role ${name}`;
  if (/^system:/.test(name)) return `the built-in role ${name}, whose rights the pack does not know`;
  return undefined;
}

/**
 * The service account a binding subject names (kind ServiceAccount, or a User spelled system:serviceaccount:NS:NAME,
 * which is the same identity), or undefined.
 */
export function serviceAccountSubject(s: Subject, bindingNamespace?: string): { namespace: string; name: string } | undefined {
  if (s?.kind === "ServiceAccount") return { namespace: String(s.namespace ?? bindingNamespace ?? "default"), name: String(s.name ?? "") };
  const m = s?.kind === "User" ? /^system:serviceaccount:([^:]+):([^:]+)$/.exec(String(s.name ?? "")) : null;
  return m ? { namespace: m[1], name: m[2] } : undefined;
}

/**
 * The labels Kubernetes gives its built-in ClusterRoles (every one carries kubernetes.io/bootstrapping=rbac-defaults;
 * edit and view are themselves aggregated into admin and edit by the aggregate-to labels they carry).
 */
export const BUILT_IN_ROLE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "cluster-admin": { "kubernetes.io/bootstrapping": "rbac-defaults" },
  admin: { "kubernetes.io/bootstrapping": "rbac-defaults" },
  edit: { "kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-admin": "true" },
  view: { "kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
  "system:aggregate-to-admin": { "kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-admin": "true" },
  "system:aggregate-to-edit": { "kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
  "system:aggregate-to-view": { "kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-view": "true" },
  "system:node": { "kubernetes.io/bootstrapping": "rbac-defaults" },
  "system:kube-controller-manager": { "kubernetes.io/bootstrapping": "rbac-defaults" },
};

type Selector = { matchLabels?: Record<string, unknown>; matchExpressions?: { key?: string; operator?: string; values?: unknown[] }[] };

/** Whether a label selector matches these labels (an empty selector matches every set; an unknown operator none). */
function matches(sel: Selector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== String(v)) return false;
  for (const e of sel.matchExpressions ?? []) {
    const key = String(e?.key ?? "");
    const values = (e?.values ?? []).map(String);
    const has = key in labels;
    if (e?.operator === "In" ? !has || !values.includes(labels[key]!) : e?.operator === "NotIn" ? has && values.includes(labels[key]!) : e?.operator === "Exists" ? !has : e?.operator === "DoesNotExist" ? has : true) return false;
  }
  return true;
}

/**
 * The ClusterRoles an aggregationRule's selectors pull in, among the built-in ones that hand over too much
 * (builtInRoleRisk) and the given declared roles (name → labels): the controller copies every rule of every
 * ClusterRole whose labels match any selector into the aggregating role, whatever the selector's spelling.
 */
export function aggregatedRoles(selectors: readonly Selector[], declared: ReadonlyMap<string, Readonly<Record<string, string>>> = new Map()): string[] {
  const out: string[] = [];
  for (const [name, labels] of [...Object.entries(BUILT_IN_ROLE_LABELS), ...declared]) {
    if (selectors.some((sel) => matches(sel ?? {}, labels))) out.push(name);
  }
  return out;
}
