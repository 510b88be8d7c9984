import {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  UnknownValueError,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { Unwrap } from "@pulumi/pulumi";
import { decideEnvironment } from "@edgestack/contract";
import { declareJudged } from "./registry";

/**
 * Pulumi type tokens the rules match on. Rules match tokens rather than `isType(aws.lb.LoadBalancer)` so one rule
 * covers aliased modules (`aws.alb.*` vs `aws.lb.*`, `s3.Bucket` vs `s3.BucketV2`) and the pack does not load the
 * whole AWS SDK at run time; the props are still typed from the real `*Args` interfaces.
 */
export const TYPES = {
  loadBalancer: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
  listener: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
  targetGroup: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
  securityGroup: ["aws:ec2/securityGroup:SecurityGroup"],
  vpcIngressRule: ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
  ec2SecurityGroupRule: ["aws:ec2/securityGroupRule:SecurityGroupRule"],
  distribution: ["aws:cloudfront/distribution:Distribution"],
  cachePolicy: ["aws:cloudfront/cachePolicy:CachePolicy"],
  logDeliverySource: ["aws:cloudwatch/logDeliverySource:LogDeliverySource"],
  bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  bucketPublicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  accountPublicAccessBlock: ["aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"],
  bucketEncryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  bucketAcl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
  replicationGroup: ["aws:elasticache/replicationGroup:ReplicationGroup"],
  cacheSubnetGroup: ["aws:elasticache/subnetGroup:SubnetGroup"],
  subnet: ["aws:ec2/subnet:Subnet"],
  record: ["aws:route53/record:Record"],
  zone: ["aws:route53/zone:Zone"],
  listenerRule: ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"],
  vpcEgressRule: ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"],
  vpc: ["aws:ec2/vpc:Vpc"],
  defaultSecurityGroup: ["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"],
  webAcl: ["aws:wafv2/webAcl:WebAcl"],
  bucketPolicy: ["aws:s3/bucketPolicy:BucketPolicy"],
  eksCluster: ["aws:eks/cluster:Cluster"],
  launchTemplate: ["aws:ec2/launchTemplate:LaunchTemplate"],
  instance: ["aws:ec2/instance:Instance"],
  ebsVolume: ["aws:ebs/volume:Volume"],
  kmsKey: ["aws:kms/key:Key"],
  iamRole: ["aws:iam/role:Role"],
  /** Resources whose `policy` input is an IAM policy document. */
  iamPolicyDocument: ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"],
  /** Resources whose `policyArn` attaches a managed policy. */
  iamAttachment: [
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  ],
  /** Every Kubernetes kind that creates pods, with where its pod spec sits. */
  pod: ["kubernetes:core/v1:Pod"],
  podTemplate: [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:core/v1:ReplicationController",
    "kubernetes:core/v1:PodTemplate",
  ],
  cronJob: ["kubernetes:batch/v1:CronJob", "kubernetes:batch/v1beta1:CronJob"],
  namespace: ["kubernetes:core/v1:Namespace"],
  networkPolicy: ["kubernetes:networking.k8s.io/v1:NetworkPolicy"],
  roleBinding: ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"],
  role: ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kubernetes:rbac.authorization.k8s.io/v1:Role"],
  deployment: ["kubernetes:apps/v1:Deployment"],
  workload: ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"],
  service: ["kubernetes:core/v1:Service"],
  configMap: ["kubernetes:core/v1:ConfigMap"],
  podDisruptionBudget: ["kubernetes:policy/v1:PodDisruptionBudget"],
  horizontalPodAutoscaler: [
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
  ],
} as const;

/** Plan JSON prints secrets as this string: the value is set, its content unknown. */
export const SECRET_PLACEHOLDER = "[secret]";

/** Resource inputs as the engine hands them to policies: plain values, any of which may be missing during preview. */
export type DeepPartial<T> = T extends (infer E)[]
  ? DeepPartial<E>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
export type Props<TArgs> = DeepPartial<Unwrap<NonNullable<TArgs>>>;

export type ConfigSchemaProperties = Record<string, PolicyConfigJSONSchema>;

// ── Stack environment ──────────────────────────────────────────────────────────────────────────

/**
 * Prod-only rules ask "is this prod?" of the one shared rule (packages/contract/src/environment.ts): prod when the stack's
 * config says so or its name says so. The name comes from the resource URN (`urn:pulumi:<stack>::...`), the one place
 * both the real engine and the offline runner carry it. The config's environment reaches the pack as the
 * `environment` tag the program puts in its AWS providers' defaultTags (under the CLI, every AWS resource's provider
 * carries it), or as this setting (the offline runner pins it from the plan; a team may pin it per stack in
 * policies/policy-config.<stack>.json). A name and config that disagree count as prod here, and the mandatory
 * stack-environment policy refuses the stack.
 */
export const environmentConfig: ConfigSchemaProperties = {
  environment: {
    type: "string",
    enum: ["auto", "prod", "nonprod"],
    default: "auto",
    description: "The environment the stack's config sets (prod/nonprod); auto reads it from the AWS provider's defaultTags. The stack name is always consulted too.",
  },
};

export function stackOfUrn(urn: string | undefined): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn ?? "");
  return m?.[1];
}

