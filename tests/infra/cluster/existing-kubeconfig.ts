/** A kubeconfig for an existing cluster, as `aws eks update-kubeconfig` writes it (cluster named by ARN). */
export const EXISTING_CLUSTER_ARN = "arn:aws:eks:eu-west-1:123456789012:cluster/shared-platform";

export const EXISTING_KUBECONFIG = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  "current-context": EXISTING_CLUSTER_ARN,
  clusters: [{ name: EXISTING_CLUSTER_ARN, cluster: { server: "https://EXISTING.gr7.eu-west-1.eks.amazonaws.com", "certificate-authority-data": "TU9DSw==" } }],
  contexts: [{ name: EXISTING_CLUSTER_ARN, context: { cluster: EXISTING_CLUSTER_ARN, user: EXISTING_CLUSTER_ARN } }],
  users: [{ name: EXISTING_CLUSTER_ARN, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", "shared-platform"] } } }],
});

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
