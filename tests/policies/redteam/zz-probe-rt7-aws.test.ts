import { runStack, toPlan } from "../../../offline/engine/engine";
import type { PlanResource } from "../../../offline/plan/format";
import { planEvaluator } from "./evaluate";
import { Plan } from "./mutations";
import { rt7AwsHarmless, rt7AwsMutations } from "./round7-aws";

// Scratch probe of round 7 (AWS): prints CAUGHT / OTHER / MISSED per mutation and FLAGGED / ok per harmless change.
let base: PlanResource[];
let evaluate: ReturnType<typeof planEvaluator>;
beforeAll(async () => {
  base = toPlan((await runStack({ stack: "prod" })).resources);
  evaluate = planEvaluator(base);
}, 180_000);

it("probes round 7 (AWS)", async () => {
  const lines: string[] = [];
  const score = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0, FLAGGED: 0, ok: 0 };
  for (const m of rt7AwsMutations) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    try {
      m.apply(plan);
    } catch (e) {
      score.ERROR++;
      lines.push(`ERROR   ${m.area}: ${m.title}: ${String(e)}`);
      continue;
    }
    const found = await evaluate(plan.resources);
    const mandatory = found.filter((v) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message));
    const verdict = mandatory.some((v) => v.resource?.name === m.expect) ? "CAUGHT" : found.length ? "OTHER" : "MISSED";
    score[verdict]++;
    lines.push(`${verdict.padEnd(7)} ${m.area}: ${m.title}${verdict === "CAUGHT" ? "" : "  <- " + found.map((v) => `${v.resource?.name}:${v.policy}(${v.enforcement})`).join(", ")}`);
  }
  for (const h of rt7AwsHarmless) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    h.apply(plan);
    const found = await evaluate(plan.resources);
    const verdict = found.length ? "FLAGGED" : "ok";
    score[verdict]++;
    lines.push(`${verdict.padEnd(7)} harmless: ${h.title}${found.length ? "  <- " + found.map((v) => `${v.resource?.name}:${v.policy}: ${v.message.slice(0, 160)}`).join(" | ") : ""}`);
  }
  console.log(lines.join("\n") + `\n\nscore: ${JSON.stringify(score)} of ${rt7AwsMutations.length} mutations, ${rt7AwsHarmless.length} harmless`);
  expect(lines.length).toBe(rt7AwsMutations.length + rt7AwsHarmless.length);
}, 600_000);
