// Scratch probe (removed at the end of the round): the blind first-run judgement of round7-new's corpus.
import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import { Plan } from "./mutations";
import { round7NewHarmless, round7NewMutations } from "./round7-new";

let base: PlanResource[];
let evaluate: ReturnType<typeof planEvaluator>;
beforeAll(async () => {
  base = toPlan((await runStack({ stack: "prod" })).resources);
  evaluate = planEvaluator(base);
}, 180_000);

it("judges round 7 (additions, removals, cross-resource promises)", async () => {
  const lines: string[] = [];
  const score = { CAUGHT: 0, OTHER: 0, MISSED: 0, FLAGGED: 0, ok: 0 };
  for (const m of round7NewMutations) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    m.apply(plan);
    const found = await evaluate(plan.resources);
    const real = found.filter((v) => !/failed on|during preview/.test(v.message));
    const mandatory = real.filter((v) => v.enforcement === "mandatory");
    const verdict = mandatory.some((v) => v.resource?.name === m.expect) ? "CAUGHT" : real.length ? "OTHER" : "MISSED";
    score[verdict]++;
    lines.push(`${verdict.padEnd(7)} ${m.area}: ${m.title} [${m.expect}] ${verdict === "CAUGHT" ? "" : real.map((v) => `${v.resource?.name}:${v.policy}(${v.enforcement})`).join(", ")}`);
  }
  for (const h of round7NewHarmless) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    h.apply(plan);
    const found = await evaluate(plan.resources);
    const verdict = found.length ? "FLAGGED" : "ok";
    score[verdict]++;
    lines.push(`${verdict.padEnd(7)} harmless: ${h.title} ${found.map((v) => `${v.resource?.name}:${v.policy}: ${v.message.slice(0, 160)}`).join(" | ")}`);
  }
  console.log(`${lines.join("\n")}\n${JSON.stringify(score)} of ${round7NewMutations.length} mutations, ${round7NewHarmless.length} harmless`);
  expect(lines.length).toBe(round7NewMutations.length + round7NewHarmless.length);
}, 600_000);
