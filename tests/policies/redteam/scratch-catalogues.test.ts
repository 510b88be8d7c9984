/** Scratch probe (deleted at the end): the catalogue-derived corpus judged blind, printing what each change got. */
import { runStack, toPlan } from "../../../offline/engine/engine";
import type { PlanResource } from "../../../offline/plan/format";
import type { Violation } from "../../../offline/policy/runner";
import { planEvaluator } from "./evaluate";
import { Plan } from "./mutations";
import { catalogueHarmless, catalogueMutations } from "./derived-catalogues";

jest.setTimeout(1_200_000);

it("scores the catalogue-derived corpus", async () => {
  const base: PlanResource[] = toPlan((await runStack({ stack: "prod" })).resources);
  const evaluate = planEvaluator(base);
  const counts = (v: Violation) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message);
  const lines: string[] = [];
  const tally = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0, FLAGGED: 0, ok: 0 };
  for (const m of catalogueMutations) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    try {
      m.apply(plan);
    } catch (e) {
      tally.ERROR++;
      lines.push(`ERROR  ${m.check}: ${m.title}: ${(e as Error).message}`);
      continue;
    }
    const found = (await evaluate(plan.resources)).filter(counts);
    const verdict = found.some((v) => v.resource?.name === m.expect) ? "CAUGHT" : found.length ? "OTHER" : "MISSED";
    tally[verdict]++;
    lines.push(`${verdict.padEnd(6)} ${m.check}: ${m.title} [${m.expect}]${verdict === "CAUGHT" ? "" : " -> " + found.map((v) => `${v.resource?.name}:${v.policy}`).join(", ")}`);
  }
  for (const h of catalogueHarmless) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    h.apply(plan);
    const found = await evaluate(plan.resources);
    const verdict = found.length ? "FLAGGED" : "ok";
    tally[verdict]++;
    lines.push(`${verdict.padEnd(7)} harmless: ${h.title}${found.length ? " -> " + found.map((v) => `${v.resource?.name}:${v.policy}`).join(", ") : ""}`);
  }
  lines.push(JSON.stringify(tally));
  require("node:fs").writeFileSync("/tmp/rt8-peers-score.txt", lines.join("\n") + "\n");
  expect(lines.length).toBeGreaterThan(0);
});
