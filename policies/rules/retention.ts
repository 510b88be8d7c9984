/**
 * What prod keeps when someone deletes or replaces things: stateful and control-plane resources are protected
 * (Pulumi `protect`, plus the service's own deletion protection and final snapshots), and the static assets that
 * cached pages still name stay downloadable.
 */
import { Policies, PolicyResource } from "@pulumi/policy";
import { environmentConfig, ifKnown, isProd, isSet, list, num, ofType, refersTo, resourceRule, stackRule, TYPES, unknownAt } from "./common";
import { referencesOf } from "./references";

/** Resource types that hold data or run the control plane: deleting one loses state or takes the service down. */
export const STATEFUL_TYPES = [
  ...TYPES.bucket,
  ...TYPES.replicationGroup,
  "aws:elasticache/serverlessCache:ServerlessCache",
  ...TYPES.kmsKey,
  ...TYPES.eksCluster,
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:ecr/repository:Repository",
  ...TYPES.zone,
  "aws:rds/cluster:Cluster",
  "aws:rds/instance:Instance",
  "aws:dynamodb/table:Table",
  "aws:efs/fileSystem:FileSystem",
  ...TYPES.ebsVolume,
  "aws:secretsmanager/secret:Secret",
];

const truthy = (v: unknown) => v === true || v === "true";

