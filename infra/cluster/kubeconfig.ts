import { parse, stringify } from "yaml";

export interface KubeconfigInput {
  clusterName: string;
  /** The API server URL (https://…). */
  endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  certificateAuthorityData: string;
  region: string;
}

/**
 * A kubeconfig for an EKS cluster that authenticates with `aws eks get-token` (exec plugin): no
 * long-lived credential is written into it, the caller's AWS identity is used at each call.
 * Pure: the same input always renders the same text.
 */
export function renderKubeconfig(input: KubeconfigInput): string {
  if (!/^https:\/\/[^\s/]+/.test(input.endpoint)) throw new Error(`kubeconfig: endpoint ${JSON.stringify(input.endpoint)} is not an https URL`);
  if (!input.clusterName) throw new Error("kubeconfig: cluster name is empty");
  if (!input.certificateAuthorityData) throw new Error("kubeconfig: certificate authority data is empty");
  const name = input.clusterName;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: input.endpoint, "certificate-authority-data": input.certificateAuthorityData } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    preferences: {},
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", name, "--region", input.region, "--output", "json"],
            interactiveMode: "Never",
            provideClusterInfo: false,
          },
        },
      },
    ],
  });
}

/**
 * The cluster name an existing kubeconfig points at: its current context's cluster. Used for the
 * `clusterName` output on the existing-cluster path; errors name what is missing.
 */
export function clusterNameFromKubeconfig(text: string): string {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`edgestack:existingKubeconfig: is not valid YAML (${(err as Error).message.split("\n")[0]})`, { cause: err });
  }
  const config = doc as { "current-context"?: string; contexts?: { name?: string; context?: { cluster?: string } }[]; clusters?: { name?: string }[] };
  if (typeof config !== "object" || config === null || !Array.isArray(config.clusters) || config.clusters.length === 0) {
    throw new Error("edgestack:existingKubeconfig: has no clusters");
  }
  const current = config["current-context"];
  if (!current) {
    if (config.clusters.length === 1 && config.clusters[0].name) return config.clusters[0].name;
    throw new Error("edgestack:existingKubeconfig: has no current-context and more than one cluster");
  }
  const context = (config.contexts ?? []).find((c) => c.name === current);
  if (!context?.context?.cluster) throw new Error(`edgestack:existingKubeconfig: current-context ${JSON.stringify(current)} is not defined or names no cluster`);
  const clusterName = context.context.cluster;
  if (!config.clusters.some((c) => c.name === clusterName)) throw new Error(`edgestack:existingKubeconfig: context ${JSON.stringify(current)} names unknown cluster ${JSON.stringify(clusterName)}`);
  // EKS kubeconfigs written by `aws eks update-kubeconfig` name the cluster by its ARN.
  const arn = /^arn:aws[\w-]*:eks:[\w-]+:\d{12}:cluster\/(.+)$/.exec(clusterName);
  return arn ? arn[1] : clusterName;
}
