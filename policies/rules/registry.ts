/**
 * The registry of the resource types the pack judges, and of the few that grant nothing by themselves.
 *
 * Judged types are not listed here: every rule declares them where it is written. `resourceRule`/`settingsRule`
 * register their `types` (the list they select resources by), `stackRule` its `judges` (the types whose resources it
 * decides on), both through `declareJudged` below; `judgedTypes(policies)` reads the registry of exactly the policies
 * the pack runs. A rule written on another branch registers its types by being written with those builders, so a new
 * type needs no edit here. resource-types-judged (./types.ts) reports every resource of a type that is neither.
 */
import type { Policies } from "@pulumi/policy";

/** A Pulumi type token: `<package>:<module>:<Type>` (`aws:iam/role:Role`, `kubernetes:apps/v1:Deployment`, `pulumi:providers:aws`). */
export const TYPE_TOKEN = /^[a-z][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9._/-]*:[A-Za-z][A-Za-z0-9_-]*$/;

const judgedByPolicy = new WeakMap<object, readonly string[]>();

/** Records the types a policy judges (called by the rule builders in ./common.ts); refuses a malformed token. */
export function declareJudged<P extends { name: string }>(types: readonly string[], policy: P): P {
  const bad = types.filter((t) => !TYPE_TOKEN.test(t));
  if (bad.length > 0) throw new Error(`policy "${policy.name}" judges ${bad.map((t) => JSON.stringify(t)).join(", ")}, which is not a Pulumi type token (<package>:<module>:<Type>)`);
  judgedByPolicy.set(policy, [...new Set(types)]);
  return policy;
}

/** The types a policy declared it judges; undefined for a policy not built by ./common.ts's builders. */
export function judgedTypesOf(policy: Policies[number]): readonly string[] | undefined {
  return judgedByPolicy.get(policy);
}

/** Every judged type of these policies, with the names of the policies that judge it. */
export function judgedTypes(policies: Policies): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of policies) {
    for (const t of judgedTypesOf(p) ?? []) out.set(t, [...(out.get(t) ?? []), p.name]);
  }
  return out;
}

/**
 * Packages whose every type is a ComponentResource: a component creates nothing by itself, its children are resources
 * of the plan judged one by one. Only the project's own (`edgestack:<area>:<Name>`, DEVELOPERS.md): a custom resource of
 * a package needs that package's provider plugin, and there is no `edgestack` plugin.
 */
export const COMPONENT_PACKAGES: Readonly<Record<string, string>> = {
  edgestack: "the project's own ComponentResources: they create nothing themselves; their children are judged one by one",
};

/**
 * Types that grant nothing by themselves, each with the reason. A type belongs here only if no setting of it can grant
 * access, expose data, open a network path, weaken encryption or logging, or run code; when it refers to something that
 * can (an alarm's action, a rule's target), that something must be a judged type. Reviewed list: keep it short.
 */
export const INERT_TYPES: Readonly<Record<string, string>> = {
  "pulumi:pulumi:Stack": "the stack's root component: creates nothing itself",
  "pulumi:pulumi:StackReference": "reads another stack's outputs; creates nothing and grants nothing (what the program does with the values is judged where they land)",
  "pulumi:providers:pulumi": "the engine's built-in provider behind StackReference; it has no settings",
  "pulumi:providers:random": "the random provider has no endpoint, credential or TLS setting: it only generates values locally",
  "pulumi:providers:tls": "the tls provider generates keys and certificates locally; its only settings are a proxy for data sources the pack does not plan",
  "aws:cloudwatch/dashboard:Dashboard": "widgets that display metrics and logs to principals who may already read them; grants, exposes and runs nothing",
  "aws:acm/certificateValidation:CertificateValidation": "waits for a certificate's validation to complete; creates nothing (the validation records are Route53 records, judged)",
  "aws:amp/ruleGroupNamespace:RuleGroupNamespace": "Prometheus recording and alerting rules evaluated inside the workspace over metrics it already holds; alerts leave only through the alert manager definition, which is judged",
  "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "opens no path by itself: it admits no inbound connection, and only routes through it (judged by subnets-private-by-routes) send a subnet's IPv6 traffic out",
  "aws:kms/alias:Alias": "a name for a key of its own account and region; grants nothing (the key's policy does, judged by the IAM rules), and what encrypts through it is judged by logs-and-keys-are-the-stacks",
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": "turns matching lines of a log group into a metric of the same account; reads nothing a principal could not already, sends nothing out",
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": "combines the states of alarms; its actions are ARNs (topics, Auto Scaling policies) that admit it by their own policies, judged where declared",
  "aws:resourcegroups/group:Group": "a saved tag or stack query for the console; grants, exposes and runs nothing",
  "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration": "turns on S3 Transfer Acceleration (edge-routed transfers) for callers the bucket's policy already admits; grants and exposes nothing",
  "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy": "audits and masks sensitive data in a log group's events; it can only hide what principals read there, never grant or send anything",
  "random:index/randomPet:RandomPet": "a readable random name; never a secret (RandomPassword is the secret generator, judged for strength)",
};

