import { runStack, toPlan } from "../../../offline/engine/engine";
import { deepFreeze, planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import type { Violation } from "../../../offline/policy/runner";
import { Mutation, Plan } from "./mutations";

/**
 * Registers a `beforeAll` that builds the prod plan exactly as `npm run plan -- --stack prod --json` writes it
 * (secrets masked) and returns the red team's judgements on fresh copies of it. Each red-team test file calls this
 * once, so the corpora can be split over files (and jest's workers) while judged one way.
 */
export function prodPlanJudge() {
  let base: PlanResource[];
  let evaluate: ReturnType<typeof planEvaluator>;
  beforeAll(async () => {
    // Frozen: every case's plan shares it (Plan.over), so a mutation that reached it without a copy would throw.
    base = deepFreeze(toPlan((await runStack({ stack: "prod" })).resources));
    evaluate = planEvaluator(base);
  }, 180_000);

  return {
    /** Every violation of the unmutated plan, every policy on every resource (must be none). */
    cleanPlanViolations: () => evaluate(base, { all: true }),
    /** A mandatory violation (not a policy's own failure) names the mutation's expected resource. */
    async expectCaught(m: Mutation): Promise<void> {
      const plan = Plan.over(base);
      m.apply(plan);
      const counts = (v: Violation) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message);
      // The pack stops at the first policy that catches the change on its resource (a miss runs every policy, so its
      // failure lists everything that was found).
      const found = await evaluate(plan.view(), { stopWhen: (vs) => vs.some((v) => counts(v) && v.resource?.name === m.expect) });
      const mandatory = found.filter(counts);
      expect(mandatory.map((v) => `${v.resource?.name}: ${v.policy}`)).toContainEqual(expect.stringMatching(new RegExp(`^${m.expect.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `)));
    },
    /** A harmless change is reported by no policy at all. */
    async expectHarmless(h: { apply: (plan: Plan) => void }): Promise<void> {
      const plan = Plan.over(base);
      h.apply(plan);
      expect(await evaluate(plan.view())).toEqual([]);
    },
  };
}

/** One blind round's corpus: its name, the insecure changes and the harmless ones. */
export type BlindRound = readonly [area: string, insecure: readonly Mutation[], harmless: readonly { title: string; apply: (plan: Plan) => void }[]];

/**
 * The blind rounds' tests, judged on one prod plan built for the file: every insecure change caught by a mandatory
 * rule on the right resource, no harmless change reported. The rounds are split over files so jest's workers share them.
 */
export function describeBlindRounds(rounds: readonly BlindRound[]): void {
  const judge = prodPlanJudge();
  describe.each(rounds)("blind red team, %s", (_area, insecure, harmlessChanges) => {
    it.each(insecure.map((m) => [`${m.area}: ${m.title}`, m] as const))("%s is caught by a mandatory rule on the right resource", async (_t, m) => {
      await judge.expectCaught(m);
    });

    it.each(harmlessChanges.map((h) => [h.title, h] as const))("harmless: %s is not reported", async (_t, h) => {
      await judge.expectHarmless(h);
    });
  });
}
