/**
 * NetworkPolicy reachability: what a pod may send to or receive from once every policy of its namespace is
 * combined (policies are additive; a pod no policy selects for a direction is open in that direction).
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import { coverage, Range, reaches } from "./cidr";

export interface LabelSelector {
  matchLabels?: Record<string, unknown>;
  matchExpressions?: { key?: string; operator?: string; values?: unknown[] }[];
}

export interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr?: string; except?: string[] };
}

export interface PortEntry {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface NetpolRule {
  from?: Peer[];
  to?: Peer[];
  ports?: PortEntry[];
}

export interface NetworkPolicyView {
  name: string;
  namespace: string;
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: NetpolRule[];
  egress?: NetpolRule[];
}

export interface PodView {
  namespace: string;
  labels: Record<string, string>;
}

export type Direction = "ingress" | "egress";

/** Does a label selector match these labels? An empty selector matches everything; a missing one nothing. */
export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (sel === undefined || sel === null) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== String(v)) return false;
  for (const e of sel.matchExpressions ?? []) {
    const key = String(e?.key ?? "");
    const vals = (e?.values ?? []).map(String);
    const has = key in labels;
    switch (e?.operator) {
      case "In":
        if (!has || !vals.includes(labels[key])) return false;
        break;
      case "NotIn":
        if (has && vals.includes(labels[key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The policy types a policy applies (Kubernetes' default: Ingress, plus Egress when it has egress rules). */
export function policyTypesOf(p: NetworkPolicyView): string[] {
  if (p.policyTypes && p.policyTypes.length > 0) return p.policyTypes;
  return ["Ingress", ...(p.egress !== undefined ? ["Egress"] : [])];
}

/** Policies that select the pod for a direction. */
export function policiesSelecting(pod: PodView, policies: NetworkPolicyView[], dir: Direction): NetworkPolicyView[] {
  const type = dir === "ingress" ? "Ingress" : "Egress";
  return policies.filter((p) => p.namespace === pod.namespace && policyTypesOf(p).includes(type) && selectorMatches(p.podSelector ?? {}, pod.labels));
}

export interface Grant {
  policy: string;
  /** What the grant admits, in words. */
  what: string;
}

const TCP_PORTS = 65536;

/** How many ports a rule's port list opens (per protocol, at most 65536); undefined entries mean every port. */
export function portsOpened(ports: PortEntry[] | undefined): { all: boolean; count: number; why?: string } {
  if (!ports || ports.length === 0) return { all: true, count: TCP_PORTS, why: "no ports listed (every port)" };
  let count = 0;
  for (const p of ports) {
    if (p?.port === undefined || p.port === null || p.port === "") return { all: true, count: TCP_PORTS, why: `a ${p?.protocol ?? "TCP"} entry without a port (every port)` };
    if (typeof p.port === "number" && p.endPort !== undefined) count += Math.max(0, Number(p.endPort) - p.port + 1);
    else count += 1;
  }
  return { all: count >= 1024, count, why: count >= 1024 ? `a port range of ${count} ports` : undefined };
}

/** Every grant in the pod's effective policy for a direction that admits addresses of `targets` (or everything when not selected). */
export function grantsTo(pod: PodView, policies: NetworkPolicyView[], dir: Direction, targets: Range[]): Grant[] | "unrestricted" {
  const selecting = policiesSelecting(pod, policies, dir);
  if (selecting.length === 0) return "unrestricted";
  const out: Grant[] = [];
  for (const p of selecting) {
    for (const rule of (dir === "ingress" ? p.ingress : p.egress) ?? []) {
      const peers = (dir === "ingress" ? rule?.from : rule?.to) ?? [];
      if (peers.length === 0) {
        out.push({ policy: p.name, what: `every ${dir === "ingress" ? "source" : "destination"} (a rule without ${dir === "ingress" ? "from" : "to"})` });
        continue;
      }
      for (const peer of peers) {
        const cidr = peer?.ipBlock?.cidr;
        if (typeof cidr === "string" && reaches([cidr], targets, peer.ipBlock?.except ?? [])) out.push({ policy: p.name, what: `ipBlock ${cidr}${peer.ipBlock?.except?.length ? ` except ${peer.ipBlock.except.join(", ")}` : ""}` });
      }
    }
  }
  return out;
}

/** Grants that admit a broad share of the public internet (or every peer). */
export function publicGrants(pod: PodView, policies: NetworkPolicyView[], dir: Direction): Grant[] | "unrestricted" {
  const selecting = policiesSelecting(pod, policies, dir);
  if (selecting.length === 0) return "unrestricted";
  const out: Grant[] = [];
  for (const p of selecting) {
    for (const rule of (dir === "ingress" ? p.ingress : p.egress) ?? []) {
      const peers = (dir === "ingress" ? rule?.from : rule?.to) ?? [];
      if (peers.length === 0) out.push({ policy: p.name, what: `every peer (a rule without ${dir === "ingress" ? "from" : "to"})` });
      for (const peer of peers) {
        const cidr = peer?.ipBlock?.cidr;
        if (typeof cidr === "string" && coverage([cidr], peer.ipBlock?.except ?? []).broad) out.push({ policy: p.name, what: `ipBlock ${cidr} (${peer.ipBlock?.except?.length ? "its except list leaves most of it open" : "a broad share of the internet"})` });
        if (peer && peer.ipBlock === undefined && peer.namespaceSelector !== undefined && selectsAnyNamespace(peer.namespaceSelector) && (peer.podSelector === undefined || isEmpty(peer.podSelector))) {
          out.push({ policy: p.name, what: `every pod of every namespace${isEmpty(peer.namespaceSelector) ? "" : ` (namespaceSelector ${JSON.stringify(peer.namespaceSelector)} requires no label a namespace must carry)`}` });
        } else if (peer && peer.ipBlock === undefined && peer.namespaceSelector !== undefined && selectsAnyNamespace(peer.namespaceSelector) && peer.podSelector !== undefined) {
          // Labels are chosen by whoever runs a pod: any namespace's pod can carry these.
          out.push({ policy: p.name, what: `pods labelled ${JSON.stringify(peer.podSelector.matchLabels ?? peer.podSelector.matchExpressions ?? {})} in every namespace` });
        }
        if (peer && peer.ipBlock === undefined && namespaceByForgeableLabel(peer.namespaceSelector)) {
          out.push({ policy: p.name, what: `the pods of every namespace that carries ${JSON.stringify(peer.namespaceSelector)} (a label any namespace's owner can set; name namespaces by kubernetes.io/metadata.name)` });
        }
      }
    }
  }
  return out;
}

/**
 * Whether a namespace selector admits every namespace but a named few: it requires no label value (no matchLabels, no
 * In), and every expression only excludes (NotIn, DoesNotExist) or asks for a label every namespace carries
 * (Exists on kubernetes.io/metadata.name). A namespace anyone creates tomorrow then matches; `{}` is the plain spelling.
 */
export function selectsAnyNamespace(sel: LabelSelector | undefined): boolean {
  if (!sel) return false;
  if (Object.keys(sel.matchLabels ?? {}).length > 0) return false;
  return (sel.matchExpressions ?? []).every((e) => e?.operator === "NotIn" || e?.operator === "DoesNotExist" || (e?.operator === "Exists" && e?.key === "kubernetes.io/metadata.name"));
}

/**
 * Whether a namespace selector picks namespaces by a label their owners choose: it neither names namespaces through
 * kubernetes.io/metadata.name (matchLabels or In, the label the API server sets) nor matches every namespace (see
 * selectsAnyNamespace). Any namespace (one created tomorrow, or a tenant's) can carry such a label, so the peer is as
 * wide as every namespace whose labels someone may edit.
 */
export function namespaceByForgeableLabel(sel: LabelSelector | undefined): boolean {
  if (!sel || selectsAnyNamespace(sel)) return false;
  const NAME = "kubernetes.io/metadata.name";
  if (typeof (sel.matchLabels ?? {})[NAME] === "string") return false;
  return !(sel.matchExpressions ?? []).some((e) => e?.key === NAME && e?.operator === "In");
}

export const isEmpty = (sel: LabelSelector | undefined) => !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
