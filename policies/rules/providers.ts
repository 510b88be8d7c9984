/**
 * Providers: the settings through which every resource of a package is applied. An AWS provider that skips TLS
 * verification or sends its API calls (signed with the deployer's credentials) to another endpoint, or a Kubernetes
 * provider that trusts any API server certificate or writes manifests (Secrets included) to disk instead of applying
 * them, weakens every resource behind it at once.
 */
import { Policies } from "@pulumi/policy";
import { parse as parseYaml } from "yaml";
import { ifKnown, masked, stackRule } from "./common";

const AWS = "pulumi:providers:aws";
const KUBERNETES = "pulumi:providers:kubernetes";

const truthy = (v: unknown) => v === true || v === "true";

/** Whether a kubeconfig (YAML or JSON text) tells clients to skip verifying the API server's certificate. */
export function kubeconfigSkipsTls(text: string): boolean {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return /insecure-skip-tls-verify["']?\s*:\s*["']?true/.test(text);
  }
  const clusters = (doc as { clusters?: { cluster?: Record<string, unknown> }[] } | undefined)?.clusters;
  return Array.isArray(clusters) && clusters.some((c) => truthy(c?.cluster?.["insecure-skip-tls-verify"]));
}

/**
 * The static credentials a readable kubeconfig (YAML or JSON text) carries in clear: a user's bearer token, client key
 * or password (an exec plugin or a token file fetches its credential at run time and holds none).
 */
export function kubeconfigCredentials(text: string): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return /\b(token|client-key-data|password)["']?\s*:\s*["']?[^\s"'{}]/.test(text) ? ["a credential"] : [];
  }
  const users = (doc as { users?: { name?: string; user?: Record<string, unknown> }[] } | undefined)?.users;
  const out: string[] = [];
  for (const u of Array.isArray(users) ? users : []) {
    for (const key of ["token", "client-key-data", "client-key", "password"]) {
      const v = u?.user?.[key];
      if (typeof v === "string" && v !== "" && !masked(v)) out.push(`user ${String(u?.name ?? "?")}'s ${key}`);
    }
  }
  return out;
}

/** The problems of one provider's settings. */
export function providerProblems(type: string, props: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (type === AWS) {
    if (truthy(props.insecure)) out.push("sets insecure: true, so it does not verify the TLS certificates of the AWS APIs it signs requests for");
    const endpoints = props.endpoints;
    const named = typeof endpoints === "string" ? endpoints !== "" && endpoints !== "[]" : Array.isArray(endpoints) ? endpoints.length > 0 : endpoints !== undefined && endpoints !== null;
    if (named) out.push("overrides API endpoints, so the deployer's signed requests (and the secrets in them) go to hosts that are not AWS's");
  }
  if (type === KUBERNETES) {
    if (typeof props.renderYamlToDirectory === "string" && props.renderYamlToDirectory !== "") out.push(`sets renderYamlToDirectory, so it writes manifests, Secrets in clear text included, to ${props.renderYamlToDirectory} instead of applying them`);
    if (truthy(props.insecure)) out.push("sets insecure: true, so it trusts any API server certificate");
    const kubeconfig = props.kubeconfig;
    if (typeof kubeconfig === "string" && !masked(kubeconfig) && kubeconfigSkipsTls(kubeconfig)) out.push("has a kubeconfig with insecure-skip-tls-verify: true, so it trusts any API server certificate");
    const credentials = typeof kubeconfig === "string" && !masked(kubeconfig) ? kubeconfigCredentials(kubeconfig) : [];
    if (credentials.length > 0) out.push(`has a kubeconfig in clear (not a Pulumi secret) holding ${credentials.join(", ")}: the plan, the state and every preview print the cluster's credential; keep the kubeconfig a secret and authenticate with an exec plugin (aws eks get-token)`);
  }
  return out;
}

export const providerPolicies: Policies = [
  stackRule({
    name: "providers-verify-and-apply",
    description:
      "The stack's AWS providers verify TLS (no insecure) and talk to AWS's own endpoints (no endpoints override); its Kubernetes providers verify the API server's certificate (no insecure, no insecure-skip-tls-verify in a readable kubeconfig) and apply what they are given (no renderYamlToDirectory, which writes Secrets to disk in clear). A kubeconfig kept secret is not read; a readable one holds no static credential (a user's token, client key or password). It does not judge which identity a provider uses.",
    enforcementLevel: "mandatory",
    judges: [AWS, KUBERNETES],
    validate: (resources, _ctx, report) => {
      for (const r of resources) {
        if (r.type !== AWS && r.type !== KUBERNETES) continue;
        const props = ifKnown(() => ({ ...(r.props as Record<string, unknown>) })) ?? {};
        for (const p of ifKnown(() => providerProblems(r.type, props)) ?? []) report(`Provider "${r.name}" ${p}.`, r.urn);
      }
    },
  }),
];