/** The `environment` tag of an AWS provider's defaultTags (a JSON string in provider inputs, or an object). */
export function providerEnvironmentTag(props: unknown): string | undefined {
  let tags: unknown = (props as { defaultTags?: unknown } | undefined)?.defaultTags;
  if (typeof tags === "string") {
    try {
      tags = JSON.parse(tags);
    } catch {
      return undefined;
    }
  }
  const env = (tags as { tags?: Record<string, unknown> } | undefined)?.tags?.environment;
  return typeof env === "string" ? env : undefined;
}

/** What a resource (or stack) declares as its environment: the policy setting, else its AWS provider's tag. */
export function configuredEnvironment(config: Record<string, unknown>, provider?: { type?: string; props?: unknown }): string | undefined {
  if (config.environment === "prod") return "prod";
  if (config.environment === "nonprod") return "dev";
  return provider?.type === "pulumi:providers:aws" ? providerEnvironmentTag(provider.props) : undefined;
}

/** The subject of a prod-only check: a resource's URN, or the resource itself (then its provider's tag counts too). */
type EnvironmentSubject = string | undefined | { urn: string; provider?: { type?: string; props?: unknown } };

/** The stack's AWS provider (the program's `aws` provider carries the environment tag), for rules over non-AWS resources. */
export function stackAwsProvider(resources: readonly PolicyResource[]): PolicyResource | undefined {
  return resources.find((r) => r.type === "pulumi:providers:aws" && providerEnvironmentTag(r.props) !== undefined);
}

export function isProd(config: Record<string, unknown>, subject: EnvironmentSubject): boolean {
  const urn = typeof subject === "object" ? subject.urn : subject;
  const provider = typeof subject === "object" ? subject.provider : undefined;
  const configured = configuredEnvironment(config, provider);
  const stack = stackOfUrn(urn);
  if (stack === undefined) return configured === "prod";
  return decideEnvironment(stack, configured).isProd;
}

// ── Policy builders ────────────────────────────────────────────────────────────────────────────

export interface RuleBase {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  config?: ConfigSchemaProperties;
  remediationSteps?: string;
}

function schemaOf(config: ConfigSchemaProperties | undefined): PolicyConfigSchema | undefined {
  return config ? { properties: config } : undefined;
}

/** Policy config with the schema's defaults filled in (the CLI fills them too; doing it here keeps rules independent of that). */
export function configWithDefaults(config: ConfigSchemaProperties | undefined, given: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(config ?? {})) {
    if (schema.default !== undefined) out[key] = schema.default;
  }
  return { ...out, ...(given as Record<string, unknown>) };
}

