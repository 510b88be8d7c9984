/**
 * Pure diff of two offline plans (the JSON that `npm run plan -- --json` prints).
 *
 * Identity across plans is (type, name). Secrets arrive already masked as the string "[secret]"
 * (the plan never holds secret plaintext); each masked value carries a fingerprint in the plan's
 * `secrets` (see offline/plan/secrets.ts), so a secret whose value changed but stayed secret shows
 * as `changed [secret]` without either value being revealed.
 *
 * A replaced resource has a new id in the head plan (the offline engine derives ids from the
 * inputs whose change replaces it), so dependents taking that id in a replace-on input are
 * replaced too, transitively, as `pulumi up` would; the diff names the replaced resource behind
 * each such change (`via`).
 */
import { isBootstrapProvider } from "../../infra/cluster/bootstrap";
import { z } from "zod";

import { PLAN_OPTION_KEYS, PlanOptions, PlanResource, planResourcesOf, SECRET_MASK } from "./format";
import { collidingName, deletesBeforeReplace, pathMatches, REPLACEMENT_RULES, STATEFUL_TYPES } from "./replacements";
import { PathSegment, walkDiff } from "./lists";

export type { PlanResource } from "./format";
/** The string the plan puts wherever a secret value was. */
export const SECRET_PLACEHOLDER = SECRET_MASK;

/** One property-level change inside a resource's inputs. */
export interface PropertyChange {
  kind: "add" | "remove" | "change";
  /**
   * Path segments from the inputs root, e.g. ["tags", "Name"] or ["ingress", 0, "fromPort"]; an
   * element of a list with a natural key is named by it (`{ key: "pathPattern", value: "/v2/*" }`).
   */
  path: PathSegment[];
  old?: unknown;
  new?: unknown;
  /** Set when both sides are JSON documents held in a string (IAM, bucket policies): the path inside the document. */
  jsonPath?: PathSegment[];
  /** Both sides are secret and their fingerprints differ: the value changed, neither side is shown. */
  secret?: true;
  /** Logical names of replaced resources whose new id the new value carries. */
  via?: string[];
  /** Set when the common elements of a keyed list changed order: the key field; old/new list the key values in order. */
  order?: string;
}

export interface Replacement {
  /** The changed properties that force it (rule paths, or `replaceOnChanges` entries). */
  causes: string[];
  /** The old resource is deleted before the new one exists (downtime in between). */
  deleteBeforeReplace: boolean;
  /** The type holds data that the replacement destroys. */
  dataLoss: boolean;
  /** The resource is `protect`ed in the current state: `pulumi up` refuses to replace it and fails. */
  protected?: true;
  /** Create-before-delete keeping this fixed physical name: AWS refuses the second resource and the update fails. */
  nameCollision?: string;
  /** Replaced resources whose new id forces this replacement (the cascade), by logical name. */
  via?: string[];
}

export interface ResourceUpdate {
  type: string;
  name: string;
  parent: string | null;
  changes: PropertyChange[];
  /** Set when the resource moved to a different parent (Pulumi treats that as a new URN). */
  parentChange?: { old: string | null; new: string | null };
  /** Set when `protect` was switched on or off. */
  protectChange?: { old: boolean; new: boolean };
  /** Changes of the other resource options (path[0] is the option name). */
  optionChanges: PropertyChange[];
  /** Input changes `ignoreChanges` keeps `pulumi up` from applying; shown, not counted. */
  ignored: PropertyChange[];
  /** Changes of explicit `dependsOn`: they only order operations, nothing is applied; shown, not counted. */
  orderingOnly?: PropertyChange[];
  /**
   * Set when an in-place update would move the resource to another VPC (its subnets or security groups now
   * belong to a different one): AWS cannot do that, so `pulumi up` fails; `via` names the replaced VPC.
   */
  vpcMove?: { via: string[]; dataLoss: boolean };
  /** Set when the resource has `applyImmediately: false`: its changes wait for the maintenance window. */
  deferred?: { maintenanceWindow?: string };
  /** Set when the changes replace the resource instead of updating it. */
  replace?: Replacement;
  /** Applied through the cluster's bootstrap (RBAC) provider: only a run with clusterAccessBootstrap can apply it. */
  bootstrap?: true;
}

export interface PlanDiff {
  creates: PlanResource[];
  deletes: PlanResource[];
  updates: ResourceUpdate[];
  unchanged: number;
}

