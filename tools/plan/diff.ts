/**
 * Pure diff of two offline plans (the JSON that `npm run plan -- --json` prints).
 *
 * Identity across plans is (type, name). Secrets arrive already masked as the string "[secret]"
 * (the plan never holds secret plaintext), so a secret whose value changed but stayed secret is
 * NOT detectable here: both sides read "[secret]" and compare equal. Only a value that turned
 * secret, or stopped being secret, shows up — and the masked side still prints as [secret].
 */
import microdiff from "microdiff";
import { z } from "zod";

import { PlanResource, planResourcesOf, SECRET_MASK } from "./format";

export type { PlanResource } from "./format";
/** The string the plan puts wherever a secret value was. */
export const SECRET_PLACEHOLDER = SECRET_MASK;

/** One property-level change inside a resource's inputs. */
export interface PropertyChange {
  kind: "add" | "remove" | "change";
  /** Path segments from the inputs root, e.g. ["tags", "Name"] or ["ingress", 0, "fromPort"]. */
  path: (string | number)[];
  old?: unknown;
  new?: unknown;
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
  inputs: z.record(z.string(), z.unknown()),
  protect: z.literal(true).optional(),
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

function toChange(d: ReturnType<typeof microdiff>[number]): PropertyChange {
  switch (d.type) {
    case "CREATE":
      return { kind: "add", path: d.path, new: d.value };
    case "REMOVE":
      return { kind: "remove", path: d.path, old: d.oldValue };
    case "CHANGE":
      return { kind: "change", path: d.path, old: d.oldValue, new: d.value };
  }
}

/** Property-level differences between two input objects (library does the deep walk). */
export function diffInputs(oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>): PropertyChange[] {
  // microdiff tells -0 from 0; JSON (and the engine) does not, so that is never a change.
  return microdiff(oldInputs, newInputs)
    .filter((d) => !(d.type === "CHANGE" && typeof d.value === "number" && d.value === d.oldValue))
    .map(toChange);
}

/**
 * Diffs `base` (e.g. the target branch's plan) against `head` (the proposed plan).
 * Creates and updates follow head's order, deletes follow base's order, so output is as
 * deterministic as the plans themselves.
 */
export function diffPlans(base: readonly PlanResource[], head: readonly PlanResource[]): PlanDiff {
  const baseByKey = new Map(base.map((r) => [identity(r), r]));
  const headKeys = new Set(head.map(identity));
  const result: PlanDiff = { creates: [], deletes: [], updates: [], unchanged: 0 };

  for (const resource of head) {
    const before = baseByKey.get(identity(resource));
    if (!before) {
      result.creates.push(resource);
      continue;
    }
    const update: ResourceUpdate = {
      type: resource.type,
      name: resource.name,
      parent: resource.parent,
      changes: diffInputs(before.inputs, resource.inputs),
    };
    if (before.parent !== resource.parent) update.parentChange = { old: before.parent, new: resource.parent };
    if (Boolean(before.protect) !== Boolean(resource.protect)) {
      update.protectChange = { old: Boolean(before.protect), new: Boolean(resource.protect) };
    }
    if (update.changes.length > 0 || update.parentChange || update.protectChange) result.updates.push(update);
    else result.unchanged += 1;
  }
  for (const resource of base) {
    if (!headKeys.has(identity(resource))) result.deletes.push(resource);
  }
  return result;
}

/** True when the diff would change nothing. */
export function isEmptyDiff(diff: PlanDiff): boolean {
  return diff.creates.length === 0 && diff.deletes.length === 0 && diff.updates.length === 0;
}
