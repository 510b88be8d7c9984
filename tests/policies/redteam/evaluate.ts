import { allPolicies } from "../../../policies/rules";
import { withEnvironment } from "../../../offline/policy/config";
import { mockOutputs, parsePlanFile } from "../../../offline/policy/inputs";
import { runPolicies, type RunnerResource, type Violation } from "../../../offline/policy/runner";
import type { PlanResource } from "../../../offline/plan/format";

/**
 * The pack over a mutated copy of a clean prod plan, as `npm run policy` runs it on a plan file. Resource policies
 * see one resource (and its provider), and the clean plan has no violation, so they judge only the resources the
 * mutation added or changed (and those whose provider it changed); stack policies judge every resource. `all`
 * judges every resource with every policy (the check that the clean plan is clean, which the rest relies on).
 */
export function planEvaluator(clean: readonly PlanResource[]): (resources: PlanResource[], options?: { all?: boolean; stopWhen?: (found: readonly Violation[]) => boolean }) => Promise<Violation[]> {
  const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
  const before = new Map(clean.map((r) => [key(r), JSON.stringify(r)]));
  return async (resources, options = {}) => {
    const changed = new Set(resources.filter((r) => before.get(key(r)) !== JSON.stringify(r)).map((r) => r.name));
    const plan = parsePlanFile(JSON.stringify({ stack: "prod", project: "edgestack", environment: "prod", resources }), "mutated.json");
    // A provider reference ends in the provider's name (`pulumi:providers:aws::<name>`).
    const judgeResource = (r: RunnerResource) => changed.has(r.name) || (r.provider !== undefined && changed.has(r.provider.slice(r.provider.lastIndexOf("::") + 2)));
    return runPolicies({ stack: "prod", resources: plan.resources, policies: allPolicies, config: withEnvironment({}, allPolicies, plan.environment), outputsOf: mockOutputs, ...(options.all ? {} : { judgeResource }), ...(options.stopWhen ? { stopWhen: options.stopWhen } : {}) });
  };
}
