/**
 * The plan's Kubernetes objects as the manifests `kubectl apply` would get (one YAML document per object), so
 * scanners built for manifests (checkov's kubernetes framework) read them. The plan's inputs are the objects
 * themselves; a masked Secret payload becomes an empty map (set, but not shown), and an object without a name
 * (Pulumi auto-names) is named after its logical name.
 */
import { stringify } from "yaml";
import { SECRET_MASK, type PlanFile, type PlanResource } from "../plan/format";

export const isKubernetesObject = (r: PlanResource): boolean => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:yaml") && !r.type.startsWith("kubernetes:helm");

/** A Kubernetes object's manifest: the inputs with apiVersion, kind and metadata.name filled in from the type token. */
export function toManifest(r: PlanResource): Record<string, unknown> {
  const [, groupVersion, kind] = r.type.split(":");
  const apiVersion = groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion;
  const inputs = JSON.parse(JSON.stringify(r.inputs)) as Record<string, unknown>;
  const metadata = { ...((inputs.metadata as Record<string, unknown> | undefined) ?? {}) };
  if (typeof metadata.name !== "string") metadata.name = r.name;
  for (const key of ["data", "stringData", "binaryData"]) if (inputs[key] === SECRET_MASK) inputs[key] = {};
  return { ...inputs, apiVersion: inputs.apiVersion ?? apiVersion, kind: inputs.kind ?? kind, metadata };
}

/** Every Kubernetes object of the plan, one YAML document each. */
export function toManifests(plan: Pick<PlanFile, "resources">): string {
  return plan.resources
    .filter(isKubernetesObject)
    .map((r) => stringify(toManifest(r), { lineWidth: 0 }))
    .map((doc) => `---\n${doc}`)
    .join("");
}
