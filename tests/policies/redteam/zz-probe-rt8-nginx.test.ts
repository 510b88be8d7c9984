import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import type { Violation } from "../../../offline/policy/runner";
import { Plan } from "./mutations";
import { round8NginxHarmless, round8NginxMutations } from "./round8-rt8-nginx";

// Scratch: the blind round's first run, printed per case (the permanent test is describeBlindRounds).
let base: PlanResource[];
let evaluate: ReturnType<typeof planEvaluator>;
beforeAll(async () => {
  base = toPlan((await runStack({ stack: "prod" })).resources);
  evaluate = planEvaluator(base);
}, 180_000);

it("probes the round-8 nginx corpus", async () => {
  const counts = (v: Violation) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message);
  const lines: string[] = [];
  const tally = { CAUGHT: 0, OTHER: 0, MISSED: 0, FLAGGED: 0, ok: 0 };
  for (const m of round8NginxMutations) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    m.apply(plan);
    const found = await evaluate(plan.resources);
    const verdict = found.some((v) => counts(v) && v.resource?.name === m.expect) ? "CAUGHT" : found.length ? "OTHER" : "MISSED";
    tally[verdict]++;
    lines.push(`${verdict} [${m.area}] ${m.title}${verdict === "CAUGHT" ? "" : "  <- " + found.map((v) => `${v.resource?.name}:${v.policy}(${v.enforcement})`).join(", ")}`);
  }
  for (const h of round8NginxHarmless) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    h.apply(plan);
    const found = await evaluate(plan.resources);
    const verdict = found.length ? "FLAGGED" : "ok";
    tally[verdict]++;
    lines.push(`${verdict} harmless: ${h.title}${found.length ? "  <- " + found.map((v) => `${v.resource?.name}:${v.policy}: ${v.message.slice(0, 160)}`).join(" | ") : ""}`);
  }
  console.log(`${lines.join("\n")}\n${JSON.stringify(tally)} of ${round8NginxMutations.length} insecure, ${round8NginxHarmless.length} harmless`);
  expect(lines.length).toBe(round8NginxMutations.length + round8NginxHarmless.length);
}, 600_000);