const planResourceSchema = z.object({
  type: z.string().min(1),
  name: z.string().min(1),
  parent: z.string().nullable(),
  id: z.string().optional(),
  identity: z.string().optional(),
  inputs: z.record(z.string(), z.unknown()),
  secrets: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), digest: z.string().min(1) })).optional(),
  protect: z.literal(true).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
const planSchema = z.array(planResourceSchema);

/** Stable key for (type, name); the NUL separator cannot occur in either part. */
function identity(resource: { type: string; name: string }): string {
  return `${resource.type}\u0000${resource.name}`;
}

/**
 * Checks that `value` is a plan (array of plan resources with unique (type, name)).
 * Throws an Error naming `source` and the offending index/key on bad input.
 */
export function parsePlan(value: unknown, source: string): PlanResource[] {
  const parsed = planSchema.safeParse(planResourcesOf(value));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.map((p) => `[${String(p)}]`).join("") : "(root)";
    throw new Error(`${source}: not a plan (expected a JSON array of {type, name, parent, inputs}): at ${where}: ${issue.message}`);
  }
  const seen = new Set<string>();
  parsed.data.forEach((resource, index) => {
    const key = identity(resource);
    if (seen.has(key)) {
      throw new Error(`${source}: duplicate resource at [${index}]: type "${resource.type}" name "${resource.name}" appears more than once`);
    }
    seen.add(key);
  });
  return parsed.data as PlanResource[];
}