export interface ResourceRule<P> extends RuleBase {
  types: readonly string[];
  validate: (props: P, ctx: { args: ResourceValidationArgs; config: Record<string, unknown> }, report: ReportViolation) => void;
}

export function resourceRule<P>(rule: ResourceRule<P>): ResourceValidationPolicy {
  return declareJudged(rule.types, {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    configSchema: schemaOf(rule.config),
    remediationSteps: rule.remediationSteps,
    validateResource: (args, report) => {
      if (!rule.types.includes(args.type)) return;
      const config = configWithDefaults(rule.config, args.getConfig());
      rule.validate((args.props ?? {}) as P, { args, config }, report);
    },
  });
}

export interface StackRule extends RuleBase {
  /**
   * The resource types whose resources this rule judges (policies/rules/registry.ts): a type no rule judges and no
   * inert-list entry names is reported by resource-types-judged. `[]` for a rule that judges the stack as a whole.
   */
  judges: readonly string[];
  validate: (resources: PolicyResource[], ctx: { args: StackValidationArgs; config: Record<string, unknown> }, report: ReportViolation) => void;
}

export function stackRule(rule: StackRule): StackValidationPolicy {
  return declareJudged(rule.judges, {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    configSchema: schemaOf(rule.config),
    remediationSteps: rule.remediationSteps,
    validateStack: (args, report) => {
      const config = configWithDefaults(rule.config, args.getConfig());
      rule.validate(args.resources, { args, config }, report);
    },
  });
}

// ── Value helpers (inputs may be missing, unknown or the "[secret]" placeholder) ───────────────

/**
 * Runs `read` and returns undefined if it touched a value the engine does not know yet (preview): used where a stack
 * rule should skip one link or resource instead of giving up the whole rule.
 */
export function ifKnown<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError || (e as Error)?.constructor?.name === "UnknownValueError") return undefined;
    throw e;
  }
}

/** True when `read` touches a value the engine does not know yet (so a rule must not treat it as missing). */
export function unknownAt(read: () => unknown): boolean {
  try {
    read();
    return false;
  } catch (e) {
    if (e instanceof UnknownValueError || (e as Error)?.constructor?.name === "UnknownValueError") return true;
    throw e;
  }
}

/**
 * The elements of an input list. A plan file masks secret values as "[secret]", sometimes a whole structure (e.g.
 * CloudFront origins carrying a secret header): such entries are present but unreadable, so they are left out rather
 * than judged.
 */
export function list<T>(v: T[] | T | undefined | null): T[] {
  if (v === undefined || v === null || (v as unknown) === SECRET_PLACEHOLDER) return [];
  return (Array.isArray(v) ? v : [v]).filter((x) => (x as unknown) !== SECRET_PLACEHOLDER);
}

/** True for a value the plan masked as "[secret]": a rule that needs it reports it can't verify, never skips. */
export function masked(v: unknown): boolean {
  return v === SECRET_PLACEHOLDER;
}

/** The message for a value a rule needs but the plan masked. */
export const maskedMessage = (what: string) => `${what} is masked as [secret] in the plan, so the rule can't verify it; keep secrets out of it (or run --stack)`;

/** An input that should be an object, or undefined when missing or masked. */
export function obj<T>(v: T | undefined | null): T | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== "";
}

export function ofType(resources: PolicyResource[], types: readonly string[]): PolicyResource[] {
  // Only a frozen list (what the runner hands stack policies) is indexed: another may still change.
  if (!Object.isFrozen(resources)) return resources.filter((r) => types.includes(r.type));
  let index = typeIndexes.get(resources);
  if (!index) {
    index = new Map();
    resources.forEach((r, i) => {
      const at = index!.get(r.type);
      if (at) at.push(i);
      else index!.set(r.type, [i]);
    });
    typeIndexes.set(resources, index);
  }
  const positions = types.length === 1 ? (index.get(types[0]) ?? []) : [...new Set(types)].flatMap((t) => index!.get(t) ?? []).sort((a, b) => a - b);
  return positions.map((i) => resources[i]);
}

