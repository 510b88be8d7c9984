/**
 * Pure rules for who reaches the Kubernetes API of a cluster the stack creates: the Kubernetes
 * group the deploy role is mapped to, and the ClusterRole that group holds, derived from the
 * Kubernetes resource types the program actually declares (never cluster-admin).
 */

/** The Kubernetes group the deploy role's access entry maps to (EKS refuses groups starting "system:"). */
export const DEPLOYERS_GROUP = "edgestack:deployers";
/** The ClusterRole (and ClusterRoleBinding) that group holds. */
export const DEPLOYER_ROLE_NAME = "edgestack-deployer";

/** EKS access policies by name (arn:<partition>:eks::aws:cluster-access-policy/<name>). */
export const ACCESS_POLICIES = { view: "AmazonEKSViewPolicy", clusterAdmin: "AmazonEKSClusterAdminPolicy" } as const;
export const accessPolicyArn = (partition: string, policy: string) => `arn:${partition}:eks::aws:cluster-access-policy/${policy}`;

/** What the deploy group may do to the kinds the stack manages (server-side apply needs patch). */
export const MANAGE_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"] as const;
const READ_VERBS = ["get", "list", "watch"] as const;

/**
 * What the Kubernetes provider reads while it waits for a managed object to become ready (a
 * Deployment's ReplicaSets and Pods, a Service's endpoints, the events it reports): read-only.
 */
export const AWAIT_READS: { apiGroup: string; resource: string }[] = [
  { apiGroup: "", resource: "pods" },
  { apiGroup: "", resource: "events" },
  { apiGroup: "", resource: "endpoints" },
  { apiGroup: "apps", resource: "replicasets" },
  { apiGroup: "discovery.k8s.io", resource: "endpointslices" },
];

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** `kubernetes:apps/v1:Deployment` → `{ apiGroup: "apps", kind: "Deployment" }` ("core" is the empty group). */
export function parseKubernetesType(type: string): { apiGroup: string; kind: string } | undefined {
  const match = /^kubernetes:([^:]+)\/[^/:]+:([A-Za-z0-9]+)$/.exec(type);
  if (!match) return undefined;
  return { apiGroup: match[1] === "core" ? "" : match[1], kind: match[2] };
}

/** The resource (plural) name of a kind, as the API server's discovery lists it. */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/**
 * The deployer ClusterRole's rules for a set of Pulumi type tokens of Kubernetes resources: full
 * management of exactly those kinds (grouped by API group), read-only access to what the provider
 * awaits, and updates of its own role and binding by name (so a later run can re-apply them; a
 * new kind still needs `clusterAccessBootstrap`, as RBAC refuses granting what one does not hold).
 */
export function deployerRules(types: Iterable<string>): PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const type of types) {
    const parsed = parseKubernetesType(type);
    if (!parsed) throw new Error(`not a Kubernetes resource type: ${JSON.stringify(type)}`);
    const set = byGroup.get(parsed.apiGroup) ?? new Set<string>();
    set.add(resourceOf(parsed.kind));
    byGroup.set(parsed.apiGroup, set);
  }
  const rules: PolicyRule[] = [...byGroup.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([apiGroup, resources]) => ({ apiGroups: [apiGroup], resources: [...resources].sort(), verbs: [...MANAGE_VERBS] }));
  const reads = new Map<string, string[]>();
  for (const { apiGroup, resource } of AWAIT_READS) {
    if (byGroup.get(apiGroup)?.has(resource)) continue;
    reads.set(apiGroup, [...(reads.get(apiGroup) ?? []), resource]);
  }
  for (const [apiGroup, resources] of [...reads.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    rules.push({ apiGroups: [apiGroup], resources: resources.sort(), verbs: [...READ_VERBS] });
  }
  rules.push({
    apiGroups: ["rbac.authorization.k8s.io"],
    resources: ["clusterroles", "clusterrolebindings"],
    resourceNames: [DEPLOYER_ROLE_NAME],
    verbs: ["get", "update", "patch"],
  });
  return rules;
}

/** Whether `rules` allow `verb` on `resource` in `apiGroup` (no resourceNames restriction). */
export function allows(rules: readonly PolicyRule[], apiGroup: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups.includes(apiGroup) || r.apiGroups.includes("*")) &&
      (r.resources.includes(resource) || r.resources.includes("*")) &&
      (r.verbs.includes(verb) || r.verbs.includes("*")) &&
      r.resourceNames === undefined,
  );
}

/**
 * Records the type of every resource declared under a component it is attached to (a
 * `transformations` entry, which the SDK runs synchronously for each child) until `close()`;
 * `types` resolves then, with what was seen.
 */
export class KubernetesTypeRecorder {
  private readonly seen = new Set<string>();
  private closed = false;
  private resolve!: (types: string[]) => void;
  /** The recorded Kubernetes resource types, sorted; resolves at close(). */
  readonly types: Promise<string[]> = new Promise((resolve) => (this.resolve = resolve));

  /** For `transformations: [recorder.record]`. */
  readonly record = (args: { type: string }): undefined => {
    if (args.type.startsWith("kubernetes:")) {
      if (this.closed) throw new Error(`${args.type} declared after the deployer's ClusterRole was derived; declare it before close()`);
      this.seen.add(args.type);
    }
    return undefined;
  };

  close(): void {
    this.closed = true;
    this.resolve([...this.seen].sort());
  }
}
