/**
 * A kubeconfig for an existing cluster in `region` (the stack's: the program refuses a cluster elsewhere), as
 * `aws eks update-kubeconfig` writes it (cluster named by ARN).
 */
export function existingKubeconfig(region: string): string {
  const arn = `arn:aws:eks:${region}:123456789012:cluster/shared-platform`;
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": arn,
    clusters: [{ name: arn, cluster: { server: `https://EXISTING.gr7.${region}.eks.amazonaws.com`, "certificate-authority-data": "TU9DSw==" } }],
    contexts: [{ name: arn, context: { cluster: arn, user: arn } }],
    users: [{ name: arn, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", "shared-platform"] } } }],
  });
}
/** The dev stack's (eu-west-1). */
export const EXISTING_KUBECONFIG = existingKubeconfig("eu-west-1");

export const EXISTING_NODE_SG = "sg-0a1b2c3d4e5f60718";

/** The dev stack's CI access keys emptied: they only apply to a cluster the stack creates. */
export const NO_CLUSTER_ACCESS = {
  "edgestack:ciDeployRoleArn": "",
  "edgestack:ciPreviewRoleArn": "",
  "edgestack:ciRunner": "none",
  "edgestack:ciRepository": "",
  "edgestack:ciCodeConnectionArn": "",
  "edgestack:imagePromoteSourceRepositoryArn": "",
};
