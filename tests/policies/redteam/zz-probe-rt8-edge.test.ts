import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import type { Violation } from "../../../offline/policy/runner";
import { Plan } from "./mutations";
import { rt8EdgeHarmless, rt8EdgeMutations as blind, rt8EdgeVariants } from "./round8-rt8-edge";
const rt8EdgeMutations = [...blind, ...rt8EdgeVariants];

// Scratch probe of round 8 (network edge): prints CAUGHT / OTHER / MISSED per mutation and FLAGGED / ok per harmless change.
let base: PlanResource[];
let evaluate: ReturnType<typeof planEvaluator>;
beforeAll(async () => {
  base = toPlan((await runStack({ stack: "prod" })).resources);
  evaluate = planEvaluator(base);
}, 180_000);

it("probes round 8 (edge)", async () => {
  const counts = (v: Violation) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message);
  const lines: string[] = [];
  const tally = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0 };
  for (const m of rt8EdgeMutations) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    try {
      m.apply(plan);
    } catch (e) {
      tally.ERROR++;
      lines.push(`ERROR   ${m.title}: ${(e as Error).message}`);
      continue;
    }
    const found = await evaluate(plan.resources);
    const hit = found.some((v) => counts(v) && v.resource?.name === m.expect);
    const verdict = hit ? "CAUGHT" : found.length ? "OTHER" : "MISSED";
    tally[verdict]++;
    lines.push(`${verdict.padEnd(7)} [${m.area}] ${m.title}${hit ? "" : " :: " + found.map((v) => `${v.resource?.name}:${v.policy}(${v.enforcement})`).join(", ")}`);
  }
  let flagged = 0;
  for (const h of rt8EdgeHarmless) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    h.apply(plan);
    const found = await evaluate(plan.resources);
    if (found.length) flagged++;
    lines.push(`${found.length ? "FLAGGED" : "ok     "} (harmless) ${h.title}${found.length ? " :: " + found.map((v) => `${v.resource?.name}:${v.policy}: ${v.message.slice(0, 160)}`).join(" | ") : ""}`);
  }
  lines.push(`TOTAL insecure ${rt8EdgeMutations.length}: caught ${tally.CAUGHT}, other ${tally.OTHER}, missed ${tally.MISSED}, error ${tally.ERROR}; harmless ${rt8EdgeHarmless.length}: flagged ${flagged}`);
  console.log(lines.join("\n"));
  expect(lines.length).toBeGreaterThan(0);
}, 600_000);