/** Positions of each type in a resource list (some 200 rules select by type from the same list, run after run). */
const typeIndexes = new WeakMap<readonly PolicyResource[], Map<string, number[]>>();

/** Logical name of a resource's parent (the engine links parents; plan input gives the parent's name). */
export function parentName(r: PolicyResource): string | undefined {
  return r.parent?.name;
}

/**
 * Does the reference `ref` (an id/arn/name input such as `bucket: bucket.id`) point at `target`? Matches the
 * target's known id, arn, physical name or URN, and the ids a mock engine derives from the logical name
 * (`<name>`, `<name>-id`, `<name>_id`, `...:<name>`, `.../<name>`). Unknown references match nothing.
 */
export function refersTo(ref: unknown, target: PolicyResource, physicalNameKeys: string[] = ["name"]): boolean {
  return referenceTo(target, physicalNameKeys)(ref);
}

/** `refersTo` for one target, its candidate names computed once (a rule asks it of every string in the plan). */
export function referenceTo(target: PolicyResource, physicalNameKeys: string[] = ["name"]): (ref: unknown) => boolean {
  const candidates = new Set<string>([target.urn, target.name, `${target.name}-id`, `${target.name}_id`, `${target.name}-arn`, `${target.name}_arn`]);
  for (const key of ["id", "arn", ...physicalNameKeys]) {
    const v = ifKnown(() => (target.props as Record<string, unknown>)[key]);
    if (typeof v === "string" && v !== "") candidates.add(v);
  }
  // An ARN ending in the target's id (`arn:aws:kms:<region>:<account>:key/<id>`) whatever region the reader assumed.
  const id = ifKnown(() => (target.props as Record<string, unknown>).id);
  const idSuffix = typeof id === "string" && id.length >= 8 ? `/${id}` : undefined;
  const nameSuffixes = [`:${target.name}`, `/${target.name}`];
  // An ARN names its account: one of another account is another resource, whatever id or name it ends in.
  const arn = ifKnown(() => (target.props as Record<string, unknown>).arn);
  const account = typeof arn === "string" && arn.startsWith("arn:") ? arn.split(":")[4] : undefined;
  return (ref) => {
    if (typeof ref !== "string" || ref === "" || ref === SECRET_PLACEHOLDER) return false;
    if (candidates.has(ref)) return true;
    if (account && ref.startsWith("arn:")) {
      const refAccount = ref.split(":")[4];
      if (refAccount && refAccount !== account) return false;
    }
    if (idSuffix !== undefined && ref.startsWith("arn:") && ref.endsWith(idSuffix)) return true;
    return nameSuffixes.some((suffix) => ref.endsWith(suffix));
  };
}

/** Both resources are declared inside the same component (same parent), the usual shape of "this SG belongs to that LB". */
export function siblings(a: PolicyResource, b: PolicyResource): boolean {
  const pa = parentName(a);
  return pa !== undefined && pa === parentName(b);
}

export function describe(r: { type: string; name: string }): string {
  return `${r.type.split(":").pop()} "${r.name}"`;
}

// ── Declared settings (one table per resource type, judged by effect) ──────────────────────────

/**
 * The value at a dotted path of a resource's inputs. A one-item block may be an object or a one-element list (the
 * Terraform bridge shape), so each step descends through a list's first element. Returns `{ unknown: true }` when the
 * engine does not know a value on the way yet (preview), `{ masked: true }` for a "[secret]" placeholder.
 */
export function at(props: unknown, path: string): { value?: unknown; unknown?: boolean; masked?: boolean } {
  let cur: unknown = props;
  for (const key of path.split(".")) {
    if (Array.isArray(cur)) cur = cur[0];
    if (cur === SECRET_PLACEHOLDER) return { masked: true };
    if (typeof cur !== "object" || cur === null) return { value: undefined };
    const parent = cur;
    let unknown = false;
    cur = ifKnown(() => (parent as Record<string, unknown>)[key]);
    if (cur === undefined) unknown = unknownAt(() => (parent as Record<string, unknown>)[key]);
    if (unknown) return { unknown: true };
  }
  if (cur === SECRET_PLACEHOLDER) return { masked: true };
  return { value: cur };
}

