/** Scratch probe of round 8's Kubernetes corpus (blind first run): prints CAUGHT / OTHER / MISSED per mutation. */
import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import type { Violation } from "../../../offline/policy/runner";
import { Plan } from "./mutations";
import { round8K8sHarmless as probeHarmless, round8K8sMutations as probeMutations } from "./round8-rt8-k8s";

const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe("rt8-k8s probe (scratch)", () => {
  let base: PlanResource[];
  let evaluate: ReturnType<typeof planEvaluator>;
  beforeAll(async () => {
    base = toPlan((await runStack({ stack: "prod" })).resources);
    evaluate = planEvaluator(base);
  }, 180_000);

  it("runs every mutation and harmless change", async () => {
    const counts = (v: Violation) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message);
    const lines: string[] = [];
    const tally = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0, FLAGGED: 0, ok: 0 };
    for (const m of probeMutations) {
      const plan = new Plan(copy(base));
      try {
        m.apply(plan);
      } catch (e) {
        tally.ERROR++;
        lines.push(`ERROR  ${m.title}: ${(e as Error).message}`);
        continue;
      }
      const found = await evaluate(plan.resources);
      const caught = found.some((v) => counts(v) && v.resource?.name === m.expect);
      const verdict = caught ? "CAUGHT" : found.length ? "OTHER" : "MISSED";
      tally[verdict]++;
      lines.push(`${verdict.padEnd(6)} [${m.area}] ${m.title}${caught ? "" : `  <- ${found.map((v) => `${v.resource?.name}:${v.policy}(${v.enforcement})`).join(", ")}`}`);
    }
    for (const h of probeHarmless) {
      const plan = new Plan(copy(base));
      h.apply(plan);
      const found = await evaluate(plan.resources);
      const verdict = found.length ? "FLAGGED" : "ok";
      tally[verdict]++;
      lines.push(`${verdict.padEnd(7)} harmless: ${h.title}${found.length ? `  <- ${found.map((v) => `${v.resource?.name}:${v.policy}: ${v.message.slice(0, 160)}`).join(" | ")}` : ""}`);
    }
    console.log(`${lines.join("\n")}\n${JSON.stringify(tally)} of ${probeMutations.length} insecure, ${probeHarmless.length} harmless`);
    expect(lines.length).toBe(probeMutations.length + probeHarmless.length);
  }, 600_000);
});
