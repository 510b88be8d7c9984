/**
 * Which node groups may a pod run on? The scheduler's filters that a plan decides, as pure functions:
 * a managed node group's taints against the pod's tolerations, and its labels against the pod's
 * nodeSelector and required node affinity.
 *
 * A node's labels are only partly known from the plan: the group's `labels`, and the ones EKS and the
 * kubelet add (node group name, capacity type, OS, architecture, instance type when the group has one).
 * Labels that depend on the node (zone, hostname) or that user data may add are "maybe": a term that
 * needs one of them is never the reason a group is ruled out. So the answer errs towards "may run
 * there" and a rule built on it only reports pods that certainly cannot be placed.
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Three-valued: true, false, or "maybe" (depends on a label the plan does not fix). */
export type Maybe = boolean | "maybe";

export interface Taint {
  key: string;
  value: string;
  /** Kubernetes spelling: NoSchedule, NoExecute or PreferNoSchedule. */
  effect: string;
}

/** A node's labels as far as the plan fixes them; `open` when others may exist (user data, node-specific ones). */
export interface NodeLabels {
  known: Record<string, string>;
  /** Keys whose value the plan does not fix (zone, hostname, labels added by user data). */
  uncertain: (key: string) => boolean;
}

/** EKS's taint effects (NO_SCHEDULE) in the Kubernetes spelling (NoSchedule). */
export function kubernetesEffect(effect: unknown): string {
  const e = String(effect ?? "");
  const table: Record<string, string> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };
  return table[e] ?? e;
}

/** The taints of an `aws:eks/nodeGroup:NodeGroup`'s inputs. */
export function nodeGroupTaints(props: Json): Taint[] {
  return arr(props.taints).map((t) => {
    const o = obj(t);
    return { key: String(o.key ?? ""), value: String(o.value ?? ""), effect: kubernetesEffect(o.effect) };
  });
}

/** Labels the kubelet and EKS put on every node of a managed node group, with the group's own. */
export function nodeGroupLabels(props: Json, userData?: string): NodeLabels {
  const known: Record<string, string> = {};
  const ami = String(props.amiType ?? "");
  known["kubernetes.io/os"] = /WINDOWS/i.test(ami) ? "windows" : "linux";
  if (ami !== "") known["kubernetes.io/arch"] = /ARM_64/i.test(ami) ? "arm64" : "amd64";
  known["eks.amazonaws.com/capacityType"] = String(props.capacityType ?? "ON_DEMAND");
  if (typeof props.nodeGroupName === "string" && props.nodeGroupName !== "") known["eks.amazonaws.com/nodegroup"] = props.nodeGroupName;
  const types = arr(props.instanceTypes).map(String);
  if (types.length === 1) known["node.kubernetes.io/instance-type"] = types[0]!;
  for (const [k, v] of Object.entries(obj(props.labels))) if (typeof v === "string") known[k] = v;
  // Labels user data may add at registration (--node-labels, nodeadm's kubelet flags): unknown here.
  const userDataLabels = typeof userData === "string" && /node-labels|nodeLabels/.test(userData);
  const fixed = new Set(Object.keys(known));
  const uncertain = (key: string): boolean => {
    if (fixed.has(key)) return false;
    if (userDataLabels) return true;
    // Set per node (zone, region, hostname, instance ids), or by EKS when the group's name is generated.
    return (
      /^(topology\.kubernetes\.io|failure-domain\.beta\.kubernetes\.io|topology\.k8s\.aws|topology\.ebs\.csi\.aws\.com)\//.test(key) ||
      key === "kubernetes.io/hostname" ||
      key.startsWith("k8s.io/cloud-provider-aws") ||
      (key === "eks.amazonaws.com/nodegroup" && known["eks.amazonaws.com/nodegroup"] === undefined) ||
      (key === "node.kubernetes.io/instance-type" && types.length !== 1) ||
      key.startsWith("eks.amazonaws.com/nodegroup-image") ||
      key === "eks.amazonaws.com/sourceLaunchTemplateId" ||
      key === "eks.amazonaws.com/sourceLaunchTemplateVersion"
    );
  };
  return { known, uncertain };
}

