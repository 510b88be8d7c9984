import type { s3 } from "@pulumi/aws";
import { Policies, PolicyResource } from "@pulumi/policy";
import { ifKnown, list, ofType, Props, refersTo, siblings, stackRule, TYPES, unknownAt } from "./common";

type PublicAccessBlock = Props<s3.BucketPublicAccessBlockArgs>;
type Bucket = Props<s3.BucketArgs>;

const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

const missingFlags = (p: PublicAccessBlock) => BLOCK_FLAGS.filter((f) => p[f] !== true);

/**
 * Which resources of `types` (may) configure `bucket`: those whose `bucket` input resolves to it; those whose
 * reference is unknown (preview) or matches no bucket, when declared in the same component or when the bucket's own
 * name is unknown. Unknowns count in the rule's favour: a preview must not report what it can't see.
 */
function configuring(bucket: PolicyResource, resources: PolicyResource[], types: readonly string[]): PolicyResource[] {
  const bucketNameUnknown = unknownAt(() => bucket.props.bucket) || unknownAt(() => bucket.props.id);
  return ofType(resources, types).filter((r) => {
    if (unknownAt(() => r.props.bucket)) return true;
    const ref = r.props.bucket;
    if (refersTo(ref, bucket, ["bucket"])) return true;
    const resolvesElsewhere = ofType(resources, TYPES.bucket).some((b) => b !== bucket && refersTo(ref, b, ["bucket"]));
    return !resolvesElsewhere && (siblings(r, bucket) || bucketNameUnknown);
  });
}

/** Server-side encryption algorithms a bucket or encryption-configuration resource declares (inline `rule` or `rules`). */
export function sseAlgorithms(props: Record<string, unknown>): string[] {
  const block = (props.serverSideEncryptionConfiguration ?? props) as { rule?: unknown; rules?: unknown };
  const rules = [...list(block.rule as object[] | undefined), ...list(block.rules as object[] | undefined)] as {
    applyServerSideEncryptionByDefault?: { sseAlgorithm?: string };
  }[];
  return rules.map((r) => r?.applyServerSideEncryptionByDefault?.sseAlgorithm).filter((a): a is string => typeof a === "string");
}

export const s3Policies: Policies = [
  stackRule({
    name: "s3-public-access-blocked",
    description: "Every S3 bucket has all four public-access blocks on (bucket or account level) and no public canned ACL.",
    enforcementLevel: "mandatory",
    validate: (resources, _ctx, report) => {
      // An account-level block whose flags are unknown (preview) may well block everything: give it the benefit.
      const accountBlocked = ofType(resources, TYPES.accountPublicAccessBlock).some((a) => ifKnown(() => missingFlags(a.props).length === 0) !== false);
      for (const acl of ofType(resources, TYPES.bucketAcl)) {
        const value = ifKnown(() => acl.props.acl);
        if (PUBLIC_ACLS.includes(String(value))) report(`BucketAcl "${acl.name}" sets the public canned ACL ${value}.`, acl.urn);
      }
      for (const b of ofType(resources, TYPES.bucket)) {
        const acl = ifKnown(() => (b.props as Bucket).acl);
        if (PUBLIC_ACLS.includes(String(acl))) report(`Bucket "${b.name}" sets the public canned ACL ${acl}.`, b.urn);
        if (accountBlocked) continue;
        const blocks = configuring(b, resources, TYPES.bucketPublicAccessBlock);
        if (blocks.length === 0) {
          report(`Bucket "${b.name}" has no BucketPublicAccessBlock; add one with all four flags true.`, b.urn);
          continue;
        }
        const best = blocks.map((p) => ifKnown(() => missingFlags(p.props)) ?? []).sort((x, y) => x.length - y.length)[0];
        if (best.length > 0) report(`Bucket "${b.name}" public access block leaves ${best.join(", ")} off; all four must be true.`, b.urn);
      }
    },
  }),
  stackRule({
    name: "s3-encryption",
    description: "Every S3 bucket declares default server-side encryption (SSE-S3 or SSE-KMS).",
    enforcementLevel: "mandatory",
    validate: (resources, _ctx, report) => {
      for (const b of ofType(resources, TYPES.bucket)) {
        if (unknownAt(() => sseAlgorithms(b.props))) continue;
        const inline = sseAlgorithms(b.props);
        const separate = configuring(b, resources, TYPES.bucketEncryption).flatMap((r) => ifKnown(() => sseAlgorithms(r.props)) ?? ["(unknown)"]);
        const all = [...inline, ...separate];
        if (all.length === 0) {
          report(`Bucket "${b.name}" declares no server-side encryption; add a BucketServerSideEncryptionConfiguration (AES256 or aws:kms).`, b.urn);
        } else if (!all.some((a) => SSE_ALGORITHMS.includes(a) || a === "(unknown)")) {
          report(`Bucket "${b.name}" uses encryption ${all.join(", ")}; expected one of ${SSE_ALGORITHMS.join(", ")}.`, b.urn);
        }
      }
    },
  }),
];
