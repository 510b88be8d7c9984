// Scratch probe (round 5, Kubernetes side): prints how the pack judges each mutation and harmless change.
import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import { Plan } from "./mutations";
import { round5K8sHarmless, round5K8sMutations } from "./round5-rt-k8s";

let base: PlanResource[];
beforeAll(async () => {
  base = toPlan((await runStack({ stack: "prod" })).resources);
}, 180_000);

it("probe", async () => {
  const evaluate = planEvaluator(base);
  const lines: string[] = [];
  const score = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0 };
  for (const m of round5K8sMutations) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    let verdict: keyof typeof score;
    let detail: string;
    try {
      m.apply(plan);
      const found = await evaluate(plan.resources);
      const mandatory = found.filter((v) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message));
      verdict = mandatory.some((v) => v.resource?.name === m.expect) ? "CAUGHT" : found.length ? "OTHER" : "MISSED";
      detail = found.map((v) => `${v.enforcement[0]}:${v.resource?.name}:${v.policy}`).join(" ");
    } catch (e) {
      verdict = "ERROR";
      detail = String(e);
    }
    score[verdict]++;
    lines.push(`${verdict.padEnd(6)} [${m.area}] ${m.title} (expect ${m.expect}) ${verdict === "CAUGHT" ? "" : detail}`);
  }
  let flagged = 0;
  for (const h of round5K8sHarmless) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    h.apply(plan);
    const found = await evaluate(plan.resources);
    if (found.length) flagged++;
    lines.push(`${found.length ? "FLAGGED" : "ok"} harmless: ${h.title} ${found.map((v) => `${v.enforcement[0]}:${v.resource?.name}:${v.policy}`).join(" ")}`);
  }
  lines.push(`SCORE ${JSON.stringify(score)} of ${round5K8sMutations.length}; harmless flagged ${flagged} of ${round5K8sHarmless.length}`);
  console.log(lines.join("\n"));
  expect(lines.length).toBeGreaterThan(0);
}, 600_000);