export const retentionPolicies: Policies = [
  stackRule({
    name: "stateful-deletion-protection-prod",
    description:
      "In prod, every stateful or control-plane resource (S3 buckets, caches, KMS keys, EKS clusters, log groups, ECR repositories, hosted zones, databases, volumes, secrets) is `protect`ed, and its own guard is on: EKS deletionProtection, ElastiCache final snapshot and snapshot retention, no S3 forceDestroy, no ECR forceDelete, RDS deletionProtection, DynamoDB deletionProtectionEnabled; log groups keep their events at least minLogDays.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.eksCluster, ...TYPES.replicationGroup, ...TYPES.bucket, ...TYPES.zone, ...TYPES.kmsKey, ...TYPES.ebsVolume, "aws:ecr/repository:Repository", "aws:cloudwatch/logGroup:LogGroup", "aws:secretsmanager/secret:Secret"],
    config: { ...environmentConfig, minLogDays: { type: "integer", minimum: 1, default: 7, description: "Fewest days a prod log group keeps its events (0/unset: forever)." } },
    validate: (resources, { config }, report) => {
      for (const r of resources.filter((x) => STATEFUL_TYPES.includes(x.type))) {
        if (!isProd(config, r.urn)) continue;
        const known = ifKnown(() => ({ ...r.props })) as Record<string, unknown> | undefined;
        const problems: string[] = [];
        if (r.opts?.protect !== true) problems.push("is not protected (resource option protect)");
        // Inputs not known yet (preview): judge only the resource option now, the rest after deployment.
        const p = known ?? {};
        if (known === undefined) {
          if (problems.length > 0) report(`${r.type.split(":").pop()} "${r.name}" in a prod stack ${problems.join("; ")}.`, r.urn);
          continue;
        }
        if (TYPES.eksCluster.includes(r.type as never) && !truthy(p.deletionProtection)) problems.push("has deletionProtection off");
        if (TYPES.replicationGroup.includes(r.type as never)) {
          if (!isSet(p.finalSnapshotIdentifier)) problems.push("takes no final snapshot (finalSnapshotIdentifier)");
          if ((num(p.snapshotRetentionLimit) ?? 0) < 1) problems.push("keeps no snapshots (snapshotRetentionLimit 0)");
        }
        if (TYPES.bucket.includes(r.type as never) && truthy(p.forceDestroy)) problems.push("sets forceDestroy (deleting it deletes every object)");
        if (r.type === "aws:ecr/repository:Repository" && truthy(p.forceDelete)) problems.push("sets forceDelete (deleting it deletes every image)");
        if (TYPES.zone.includes(r.type as never) && truthy(p.forceDestroy)) problems.push("sets forceDestroy (deleting it deletes every record)");
        if (/^aws:rds\//.test(r.type) && (!truthy(p.deletionProtection) || truthy(p.skipFinalSnapshot))) problems.push("has deletionProtection off or skips its final snapshot");
        if (r.type === "aws:dynamodb/table:Table" && !truthy(p.deletionProtectionEnabled)) problems.push("has deletionProtectionEnabled off");
        const days = num(p.retentionInDays);
        if (r.type === "aws:cloudwatch/logGroup:LogGroup" && days !== undefined && days > 0 && days < Number(config.minLogDays)) problems.push(`keeps logs for ${days} day(s) (at least ${config.minLogDays})`);
        if (problems.length > 0) report(`${r.type.split(":").pop()} "${r.name}" in a prod stack ${problems.join("; ")}.`, r.urn);
      }
    },
  }),
  stackRule({
    name: "static-assets-retained-prod",
    description:
      "In prod, a bucket that serves a CloudFront S3 origin keeps what cached pages still name: versioning Enabled, no lifecycle rule expiring current objects, old versions kept at least minNoncurrentDays, no forceDestroy; its objects are immutable (Cache-Control immutable or a long max-age) and carry no public ACL.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.bucket, ...TYPES.distribution, "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject"],
    config: { ...environmentConfig, minNoncurrentDays: { type: "integer", minimum: 1, default: 7, description: "Fewest days a replaced or deleted asset stays downloadable." } },
    validate: (resources, { config }, report) => {
      const buckets = ofType(resources, TYPES.bucket);
      const originBuckets = new Set<PolicyResource>();
      for (const d of ofType(resources, TYPES.distribution)) {
        for (const o of list(ifKnown(() => d.props.origins as { domainName?: string; s3OriginConfig?: unknown; originAccessControlId?: string }[]))) {
          const domain = String(o?.domainName ?? "");
          const b = buckets.find((x) => {
            const name = ifKnown(() => x.props.bucket ?? x.props.id);
            return (typeof name === "string" && name !== "" && domain.startsWith(`${name}.s3`)) || domain.startsWith(`${x.name}.s3`) || domain.startsWith(`${x.name}-`);
          });
          if (b && (/\.s3[.-]/.test(domain) || o?.s3OriginConfig !== undefined)) originBuckets.add(b);
        }
      }
      const configuring = (b: PolicyResource, type: string) => ofType(resources, [type]).filter((r) => refersTo(ifKnown(() => r.props.bucket), b, ["bucket"]));
      const BUCKET_CONFIG = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"];
      // A bucket setting whose bucket (or content) is unknown during preview may be this bucket's: judge after deployment.
      const undecided = ofType(resources, BUCKET_CONFIG).some((r) => unknownAt(() => JSON.stringify(r.props)));
      for (const b of originBuckets) {
        if (!isProd(config, b.urn) || undecided || unknownAt(() => JSON.stringify(b.props))) continue;
        const problems: string[] = [];
        const inline = ifKnown(() => (b.props.versioning as { enabled?: unknown } | undefined)?.enabled);
        const versioning = [...configuring(b, "aws:s3/bucketVersioning:BucketVersioning"), ...configuring(b, "aws:s3/bucketVersioningV2:BucketVersioningV2")].map((v) => ifKnown(() => (v.props.versioningConfiguration as { status?: string } | undefined)?.status));
        const culprits = new Set<PolicyResource>();
        if (!truthy(inline) && !versioning.includes("Enabled")) {
          problems.push(`versioning is ${versioning[0] ?? "not enabled"} (a re-upload or delete loses the asset a cached page names)`);
          for (const v of [...configuring(b, "aws:s3/bucketVersioning:BucketVersioning"), ...configuring(b, "aws:s3/bucketVersioningV2:BucketVersioningV2")]) culprits.add(v);
        }
        for (const lc of [...configuring(b, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"), ...configuring(b, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")]) {
          for (const rule of list(ifKnown(() => lc.props.rules as Record<string, unknown>[]))) {
            if (rule?.status !== "Enabled") continue;
            const exp = rule.expiration as { days?: unknown; date?: unknown } | undefined;
            if (exp && (exp.days !== undefined || exp.date !== undefined)) {
              problems.push(`lifecycle rule "${rule.id}" of "${lc.name}" expires current objects`);
              culprits.add(lc);
            }
            const nonCurrent = num((rule.noncurrentVersionExpiration as { noncurrentDays?: unknown } | undefined)?.noncurrentDays);
            if (nonCurrent !== undefined && nonCurrent < Number(config.minNoncurrentDays)) {
              problems.push(`lifecycle rule "${rule.id}" of "${lc.name}" deletes old versions after ${nonCurrent} day(s) (at least ${config.minNoncurrentDays})`);
              culprits.add(lc);
            }
          }
        }
        if (truthy(ifKnown(() => b.props.forceDestroy))) problems.push("forceDestroy is set");
        if (problems.length > 0) {
          // The bucket and the setting resources that cause the problem are both named.
          for (const r of [b, ...culprits]) report(`Static bucket "${b.name}" (a CloudFront origin): ${problems.join("; ")}.`, r.urn);
        }
        for (const obj of [...configuring(b, "aws:s3/bucketObjectv2:BucketObjectv2"), ...configuring(b, "aws:s3/bucketObject:BucketObject")]) {
          if (unknownAt(() => obj.props.cacheControl)) continue;
          const cc = String(ifKnown(() => obj.props.cacheControl) ?? "");
          const maxAge = num(/max-age=(\d+)/.exec(cc)?.[1]);
          if (!/immutable/.test(cc) && (maxAge === undefined || maxAge < 86400)) report(`Static object "${obj.name}" is served with Cache-Control "${cc || "unset"}": a versioned asset must be immutable (its name changes with its content).`, obj.urn);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "ecr-lifecycle-keeps-rollback-prod",
    description:
      "In prod, an ECR lifecycle policy never expires the images a rollback (or a pod rescheduled onto a new node) pulls: a rule selecting tagged or any images keeps at least minImages of them by count (imageCountMoreThan), and none expires them by age (sinceImagePushed: an image running for months goes). Untagged images are not judged (nothing pulls them by tag).",
    enforcementLevel: "mandatory",
    types: ["aws:ecr/lifecyclePolicy:LifecyclePolicy"],
    config: { ...environmentConfig, minImages: { type: "integer", minimum: 1, default: 10, description: "Fewest tagged images a prod lifecycle rule keeps." } },
    validate: (p, { args, config }, report) => {
      if (!isProd(config, args) || unknownAt(() => p.policy)) return;
      let doc: { rules?: { rulePriority?: unknown; selection?: { tagStatus?: unknown; countType?: unknown; countNumber?: unknown }; action?: { type?: unknown } }[] } | undefined;
      try {
        doc = typeof p.policy === "string" ? JSON.parse(p.policy) : (p.policy as typeof doc);
      } catch {
        return report(`Lifecycle policy "${args.name}" is not valid JSON.`);
      }
      for (const rule of list(doc?.rules)) {
        const sel = rule?.selection ?? {};
        if (String(sel.tagStatus ?? "").toLowerCase() === "untagged" || String(rule?.action?.type ?? "expire") !== "expire") continue;
        const count = num(sel.countNumber);
        if (sel.countType === "sinceImagePushed") report(`Lifecycle policy "${args.name}" rule ${String(rule?.rulePriority)} expires ${String(sel.tagStatus)} images ${String(count)} day(s) after they were pushed: the image prod runs goes once it is that old, and a rescheduled pod can no longer pull it; expire by count.`);
        else if (count !== undefined && count < Number(config.minImages)) report(`Lifecycle policy "${args.name}" rule ${String(rule?.rulePriority)} keeps only ${count} ${String(sel.tagStatus)} image(s) (at least ${config.minImages} in prod): the previous release a rollback needs is deleted.`);
      }
    },
  }),
  stackRule({
    name: "audit-logs-retained-prod",
    description:
      "In prod, the logs an investigation reads (load-balancer and CloudFront access logs, WAF logs, VPC flow logs, CodeBuild logs, the EKS control-plane log group) stay at least minAuditDays: a log group's retentionInDays (0 or unset keeps them forever) and every enabled expiration of a log bucket's lifecycle (BucketLifecycleConfiguration V1/V2 or the bucket's inline lifecycleRules). Other log groups are judged by stateful-deletion-protection-prod's minLogDays.",
    enforcementLevel: "mandatory",
    judges: ["aws:cloudwatch/logGroup:LogGroup", ...TYPES.bucket],
    config: { ...environmentConfig, minAuditDays: { type: "integer", minimum: 1, default: 90, description: "Fewest days prod keeps access, WAF, flow, build and control-plane logs." } },
    validate: (resources, { config }, report) => {
      const min = Number(config.minAuditDays);
      const logGroups = ofType(resources, ["aws:cloudwatch/logGroup:LogGroup"]);
      const buckets = ofType(resources, TYPES.bucket);
      const audit = new Map<PolicyResource, string>();
      for (const ref of referencesOf(resources)) {
        if (ref.kind !== "logGroup" && ref.kind !== "bucket") continue;
        if (!/logs/.test(ref.what) || typeof ref.ref !== "string") continue;
        const targets = ref.kind === "logGroup" ? logGroups : buckets;
        const t = targets.find((x) => refersTo(ref.ref, x, ref.kind === "logGroup" ? ["name", "arn"] : ["bucket", "arn"]) || String(ref.ref).endsWith(`:log-group:${String(ifKnown(() => x.props.name) ?? "\u0000")}`) || String(ref.ref).split(".s3")[0] === String(ifKnown(() => x.props.bucket ?? x.props.id) ?? "\u0000"));
        if (t) audit.set(t, `${ref.subject.name}'s ${ref.what}`);
      }
      for (const g of logGroups) if (/^\/aws\/eks\/[^/]+\/cluster$/.test(String(ifKnown(() => g.props.name) ?? ""))) audit.set(g, "the EKS control-plane logs");
      for (const [t, what] of audit) {
        if (!isProd(config, t.urn)) continue;
        if (t.type === "aws:cloudwatch/logGroup:LogGroup") {
          const days = num(ifKnown(() => t.props.retentionInDays));
          if (days !== undefined && days > 0 && days < min) report(`Log group "${t.name}" (${what}) keeps ${days} day(s) in a prod stack; keep at least ${min}.`, t.urn);
          continue;
        }
        const lifecycles = ofType(resources, ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"]).filter((c) => refersTo(ifKnown(() => c.props.bucket), t, ["bucket"]));
        const rules = [...lifecycles.flatMap((c) => list(ifKnown(() => c.props.rules as Record<string, unknown>[])).map((r) => ({ r, c }))), ...list(ifKnown(() => t.props.lifecycleRules as Record<string, unknown>[])).map((r) => ({ r, c: t }))];
        for (const { r, c } of rules) {
          if (String(r?.status ?? (r?.enabled === false ? "Disabled" : "Enabled")) !== "Enabled") continue;
          const days = num((r.expiration as { days?: unknown } | undefined)?.days) ?? num((list(r.expirations as unknown[])[0] as { days?: unknown } | undefined)?.days);
          if (days !== undefined && days < min) for (const urn of new Set([c.urn, t.urn])) report(`Log bucket "${t.name}" (${what}) expires its logs after ${days} day(s) (lifecycle "${c.name}") in a prod stack; keep at least ${min}.`, urn);
        }
      }
    },
  }),
];
