/**
 * Kubernetes isolation: the Pod Security Standard "restricted" profile on every kind that creates pods, the namespace
 * enforcing it, no cluster-admin bindings, and a default-deny NetworkPolicy wherever workloads run.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import type { core, networking, rbac } from "@pulumi/kubernetes/types/input";
import { Policies, PolicyResource } from "@pulumi/policy";
import { METADATA_ADDRESSES, METADATA_ADDRESSES_TEXT, parseCidr, subtract } from "../semantics/cidr";

const rangesOf = (cidrs: string[]) => cidrs.map((c) => parseCidr(c)).filter((r) => r !== undefined);
import { grantsTo, NetworkPolicyView, PodView, portsOpened, publicGrants } from "../semantics/netpol";
import { aggregatedRoles, broadSubjects, builtInRoleRisk, DEPLOYER_NEEDS, roleRisks, serviceAccountSubject, Subject, writesOnlyOwnBinding } from "../semantics/rbac";
import { parseStructured } from "../semantics/structured";
import { ifKnown, list, masked, maskedMessage, num, ofType, Props, resourceRule, stackRule, TYPES, unknownAt } from "./common";

type PodSpec = Props<core.v1.PodSpec>;
type Container = Props<core.v1.Container>;
type NetworkPolicy = Props<networking.v1.NetworkPolicy>;
type Binding = Props<rbac.v1.ClusterRoleBinding>;
type Role = Props<rbac.v1.ClusterRole>;

export const POD_TYPES = [...TYPES.pod, ...TYPES.podTemplate, ...TYPES.cronJob];
/** Volume types the restricted profile allows. */
export const RESTRICTED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
/** Sysctls the baseline profile allows. */
const SAFE_SYSCTLS = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];
const SECCOMP_OK = ["RuntimeDefault", "Localhost"];
export const PSS_LABEL = "pod-security.kubernetes.io/enforce";

/** The oldest Pod Security Standards version a pinned enforce-version may name when the plan declares no cluster. */
const PSS_VERSION_FLOOR = [1, 25];
/**
 * Why a namespace's enforce-version label weakens its profile, or undefined: unset and "latest" follow the cluster; a
 * pinned vMAJOR.MINOR must be at least the cluster's version (else the profile of an older release is enforced, which
 * lacks checks added since) — v1.25 when the plan declares no cluster. Anything else is not a version the admission
 * controller reads the way the author meant.
 */
export function pssVersionProblem(value: unknown, clusterVersion?: string): string | undefined {
  if (value === undefined || value === null || value === "latest") return undefined;
  const m = /^v(\d+)\.(\d+)$/.exec(String(value));
  if (!m) return `at version ${JSON.stringify(value)}, which is neither "latest" nor vMAJOR.MINOR`;
  const c = /^(\d+)\.(\d+)/.exec(clusterVersion ?? "");
  const floor = c ? [Number(c[1]), Number(c[2])] : PSS_VERSION_FLOOR;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < floor[0] || (major === floor[0] && minor < floor[1])) return `as of ${String(value)}, older than ${c ? `the cluster's ${clusterVersion}` : `v${floor.join(".")}`}: the profile of that release lacks the checks added since; use "latest"`;
  return undefined;
}

/** The pod template of a pod-bearing resource: its metadata and spec, wherever the kind keeps them. */
export function podTemplateOf(type: string, props: Record<string, unknown>): { metadata?: Record<string, unknown>; spec?: unknown } {
  const p = props as { metadata?: Record<string, unknown>; spec?: Record<string, unknown>; template?: Record<string, unknown> };
  if (TYPES.pod.includes(type as never)) return { metadata: p.metadata, spec: p.spec };
  if (type === "kubernetes:core/v1:PodTemplate") return (p.template ?? {}) as never;
  if (TYPES.cronJob.includes(type as never)) {
    const job = (p.spec?.jobTemplate as { spec?: { template?: unknown } } | undefined)?.spec?.template;
    return (job ?? {}) as never;
  }
  return (p.spec?.template ?? {}) as never;
}

