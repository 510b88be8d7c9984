import * as fs from "node:fs";
import { runStack } from "../../../offline/engine/engine";
import { baselineFile, checkBaseline, DECLARATIONS_FILE, formatCheck, parseDeclarations, StackBaseline } from "../../../offline/plan/baseline";
import { baselineOfRun } from "../../../offline/plan/baseline-cli";

/**
 * The plan-unchanged guard for one committed stack (one stack per test file: the engine's runtime
 * is global). Fails with every undeclared difference and how to declare it or regenerate.
 */
export function describePlanUnchanged(stack: string): void {
  describe(`the ${stack} plan`, () => {
    it("matches offline/plan/baselines except for declared differences", async () => {
      const before = JSON.parse(fs.readFileSync(baselineFile(stack), "utf8")) as StackBaseline;
      const declarations = parseDeclarations(fs.readFileSync(DECLARATIONS_FILE, "utf8"));
      const after = baselineOfRun(await runStack({ stack }));
      expect(Object.keys(after.resources).length).toBeGreaterThan(100);
      expect(formatCheck(stack, checkBaseline(stack, before, after, declarations))).toBe("");
    });
  });
}