/** Judges one setting's value (undefined when unset: the judge knows the provider's default): a problem, or undefined. */
export type Judge = (value: unknown, props: Record<string, unknown>, config: Record<string, unknown>) => string | undefined;

export interface Requirement {
  /** Dotted input path (see `at`). */
  path: string;
  judge: Judge;
}

/** Judges: the setting's effect, with the provider's default for an unset value. */
export const judge = {
  /** The value (or the default when unset) equals one of `allowed`. */
  oneOf:
    (allowed: readonly unknown[], unsetMeans?: unknown): Judge =>
    (v) => {
      const eff = v ?? unsetMeans;
      const norm = (x: unknown) => (typeof x === "string" ? x.toLowerCase() : x === "true" ? true : x === "false" ? false : x);
      return allowed.some((a) => norm(a) === norm(eff)) ? undefined : `is ${eff === undefined ? "unset" : JSON.stringify(v ?? unsetMeans)}${v === undefined && unsetMeans !== undefined ? " (the default)" : ""}; it must be ${allowed.map((a) => JSON.stringify(a)).join(" or ")}`;
    },
  /** A number ≥ `min` (unset fails unless `unsetMeans` passes). */
  atLeast:
    (min: number, unsetMeans?: number): Judge =>
    (v) => {
      const n = v === undefined ? unsetMeans : num(v);
      return n !== undefined && n >= min ? undefined : `is ${v === undefined ? "unset" : JSON.stringify(v)}; it must be at least ${min}`;
    },
  /** A number between 1 and `max` (unset fails: the default is not ours to assume). */
  atMost:
    (max: number): Judge =>
    (v) => {
      const n = num(v);
      return n !== undefined && n >= 1 && n <= max ? undefined : `is ${v === undefined ? "unset" : JSON.stringify(v)}; it must be set, at most ${max}`;
    },
  /** Unset, or a value the check accepts. */
  unsetOr:
    (ok: (v: unknown) => boolean, what: string): Judge =>
    (v) =>
      v === undefined || v === null || ok(v) ? undefined : `is ${JSON.stringify(v)}; ${what}`,
  /** Set to a non-empty value. */
  present:
    (what: string): Judge =>
    (v) =>
      isSet(v) && !(Array.isArray(v) && v.length === 0) ? undefined : `is unset; ${what}`,
};

/**
 * A rule over the declared settings of some resource types: each requirement reads one path and judges its effect.
 * An unknown value (preview) is skipped, a masked one reported as unverifiable.
 */
export function settingsRule(rule: RuleBase & { types: readonly string[]; requirements: Requirement[]; applies?: (props: Record<string, unknown>, ctx: { args: ResourceValidationArgs; config: Record<string, unknown> }) => boolean }): ResourceValidationPolicy {
  return resourceRule<Record<string, unknown>>({
    ...rule,
    validate: (p, ctx, report) => {
      if (rule.applies && ifKnown(() => rule.applies?.(p, ctx)) !== true) return;
      judgeRequirements(rule.requirements, p, ctx, report);
    },
  });
}

/** Judges each requirement's path of a resource's props: an unknown value (preview) is skipped, a masked one reported as unverifiable. */
export function judgeRequirements(requirements: readonly Requirement[], p: Record<string, unknown>, ctx: { args: ResourceValidationArgs; config: Record<string, unknown> }, report: (message: string) => void): void {
  for (const req of requirements) {
    const found = at(p, req.path);
    if (found.unknown) continue;
    if (found.masked) {
      report(`${maskedMessage(`${req.path} of ${describe(ctx.args)}`)}.`);
      continue;
    }
    const problem = ifKnown(() => req.judge(found.value, p, ctx.config));
    if (problem) report(`${describe(ctx.args)}: ${req.path} ${problem}.`);
  }
}

