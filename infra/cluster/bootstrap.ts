/**
 * The cluster's bootstrap (RBAC) provider: the Kubernetes provider that applies what CI's deploy role
 * may not write with its derived ClusterRole — the deployer's own ClusterRole and binding, and the
 * node autoscaler (a cluster add-on with its own service account and RBAC). A run changes those only
 * with `clusterAccessBootstrap` (the deploy role then holds the cluster-admin access policy for the
 * run); without it the API refuses them half-way through the update. Pure: the program names the
 * provider with it; the plan diff and the deploy check recognise the provider by it.
 */

/** Suffix of the bootstrap provider's logical name (`<cluster>-k8s-rbac`). */
export const BOOTSTRAP_PROVIDER_SUFFIX = "-k8s-rbac";

const KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes";

/**
 * Whether a provider reference names a bootstrap provider: the offline plan's
 * `pulumi:providers:kubernetes::<name>`, or the engine's `urn:pulumi:<stack>::<project>::…$pulumi:providers:kubernetes::<name>::<id>`.
 */
export function isBootstrapProvider(ref: string | undefined): boolean {
  if (!ref) return false;
  let reference = ref;
  if (reference.startsWith("urn:pulumi:")) {
    // A provider reference is `<urn>::<id>`; the URN's last two `::` parts are its type chain and name.
    const parts = reference.split("::");
    if (parts.length >= 5) parts.pop();
    reference = parts.slice(-2).join("::");
  }
  const cut = reference.lastIndexOf("::");
  if (cut < 0) return false;
  const type = reference.slice(0, cut).split("$").pop();
  const name = reference.slice(cut + 2);
  return type === KUBERNETES_PROVIDER_TYPE && name.endsWith(BOOTSTRAP_PROVIDER_SUFFIX);
}

/** What to do when a change needs the bootstrap run (docs/ci.md, "Changes only a bootstrap run can apply"). */
export function bootstrapProcedure(stack: string): string {
  return (
    `run this update with the bootstrap access: pulumi config set --stack ${stack} edgestack:clusterAccessBootstrap true, ` +
    `pulumi up --stack ${stack} (as the deploy role), then pulumi config set --stack ${stack} edgestack:clusterAccessBootstrap false and pulumi up again (docs/ci.md)`
  );
}