/**
 * Types some rule reads, but only as context or for one narrow aspect, so no rule judges them: resource-types-judged
 * still reports them (they are not inert). Listed so a reader of the rules sees the gap, and so the registry test can
 * tell a rule that reads an unregistered type from a known one. When a rule comes to judge one, drop it from here.
 */
export const READ_NOT_JUDGED: Readonly<Record<string, string>> = {
  "aws:cloudfront/originAccessIdentity:OriginAccessIdentity": "iam-no-public-principal reads the stack's origin access identities to tell them from undeclared ones a bucket policy names; the identity grants nothing until a bucket policy names it (judged there), and which distribution uses it is unjudged",
  "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation": "k8s-netpol-ingress-within-vpc reads the VPC's associated blocks as the VPC's address space; the association itself is unjudged",
  "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation": "k8s-netpol-ingress-within-vpc reads the VPC's associated blocks as the VPC's address space; the association itself is unjudged",
  "aws:apigateway/restApi:RestApi": "edge-only-public-entry reads a REST API's endpoint type (PRIVATE or not) to judge its methods; the API's policy, endpoint and logging are unjudged",
  "aws:rds/instance:Instance": "stateful-deletion-protection-prod reads its deletion protection (prod only); public access, encryption, authentication and backups are unjudged",
  "aws:rds/cluster:Cluster": "stateful-deletion-protection-prod reads its deletion protection (prod only); public access, encryption, authentication and backups are unjudged",
  "aws:dynamodb/table:Table": "stateful-deletion-protection-prod reads its deletion protection (prod only); encryption, recovery and its resource policy are unjudged",
  "aws:efs/fileSystem:FileSystem": "stateful-deletion-protection-prod reads it (prod only); encryption and mount targets are unjudged",
  "aws:elasticache/serverlessCache:ServerlessCache": "stateful-deletion-protection-prod reads it (prod only); transit encryption, users and network placement are unjudged",
  "aws:ecs/service:Service": "sg-broad-egress-compute-only reads it as a compute resource a security group may belong to; its tasks and network are unjudged",
  "aws:batch/computeEnvironment:ComputeEnvironment": "sg-broad-egress-compute-only reads it as a compute resource a security group may belong to; nothing else of it is judged",
  "aws:eks/fargateProfile:FargateProfile": "service-role-trusts-its-service-only and k8s-no-cluster-admin read its pod execution role; its selectors and subnets are unjudged",
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": "logs-and-keys-are-the-stacks accepts it as a log destination of the stack; where it delivers and how it encrypts are unjudged",
};

/**
 * Why a type needs no rule, or undefined if it does: an inert type (built in, or listed in the stack's policy config),
 * or a type of a component package.
 */
export function inertReason(type: string, stackInert: Readonly<Record<string, string>> = {}): string | undefined {
  return INERT_TYPES[type] ?? stackInert[type] ?? COMPONENT_PACKAGES[type.split(":")[0]];
}