// ── Reference resolution across resources ──────────────────────────────────────────────────────

/** Inputs that name or describe, never refer: a tag equal to another resource's name is no reference to it. */
const NON_REFERENCE_KEYS = new Set(["tags", "tagsAll", "description"]);

/** An object's entries whose values are known: a value not known yet (preview) is left out rather than thrown. */
export function knownEntries(input: object): [string, unknown][] {
  // Most objects hold no unknown value: read them at once, and key by key only when that throws.
  const all = ifKnown(() => Object.entries(input));
  if (all) return all;
  return Object.keys(input).flatMap((k) => {
    const v = ifKnown(() => (input as Record<string, unknown>)[k]);
    return v === undefined ? [] : [[k, v] as [string, unknown]];
  });
}

/** Every string value anywhere in a resource's inputs (tags and descriptions aside); `unknown` when some value is not known yet (preview). */
export function stringsOf(props: unknown): { values: string[]; unknown: boolean } {
  const values: string[] = [];
  let unknown = false;
  const walk = (v: unknown, depth: number): void => {
    if (depth > 12) return;
    if (typeof v === "string") values.push(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (typeof v === "object" && v !== null) {
      for (const k of Object.keys(v)) {
        if (NON_REFERENCE_KEYS.has(k)) continue;
        const child = ifKnown(() => (v as Record<string, unknown>)[k]);
        if (child === undefined && unknownAt(() => (v as Record<string, unknown>)[k])) unknown = true;
        else walk(child, depth + 1);
      }
    }
  };
  walk(props, 0);
  return { values, unknown };
}

/**
 * The resources whose inputs refer to `target` (by id, ARN, name or URN; see `refersTo`). `unknown` is true when
 * some other resource's inputs are not known yet, so "referenced by nothing" cannot be concluded during a preview.
 */
export function referrersOf(resources: readonly PolicyResource[], target: PolicyResource, physicalNameKeys: string[] = ["name"]): { referrers: PolicyResource[]; unknown: boolean } {
  const referrers: PolicyResource[] = [];
  // The target's own id or ARN unknown (preview): a reference to it cannot be recognised yet.
  let unknown = ["id", "arn", ...physicalNameKeys].some((k) => unknownAt(() => (target.props as Record<string, unknown>)[k]));
  const refers = referenceTo(target, physicalNameKeys);
  const strings = stringsByResource(resources);
  for (const r of resources) {
    if (r === target || r.urn === target.urn) continue;
    let s = strings.get(r);
    if (s === undefined) strings.set(r, (s = stringsOf(r.props)));
    if (s.unknown) unknown = true;
    if (s.values.some(refers)) referrers.push(r);
  }
  return { referrers, unknown };
}

/** Each resource's strings, read once per resource list (a stack rule asks `referrersOf` for every target it judges). */
const stringsCache = new WeakMap<readonly PolicyResource[], Map<PolicyResource, ReturnType<typeof stringsOf>>>();
function stringsByResource(resources: readonly PolicyResource[]): Map<PolicyResource, ReturnType<typeof stringsOf>> {
  let strings = stringsCache.get(resources);
  if (strings === undefined) stringsCache.set(resources, (strings = new Map()));
  return strings;
}

/**
 * Reads every input of `resources`, so a name or reference that matched none of them raises the engine's
 * unknown-value error when one of their inputs is not known yet (preview): the rule is then reported as not run
 * instead of concluding "no such resource" from a plan it cannot see.
 */
export function requireKnownInputs(resources: readonly PolicyResource[]): void {
  const read = (v: unknown, depth: number): void => {
    if (depth > 12 || typeof v !== "object" || v === null) return;
    for (const k of Object.keys(v)) read((v as Record<string, unknown>)[k], depth + 1);
  };
  for (const r of resources) read(r.props, 0);
}