/** A JSON object or array held in a string (IAM and bucket policies), or undefined. */
function jsonDocument(value: unknown): Record<string, unknown> | unknown[] | undefined {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function rawDiff(oldValue: Record<string, unknown> | unknown[], newValue: Record<string, unknown> | unknown[]): PropertyChange[] {
  return walkDiff(oldValue, newValue) as PropertyChange[];
}

/**
 * Property-level differences between two input objects (library does the deep walk). A string
 * property holding a JSON document on both sides is diffed inside the document (`jsonPath`), so a
 * reformatted policy shows nothing and one changed action shows just that action.
 */
export function diffInputs(oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>): PropertyChange[] {
  return rawDiff(oldInputs, newInputs).flatMap((change) => {
    const before = change.kind === "change" ? jsonDocument(change.old) : undefined;
    const after = change.kind === "change" ? jsonDocument(change.new) : undefined;
    if (!before || !after || Array.isArray(before) !== Array.isArray(after)) return [change];
    return rawDiff(before, after).map((inner) => ({ ...inner, path: change.path, jsonPath: inner.path }));
  });
}

/** Options of a plan resource, with the top-level `protect` older plans carry folded in. */
export function optionsOf(resource: PlanResource): PlanOptions {
  return { ...(resource.options ?? {}), ...(resource.protect ? { protect: true as const } : {}) };
}

/** `spec.replicas`, `tags["Name"]`, `ports[0].port`, `rules[*].x` → dot paths without indexes, as the rule matcher reads them. */
function normaliseOptionPath(path: string): string {
  return path
    .replace(/\["([^"]*)"\]/g, ".$1")
    .replace(/\[(\d+|\*)\]/g, "")
    .replace(/^\./, "");
}

/** Splits changes into applied and ignored, and decides whether the applied ones replace the resource. */
export function classifyUpdate(type: string, base: PlanResource, head: PlanResource, changes: PropertyChange[]): Pick<ResourceUpdate, "changes" | "ignored" | "replace"> {
  const options = optionsOf(head);
  const ignore = (options.ignoreChanges ?? []).map(normaliseOptionPath);
  const ignored = changes.filter((c) => ignore.some((rule) => pathMatches(rule, c.path)));
  const applied = changes.filter((c) => !ignored.includes(c));
  const rules = [...(REPLACEMENT_RULES[type]?.replaceOn ?? []), ...(options.replaceOnChanges ?? []).map(normaliseOptionPath)];
  const causes = [...new Set(applied.flatMap((c) => rules.filter((rule) => pathMatches(rule, c.path)).map((rule) => (rule === "*" ? String(c.path[0]) : rule))))].sort();
  if (causes.length === 0) return { changes: applied, ignored };
  const deleteFirst = deletesBeforeReplace(type, base.inputs, head.inputs, options.deleteBeforeReplace === true);
  const replace: Replacement = { causes, deleteBeforeReplace: deleteFirst, dataLoss: STATEFUL_TYPES.has(type) };
  // The engine checks the protect flag of the resource as it is now (the base), before anything changes.
  if (optionsOf(base).protect) replace.protected = true;
  const collision = deleteFirst ? undefined : collidingName(type, base.inputs, head.inputs);
  if (collision) replace.nameCollision = collision;
  return { changes: applied, ignored, replace };
}

/** The `secrets` entries of a plan resource by path. */
function secretDigests(resource: PlanResource): Map<string, { path: PathSegment[]; digest: string }> {
  return new Map((resource.secrets ?? []).map((s) => [JSON.stringify(s.path), s]));
}

/** Secret values that stayed secret but whose fingerprints differ: `changed [secret]`. */
function secretChanges(before: PlanResource, after: PlanResource): PropertyChange[] {
  const old = secretDigests(before);
  const out: PropertyChange[] = [];
  for (const [key, entry] of secretDigests(after)) {
    const previous = old.get(key);
    if (previous && previous.digest !== entry.digest) out.push({ kind: "change", path: entry.path, old: SECRET_MASK, new: SECRET_MASK, secret: true });
  }
  return out;
}

/**
 * Types that live in one VPC and cannot be moved to another by an update: their subnets and security
 * groups must stay in the VPC they were created in (AWS: a cache subnet group, a cluster, a load
 * balancer cannot change VPC). Launch templates and rules only name ids and are not listed.
 */
export const VPC_BOUND_TYPES: ReadonlySet<string> = new Set([
  "aws:eks/cluster:Cluster",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:elasticache/subnetGroup:SubnetGroup",
  "aws:lb/loadBalancer:LoadBalancer",
]);

/** id → VPC id for the plan's VPC-scoped resources (subnets, security groups, target groups) and subnet groups. */
function vpcIndex(plan: readonly PlanResource[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const r of plan) if (r.id && typeof r.inputs.vpcId === "string") index.set(r.id, r.inputs.vpcId);
  for (const r of plan) {
    if (!r.id || !Array.isArray(r.inputs.subnetIds)) continue;
    const vpcs = new Set(r.inputs.subnetIds.map((id) => index.get(String(id))).filter((v) => v !== undefined));
    if (vpcs.size === 1 && r.type === "aws:elasticache/subnetGroup:SubnetGroup") index.set(r.id, [...vpcs][0]!);
  }
  return index;
}

/** The VPCs the ids inside `value` belong to. */
function vpcsReferenced(value: unknown, index: Map<string, string>, out = new Set<string>()): Set<string> {
  if (typeof value === "string") {
    const vpc = index.get(value);
    if (vpc) out.add(vpc);
  } else if (Array.isArray(value)) value.forEach((v) => vpcsReferenced(v, index, out));
  else if (typeof value === "object" && value !== null) Object.values(value).forEach((v) => vpcsReferenced(v, index, out));
  return out;
}

/** Input properties that only matter for the resource's own configuration, never deferred by `applyImmediately`. */
const NOT_DEFERRED = new Set(["tags", "tagsAll", "applyImmediately"]);

/**
 * Diffs `base` (e.g. the target branch's plan) against `head` (the proposed plan).
 * Creates and updates follow head's order, deletes follow base's order, so output is as
 * deterministic as the plans themselves.
 */
export function diffPlans(base: readonly PlanResource[], head: readonly PlanResource[]): PlanDiff {
  const baseByKey = new Map(base.map((r) => [identity(r), r]));
  const headKeys = new Set(head.map(identity));
  const result: PlanDiff = { creates: [], deletes: [], updates: [], unchanged: 0 };
  const pending: { update: ResourceUpdate; before: PlanResource; after: PlanResource }[] = [];

  for (const resource of head) {
    const before = baseByKey.get(identity(resource));
    if (!before) {
      result.creates.push(resource);
      continue;
    }
    const { protect: oldProtect, ...oldOptions } = optionsOf(before);
    const { protect: newProtect, ...newOptions } = optionsOf(resource);
    const options = rawDiff(oldOptions, newOptions).sort((a, b) => PLAN_OPTION_KEYS.indexOf(a.path[0] as never) - PLAN_OPTION_KEYS.indexOf(b.path[0] as never));
    const update: ResourceUpdate = {
      type: resource.type,
      name: resource.name,
      parent: resource.parent,
      ...classifyUpdate(resource.type, before, resource, [...diffInputs(before.inputs, resource.inputs), ...secretChanges(before, resource)]),
      optionChanges: options.filter((c) => c.path[0] !== "dependsOn"),
    };
    const orderingOnly = options.filter((c) => c.path[0] === "dependsOn");
    if (orderingOnly.length > 0) update.orderingOnly = orderingOnly;
    if (before.parent !== resource.parent) update.parentChange = { old: before.parent, new: resource.parent };
    if (Boolean(oldProtect) !== Boolean(newProtect)) {
      update.protectChange = { old: Boolean(oldProtect), new: Boolean(newProtect) };
    }
    pending.push({ update, before, after: resource });
  }

  // A replaced provider replaces every resource it manages.
  const replacedProviders = new Set(pending.filter((p) => p.update.replace && p.after.type.startsWith("pulumi:providers:")).map((p) => `${p.after.type}::${p.after.name}`));
  for (const p of pending) {
    const provider = optionsOf(p.after).provider;
    if (!p.update.replace && provider && replacedProviders.has(provider)) {
      p.update.replace = { causes: ["provider"], deleteBeforeReplace: optionsOf(p.after).deleteBeforeReplace === true, dataLoss: STATEFUL_TYPES.has(p.after.type), via: [provider] };
      if (optionsOf(p.before).protect) p.update.replace.protected = true;
    }
  }

  // The cascade, named: a value carrying the new id of a replaced resource says which one.
  const newIds = new Map<string, string>();
  for (const p of pending) if (p.update.replace && p.after.id && p.before.id && p.after.id !== p.before.id) newIds.set(p.after.id, p.after.name);
  const carried = (value: unknown): string[] => {
    if (newIds.size === 0 || value === undefined) return [];
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return [...newIds].filter(([id]) => text.includes(id)).map(([, name]) => name);
  };
  for (const { update } of pending) {
    for (const change of update.changes) {
      const via = [...new Set(carried(change.new))].sort();
      if (via.length > 0) change.via = via;
    }
    if (update.replace && !update.replace.via) {
      const via = [...new Set(update.changes.filter((c) => update.replace!.causes.some((cause) => pathMatches(cause, c.path))).flatMap((c) => c.via ?? []))].sort();
      if (via.length > 0) update.replace.via = via;
    }
  }

  const baseVpcs = vpcIndex(base);
  const headVpcs = vpcIndex(head);
  for (const { update, before, after } of pending) {
    if (update.replace || !VPC_BOUND_TYPES.has(after.type)) continue;
    const was = vpcsReferenced(before.inputs, baseVpcs);
    const is = vpcsReferenced(after.inputs, headVpcs);
    if (was.size > 0 && is.size > 0 && ![...is].some((v) => was.has(v))) {
      update.vpcMove = { via: [...is].map((id) => newIds.get(id)).filter((n): n is string => n !== undefined).sort(), dataLoss: STATEFUL_TYPES.has(after.type) };
    }
  }

  for (const { update, before, after } of pending) {
    if (isBootstrapProvider(optionsOf(after).provider) || isBootstrapProvider(optionsOf(before).provider)) update.bootstrap = true;
    if (after.inputs.applyImmediately === false && !update.replace && update.changes.some((c) => !NOT_DEFERRED.has(String(c.path[0])))) {
      update.deferred = typeof after.inputs.maintenanceWindow === "string" ? { maintenanceWindow: after.inputs.maintenanceWindow } : {};
    }
    // Only ignored input changes or a new dependsOn: `pulumi up` changes nothing, so neither does the
    // diff (they still show when something else changes).
    if (update.replace || update.changes.length > 0 || update.parentChange || update.protectChange || update.optionChanges.length > 0) result.updates.push(update);
    else result.unchanged += 1;
  }
  for (const resource of base) {
    if (!headKeys.has(identity(resource))) result.deletes.push(resource);
  }
  return result;
}

/** Counts per operation; `updated` excludes replacements. */
export function diffCounts(diff: PlanDiff): { created: number; updated: number; replaced: number; deleted: number; unchanged: number } {
  const replaced = diff.updates.filter((u) => u.replace).length;
  return { created: diff.creates.length, updated: diff.updates.length - replaced, replaced, deleted: diff.deletes.length, unchanged: diff.unchanged };
}

/** True when the diff would change nothing. */
export function isEmptyDiff(diff: PlanDiff): boolean {
  return diff.creates.length === 0 && diff.deletes.length === 0 && diff.updates.length === 0;
}
