import type { s3 } from "@pulumi/aws";
import { Policies, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { at, ifKnown, list, ofType, Props, refersTo, resourceRule, siblings, stackRule, TYPES, unknownAt } from "./common";
import { grantedActions, isPublicGrant, lockouts, restrictingConditions } from "../semantics/iam";
import { AWS_SERVICE_ACCOUNTS, ownAccounts } from "./iam";
import { hasPublicPrincipal, isAllow, isDeny, Statement, statementsOf, values } from "./documents";
import { AWS_DNS_SUFFIX, parseArn } from "../semantics/partition";

/** The ELB log delivery principals (`logdelivery.elasticloadbalancing.…`), in any partition. */
const ELB_PRINCIPAL = new RegExp(String.raw`(^|\.)elasticloadbalancing\.${AWS_DNS_SUFFIX}$`);
/** Services that deliver logs into a bucket (the ELB service, CloudWatch Logs' vended delivery, S3 server access logging). */
const LOG_DELIVERY_SERVICE = new RegExp(String.raw`^(logdelivery\.elasticloadbalancing|delivery\.logs|logging\.s3)\.${AWS_DNS_SUFFIX}$`);
/** Condition keys that narrow a request by the network it comes from, not by who signs it. */
const NETWORK_KEYS = ["aws:sourcevpce", "aws:sourcevpc", "aws:sourceip", "aws:vpcsourceip"];

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

/** A Deny of every S3 action to everyone when aws:SecureTransport is false, over the bucket and its objects. */
export function isTlsOnlyDeny(s: Statement): boolean {
  if (!isDeny(s) || !hasPublicPrincipal(s)) return false;
  if (!values(s.Action).some((a) => a === "s3:*" || a === "*")) return false;
  const secure = Object.entries(s.Condition ?? {}).some(
    ([op, body]) => /^Bool(IfExists)?$/.test(op) && Object.entries(body ?? {}).some(([k, v]) => k.toLowerCase() === "aws:securetransport" && values(v).includes("false")),
  );
  if (!secure) return false;
  const resources = values(s.Resource);
  return resources.includes("*") || (resources.some((r) => r.endsWith("/*")) && resources.some((r) => parseArn(r)?.service === "s3" && !r.includes("/")));
}

/**
 * A mandatory rule over the statements of each bucket policy (a BucketPolicy's, or a bucket's inline
 * one): a policy that cannot be read is reported as such, a readable one goes to `check`.
 */
function bucketPolicyRule(
  name: string,
  description: string,
  check: (statements: Statement[], args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidationPolicy {
  return resourceRule<Record<string, unknown>>({
    name,
    description,
    enforcementLevel: "mandatory",
    types: [...TYPES.bucketPolicy, ...TYPES.bucket],
    validate: (p, { args }, report) => {
      if (p.policy === undefined) return;
      const read = statementsOf(p.policy);
      if ("unreadable" in read) return report(`The policy of "${args.name}" ${read.unreadable}.`);
      check(read.statements, args, report);
    },
  });
}

export const s3Policies: Policies = [
  bucketPolicyRule(
    "s3-policy-no-lockout",
    "No bucket policy takes back its own grants: an unconditional Deny to everyone (Principal \"*\", or everyone but a NotPrincipal list) never covers an action an Allow of the same policy grants to a principal it does not except (a Deny with NotPrincipal of the account root locks CloudFront, log delivery and the stack's roles out).",
    (statements, args, report) => {
      for (const l of lockouts(statements)) {
        const sid = (st: { Sid?: string }) => (st.Sid ? ` "${st.Sid}"` : "");
        report(`The policy of "${args.name}": Deny statement${sid(l.deny)} takes ${l.action} away from ${l.principal}, which Allow statement${sid(l.allow)} grants; except it (NotPrincipal) or add a condition to the Deny.`);
      }
    },
  ),
  bucketPolicyRule(
    "s3-no-public-principal",
    'No bucket policy allows principal "*" (anyone) without a condition that restricts the caller, nor more than reading when only the network restricts it (aws:SourceVpce/SourceVpc/SourceIp: every caller there, unsigned ones included), CloudFront without the exact distribution ARN as AWS:SourceArn or more than reading (s3:GetObject, GetObjectVersion, ListBucket), log delivery (the ELB service and its accounts, delivery.logs, logging.s3) more than s3:PutObject/GetBucketAcl/ListBucket, nor another service without a source condition.',
    (statements, args, report) => {
      for (const st of statements) {
        if (isPublicGrant(st)) report(`The policy of "${args.name}" allows principal "*"${st.Sid ? ` (statement "${st.Sid}")` : ""} without a condition that restricts the caller: the bucket is public.`);
        const services = typeof st.Principal === "object" && st.Principal !== null ? values((st.Principal as Record<string, unknown>).Service) : [];
        if (isAllow(st) && services.includes("cloudfront.amazonaws.com")) {
          // The distribution's ARN, exactly: a wildcard account or distribution admits other distributions.
          const arns = Object.entries(st.Condition ?? {}).flatMap(([op, body]) =>
            /^(StringEquals|ArnEquals|StringLike|ArnLike)$/i.test(op) ? Object.entries(body ?? {}).filter(([k]) => k.toLowerCase() === "aws:sourcearn").flatMap(([, v]) => values(v)) : [],
          );
          const exact = arns.length > 0 && arns.every((a) => /^arn:aws[\w-]*:cloudfront::[^:*?]+:distribution\/[^*?]+$/.test(a));
          if (!exact) report(`The policy of "${args.name}" lets CloudFront read without an exact AWS:SourceArn of this stack's distribution${st.Sid ? ` (statement "${st.Sid}")` : ""}${arns.length ? ` (it names ${arns.join(", ")})` : ""}: other distributions, in any account, could serve the bucket.`);
          // An origin access control only reads for viewers: a write or delete through it is a viewer's PUT/DELETE
          // (any method the distribution forwards) reaching the bucket.
          const beyondRead = grantedActions(st).filter((a) => !/^s3:(GetObject|GetObjectVersion|ListBucket)$/i.test(a));
          if (beyondRead.length > 0) report(`The policy of "${args.name}" lets CloudFront ${beyondRead.length > 4 ? `run ${beyondRead.length} actions besides reading (${beyondRead.slice(0, 4).join(", ")}, …)` : `run ${beyondRead.join(", ")}`}${st.Sid ? ` (statement "${st.Sid}")` : ""}: through the origin access control, a viewer request the distribution forwards could write or delete the bucket's objects; grant s3:GetObject only.`);
        } else if (isAllow(st) && services.length > 0 && restrictingConditions(st).length === 0 && !services.every((x) => ELB_PRINCIPAL.test(x))) {
          report(`The policy of "${args.name}" lets ${services.join(", ")} write or read without an aws:SourceArn/SourceAccount condition${st.Sid ? ` (statement "${st.Sid}")` : ""}: any account's use of the service could reach the bucket.`);
        }
        // Log delivery (the ELB service, its regional accounts, CloudWatch Logs' delivery, S3 server access logging)
        // only writes objects and reads the bucket's ACL: anything more lets the service, for any customer's request
        // it serves, read, delete or re-permission the stack's logs.
        const aws = typeof st.Principal === "object" && st.Principal !== null ? values((st.Principal as Record<string, unknown>).AWS) : [];
        const delivery = services.some((x) => LOG_DELIVERY_SERVICE.test(x)) || aws.some((a) => AWS_SERVICE_ACCOUNTS.some((acct) => a === acct || a.includes(`::${acct}:`)));
        if (isAllow(st) && delivery) {
          const beyond = grantedActions(st).filter((a) => !/^s3:(PutObject|GetBucketAcl|ListBucket)$/i.test(a));
          if (beyond.length > 0) report(`The policy of "${args.name}" lets log delivery (${[...services, ...aws].join(", ")}) ${beyond.length > 4 ? `run ${beyond.length} actions besides writing logs (${beyond.slice(0, 4).join(", ")}, …)` : `run ${beyond.join(", ")}`}${st.Sid ? ` (statement "${st.Sid}")` : ""}: delivery needs s3:PutObject (and s3:GetBucketAcl) only; more lets the service read, delete or re-permission the logs an investigation needs.`);
        }
        // Principal "*" narrowed only by where the request comes from (a VPC endpoint, a VPC, an address range) admits
        // every caller there, unsigned requests included: any pod or host of that network, with no credentials.
        // Reading may be meant (a private asset mirror); writing never is.
        const restricting = restrictingConditions(st);
        if (isAllow(st) && !isPublicGrant(st) && hasPublicPrincipal(st) && restricting.length > 0 && restricting.every((k) => NETWORK_KEYS.includes(k.toLowerCase()))) {
          const writes = grantedActions(st).filter((a) => !/^s3:(Get|List|Head)/i.test(a));
          if (writes.length > 0) report(`The policy of "${args.name}" lets principal "*" ${writes.length > 4 ? `run ${writes.length} actions besides reading (${writes.slice(0, 4).join(", ")}, …)` : `run ${writes.join(", ")}`}${st.Sid ? ` (statement "${st.Sid}")` : ""} under ${restricting.join(", ")} only: every caller of that network, unsigned requests included, may write; name the principals that write.`);
        }
      }
    },
  ),
  stackRule({
    name: "s3-tls-only",
    description: "Every S3 bucket's policy denies all access over plain HTTP (Deny s3:* to * when aws:SecureTransport is false, on the bucket and its objects).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.bucket, ...TYPES.bucketPolicy],
    validate: (resources, _ctx, report) => {
      for (const b of ofType(resources, TYPES.bucket)) {
        const holders = [b, ...configuring(b, resources, TYPES.bucketPolicy)].filter((r) => unknownAt(() => r.props.policy) || ifKnown(() => r.props.policy) !== undefined);
        let found = false;
        let unreadable: PolicyResource | undefined;
        for (const h of holders) {
          if (unknownAt(() => h.props.policy)) {
            found = true;
            continue;
          }
          const read = statementsOf(h.props.policy);
          if ("unreadable" in read) unreadable = h;
          else if (read.statements.some(isTlsOnlyDeny)) found = true;
        }
        if (found) continue;
        const target = holders.find((h) => h !== b) ?? b;
        const message = unreadable
          ? `Bucket "${b.name}": the policy of "${unreadable.name}" can't be read, so its TLS-only deny can't be verified.`
          : `Bucket "${b.name}" has no TLS-only deny${target === b ? " (no bucket policy)" : ` in "${target.name}"`}: add Deny s3:* for Principal * when aws:SecureTransport is false.`;
        // The bucket is what is exposed; the policy is what to fix: name both.
        report(message, b.urn);
        if ((unreadable ?? target) !== b) report(message, (unreadable ?? target).urn);
      }
    },
  }),
  stackRule({
    name: "s3-public-access-blocked",
    description: "Every S3 bucket has all four public-access blocks on (bucket or account level); no bucket, BucketAcl (canned or AllUsers/AuthenticatedUsers grants) or object carries a public ACL.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.accountPublicAccessBlock, ...TYPES.bucketAcl, ...TYPES.bucket, ...TYPES.bucketPublicAccessBlock, "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject", "aws:s3/objectCopy:ObjectCopy"],
    validate: (resources, _ctx, report) => {
      // An account-level block whose flags are unknown (preview) may well block everything: give it the benefit.
      const accountBlocked = ofType(resources, TYPES.accountPublicAccessBlock).some((a) => ifKnown(() => missingFlags(a.props).length === 0) !== false);
      // An account-level block that leaves a flag off opens every bucket of the account that relies on it.
      for (const a of ofType(resources, TYPES.accountPublicAccessBlock)) {
        const off = ifKnown(() => missingFlags(a.props)) ?? [];
        if (off.length > 0) report(`AccountPublicAccessBlock "${a.name}" leaves ${off.join(", ")} off for the whole account; all four must be true.`, a.urn);
      }
      for (const acl of ofType(resources, TYPES.bucketAcl)) {
        const value = ifKnown(() => acl.props.acl);
        if (PUBLIC_ACLS.includes(String(value))) report(`BucketAcl "${acl.name}" sets the public canned ACL ${value}.`, acl.urn);
        const grants = list(ifKnown(() => (acl.props.accessControlPolicy as { grants?: { grantee?: { uri?: string } }[] } | undefined)?.grants));
        for (const g of grants) if (/AllUsers|AuthenticatedUsers/.test(String(g?.grantee?.uri ?? ""))) report(`BucketAcl "${acl.name}" grants ${g.grantee?.uri}: the bucket is public.`, acl.urn);
      }
      for (const obj of ofType(resources, ["aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject", "aws:s3/objectCopy:ObjectCopy"])) {
        const value = ifKnown(() => obj.props.acl);
        if (PUBLIC_ACLS.includes(String(value))) report(`Object "${obj.name}" is uploaded with the public canned ACL ${value}.`, obj.urn);
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
        if (best.length > 0) {
          // The block that leaves a flag off is named as well as its bucket: that is the resource to fix.
          report(`Bucket "${b.name}" public access block leaves ${best.join(", ")} off; all four must be true.`, b.urn);
          for (const p of blocks) report(`BucketPublicAccessBlock "${p.name}" of bucket "${b.name}" leaves ${best.join(", ")} off; all four must be true.`, p.urn);
        }
      }
    },
  }),
  stackRule({
    name: "s3-encryption",
    description: "Every S3 bucket declares default server-side encryption (SSE-S3 or SSE-KMS).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.bucket, ...TYPES.bucketEncryption],
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
  stackRule({
    name: "s3-object-ownership",
    description: "Buckets keep ACLs disabled (ownership controls BucketOwnerEnforced, or none: the default for new buckets), except a bucket receiving CloudFront standard logs, which needs BucketOwnerPreferred; never ObjectWriter (objects another account writes stay theirs, with their ACLs).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.bucket, "aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
    validate: (resources, _ctx, report) => {
      const logTargets = cloudFrontLogBuckets(resources);
      for (const b of ofType(resources, TYPES.bucket)) {
        const cfLogs = logTargets.refs.some((ref) => refersTo(ref, b, ["bucket"]));
        for (const oc of configuring(b, resources, ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"])) {
          const found = at(oc.props, "rule.objectOwnership");
          if (found.unknown) continue;
          const mode = String(found.value ?? "");
          // Which bucket it configures, or which bucket CloudFront logs to, unknown (preview): Preferred may be the log bucket's.
          const mayBeLogBucket = cfLogs || logTargets.unknown || unknownAt(() => oc.props.bucket);
          const ok = mode === "BucketOwnerEnforced" || (mayBeLogBucket && mode === "BucketOwnerPreferred");
          if (!ok) for (const urn of [oc.urn, b.urn]) report(`Bucket "${b.name}" has object ownership ${mode || "unset"} (via "${oc.name}"): ${cfLogs ? "a CloudFront log bucket needs BucketOwnerPreferred" : "use BucketOwnerEnforced (ACLs disabled)"}.`, urn);
        }
      }
    },
  }),
  stackRule({
    name: "s3-lifecycle",
    description: "Every bucket has a lifecycle configuration whose enabled rules abort incomplete multipart uploads (their parts are stored, billed and invisible); a bucket receiving load-balancer or CloudFront logs also expires its objects.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.loadBalancer, ...TYPES.bucket, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
    validate: (resources, _ctx, report) => {
      const cf = cloudFrontLogBuckets(resources);
      const lbLogs = ofType(resources, TYPES.loadBalancer).map((l) => at(l.props, "accessLogs.bucket"));
      const logRefs = [...cf.refs, ...lbLogs.map((x) => x.value)];
      const logTargetsUnknown = cf.unknown || lbLogs.some((x) => x.unknown);
      for (const b of ofType(resources, TYPES.bucket)) {
        const isLog = logRefs.some((ref) => refersTo(ref, b, ["bucket"]));
        const inline = list(ifKnown(() => b.props.lifecycleRules as Record<string, unknown>[]));
        const configs = configuring(b, resources, ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"]);
        if (configs.length === 0 && inline.length === 0) {
          report(`Bucket "${b.name}" has no lifecycle configuration: incomplete multipart uploads are kept forever${isLog ? ", and so are its logs" : ""}.`, b.urn);
          continue;
        }
        for (const c of configs) {
          if (unknownAt(() => c.props.rules)) continue;
          const rules = list(ifKnown(() => c.props.rules as Record<string, unknown>[])).filter((r) => String(r?.status ?? "Enabled") === "Enabled");
          if (!rules.some((r) => at(r, "abortIncompleteMultipartUpload.daysAfterInitiation").value !== undefined)) {
            for (const urn of [c.urn, b.urn]) report(`Lifecycle "${c.name}" of bucket "${b.name}" has no enabled rule aborting incomplete multipart uploads (abortIncompleteMultipartUpload.daysAfterInitiation).`, urn);
          }
          const judgeExpiry = isLog && !logTargetsUnknown && !unknownAt(() => c.props.bucket);
          if (judgeExpiry && !rules.some((r) => at(r, "expiration.days").value !== undefined)) {
            for (const urn of [c.urn, b.urn]) report(`Lifecycle "${c.name}" of log bucket "${b.name}" never expires its logs (no enabled rule with expiration.days).`, urn);
          }
        }
      }
    },
  }),
  stackRule({
    name: "s3-replication-stays-in-account",
    description:
      "Bucket replication (BucketReplicationConfig rules, or a bucket's inline replicationConfiguration) copies objects only to buckets of this stack's account or of trustedAccounts: a destination naming another account, or a bucket the stack does not declare without naming its account, would copy every object out. It does not judge the replication role's rights.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.bucket, "aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
    config: { trustedAccounts: { type: "array", items: { type: "string" }, default: [], description: "Other AWS accounts objects may be replicated to." } },
    validate: (resources, { config }, report) => {
      const trusted = new Set([...ownAccounts(resources), ...(config.trustedAccounts as string[])]);
      const buckets = ofType(resources, TYPES.bucket);
      type Rule = { id?: string; destination?: { bucket?: unknown; account?: unknown } };
      const configs = [
        ...ofType(resources, ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"]).map((r) => ({ r, rules: list(ifKnown(() => r.props.rules as Rule[])) })),
        ...buckets.map((b) => ({ r: b, rules: list(ifKnown(() => (b.props.replicationConfiguration as { rules?: Rule[] } | undefined)?.rules)) })),
      ];
      for (const { r, rules } of configs) {
        for (const rule of rules) {
          const dest = rule?.destination;
          if (!dest || typeof dest.bucket !== "string") continue;
          // A bucket ARN in any partition (`arn:<partition>:s3:::<bucket>`) or a bare name.
          const arn = parseArn(dest.bucket);
          const name = arn?.service === "s3" ? arn.resource : dest.bucket;
          const account = typeof dest.account === "string" ? dest.account : undefined;
          // A bucket whose name is not known yet (preview) may be the destination.
          const declared = buckets.some((b) => refersTo(dest.bucket, b, ["bucket", "arn"]) || ifKnown(() => b.props.bucket) === name || unknownAt(() => b.props.bucket));
          if (account !== undefined && !trusted.has(account)) report(`"${r.name}" replicates${rule.id ? ` (rule "${rule.id}")` : ""} to bucket ${name} of account ${account}, not this stack's: every object is copied out (list the account in trustedAccounts if intended).`, r.urn);
          else if (account === undefined && !declared) report(`"${r.name}" replicates${rule.id ? ` (rule "${rule.id}")` : ""} to bucket ${name}, which the stack does not declare and whose account it does not name: the objects may leave the account.`, r.urn);
        }
      }
    },
  }),
  stackRule({
    name: "ecr-replication-stays-in-account",
    description:
      "ECR replication (aws.ecr.ReplicationConfiguration) copies images only to registries of this stack's account or of the trustedAccounts of s3-replication-stays-in-account's kind (this rule's own trustedAccounts): a destination registryId of another account copies every image, and whatever it holds, out. It does not judge the repository filters or the destination regions.",
    enforcementLevel: "mandatory",
    judges: ["aws:ecr/replicationConfiguration:ReplicationConfiguration"],
    config: { trustedAccounts: { type: "array", items: { type: "string" }, default: [], description: "Other AWS accounts images may be replicated to." } },
    validate: (resources, { config }, report) => {
      const trusted = new Set([...ownAccounts(resources), ...(config.trustedAccounts as string[])]);
      type Rule = { destinations?: { region?: unknown; registryId?: unknown }[] };
      for (const r of ofType(resources, ["aws:ecr/replicationConfiguration:ReplicationConfiguration"])) {
        const rules = list(ifKnown(() => (r.props.replicationConfiguration as { rules?: Rule[] } | undefined)?.rules));
        for (const rule of rules) {
          for (const d of list(rule?.destinations)) {
            const account = typeof d?.registryId === "string" ? d.registryId : undefined;
            if (account !== undefined && !trusted.has(account)) report(`"${r.name}" replicates images to the registry of account ${account} (${String(d?.region ?? "?")}), not this stack's: every image is copied out (list the account in trustedAccounts if intended).`, r.urn);
          }
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "s3-cors-no-open-writes",
    description:
      "No bucket CORS rule (BucketCorsConfigurationV2, or a bucket's inline corsRules) lets any origin (*, http://*, https://*) send writes (PUT, POST, DELETE): any web page a signed-in user visits could then write to or delete from the bucket through the user's browser. Reads from any origin are not judged (public assets are read cross-origin).",
    enforcementLevel: "mandatory",
    types: ["aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2", "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", ...TYPES.bucket],
    validate: (p, { args }, report) => {
      type Cors = { allowedOrigins?: unknown[]; allowedMethods?: unknown[] };
      const rules = list(ifKnown(() => (p.corsRules ?? p.corsRule) as Cors[] | Cors | undefined) as Cors[] | Cors | undefined);
      for (const rule of rules) {
        const anyOrigin = list(rule?.allowedOrigins).some((o) => /^(https?:\/\/)?\*$/.test(String(o).trim()));
        const writes = list(rule?.allowedMethods).map((m) => String(m).toUpperCase()).filter((m) => m === "PUT" || m === "POST" || m === "DELETE" || m === "*");
        if (anyOrigin && writes.length > 0) report(`"${args.name}" lets any origin send ${writes.join(", ")} to the bucket (CORS): restrict allowedOrigins to the site's own origins, or allow only GET/HEAD.`);
      }
    },
  }),
];

/** The buckets CloudFront standard logging writes to (`loggingConfig.bucket` is the bucket's S3 domain name). */
function cloudFrontLogBuckets(resources: PolicyResource[]): { refs: string[]; unknown: boolean } {
  const found = ofType(resources, TYPES.distribution).map((d) => at(d.props, "loggingConfig.bucket"));
  const refs = found
    .map((x) => x.value)
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.replace(/\.s3(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/, ""));
  return { refs, unknown: found.some((x) => x.unknown) };
}
