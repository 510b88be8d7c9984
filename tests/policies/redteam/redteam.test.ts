import { allPolicies } from "../../../policies/rules";
import { runStack, toPlan } from "../../../offline/engine/engine";
import { withEnvironment } from "../../../offline/policy/config";
import { parsePlanFile, mockOutputs } from "../../../offline/policy/inputs";
import { runPolicies } from "../../../offline/policy/runner";
import type { PlanResource } from "../../../offline/plan/format";
import { effectMutations, harmless } from "./effects";
import { mutations, Plan } from "./mutations";

// The prod plan exactly as `npm run plan -- --stack prod --json` writes it (secrets masked), mutated per case.
let base: PlanResource[];
beforeAll(async () => {
  base = toPlan((await runStack({ stack: "prod" })).resources);
}, 180_000);

async function evaluate(resources: PlanResource[]) {
  const text = JSON.stringify({ stack: "prod", project: "edgestack", environment: "prod", resources });
  const plan = parsePlanFile(text, "mutated.json");
  return runPolicies({ stack: "prod", resources: plan.resources, policies: allPolicies, config: withEnvironment({}, allPolicies, plan.environment), outputsOf: mockOutputs });
}

describe("red-team mutations of the prod plan", () => {
  it("the unmutated prod plan has no violation", async () => {
    expect(await evaluate(base)).toEqual([]);
  });

  it.each([...mutations, ...effectMutations].map((m) => [`${m.area}: ${m.title}`, m] as const))("%s is caught by a mandatory rule on the right resource", async (_t, m) => {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    m.apply(plan);
    const found = await evaluate(plan.resources);
    const mandatory = found.filter((v) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message));
    expect(mandatory.map((v) => `${v.resource?.name}: ${v.policy}`)).toContainEqual(expect.stringMatching(new RegExp(`^${m.expect.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `)));
  });

  it.each(harmless.map((h) => [h.title, h] as const))("harmless: %s is not reported", async (_t, h) => {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    h.apply(plan);
    expect(await evaluate(plan.resources)).toEqual([]);
  });
});