/** Taints with a scheduling effect (NoSchedule, NoExecute) that none of the tolerations matches. */
export function untoleratedTaints(tolerations: unknown, taints: readonly Taint[]): Taint[] {
  const tols = arr(tolerations).map(obj);
  const tolerates = (t: Taint) =>
    tols.some((tol) => {
      const operator = String(tol.operator ?? "Equal");
      const key = tol.key === undefined || tol.key === null ? "" : String(tol.key);
      const effect = tol.effect === undefined || tol.effect === null ? "" : String(tol.effect);
      if (effect !== "" && effect !== t.effect) return false;
      // An empty key with Exists tolerates every taint.
      if (key === "") return operator === "Exists";
      if (key !== t.key) return false;
      return operator === "Exists" || String(tol.value ?? "") === t.value;
    });
  return taints.filter((t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(t));
}

const and = (a: Maybe, b: Maybe): Maybe => (a === false || b === false ? false : a === "maybe" || b === "maybe" ? "maybe" : true);
const or = (a: Maybe, b: Maybe): Maybe => (a === true || b === true ? true : a === "maybe" || b === "maybe" ? "maybe" : false);

/** One node selector requirement (In, NotIn, Exists, DoesNotExist, Gt, Lt) against a node's labels. */
export function requirementMatches(req: unknown, labels: NodeLabels): Maybe {
  const r = obj(req);
  const key = String(r.key ?? "");
  const values = arr(r.values).map(String);
  if (labels.uncertain(key)) return "maybe";
  const value = labels.known[key];
  switch (String(r.operator ?? "")) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const bound = Number(values[0]);
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return r.operator === "Gt" ? n > bound : n < bound;
    }
    default:
      // An operator the API server refuses: not this rule's to judge.
      return "maybe";
  }
}

/** Does a pod's nodeSelector and required node affinity admit a node with these labels? */
export function nodeSelectionMatches(podSpec: Json, labels: NodeLabels): Maybe {
  let result: Maybe = true;
  for (const [key, value] of Object.entries(obj(podSpec.nodeSelector))) {
    result = and(result, requirementMatches({ key, operator: "In", values: [String(value)] }, labels));
  }
  const required = obj(obj(obj(podSpec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  const terms = arr(required.nodeSelectorTerms).map(obj);
  if (terms.length > 0) {
    // Terms are ORed; a term's expressions (and field requirements, read as maybe) are ANDed.
    let any: Maybe = false;
    for (const term of terms) {
      let all: Maybe = true;
      for (const req of arr(term.matchExpressions)) all = and(all, requirementMatches(req, labels));
      if (arr(term.matchFields).length > 0) all = and(all, "maybe");
      any = or(any, all);
    }
    result = and(result, any);
  }
  return result;
}

export interface GroupEligibility {
  /** The pod may be scheduled on the group's nodes. */
  eligible: boolean;
  /** Why not, in words naming the taint or the selector. */
  reason?: string;
  /** Ruled out by taints alone: the group's nodes still count as a zone in a topology spread (nodeTaintsPolicy Ignore). */
  byTaintsOnly?: boolean;
}

/** Whether a pod spec may run on a node group, and why not. */
export function groupEligibility(podSpec: Json, groupProps: Json, userData?: string): GroupEligibility {
  const selection = nodeSelectionMatches(podSpec, nodeGroupLabels(groupProps, userData));
  if (selection === false) return { eligible: false, reason: "its nodeSelector / required node affinity matches none of the group's node labels" };
  const untolerated = untoleratedTaints(podSpec.tolerations, nodeGroupTaints(groupProps));
  if (untolerated.length > 0) {
    const shown = untolerated.map((t) => `${t.key}${t.value === "" ? "" : `=${t.value}`}:${t.effect}`).join(", ");
    return { eligible: false, reason: `it does not tolerate the group's taint(s) ${shown}`, byTaintsOnly: true };
  }
  return { eligible: true };
}
