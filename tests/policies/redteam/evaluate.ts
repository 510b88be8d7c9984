import { allPolicies } from "../../../policies/rules";
import { withEnvironment } from "../../../offline/policy/config";
import { mockOutputs, parsePlanFile } from "../../../offline/policy/inputs";
import { runPolicies, UNKNOWN, type RunnerResource, type Violation } from "../../../offline/policy/runner";
import type { PlanResource } from "../../../offline/plan/format";

/** Freezes a value and everything it holds, so a rule that changed a shared resource would throw instead. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Whether two JSON values are equal (key order aside): what the mutation left as it was. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const UNKNOWN_SENTINELS = new Set<unknown>(Object.values(UNKNOWN));
const holdsUnknown = (value: unknown): boolean =>
  UNKNOWN_SENTINELS.has(value) || (value !== null && typeof value === "object" && Object.values(value).some(holdsUnknown));

/**
 * The pack over a mutated copy of a clean prod plan, as `npm run policy` runs it on a plan file. Resource policies
 * see one resource (and its provider), and the clean plan has no violation, so they judge only the resources the
 * mutation added or changed (and those whose provider it changed); stack policies judge every resource. `all`
 * judges every resource with every policy (the check that the clean plan is clean, which the rest relies on).
 *
 * A resource the mutation left as it was (the same JSON value as in the clean plan) is read from the plan file once: every
 * run shares its parsed form and its computed outputs, deeply frozen (a rule that changed what it reads would throw
 * and fail the case, not leak into the next one). Resources holding an unknown value are parsed per run (the pack
 * wraps them in a proxy, which a frozen object cannot back).
 */
export function planEvaluator(clean: readonly PlanResource[]): (resources: PlanResource[], options?: { all?: boolean; stopWhen?: (found: readonly Violation[]) => boolean }) => Promise<Violation[]> {
  const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
  const planText = (resources: readonly PlanResource[]) => JSON.stringify({ stack: "prod", project: "edgestack", environment: "prod", resources });
  const before = new Map(clean.map((r) => [key(r), r]));
  const cleanPlan = parsePlanFile(planText(clean), "clean.json");
  const config = withEnvironment({}, allPolicies, cleanPlan.environment);
  const shared = new Map<string, RunnerResource>();
  const outputs = new WeakMap<RunnerResource, Record<string, unknown> | undefined>();
  cleanPlan.resources.forEach((r, i) => {
    if (holdsUnknown(r.inputs)) return;
    shared.set(key(clean[i]!), deepFreeze(r));
    outputs.set(r, deepFreeze(mockOutputs(r)));
  });
  const outputsOf = (r: RunnerResource) => (outputs.has(r) ? outputs.get(r) : mockOutputs(r));
  return async (resources, options = {}) => {
    const same = resources.map((r) => before.has(key(r)) && sameJson(before.get(key(r)), r));
    const changed = new Set(resources.filter((_r, i) => !same[i]).map((r) => r.name));
    // Each clean resource is shared once per run (a second copy of it is a resource of its own).
    const used = new Set<string>();
    const reuse = resources.map((r, i) => (same[i] && shared.has(key(r)) && !used.has(key(r)) && used.add(key(r)) ? shared.get(key(r))! : undefined));
    const parsed = parsePlanFile(planText(resources.filter((_r, i) => reuse[i] === undefined)), "mutated.json").resources;
    let next = 0;
    const runnerResources = reuse.map((r) => r ?? parsed[next++]!);
    // A provider reference ends in the provider's name (`pulumi:providers:aws::<name>`).
    const judgeResource = (r: RunnerResource) => changed.has(r.name) || (r.provider !== undefined && changed.has(r.provider.slice(r.provider.lastIndexOf("::") + 2)));
    return runPolicies({ stack: "prod", resources: runnerResources, policies: allPolicies, config, outputsOf, ...(options.all ? {} : { judgeResource }), ...(options.stopWhen ? { stopWhen: options.stopWhen } : {}) });
  };
}
