import type { PolicyResource } from "@pulumi/policy";
import { Policies } from "@pulumi/policy";
import { ifKnown, knownEntries, list, ofType, referenceTo, stackRule, TYPES } from "./common";
import { destinationName, type DestinationKind } from "../semantics/destinations";

type Props = Record<string, unknown>;
const props = (r: PolicyResource) => r.props as Props;
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** The stack's resources a destination of each kind may be, and the inputs that name them physically. */
const TARGETS: Record<DestinationKind, { types: readonly string[]; keys: string[] }> = {
  bucket: { types: TYPES.bucket, keys: ["bucket", "name", "arn"] },
  logGroup: { types: ["aws:cloudwatch/logGroup:LogGroup"], keys: ["name", "arn"] },
  firehose: { types: ["aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"], keys: ["name", "arn"] },
  kmsKey: { types: [...TYPES.kmsKey, "aws:kms/alias:Alias"], keys: ["arn", "keyId", "name"] },
};

interface Reference {
  subject: PolicyResource;
  what: string;
  kind: DestinationKind;
  ref: unknown;
}

/** Every log destination and encryption key a resource of the stack names, with the kind of resource it must be. */
export function referencesOf(resources: PolicyResource[]): Reference[] {
  // The runner hands every stack rule one frozen list; two rules read its references.
  if (!Object.isFrozen(resources)) return readReferences(resources);
  let found = referencesByList.get(resources);
  if (!found) referencesByList.set(resources, (found = Object.freeze(readReferences(resources)) as Reference[]));
  return found;
}

const referencesByList = new WeakMap<readonly PolicyResource[], Reference[]>();

function readReferences(resources: PolicyResource[]): Reference[] {
  const out: Reference[] = [];
  const push = (subject: PolicyResource, what: string, kind: DestinationKind, read: () => unknown) => {
    const ref = ifKnown(read);
    if (ref !== undefined && ref !== null && ref !== "") out.push({ subject, what, kind, ref });
  };
  for (const lb of ofType(resources, TYPES.loadBalancer)) {
    const logs = ifKnown(() => props(lb).accessLogs as Props | undefined);
    if (logs?.enabled === true) push(lb, "access logs", "bucket", () => logs.bucket);
    const connections = ifKnown(() => props(lb).connectionLogs as Props | undefined);
    if (connections?.enabled === true) push(lb, "connection logs", "bucket", () => connections.bucket);
  }
  for (const d of ofType(resources, TYPES.distribution)) push(d, "access logs", "bucket", () => (props(d).loggingConfig as Props | undefined)?.bucket);
  for (const c of ofType(resources, ["aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"])) {
    for (const destination of list(ifKnown(() => props(c).logDestinationConfigs as unknown[]))) out.push({ subject: c, what: "WAF logs", kind: destinationName(destination)?.kind ?? "logGroup", ref: destination });
  }
  for (const f of ofType(resources, ["aws:ec2/flowLog:FlowLog"])) {
    const type = String(ifKnown(() => props(f).logDestinationType) ?? "cloud-watch-logs");
    const kind: DestinationKind = type === "s3" ? "bucket" : type === "kinesis-data-firehose" ? "firehose" : "logGroup";
    push(f, "flow logs", kind, () => props(f).logDestination ?? props(f).logGroupName);
  }
  for (const p of ofType(resources, ["aws:codebuild/project:Project"])) {
    const logs = ifKnown(() => props(p).logsConfig as { cloudwatchLogs?: Props; s3Logs?: Props } | undefined);
    if (String(logs?.cloudwatchLogs?.status ?? "ENABLED") !== "DISABLED" && str(logs?.cloudwatchLogs?.groupName)) push(p, "build logs", "logGroup", () => logs!.cloudwatchLogs!.groupName);
    if (String(logs?.s3Logs?.status ?? "DISABLED") === "ENABLED") push(p, "build logs", "bucket", () => String(logs!.s3Logs!.location ?? "").split("/")[0]);
  }
  for (const g of ofType(resources, TYPES.replicationGroup)) {
    for (const l of list(ifKnown(() => props(g).logDeliveryConfigurations as Props[]))) {
      const kind: DestinationKind = l?.destinationType === "kinesis-firehose" ? "firehose" : "logGroup";
      out.push({ subject: g, what: `${String(l?.logType ?? "")} log delivery`, kind, ref: l?.destination });
    }
  }
  for (const p of ofType(resources, ["aws:codebuild/project:Project"])) {
    // The build cache and stored artifacts are read back by later builds: a bucket outside the stack can feed them anything.
    const cache = ifKnown(() => props(p).cache as Props | undefined);
    if (String(cache?.type ?? "NO_CACHE") === "S3") push(p, "build cache", "bucket", () => String(cache!.location ?? "").split("/")[0]);
    for (const a of [ifKnown(() => props(p).artifacts as Props | undefined), ...list(ifKnown(() => props(p).secondaryArtifacts as Props[]))]) {
      if (String(a?.type ?? "") === "S3") push(p, "build artifacts", "bucket", () => String(a!.location ?? "").split("/")[0]);
    }
  }
  // Encryption keys: whatever resource names a key (a topic, log group, cache, repository, secret, workspace, cluster,
  // bucket encryption, ...) encrypts with it, so it must be one whose policy the stack writes. Read from every AWS
  // resource by the provider's key-reference input names, wherever they nest.
  for (const r of resources) {
    if (!r.type.startsWith("aws:") || r.type.startsWith("aws:kms/")) continue;
    for (const { path, value } of keyReferences(ifKnown(() => r.props))) out.push({ subject: r, what: `encryption key (${path})`, kind: "kmsKey", ref: value });
  }
  return out;
}

