/** The plan as the field's scanners read it, as named files (what `npm run export` writes and the peer tests scan). */
import type { PlanFile } from "../plan/format";
import { iamDocuments } from "./iam";
import { toManifests } from "./kubernetes";
import { toTerraformPlan } from "./terraform";

export const TERRAFORM_PLAN_FILE = "tfplan.json";
export const MANIFESTS_FILE = "manifests.yaml";
export const IAM_INDEX_FILE = "iam/index.json";

/** File name → contents. IAM documents are `iam/<n>.json`, listed with their resource in `iam/index.json`. */
export function exportPlan(plan: Pick<PlanFile, "resources">): Record<string, string> {
  const docs = iamDocuments(plan);
  const files: Record<string, string> = {
    [TERRAFORM_PLAN_FILE]: `${JSON.stringify(toTerraformPlan(plan), null, 2)}\n`,
    [MANIFESTS_FILE]: toManifests(plan),
  };
  const index = docs.map((d, i) => ({ file: d.document === undefined ? undefined : `iam/${i}.json`, resource: d.resource, path: d.path, kind: d.kind, error: d.error }));
  docs.forEach((d, i) => {
    if (d.document !== undefined) files[`iam/${i}.json`] = `${JSON.stringify(d.document, null, 2)}\n`;
  });
  files[IAM_INDEX_FILE] = `${JSON.stringify(index, null, 2)}\n`;
  return files;
}
