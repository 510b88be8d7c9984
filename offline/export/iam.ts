/**
 * Every IAM policy document the plan declares, for IAM linters (parliament): role trust policies, inline and
 * customer-managed policies, and the resource policies of buckets, keys, repositories, topics, queues and secrets.
 * A masked or unparsable document is listed with `error`, never skipped.
 */
import type { PlanFile, PlanResource } from "../plan/format";

export type IamDocumentKind = "trust" | "identity" | "resource";

export interface IamDocument {
  resource: { type: string; name: string };
  /** Where in the resource's inputs the document is, e.g. `assumeRolePolicy`, `inlinePolicies[0].policy`. */
  path: string;
  kind: IamDocumentKind;
  document?: unknown;
  error?: string;
}

/** Input keys holding a policy document, per type token. */
const DOCUMENT_KEYS: Record<string, { key: string; kind: IamDocumentKind }[]> = {
  "aws:iam/role:Role": [{ key: "assumeRolePolicy", kind: "trust" }],
  "aws:iam/policy:Policy": [{ key: "policy", kind: "identity" }],
  "aws:iam/rolePolicy:RolePolicy": [{ key: "policy", kind: "identity" }],
  "aws:iam/userPolicy:UserPolicy": [{ key: "policy", kind: "identity" }],
  "aws:iam/groupPolicy:GroupPolicy": [{ key: "policy", kind: "identity" }],
  "aws:s3/bucketPolicy:BucketPolicy": [{ key: "policy", kind: "resource" }],
  "aws:s3/bucket:Bucket": [{ key: "policy", kind: "resource" }],
  "aws:s3/bucketV2:BucketV2": [{ key: "policy", kind: "resource" }],
  "aws:kms/key:Key": [{ key: "policy", kind: "resource" }],
  "aws:kms/keyPolicy:KeyPolicy": [{ key: "policy", kind: "resource" }],
  "aws:ecr/repositoryPolicy:RepositoryPolicy": [{ key: "policy", kind: "resource" }],
  "aws:ecr/registryPolicy:RegistryPolicy": [{ key: "policy", kind: "resource" }],
  "aws:sns/topic:Topic": [{ key: "policy", kind: "resource" }],
  "aws:sns/topicPolicy:TopicPolicy": [{ key: "policy", kind: "resource" }],
  "aws:sqs/queue:Queue": [{ key: "policy", kind: "resource" }],
  "aws:sqs/queuePolicy:QueuePolicy": [{ key: "policy", kind: "resource" }],
  "aws:secretsmanager/secretPolicy:SecretPolicy": [{ key: "policy", kind: "resource" }],
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": [{ key: "policyDocument", kind: "resource" }],
};

function parse(resource: PlanResource, path: string, kind: IamDocumentKind, value: unknown): IamDocument {
  const ref = { type: resource.type, name: resource.name };
  if (typeof value === "object" && value !== null) return { resource: ref, path, kind, document: value };
  try {
    return { resource: ref, path, kind, document: JSON.parse(String(value)) };
  } catch {
    return { resource: ref, path, kind, error: `not a JSON policy document: ${JSON.stringify(value).slice(0, 60)}` };
  }
}

/** Every policy document of the plan, with the resource and input path it came from. */
export function iamDocuments(plan: Pick<PlanFile, "resources">): IamDocument[] {
  const out: IamDocument[] = [];
  for (const r of plan.resources) {
    const inputs = r.inputs as Record<string, unknown>;
    for (const { key, kind } of DOCUMENT_KEYS[r.type] ?? []) if (inputs[key] !== undefined) out.push(parse(r, key, kind, inputs[key]));
    if (r.type === "aws:iam/role:Role" && Array.isArray(inputs.inlinePolicies)) {
      inputs.inlinePolicies.forEach((p: { policy?: unknown }, i) => {
        if (p?.policy !== undefined) out.push(parse(r, `inlinePolicies[${i}].policy`, "identity", p.policy));
      });
    }
  }
  return out;
}