/** Every way a pod spec breaks the restricted profile, as readable sentences. */
export function restrictedViolations(spec: PodSpec, metadata: Record<string, unknown> = {}): string[] {
  const out: string[] = [];
  for (const k of ["hostNetwork", "hostPID", "hostIPC"] as const) if (spec[k] === true) out.push(`sets ${k}: true`);
  for (const v of list(spec.volumes)) {
    if (masked(v)) continue;
    const kinds = Object.keys(v ?? {}).filter((k) => k !== "name");
    const bad = kinds.filter((k) => !RESTRICTED_VOLUME_TYPES.includes(k));
    if (bad.length > 0) out.push(`volume "${v?.name}" is of type ${bad.join(", ")} (allowed: ${RESTRICTED_VOLUME_TYPES.join(", ")})`);
  }
  const podSc = spec.securityContext ?? {};
  for (const s of list(podSc.sysctls)) if (!SAFE_SYSCTLS.includes(String(s?.name))) out.push(`sets unsafe sysctl ${s?.name}`);
  if (podSc.seccompProfile?.type !== undefined && !SECCOMP_OK.includes(podSc.seccompProfile.type)) out.push(`pod seccompProfile is ${podSc.seccompProfile.type}`);
  if (podSc.appArmorProfile?.type === "Unconfined") out.push("pod appArmorProfile is Unconfined");
  if (podSc.windowsOptions?.hostProcess === true) out.push("pod windowsOptions.hostProcess is true");
  if (num(podSc.runAsUser) === 0) out.push("pod runs as uid 0");
  const annotations = (metadata.annotations ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(annotations)) {
    if (k.startsWith("container.apparmor.security.beta.kubernetes.io/") && v === "unconfined") out.push(`annotation ${k} is unconfined`);
    if (k.startsWith("seccomp.security.alpha.kubernetes.io/") && String(v).includes("unconfined")) out.push(`annotation ${k} is unconfined`);
  }
  const containers = [
    ...list(spec.initContainers as Container[] | undefined),
    ...list(spec.containers as Container[] | undefined),
    ...list(spec.ephemeralContainers as Container[] | undefined),
  ];
  if (containers.length === 0 && (masked(spec.containers) || spec.containers === undefined)) out.push(masked(spec.containers) ? maskedMessage("containers") : "has no containers");
  for (const c of containers) {
    const w = `container "${c.name}"`;
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) out.push(`${w} is privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${w} does not set allowPrivilegeEscalation: false`);
    const drop = list(sc.capabilities?.drop).map(String);
    if (!drop.includes("ALL")) out.push(`${w} does not drop ALL capabilities`);
    const added = list(sc.capabilities?.add).map(String).filter((a) => a !== "NET_BIND_SERVICE");
    if (added.length > 0) out.push(`${w} adds capabilities ${added.join(", ")} (only NET_BIND_SERVICE is allowed)`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp === undefined || !SECCOMP_OK.includes(seccomp)) out.push(`${w} has seccompProfile ${seccomp ?? "unset"} (RuntimeDefault or Localhost required)`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${w} does not run with runAsNonRoot: true`);
    if (num(sc.runAsUser) === 0) out.push(`${w} runs as uid 0`);
    if (sc.procMount !== undefined && sc.procMount !== "Default") out.push(`${w} sets procMount ${sc.procMount}`);
    if (sc.appArmorProfile?.type === "Unconfined") out.push(`${w} appArmorProfile is Unconfined`);
    if (sc.windowsOptions?.hostProcess === true) out.push(`${w} sets windowsOptions.hostProcess`);
    const se = sc.seLinuxOptions ?? podSc.seLinuxOptions;
    if (se && ((se.type !== undefined && !["container_t", "container_init_t", "container_kvm_t", "container_engine_t"].includes(se.type)) || se.user !== undefined || se.role !== undefined)) out.push(`${w} sets custom seLinuxOptions`);
    for (const port of list(c.ports)) if (port?.hostPort !== undefined && num(port.hostPort) !== 0) out.push(`${w} binds hostPort ${port.hostPort}`);
  }
  return out;
}

const namespaceOf = (r: PolicyResource): string => {
  const ns = ifKnown(() => (r.props.metadata as { namespace?: unknown } | undefined)?.namespace);
  return typeof ns === "string" && ns !== "" ? ns : "default";
};
const nameOf = (r: PolicyResource): string | undefined => {
  const n = ifKnown(() => (r.props.metadata as { name?: unknown } | undefined)?.name);
  return typeof n === "string" ? n : undefined;
};
const isEmptySelector = (s: unknown) => typeof s === "object" && s !== null && Object.values(s).every((v) => v === undefined || (typeof v === "object" && v !== null && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0));
const policyTypes = (p: NetworkPolicy) => (p.spec?.policyTypes === undefined ? ["Ingress", ...(p.spec?.egress !== undefined ? ["Egress"] : [])] : list(p.spec.policyTypes));

/**
 * What each EKS access policy lets its principal do in Kubernetes (AWS's published access-policy permissions):
 * `view` reads no Secret; `read-secrets` (AmazonEKSAdminViewPolicy) reads every resource, Secrets included; `write`
 * edits workloads and Secrets (Edit, Admin: namespaced RBAC too); `cluster-admin` everything. A policy not listed is
 * reported (its rights are unknown to the pack), so a new or controller-only policy is never taken for a viewer.
 */
export const EKS_ACCESS_POLICIES: Record<string, "view" | "read-secrets" | "write" | "cluster-admin"> = {
  AmazonEKSViewPolicy: "view",
  AmazonEKSClusterInsightsPolicy: "view",
  AmazonEKSAdminViewPolicy: "read-secrets",
  AmazonEKSEditPolicy: "write",
  AmazonEKSAdminPolicy: "write",
  AmazonEKSClusterAdminPolicy: "cluster-admin",
};

export const podSecurityPolicies: Policies = [
  resourceRule<Record<string, unknown>>({
    name: "k8s-pod-security-restricted",
    description:
      "Every pod-bearing resource (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController) meets the Pod Security Standard restricted profile: no host namespaces, hostPath or other non-ephemeral volume types, hostPort, privilege or escalation; capabilities drop ALL and add only NET_BIND_SERVICE; seccomp RuntimeDefault/Localhost; non-root.",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    validate: (props, { args }, report) => {
      const template = podTemplateOf(args.type, props);
      if (masked(template) || masked(template.spec) || masked(props.spec)) return report(`${maskedMessage(`The pod spec of "${args.name}"`)}.`);
      if (template.spec === undefined) return report(`"${args.name}" declares no pod spec the rule can check.`);
      for (const v of restrictedViolations(template.spec as PodSpec, (template.metadata ?? {}) as Record<string, unknown>)) report(`Pod spec of "${args.name}" ${v}.`);
    },
  }),
  stackRule({
    name: "k8s-namespace-restricted",
    description: `Every namespace the stack declares enforces the restricted Pod Security Standard (${PSS_LABEL}: restricted) at the current version (${PSS_LABEL}-version unset, latest, or at least the cluster's version), and every pod-bearing resource runs in such a namespace of the stack.`,
    enforcementLevel: "mandatory",
    judges: [...TYPES.namespace, ...POD_TYPES],
    config: { externalNamespaces: { type: "array", items: { type: "string" }, default: [], description: "Namespaces managed outside this stack (their labels are checked there)." } },
    validate: (resources, { config }, report) => {
      const namespaces = ofType(resources, TYPES.namespace);
      const clusterVersion = ofType(resources, TYPES.eksCluster).map((c) => ifKnown(() => c.props.version)).find((v): v is string => typeof v === "string");
      const good = new Set<string>();
      let unresolved = false;
      for (const ns of namespaces) {
        if (unknownAt(() => (ns.props.metadata as { labels?: unknown; name?: unknown } | undefined)?.labels) || unknownAt(() => nameOf(ns))) {
          unresolved = true; // known after deployment
          continue;
        }
        const labels = ifKnown(() => (ns.props.metadata as { labels?: Record<string, unknown> } | undefined)?.labels);
        if (masked(labels)) {
          report(`${maskedMessage(`The labels of namespace "${ns.name}"`)}.`, ns.urn);
          continue;
        }
        const level = labels?.[PSS_LABEL];
        const version = pssVersionProblem(labels?.[`${PSS_LABEL}-version`], clusterVersion);
        if (level !== "restricted") report(`Namespace "${nameOf(ns) ?? ns.name}" has ${PSS_LABEL}: ${level ?? "unset"}; it must be "restricted".`, ns.urn);
        else if (version) report(`Namespace "${nameOf(ns) ?? ns.name}" enforces restricted ${version}.`, ns.urn);
        else good.add(nameOf(ns) ?? ns.name);
      }
      const external = config.externalNamespaces as string[];
      if (unresolved) return;
      for (const w of resources.filter((r) => POD_TYPES.includes(r.type as never))) {
        if (unknownAt(() => (w.props.metadata as { namespace?: unknown } | undefined)?.namespace)) continue;
        const ns = namespaceOf(w);
        if (external.includes(ns) || good.has(ns)) continue;
        if (!namespaces.some((n) => (nameOf(n) ?? n.name) === ns)) report(`"${w.name}" runs in namespace "${ns}", which the stack does not declare with ${PSS_LABEL}: restricted.`, w.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-no-cluster-admin",
    description:
      "No access hands over the cluster: no (Cluster)RoleBinding to cluster-admin (or admin/edit cluster-wide), none to everyone (system:authenticated, system:anonymous, system:unauthenticated, all service accounts), no role whose rules (wildcards included) read Secrets, exec/attach into pods, reach nodes/proxy, bind/escalate/impersonate, write bindings or webhooks; no ClusterRole aggregated into the built-in roles with such rules or aggregating everything; no EKS access entry in system:masters, none of a type other than the node types for a role the stack's nodes run as (its rights become every pod's), and no cluster-scoped admin access policy association; no aws-auth mapping to system:masters.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.role, ...TYPES.roleBinding, ...TYPES.configMap, "aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"],
    validate: (resources, _ctx, report) => {
      const roles = ofType(resources, TYPES.role);
      const risksOf = new Map<PolicyResource, string[]>();
      // Groups that EKS access entries give to IAM principals: the door a deploy identity comes through.
      // Read as known values: a group unknown during preview could be any, so the rule waits for it (throws).
      const accessGroups = new Set(ofType(resources, ["aws:eks/accessEntry:AccessEntry"]).flatMap((e) => list(e.props.kubernetesGroups as unknown[]).map(String)));
      // Only what decides whom a role reaches (roleRef, subjects), read as known values: the rule waits for them in preview.
      const bindings = ofType(resources, TYPES.roleBinding).map((b) => ({ b, p: { roleRef: (b.props as Binding).roleRef, subjects: (b.props as Binding).subjects } as Binding | undefined }));
      /** A role bound (at least once) only to access-entry groups, none of them everyone's. */
      const deployerRole = (r: PolicyResource, name: string): boolean => {
        const mine = bindings.filter(({ p }) => p && String(p.roleRef?.name ?? "") === name && (p.roleRef?.kind === undefined || r.type.endsWith(`:${p.roleRef.kind}`)));
        if (mine.length === 0) return false;
        return mine.every(({ p }) => {
          const subjects = list(p!.subjects) as Subject[];
          return subjects.length > 0 && broadSubjects(subjects).length === 0 && subjects.every((s) => s?.kind === "Group" && accessGroups.has(String(s.name)));
        });
      };
      const aggregators: { r: PolicyResource; selectors: Parameters<typeof aggregatedRoles>[0] }[] = [];
      for (const r of roles) {
        const p = ifKnown(() => ({ ...(r.props as Role) }));
        if (!p) continue;
        if (masked(p.rules)) {
          report(`${maskedMessage(`rules of "${r.name}"`)}.`, r.urn);
          continue;
        }
        let risks = roleRisks(list(p.rules) as never, r.type.endsWith(":Role") ? String(p.metadata?.namespace ?? "default") : undefined);
        const roleName = String(p.metadata?.name ?? r.name);
        if (deployerRole(r, roleName)) {
          const ownBinding = writesOnlyOwnBinding(list(p.rules) as never, roleName);
          risks = risks.filter((why) => !DEPLOYER_NEEDS.includes(why) && !(ownBinding && why === "writes cluster role bindings"));
        }
        const labels = (p.metadata?.labels ?? {}) as Record<string, unknown>;
        const aggregatesInto = Object.keys(labels).filter((k) => /^rbac\.authorization\.k8s\.io\/aggregate-to-/.test(k) && String(labels[k]) === "true");
        const agg = (p as { aggregationRule?: { clusterRoleSelectors?: { matchLabels?: object; matchExpressions?: unknown[] }[] } }).aggregationRule;
        if (agg && list(agg.clusterRoleSelectors).some((sel) => Object.keys(sel?.matchLabels ?? {}).length === 0 && list(sel?.matchExpressions).length === 0)) {
          report(`ClusterRole "${r.name}" aggregates every ClusterRole (an empty clusterRoleSelector): cluster-admin in all but name.`, r.urn);
        } else if (agg) {
          const pulled = aggregatedRoles(list(agg.clusterRoleSelectors) as never).filter((n) => builtInRoleRisk(n, true) !== undefined);
          if (pulled.length > 0) report(`ClusterRole "${r.name}" aggregates the built-in ${pulled.join(", ")} (its clusterRoleSelectors match their labels): it grants everything they do, ${builtInRoleRisk(pulled[0]!, true)}.`, r.urn);
          else aggregators.push({ r, selectors: list(agg.clusterRoleSelectors) as never });
        }
        if (risks.length > 0) {
          risksOf.set(r, risks);
          report(`Role "${r.name}" ${risks.join("; ")}${aggregatesInto.length ? ` — and is aggregated into the built-in roles by ${aggregatesInto.join(", ")}, so everyone bound to them gets it` : ""}.`, r.urn);
        }
      }
      // An aggregating role takes the rules of every declared ClusterRole its selectors match: it has their risks.
      for (const { r, selectors } of aggregators) {
        const labelled = new Map(roles.filter((x) => x !== r && x.type.endsWith(":ClusterRole") && risksOf.has(x)).map((x) => [x.name, (ifKnown(() => ({ ...((x.props as Role).metadata?.labels ?? {}) })) ?? {}) as Record<string, string>] as const));
        const pulled = aggregatedRoles(selectors, labelled).filter((n) => labelled.has(n));
        if (pulled.length > 0) report(`ClusterRole "${r.name}" aggregates ${pulled.map((n) => `"${n}" (${risksOf.get(roles.find((x) => x.name === n)!)!.join("; ")})`).join(", ")}: it grants what they do.`, r.urn);
      }
      const declaredNamespaces = new Set(ofType(resources, TYPES.namespace).map((n) => nameOf(n) ?? n.name));
      const accounts = ofType(resources, ["kubernetes:core/v1:ServiceAccount"]);
      const accountsUnknown = accounts.some((a) => unknownAt(() => JSON.stringify((a.props as { metadata?: unknown }).metadata)));
      const declaredAccounts = new Set(accounts.map((a) => { const m = ifKnown(() => (a.props as { metadata?: { name?: string; namespace?: string } }).metadata) ?? {}; return `${m.namespace ?? "default"}/${m.name ?? a.name}`; }));
      for (const b of ofType(resources, TYPES.roleBinding)) {
        const p = ifKnown(() => ({ ...(b.props as Binding) }));
        if (!p) continue;
        if (masked(p.roleRef)) {
          report(`${maskedMessage(`roleRef of "${b.name}"`)}.`, b.urn);
          continue;
        }
        const ref = String(p.roleRef?.name ?? "");
        const clusterWide = b.type.endsWith(":ClusterRoleBinding");
        const subjects = list(p.subjects) as Subject[];
        const everyone = broadSubjects(subjects);
        if (everyone.length > 0) report(`"${b.name}" binds ${ref} to ${everyone.join(", ")} (everyone of that kind).`, b.urn);
        const role = roles.find((r) => (ifKnown(() => (r.props as Role).metadata?.name) ?? r.name) === ref && (p.roleRef?.kind === undefined || r.type.endsWith(`:${p.roleRef.kind}`)));
        // A built-in ClusterRole by name (one the stack does not declare itself): judged by what it is known to grant.
        const builtIn = !role && p.roleRef?.kind !== "Role" ? builtInRoleRisk(ref, clusterWide) : undefined;
        if (builtIn) report(`"${b.name}" binds ${builtIn}${clusterWide ? " cluster-wide" : ""}; bind a role of the stack with the permissions needed.`, b.urn);
        // Service accounts: the namespace's default account is every pod's that names none; another must be one the stack declares.
        const bindingNs = ifKnown(() => (b.props as { metadata?: { namespace?: string } }).metadata?.namespace);
        for (const s of subjects) {
          const sa = serviceAccountSubject(s, bindingNs);
          if (!sa) continue;
          if (sa.name === "default") report(`"${b.name}" binds ${ref} to the default service account of namespace ${sa.namespace}: every pod there that names no account gets it.`, b.urn);
          else if (declaredNamespaces.has(sa.namespace) && !accountsUnknown && !declaredAccounts.has(`${sa.namespace}/${sa.name}`)) report(`"${b.name}" binds ${ref} to service account ${sa.namespace}/${sa.name}, which the stack does not declare in its namespace ${sa.namespace}: whoever creates that account (or a pod naming it) gets the role.`, b.urn);
        }
        const risks = role ? risksOf.get(role) : undefined;
        if (risks) report(`"${b.name}" binds role "${ref}", which ${risks.join("; ")}.`, b.urn);
      }
      // EKS access entries: the cluster's own RBAC by another door.
      for (const e of ofType(resources, ["aws:eks/accessEntry:AccessEntry"])) {
        const groups = list(ifKnown(() => e.props.kubernetesGroups as unknown[])).map(String);
        const everyone = groups.filter((g) => g === "system:masters" || broadSubjects([{ name: g }]).length > 0);
        if (everyone.length > 0) report(`Access entry "${e.name}" puts its principal in ${everyone.join(", ")}: cluster-admin (or everyone's rights) through the EKS API.`, e.urn);
        // The account root as principal admits every role and user of the account that IAM lets call EKS.
        const rootPrincipal = ifKnown(() => e.props.principalArn);
        if (typeof rootPrincipal === "string" && /^arn:[^:]+:iam::\d{12}:root$/.test(rootPrincipal)) report(`Access entry "${e.name}" admits ${rootPrincipal}, the whole account: every role and user of it reaches the cluster with the entry's groups (${groups.join(", ") || "none"}); name the role.`, e.urn);
        // A node-type entry makes its principal a node (system:nodes): only a role the stack's nodes run as may have one.
        const type = String(ifKnown(() => e.props.type) ?? "STANDARD");
        if (/^(EC2_LINUX|EC2_WINDOWS|HYBRID_LINUX|FARGATE_LINUX|EC2)$/.test(type)) {
          const principal = ifKnown(() => e.props.principalArn);
          const nodeRoles = [...ofType(resources, ["aws:eks/nodeGroup:NodeGroup"]).map((g) => ifKnown(() => g.props.nodeRoleArn)), ...ofType(resources, ["aws:eks/fargateProfile:FargateProfile"]).map((f) => ifKnown(() => f.props.podExecutionRoleArn))];
          const unknownRoles = nodeRoles.some((r) => r === undefined);
          if (typeof principal === "string" && !unknownRoles && !nodeRoles.includes(principal)) report(`Access entry "${e.name}" is of type ${type} for ${principal}, which no node group or Fargate profile of the stack runs as: its holder joins the cluster as a node (system:nodes) and reads what nodes read.`, e.urn);
        } else if (!unknownAt(() => e.props.type)) {
          // The converse: a role nodes run as, admitted as a user. Every process on a node holds its role's credentials
          // (IMDS, the host's network), so the entry's groups and policies become every pod's.
          const principal = ifKnown(() => e.props.principalArn);
          const nodeRoles = [...ofType(resources, ["aws:eks/nodeGroup:NodeGroup"]).map((g) => ifKnown(() => g.props.nodeRoleArn)), ...ofType(resources, ["aws:eks/fargateProfile:FargateProfile"]).map((f) => ifKnown(() => f.props.podExecutionRoleArn))];
          if (typeof principal === "string" && nodeRoles.includes(principal)) report(`Access entry "${e.name}" admits ${principal}, the role the stack's nodes run as, as a ${type} user: every process on a node holds that role's credentials, so its groups (${groups.join(", ") || "none"}) and access policies become every pod's; give nodes only their node-type entry.`, e.urn);
        }
      }
      // Namespaces whose service accounts hold AWS roles (IRSA): editing their pods runs code with those roles.
      const roleNamespaces = ofType(resources, ["kubernetes:core/v1:ServiceAccount"])
        .filter((a) => typeof ifKnown(() => (a.props.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations?.["eks.amazonaws.com/role-arn"]) === "string")
        .map((a) => String(ifKnown(() => (a.props.metadata as { namespace?: string } | undefined)?.namespace) ?? "default"));
      const nodeRoleArns = [...ofType(resources, ["aws:eks/nodeGroup:NodeGroup"]).map((g) => ifKnown(() => g.props.nodeRoleArn)), ...ofType(resources, ["aws:eks/fargateProfile:FargateProfile"]).map((f) => ifKnown(() => f.props.podExecutionRoleArn))];
      for (const a of ofType(resources, ["aws:eks/accessPolicyAssociation:AccessPolicyAssociation"])) {
        const associated = ifKnown(() => a.props.principalArn);
        if (typeof associated === "string" && nodeRoleArns.includes(associated)) report(`Access policy association "${a.name}" gives ${associated}, the role the stack's nodes run as, an access policy: every process on a node holds that role's credentials, so the policy becomes every pod's.`, a.urn);
        const arn = String(ifKnown(() => a.props.policyArn) ?? "");
        const scope = String(ifKnown(() => (a.props.accessScope as { type?: string } | undefined)?.type) ?? "");
        const namespaces = list(ifKnown(() => (a.props.accessScope as { namespaces?: string[] } | undefined)?.namespaces)).map(String);
        // Admin or edit of a system namespace (kube-system: the controllers' service accounts and the nodes' add-ons) is cluster-admin by another route.
        const system = namespaces.filter((n) => [...SYSTEM_NAMESPACES, ...roleNamespaces].some((s) => namespacePatternCovers(n, s)));
        const policy = arn.split("/").pop() ?? "";
        const effect = EKS_ACCESS_POLICIES[policy];
        if (unknownAt(() => a.props.policyArn)) continue; // known after deployment
        if (effect === undefined) {
          report(`Access policy association "${a.name}" grants ${arn || "an unknown policy"}, whose Kubernetes rights the pack does not know: grant AmazonEKSViewPolicy, or a namespaced AmazonEKSEditPolicy/AmazonEKSAdminPolicy.`, a.urn);
        } else if (effect === "cluster-admin" || (effect !== "view" && scope === "cluster")) {
          report(`Access policy association "${a.name}" grants ${policy}${scope ? ` (scope ${scope})` : ""}: ${effect === "cluster-admin" ? "cluster-admin" : effect === "read-secrets" ? "every Secret of every namespace readable" : "write (pods, Secrets) in every namespace, system ones included: cluster-admin by another route"} through the EKS API; grant a namespaced view/edit policy.`, a.urn);
        } else if (effect !== "view" && system.length > 0) {
          report(`Access policy association "${a.name}" grants ${policy} in ${system.join(", ")}: ${effect === "read-secrets" ? "reading" : "writing pods or"} secrets of a system namespace (or one whose service accounts hold AWS roles) reaches its controllers' service accounts and their roles, cluster-admin or AWS rights by another route; scope it to the application's namespaces.`, a.urn);
        }
      }
      // A principal the stack admits read-only (only view access policies) gets no write through its entry's groups:
      // the two doors of one access entry must agree, or the read-only role (a preview job's) writes by the other door.
      const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection", "*"];
      const groupWrites = (group: string): string[] =>
        bindings.flatMap(({ b, p }) => {
          if (!p || !(list(p.subjects) as Subject[]).some((x) => x?.kind === "Group" && String(x.name) === group)) return [];
          const ref = String(p.roleRef?.name ?? "");
          const role = roles.find((r) => (ifKnown(() => (r.props as Role).metadata?.name) ?? r.name) === ref && (p.roleRef?.kind === undefined || r.type.endsWith(`:${p.roleRef.kind}`)));
          const rules = role ? list(ifKnown(() => (role.props as Role).rules)) : [];
          const writes = role ? rules.some((rule) => list((rule as { verbs?: unknown[] })?.verbs).some((v) => WRITE_VERBS.includes(String(v).toLowerCase()))) : ["cluster-admin", "admin", "edit"].includes(ref);
          return writes ? [`"${b.name}" (${ref})`] : [];
        });
      const entries = ofType(resources, ["aws:eks/accessEntry:AccessEntry"]);
      for (const e of entries) {
        const principal = ifKnown(() => e.props.principalArn);
        if (typeof principal !== "string") continue;
        const effects = ofType(resources, ["aws:eks/accessPolicyAssociation:AccessPolicyAssociation"])
          .filter((a) => ifKnown(() => a.props.principalArn) === principal)
          .map((a) => EKS_ACCESS_POLICIES[String(ifKnown(() => a.props.policyArn) ?? "").split("/").pop() ?? ""]);
        if (effects.length === 0 || effects.some((x) => x !== "view")) continue;
        // Only groups another entry also holds: a principal alone in its writing group (the deploy role given a view
        // policy besides) is a writer that also reads, not a read-only principal let into the writers' group.
        const groups = list(ifKnown(() => e.props.kubernetesGroups as unknown[])).map(String).filter((g) => entries.some((o) => o !== e && ifKnown(() => o.props.principalArn) !== principal && list(ifKnown(() => o.props.kubernetesGroups as unknown[])).map(String).includes(g)));
        const writing = groups.flatMap((g) => groupWrites(g).map((w) => `${g} → ${w}`));
        if (writing.length > 0) report(`Access entry "${e.name}" admits ${principal}, which the stack associates only with a view access policy (read-only), into Kubernetes groups another principal writes through (${writing.join(", ")}): the read-only principal writes as that one does.`, e.urn);
      }
      for (const cm of ofType(resources, TYPES.configMap)) {
        const meta = ifKnown(() => cm.props.metadata as { name?: string; namespace?: string } | undefined);
        if (meta?.name !== "aws-auth") continue;
        const data = (ifKnown(() => cm.props.data) ?? {}) as Record<string, unknown>;
        for (const key of ["mapRoles", "mapUsers"]) {
          const entries = parseStructured(data[key]);
          for (const entry of Array.isArray(entries) ? entries : []) {
            const groups = list((entry as { groups?: unknown[] })?.groups).map(String);
            if (groups.includes("system:masters")) report(`ConfigMap "${cm.name}" (aws-auth) maps ${(entry as { rolearn?: string; userarn?: string }).rolearn ?? (entry as { userarn?: string }).userarn} to system:masters: cluster-admin.`, cm.urn);
          }
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-high-uid",
    description:
      "Every container of every pod-bearing kind runs as a uid and gid (its own securityContext, else the pod's) of at least minUid, stated numerically, and the pod's fsGroup and every supplementalGroups entry too: an image's default user (often a low system uid such as 101, or root) is never relied on, and a process that escapes its container shares no uid or group with the node's own users and daemons.",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    config: { minUid: { type: "integer", minimum: 1, default: 10000, description: "Lowest uid/gid accepted (CIS / checkov CKV_K8S_40: above the range distributions give system and login users)." } },
    validate: (props, { args, config }, report) => {
      const spec = podTemplateOf(args.type, props).spec as PodSpec | undefined;
      if (!spec || masked(spec)) return;
      const min = Number(config.minUid);
      const podSc = spec.securityContext ?? {};
      const fsGroup = num(podSc.fsGroup);
      if (podSc.fsGroup !== undefined && (fsGroup === undefined || fsGroup < min)) report(`Pod spec of "${args.name}" sets fsGroup ${podSc.fsGroup}: below ${min}, the volumes' files share a group with the node's system users.`);
      // Every group the processes hold counts, not only the primary one: a supplemental gid 0 is the root group.
      const low = list(podSc.supplementalGroups as unknown[] | undefined).filter((g) => (num(g) ?? -1) < min);
      if (low.length > 0) report(`Pod spec of "${args.name}" adds supplementalGroups ${low.join(", ")}: below ${min}${low.some((g) => num(g) === 0) ? " (0 is the root group)" : ""}, its processes share a group with the node's system users and files.`);
      for (const c of [...list(spec.initContainers as Container[] | undefined), ...list(spec.containers as Container[] | undefined), ...list(spec.ephemeralContainers as Container[] | undefined)]) {
        const sc = c?.securityContext ?? {};
        for (const [what, own, pod] of [["uid", sc.runAsUser, podSc.runAsUser], ["gid", sc.runAsGroup, podSc.runAsGroup]] as const) {
          const value = own ?? pod;
          const n = num(value);
          if (value === undefined) report(`Container "${c?.name}" of "${args.name}" states no ${what === "uid" ? "runAsUser" : "runAsGroup"} (container or pod): it runs as whatever ${what} its image names.`);
          else if (n === undefined || n < min) report(`Container "${c?.name}" of "${args.name}" runs as ${what} ${value}: below ${min}, it can clash with a user or group of the node.`);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-read-only-root-filesystem",
    description: "Every container of every pod-bearing kind runs with readOnlyRootFilesystem: true (writable paths as emptyDir volumes), so a compromised process can't alter its own binaries or drop tools.",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    validate: (props, { args }, report) => {
      const spec = podTemplateOf(args.type, props).spec as PodSpec | undefined;
      if (!spec || masked(spec)) return;
      for (const c of [...list(spec.initContainers as Container[] | undefined), ...list(spec.containers as Container[] | undefined)]) {
        if (c?.securityContext?.readOnlyRootFilesystem !== true) report(`Container "${c?.name}" of "${args.name}" has a writable root filesystem (readOnlyRootFilesystem is ${c?.securityContext?.readOnlyRootFilesystem ?? "unset"}).`);
      }
    },
  }),
  stackRule({
    name: "k8s-no-host-storage",
    description:
      "No PersistentVolume mounts a node's filesystem (hostPath or local) or storage served from outside the stack's managed volumes (nfs, iscsi, cephfs, rbd, glusterfs, fc, flexVolume and the other in-tree network and vendor sources: a server the stack does not run, in plain text, or a driver binary run as root on the node; only csi volumes and awsElasticBlockStore are admitted), no StorageClass provisions host paths, and no PersistentVolumeClaim binds (volumeName) such a volume: a pod claiming it reads or writes the node or a foreign server, whatever its pod spec says (the restricted profile judges only the pod's own volumes).",
    enforcementLevel: "mandatory",
    judges: ["kubernetes:core/v1:PersistentVolume", "kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:storage.k8s.io/v1:StorageClass"],
    validate: (resources, _ctx, report) => {
      const refused = new Map<string, string>();
      for (const pv of ofType(resources, ["kubernetes:core/v1:PersistentVolume"])) {
        const spec = ifKnown(() => (pv.props.spec ?? {}) as Record<string, unknown>) ?? {};
        const pvName = String(ifKnown(() => (pv.props.metadata as { name?: unknown } | undefined)?.name) ?? pv.name);
        for (const kind of ["hostPath", "local"]) {
          if (spec[kind] === undefined) continue;
          refused.set(pvName, `a ${kind} volume`);
          report(`PersistentVolume "${pv.name}" is a ${kind} volume (${JSON.stringify(spec[kind])}): any pod that claims it reaches the node's filesystem.`, pv.urn);
        }
        for (const kind of PV_FOREIGN_SOURCES) {
          if (spec[kind] === undefined) continue;
          refused.set(pvName, `a ${kind} volume`);
          report(`PersistentVolume "${pv.name}" is a ${kind} volume (${JSON.stringify(spec[kind])}): storage served from outside the stack's managed volumes (a server it does not run, unencrypted in transit, or a driver run as root on the node); use a csi volume (EBS or EFS with TLS).`, pv.urn);
        }
      }
      for (const pvc of ofType(resources, ["kubernetes:core/v1:PersistentVolumeClaim"])) {
        const volume = ifKnown(() => (pvc.props.spec as { volumeName?: unknown } | undefined)?.volumeName);
        const why = typeof volume === "string" ? refused.get(volume) : undefined;
        if (why) report(`PersistentVolumeClaim "${pvc.name}" binds PersistentVolume "${String(volume)}", ${why}: every pod that mounts the claim gets it.`, pvc.urn);
      }
      for (const sc of ofType(resources, ["kubernetes:storage.k8s.io/v1:StorageClass"])) {
        const prov = String(ifKnown(() => sc.props.provisioner) ?? "");
        if (/host-?path|local-path|no-provisioner/.test(prov)) report(`StorageClass "${sc.name}" provisions ${prov}: volumes on the node's filesystem.`, sc.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-default-deny-network-policy",
    description:
      "Every namespace with pod-bearing resources has a default-deny NetworkPolicy (all pods, Ingress and Egress, no rules); once all policies of a namespace are combined, no pod reaches the node's credential endpoints (the instance metadata service 169.254.169.254 / fd00:ec2::254, the Pod Identity agent 169.254.170.23 / fd00:ec2::23, 169.254.170.2) or is opened to/towards a broad share of the internet (ipBlock coverage after except, any spelling), every pod of every namespace, or the pods of namespaces chosen by a label other than kubernetes.io/metadata.name (a label any namespace's owner can set); no pod sends DNS (port 53) to a resolver outside the VPC; every rule names ports (no port-less entry, no range of 1024+ ports).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.networkPolicy, ...TYPES.namespace, ...POD_TYPES],
    validate: (resources, _ctx, report) => {
      const policies = ofType(resources, TYPES.networkPolicy);
      const views: { resource: PolicyResource; view: NetworkPolicyView }[] = [];
      const denied = new Set<string>();
      const meantAsDefaultDeny: PolicyResource[] = [];
      let unresolved = false;
      for (const np of policies) {
        const p = np.props as NetworkPolicy;
        if (unknownAt(() => JSON.stringify(np.props))) {
          unresolved = true; // known after deployment
          continue;
        }
        if (masked(p.spec)) {
          report(`${maskedMessage(`The spec of NetworkPolicy "${np.name}"`)}.`, np.urn);
          continue;
        }
        const types = policyTypes(p);
        if (list(p.spec?.ingress).length === 0 && list(p.spec?.egress).length === 0) {
          if (!isEmptySelector(p.spec?.podSelector ?? {})) meantAsDefaultDeny.push(np); // a deny shape that selects only some pods
          else if (types.includes("Ingress") && types.includes("Egress")) denied.add(namespaceOf(np));
          else meantAsDefaultDeny.push(np); // all pods, no rules, but a direction left open
        }
        for (const [dir, rules] of [["ingress", list(p.spec?.ingress)], ["egress", list(p.spec?.egress)]] as const) {
          for (const rule of rules as { ports?: never[] }[]) {
            const opened = portsOpened(list(rule?.ports));
            if (opened.all) report(`NetworkPolicy "${np.name}" has an ${dir} rule with ${opened.why}.`, np.urn);
          }
        }
        views.push({ resource: np, view: { name: np.name, namespace: namespaceOf(np), podSelector: p.spec?.podSelector as never, policyTypes: p.spec?.policyTypes === undefined ? undefined : list(p.spec.policyTypes), ingress: p.spec?.ingress as never, egress: p.spec?.egress as never } });
      }
      if (unresolved) return;
      // What each pod can reach once every policy of its namespace is combined.
      const all: NetworkPolicyView[] = views.map((v) => v.view);
      const byName = new Map(views.map((v) => [v.view.name, v.resource]));
      const seen = new Set<string>();
      for (const w of resources.filter((r) => POD_TYPES.includes(r.type as never))) {
        if (unknownAt(() => (w.props.metadata as { namespace?: unknown } | undefined)?.namespace)) continue;
        const template = ifKnown(() => podTemplateOf(w.type, w.props)) ?? {};
        const labels = (ifKnown(() => (template.metadata as { labels?: Record<string, string> } | undefined)?.labels) ?? {}) as Record<string, string>;
        const pod: PodView = { namespace: namespaceOf(w), labels };
        const hostNetwork = ifKnown(() => (template.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork) === true;
        const once = (np: PolicyResource | undefined, message: string) => {
          const key = `${np?.name ?? w.name}|${message}`;
          if (seen.has(key)) return;
          seen.add(key);
          report(message, (np ?? w).urn);
          if (np) report(message, w.urn);
        };
        const metadata = grantsTo(pod, all, "egress", METADATA_ADDRESSES);
        if (metadata !== "unrestricted" && !hostNetwork) {
          for (const g of metadata) once(byName.get(g.policy), `NetworkPolicy "${g.policy}" lets "${w.name}" reach ${METADATA_ADDRESSES_TEXT} through ${g.what}: the node role's or an associated role's credentials.`);
        }
        for (const dir of ["ingress", "egress"] as const) {
          const open = publicGrants(pod, all, dir);
          if (open === "unrestricted") continue; // reported below as a namespace without default deny
          for (const g of open) once(byName.get(g.policy), `NetworkPolicy "${g.policy}" opens "${w.name}" ${dir === "ingress" ? "to" : "towards"} ${g.what} (${dir}).`);
        }
      }
      const reported = new Set<string>();
      for (const w of resources.filter((r) => POD_TYPES.includes(r.type as never))) {
        if (unknownAt(() => (w.props.metadata as { namespace?: unknown } | undefined)?.namespace)) continue;
        const ns = namespaceOf(w);
        if (denied.has(ns)) continue;
        const nsResource = ofType(resources, TYPES.namespace).find((n) => (nameOf(n) ?? n.name) === ns);
        if (nsResource && !reported.has(ns)) {
          report(`Namespace "${ns}" runs workloads without a default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules): every pod on the nodes can reach them.`, nsResource.urn);
        }
        for (const np of meantAsDefaultDeny.filter((x) => namespaceOf(x) === ns && !reported.has(ns))) {
          const selector = (np.props as NetworkPolicy).spec?.podSelector ?? {};
          if (!isEmptySelector(selector)) report(`NetworkPolicy "${np.name}" has the shape of a default deny (no rules) but selects only pods matching ${JSON.stringify(selector)}, not every pod (podSelector {}): namespace "${ns}" has no default deny.`, np.urn);
          else report(`NetworkPolicy "${np.name}" selects every pod of namespace "${ns}" with no rules but covers only ${policyTypes(np.props as NetworkPolicy).join(", ") || "no direction"}: the other direction stays open, so the namespace has no default deny.`, np.urn);
        }
        reported.add(ns);
        report(`"${w.name}" runs in namespace "${ns}", which has no default-deny NetworkPolicy: every pod on the nodes can reach it.`, w.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-netpol-ingress-within-vpc",
    description:
      "Every address range a NetworkPolicy admits ingress from (ipBlock, after except) lies inside the stack's VPC (its IPv4 and IPv6 blocks, associated blocks included): the stack's traffic reaches pods only from inside it (the load balancers, the nodes' NodePort SNAT, the monitoring agents), so a wider block (every private range, a peered network, on-premises) admits clients that skip CloudFront, the WAF and the origin lock. Judged when the stack declares its VPC and its blocks are known; egress and selector peers are judged by k8s-default-deny-network-policy.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.networkPolicy],
    validate: (resources, _ctx, report) => {
      const blocks = stackVpcBlocks(resources);
      if (blocks === undefined) return; // an existing VPC (its blocks are not in the plan), or blocks known only after deployment
      for (const np of ofType(resources, TYPES.networkPolicy)) {
        const rules = ifKnown(() => JSON.parse(JSON.stringify((np.props as NetworkPolicy).spec?.ingress ?? [])) as { from?: { ipBlock?: { cidr?: string; except?: string[] } }[] }[]);
        for (const rule of list(rules)) {
          for (const peer of list(rule?.from)) {
            const cidr = peer?.ipBlock?.cidr;
            if (typeof cidr !== "string") continue;
            const outside = subtract(subtract(rangesOf([cidr]), rangesOf(list(peer?.ipBlock?.except).map(String))), rangesOf(blocks));
            if (outside.length > 0) report(`NetworkPolicy "${np.name}" admits ingress from ${cidr}${list(peer?.ipBlock?.except).length ? ` except ${list(peer?.ipBlock?.except).join(", ")}` : ""}, beyond the stack's VPC (${blocks.join(", ")}): clients there reach the pods without CloudFront, the WAF or the origin lock.`, np.urn);
          }
        }
      }
    },
  }),
];

/** PersistentVolume sources other than csi and awsElasticBlockStore (and the host ones, judged apart). */
const PV_FOREIGN_SOURCES = ["nfs", "iscsi", "cephfs", "rbd", "glusterfs", "fc", "flexVolume", "flocker", "quobyte", "storageos", "portworxVolume", "scaleIO", "azureFile", "azureDisk", "gcePersistentDisk", "cinder", "vsphereVolume", "photonPersistentDisk"];

/** Namespaces whose workloads hold cluster-wide rights (the control plane's add-ons and controllers). */
export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];

/** Whether an EKS access scope namespace (a name, or a prefix ending in `*`) covers `namespace`. */
export function namespacePatternCovers(pattern: string, namespace: string): boolean {
  return pattern.endsWith("*") ? namespace.startsWith(pattern.slice(0, -1)) : pattern === namespace;
}

/**
 * The address blocks of the VPC the stack declares (IPv4 and IPv6, associated blocks included), or undefined when the
 * plan declares none (an existing VPC) or a block is known only after deployment. A block AWS generates (an Amazon
 * IPv6 /56) is absent from the list until known.
 */
export function stackVpcBlocks(resources: PolicyResource[]): string[] | undefined {
  const vpcs = ofType(resources, TYPES.vpc);
  if (vpcs.length === 0) return undefined;
  const blocks: string[] = [];
  for (const v of vpcs) {
    for (const key of ["cidrBlock", "ipv6CidrBlock"]) {
      if (unknownAt(() => v.props[key])) return undefined;
      const c = ifKnown(() => v.props[key]);
      if (typeof c === "string" && c !== "") blocks.push(c);
    }
  }
  for (const a of ofType(resources, ["aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation", "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation"])) {
    const c = ifKnown(() => a.props.cidrBlock ?? a.props.ipv6CidrBlock);
    if (typeof c === "string") blocks.push(c);
    else return undefined;
  }
  return blocks;
}