/** Input names under which the AWS provider takes the KMS key a resource encrypts with. */
const KEY_INPUTS = /^(kmsKeyId|kmsKeyArn|kmsMasterKeyId|kmsKey|keyArn|encryptionKey|kmsKeyIdentifier|keyManagementServiceArn)$/;

/** Every KMS key reference in a resource's inputs, with its path (`encryptionConfigurations[0].kmsKey`). */
export function keyReferences(input: unknown, path = ""): { path: string; value: unknown }[] {
  if (Array.isArray(input)) return input.flatMap((v, i) => keyReferences(v, `${path}[${i}]`));
  if (typeof input !== "object" || input === null) return [];
  return knownEntries(input).flatMap(([k, v]) => {
    const at = path ? `${path}.${k}` : k;
    if (KEY_INPUTS.test(k) && typeof v === "string" && v !== "") return [{ path: at, value: v }];
    return keyReferences(v, at);
  });
}

/** Settings AWS keeps once per target, the resource types that declare them (V1 and V2 alike), and the input naming the target. */
const SINGLETON_SETTINGS: { what: string; types: string[]; key: string }[] = [
  { what: "bucket policy", types: [...TYPES.bucketPolicy], key: "bucket" },
  { what: "public access block", types: [...TYPES.bucketPublicAccessBlock], key: "bucket" },
  { what: "default encryption", types: [...TYPES.bucketEncryption], key: "bucket" },
  { what: "versioning", types: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"], key: "bucket" },
  { what: "lifecycle configuration", types: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"], key: "bucket" },
  { what: "ownership controls", types: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"], key: "bucket" },
  { what: "ACL", types: [...TYPES.bucketAcl], key: "bucket" },
  { what: "CORS configuration", types: ["aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2"], key: "bucket" },
  { what: "access logging", types: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"], key: "bucket" },
  { what: "website configuration", types: ["aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2"], key: "bucket" },
  { what: "replication configuration", types: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"], key: "bucket" },
  { what: "topic policy", types: ["aws:sns/topicPolicy:TopicPolicy"], key: "arn" },
  { what: "repository policy", types: ["aws:ecr/repositoryPolicy:RepositoryPolicy"], key: "repository" },
  { what: "lifecycle policy", types: ["aws:ecr/lifecyclePolicy:LifecyclePolicy"], key: "repository" },
  { what: "key policy", types: ["aws:kms/keyPolicy:KeyPolicy"], key: "keyId" },
  { what: "secret policy", types: ["aws:secretsmanager/secretPolicy:SecretPolicy"], key: "secretArn" },
  { what: "logging configuration", types: ["aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"], key: "resourceArn" },
  { what: "route table association", types: ["aws:ec2/routeTableAssociation:RouteTableAssociation"], key: "subnetId" },
  { what: "main route table", types: ["aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"], key: "vpcId" },
  { what: "default security group", types: [...TYPES.defaultSecurityGroup], key: "vpcId" },
  { what: "monitoring subscription", types: ["aws:cloudfront/monitoringSubscription:MonitoringSubscription"], key: "distributionId" },
];

export const referencePolicies: Policies = [
  stackRule({
    name: "logs-and-keys-are-the-stacks",
    description:
      "Every log destination (load balancer access and connection logs, CloudFront standard logs, WAF logging, VPC flow logs, CodeBuild logs, ElastiCache log delivery) CodeBuild caches and artifacts in S3, and every KMS key any AWS resource encrypts with (kmsKeyId, kmsMasterKeyId, kmsKey, keyArn, encryptionKey... wherever they nest: topics, log groups, caches, repositories, secrets, workspaces, clusters, bucket encryption) is a resource this stack declares (or one the policy config's externalDestinations names): the stack's own buckets, log groups and keys carry its TLS-only, public-access, retention and key-policy guarantees, while a name outside it (another team's bucket, an AWS-managed alias such as alias/aws/sns, which CloudWatch cannot publish through) carries none of them.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.loadBalancer, ...TYPES.distribution, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "aws:ec2/flowLog:FlowLog", "aws:codebuild/project:Project", ...TYPES.replicationGroup, "aws:sns/topic:Topic", "aws:cloudwatch/logGroup:LogGroup", ...TYPES.eksCluster],
    config: {
      externalDestinations: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Log destinations or key ARNs outside the stack that are accepted (a central log archive bucket, an organisation key), as written in the resources' inputs.",
      },
    },
    validate: (resources, { config }, report) => {
      const external = new Set(list(config.externalDestinations as string[]));
      // Each target's names, with the account its ARN names (a name in another account is another resource).
      const matchers = new Map<DestinationKind, { unknown: boolean; refers: ((ref: unknown) => boolean)[]; names: Map<string, Set<string | undefined>> }>();
      for (const [kind, { types, keys }] of Object.entries(TARGETS) as [DestinationKind, (typeof TARGETS)[DestinationKind]][]) {
        const targets = ofType(resources, types);
        const names = new Map<string, Set<string | undefined>>();
        let unknown = false;
        for (const t of targets) {
          const arn = ifKnown(() => props(t).arn);
          const account = typeof arn === "string" && arn.startsWith("arn:") ? arn.split(":")[4] || undefined : undefined;
          for (const k of ["id", ...keys]) {
            const v = ifKnown(() => props(t)[k]);
            if (v === undefined && k === "id") unknown = true;
            if (typeof v === "string" && v !== "") names.set(v, new Set([...(names.get(v) ?? []), account]));
          }
        }
        matchers.set(kind, { unknown, refers: targets.map((t) => referenceTo(t, keys)), names });
      }
      for (const { subject, what, kind, ref } of referencesOf(resources)) {
        if (typeof ref !== "string") continue; // unknown in preview, or not a plain reference
        if (external.has(ref)) continue;
        const m = matchers.get(kind)!;
        const parsed = destinationName(ref);
        const accounts = parsed !== undefined ? m.names.get(parsed.name) : undefined;
        const sameAccount = accounts !== undefined && (parsed?.account === undefined || accounts.has(undefined) || accounts.has(parsed.account));
        if (m.refers.some((refers) => refers(ref)) || sameAccount) continue;
        if (m.unknown) continue; // a target's id is known only after deployment
        report(
          `${subject.type.split(":").pop()} "${subject.name}" sends its ${what} to ${ref}, which is no ${kind === "kmsKey" ? "KMS key" : kind === "logGroup" ? "log group" : kind === "firehose" ? "Firehose stream" : "S3 bucket"} of this stack: its TLS-only, public-access, retention and key-policy guarantees don't follow it (declare it here, or name it in externalDestinations).`,
          subject.urn,
        );
      }
    },
  }),
  stackRule({
    name: "one-setting-resource-per-target",
    description:
      "A setting AWS keeps once per resource (a bucket's policy, public access block, encryption, versioning, lifecycle, ownership controls, ACL, CORS, logging, website or replication; a topic's policy; a repository's policy or lifecycle policy; a key's policy; a secret's policy; a web ACL's logging; a subnet's route table; a VPC's main route table or default security group; a distribution's monitoring subscription) is declared by one resource of the stack: with two, each apply overwrites the other and the one applied last wins, so what the plan shows (a TLS-only deny, a private route) is not what AWS keeps. Every resource of such a pair is reported. It does not judge the settings themselves.",
    enforcementLevel: "mandatory",
    judges: SINGLETON_SETTINGS.flatMap((x) => x.types),
    validate: (resources, _ctx, report) => {
      const groups = new Map<string, PolicyResource[]>();
      for (const r of resources) {
        const setting = SINGLETON_SETTINGS.find((x) => x.types.includes(r.type));
        if (!setting) continue;
        const target = ifKnown(() => props(r)[setting.key]);
        if (typeof target !== "string" || target === "") continue; // unknown in preview: judged after deployment
        const key = `${setting.what}\u0000${target}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      for (const [key, members] of groups) {
        if (members.length < 2) continue;
        const [what, target] = key.split("\u0000");
        for (const m of members) report(`${members.map((x) => `"${x.name}"`).join(" and ")} each declare the ${what} of ${target}: AWS keeps one, the last applied, so the other's content (and what the plan shows) is lost; declare it once.`, m.urn);
      }
    },
  }),
];
