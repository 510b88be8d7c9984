/**
 * Kubernetes isolation: the Pod Security Standard "restricted" profile on every kind that creates pods, the namespace
 * enforcing it, no cluster-admin bindings, and a default-deny NetworkPolicy wherever workloads run.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import type { core, networking, rbac } from "@pulumi/kubernetes/types/input";
import { Policies, PolicyResource } from "@pulumi/policy";
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
    description: `Every namespace the stack declares enforces the restricted Pod Security Standard (${PSS_LABEL}: restricted), and every pod-bearing resource runs in such a namespace of the stack.`,
    enforcementLevel: "mandatory",
    config: { externalNamespaces: { type: "array", items: { type: "string" }, default: [], description: "Namespaces managed outside this stack (their labels are checked there)." } },
    validate: (resources, { config }, report) => {
      const namespaces = ofType(resources, TYPES.namespace);
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
        if (level !== "restricted") report(`Namespace "${nameOf(ns) ?? ns.name}" has ${PSS_LABEL}: ${level ?? "unset"}; it must be "restricted".`, ns.urn);
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
  resourceRule<Binding & Role>({
    name: "k8s-no-cluster-admin",
    description: "No RoleBinding or ClusterRoleBinding grants cluster-admin (or binds anonymous/unauthenticated users), and no role grants every verb on every resource.",
    enforcementLevel: "mandatory",
    types: [...TYPES.roleBinding, ...TYPES.role],
    validate: (p, { args }, report) => {
      if (TYPES.roleBinding.includes(args.type as never)) {
        if (masked(p.roleRef)) return report(`${maskedMessage(`roleRef of "${args.name}"`)}.`);
        if (p.roleRef?.name === "cluster-admin") report(`"${args.name}" binds cluster-admin; bind a role with the permissions needed.`);
        for (const s of list(p.subjects)) if (["system:anonymous", "system:unauthenticated"].includes(String(s?.name))) report(`"${args.name}" binds ${s?.name}.`);
        return;
      }
      for (const r of list(p.rules)) {
        if (list(r?.verbs).includes("*") && list(r?.resources).includes("*")) report(`Role "${args.name}" grants every verb on every resource (cluster-admin in all but name).`);
      }
    },
  }),
  stackRule({
    name: "k8s-default-deny-network-policy",
    description: "Every namespace with pod-bearing resources has a default-deny NetworkPolicy (all pods, Ingress and Egress, no rules), and every NetworkPolicy rule names its peers (none admits everyone) and its ports.",
    enforcementLevel: "mandatory",
    validate: (resources, _ctx, report) => {
      const policies = ofType(resources, TYPES.networkPolicy);
      const denied = new Set<string>();
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
        if (isEmptySelector(p.spec?.podSelector ?? {}) && types.includes("Ingress") && types.includes("Egress") && list(p.spec?.ingress).length === 0 && list(p.spec?.egress).length === 0) {
          denied.add(namespaceOf(np));
        }
        for (const [dir, rules] of [["ingress", list(p.spec?.ingress)], ["egress", list(p.spec?.egress)]] as const) {
          for (const rule of rules as { from?: unknown[]; to?: unknown[]; ports?: unknown[] }[]) {
            if (list(rule?.ports).length === 0) report(`NetworkPolicy "${np.name}" has an ${dir} rule without ports: it admits every port.`, np.urn);
            const peers = list((dir === "ingress" ? rule?.from : rule?.to) as { ipBlock?: { cidr?: string }; namespaceSelector?: unknown; podSelector?: unknown }[] | undefined);
            if (peers.length === 0) report(`NetworkPolicy "${np.name}" has an ${dir} rule with no ${dir === "ingress" ? "from" : "to"}: it admits every peer.`, np.urn);
            for (const peer of peers) {
              if (peer?.ipBlock?.cidr !== undefined && /\/0$/.test(peer.ipBlock.cidr)) report(`NetworkPolicy "${np.name}" admits ${peer.ipBlock.cidr} (${dir}).`, np.urn);
              if (peer?.ipBlock === undefined && isEmptySelector(peer?.namespaceSelector ?? null) && (peer?.podSelector === undefined || isEmptySelector(peer.podSelector))) report(`NetworkPolicy "${np.name}" admits every pod in every namespace (${dir}).`, np.urn);
            }
          }
        }
      }
      if (unresolved) return;
      const reported = new Set<string>();
      for (const w of resources.filter((r) => POD_TYPES.includes(r.type as never))) {
        if (unknownAt(() => (w.props.metadata as { namespace?: unknown } | undefined)?.namespace)) continue;
        const ns = namespaceOf(w);
        if (denied.has(ns)) continue;
        const nsResource = ofType(resources, TYPES.namespace).find((n) => (nameOf(n) ?? n.name) === ns);
        if (nsResource && !reported.has(ns)) {
          report(`Namespace "${ns}" runs workloads without a default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules): every pod on the nodes can reach them.`, nsResource.urn);
        }
        reported.add(ns);
        report(`"${w.name}" runs in namespace "${ns}", which has no default-deny NetworkPolicy: every pod on the nodes can reach it.`, w.urn);
      }
    },
  }),
];
