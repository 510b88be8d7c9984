import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import { Plan } from "./mutations";
import { round6K8sHarmless, round6K8sMutations } from "./round6-rt6-k8s";

// Scratch probe of round 6 (Kubernetes side): prints CAUGHT / OTHER / MISSED per mutation and FLAGGED / ok per harmless change.
it("probes round 6 (k8s)", async () => {
  const base: PlanResource[] = toPlan((await runStack({ stack: "prod" })).resources);
  const evaluate = planEvaluator(base);
  const lines: string[] = [];
  const score = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0, FLAGGED: 0, ok: 0 };
  for (const m of round6K8sMutations) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    try {
      m.apply(plan);
    } catch (e) {
      score.ERROR++;
      lines.push(`ERROR  ${m.title}: ${String(e)}`);
      continue;
    }
    const found = await evaluate(plan.resources);
    const mandatory = found.filter((v) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message));
    const verdict = mandatory.some((v) => v.resource?.name === m.expect) ? "CAUGHT" : found.length > 0 ? "OTHER" : "MISSED";
    score[verdict]++;
    lines.push(`${verdict.padEnd(7)}${m.area}: ${m.title}  [${found.map((v) => `${v.resource?.name}:${v.policy}/${v.enforcement}`).join(", ")}]`);
  }
  for (const h of round6K8sHarmless) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    h.apply(plan);
    const found = await evaluate(plan.resources);
    const verdict = found.length > 0 ? "FLAGGED" : "ok";
    score[verdict]++;
    lines.push(`${verdict.padEnd(7)}harmless: ${h.title}  [${found.map((v) => `${v.resource?.name}:${v.policy}`).join(", ")}]`);
  }
  console.log(`${lines.join("\n")}\n${JSON.stringify(score)}`);
  expect(score.CAUGHT + score.OTHER + score.MISSED + score.ERROR).toBe(round6K8sMutations.length);
}, 300_000);
