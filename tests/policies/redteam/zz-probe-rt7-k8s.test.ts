/* Scratch probe of round 7 (Kubernetes objects, nginx.conf, app environment, chains): prints each case's fate. */
import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import { Plan } from "./mutations";
import { round7K8sHarmless, round7K8sMutations } from "./round7-k8s";

describe("round 7 probe (scratch)", () => {
  let base: PlanResource[];
  let evaluate: ReturnType<typeof planEvaluator>;
  beforeAll(async () => {
    base = toPlan((await runStack({ stack: "prod" })).resources);
    evaluate = planEvaluator(base);
  }, 180_000);

  it("runs every case", async () => {
    const lines: string[] = [];
    const tally = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0 };
    for (const m of round7K8sMutations) {
      const plan = new Plan(JSON.parse(JSON.stringify(base)));
      let verdict: keyof typeof tally;
      let detail = "";
      try {
        m.apply(plan);
        const found = await evaluate(plan.resources);
        const mandatory = found.filter((v) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message));
        if (mandatory.some((v) => v.resource?.name === m.expect)) verdict = "CAUGHT";
        else if (found.length) { verdict = "OTHER"; detail = found.map((v) => `${v.resource?.name}:${v.policy}:${v.enforcement}`).join(", "); }
        else verdict = "MISSED";
        if (verdict === "CAUGHT") detail = mandatory.filter((v) => v.resource?.name === m.expect).map((v) => v.policy).join(",");
      } catch (e) { verdict = "ERROR"; detail = String(e); }
      tally[verdict]++;
      lines.push(`${verdict.padEnd(6)} [${m.area}] ${m.title} ${detail ? "— " + detail : ""}`);
    }
    let flagged = 0;
    for (const h of round7K8sHarmless) {
      const plan = new Plan(JSON.parse(JSON.stringify(base)));
      h.apply(plan);
      const found = await evaluate(plan.resources);
      if (found.length) flagged++;
      lines.push(`${found.length ? "FLAGGED" : "ok     "} harmless: ${h.title} ${found.map((v) => `${v.resource?.name}:${v.policy}`).join(", ")}`);
    }
    lines.push(`TOTAL ${JSON.stringify(tally)} of ${round7K8sMutations.length}; harmless flagged ${flagged} of ${round7K8sHarmless.length}`);
    console.log(lines.join("\n"));
    expect(lines.length).toBe(round7K8sMutations.length + round7K8sHarmless.length + 1);
  }, 600_000);
});
