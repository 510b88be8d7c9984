import type { PolicyResource } from "@pulumi/policy";
import { Policies } from "@pulumi/policy";
import { ifKnown, list, ofType, referenceTo, stackRule, TYPES } from "./common";
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
function referencesOf(resources: PolicyResource[]): Reference[] {
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
  // Encryption keys: a topic, log group, workspace or cluster that names a key encrypts with it, so it must be one whose policy the stack writes.
  for (const t of ofType(resources, ["aws:sns/topic:Topic"])) push(t, "encryption key", "kmsKey", () => props(t).kmsMasterKeyId);
  for (const l of ofType(resources, ["aws:cloudwatch/logGroup:LogGroup"])) push(l, "encryption key", "kmsKey", () => props(l).kmsKeyId);
  for (const c of ofType(resources, TYPES.eksCluster)) push(c, "Secrets encryption key", "kmsKey", () => ((props(c).encryptionConfig as Props | undefined)?.provider as Props | undefined)?.keyArn);
  return out;
}

export const referencePolicies: Policies = [
  stackRule({
    name: "logs-and-keys-are-the-stacks",
    description:
      "Every log destination (load balancer access and connection logs, CloudFront standard logs, WAF logging, VPC flow logs, CodeBuild logs, ElastiCache log delivery) and every KMS key a topic, log group or EKS cluster encrypts with is a resource this stack declares (or one the policy config's externalDestinations names): the stack's own buckets, log groups and keys carry its TLS-only, public-access, retention and key-policy guarantees, while a name outside it (another team's bucket, an AWS-managed alias such as alias/aws/sns, which CloudWatch cannot publish through) carries none of them.",
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
      const matchers = new Map<DestinationKind, { unknown: boolean; refers: ((ref: unknown) => boolean)[]; names: Set<string> }>();
      for (const [kind, { types, keys }] of Object.entries(TARGETS) as [DestinationKind, (typeof TARGETS)[DestinationKind]][]) {
        const targets = ofType(resources, types);
        const names = new Set<string>();
        let unknown = false;
        for (const t of targets) {
          for (const k of ["id", ...keys]) {
            const v = ifKnown(() => props(t)[k]);
            if (v === undefined && k === "id") unknown = true;
            if (typeof v === "string" && v !== "") names.add(v);
          }
        }
        matchers.set(kind, { unknown, refers: targets.map((t) => referenceTo(t, keys)), names });
      }
      for (const { subject, what, kind, ref } of referencesOf(resources)) {
        if (typeof ref !== "string") continue; // unknown in preview, or not a plain reference
        if (external.has(ref)) continue;
        const m = matchers.get(kind)!;
        const parsed = destinationName(ref);
        if (m.refers.some((refers) => refers(ref)) || (parsed !== undefined && m.names.has(parsed.name))) continue;
        if (m.unknown) continue; // a target's id is known only after deployment
        report(
          `${subject.type.split(":").pop()} "${subject.name}" sends its ${what} to ${ref}, which is no ${kind === "kmsKey" ? "KMS key" : kind === "logGroup" ? "log group" : kind === "firehose" ? "Firehose stream" : "S3 bucket"} of this stack: its TLS-only, public-access, retention and key-policy guarantees don't follow it (declare it here, or name it in externalDestinations).`,
          subject.urn,
        );
      }
    },
  }),
];
