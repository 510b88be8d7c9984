/**
 * `npm run policy -- --stack <name> [--json] [--policy-pack-config FILE]`  evaluate the stack's plan in process
 * `npm run policy -- --plan FILE [--stack <name>] [--json] [--policy-pack-config FILE]`  evaluate a plan JSON file
 * Exit: 0 no mandatory violation, 1 mandatory violation(s), 2 usage or input error.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { allPolicies } from "../../policies/rules";
import { loadPolicyConfig, PolicyConfigError } from "./config";
import { formatText } from "./format";
import { fromCaptured, mockOutputs, PlanInputError, readPlanFile } from "./inputs";
import { RunnerResource, runPolicies } from "./runner";

export const POLICIES_DIR = path.resolve(__dirname, "..", "..", "policies");
/** Stack name used for a plan file given without --stack: matches no prod pattern. */
export const UNNAMED_STACK = "unnamed";

const USAGE = "usage: npm run policy -- (--stack NAME | --plan FILE [--stack NAME]) [--json] [--policy-pack-config FILE]";

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

class UsageError extends Error {}

export async function main(argv: string[], io: Io): Promise<number> {
  let values: { stack?: string; plan?: string; json?: boolean; "policy-pack-config"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        plan: { type: "string" },
        json: { type: "boolean" },
        "policy-pack-config": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    if (values.stack !== undefined && !/^[\w.-]+$/.test(values.stack)) throw new UsageError(`--stack "${values.stack}" is not a stack name`);
    if (!values.stack && !values.plan) throw new UsageError("give --stack NAME (evaluate that stack in process) or --plan FILE");
    let stack = values.stack;
    let resources: RunnerResource[];
    let project = "edgestack";
    if (values.plan) {
      resources = readPlanFile(values.plan);
      if (!stack) {
        stack = UNNAMED_STACK;
        io.err(`note: --plan without --stack: evaluating as non-prod stack "${UNNAMED_STACK}"; pass --stack to apply that stack's prod rules and policy config.`);
      }
    } else {
      const { runStack } = await import("../offline/engine");
      let run;
      try {
        run = await runStack({ stack: stack! });
      } catch (e) {
        throw new UsageError(`--stack ${stack}: the program failed under the offline engine: ${(e as Error).message}`);
      }
      resources = fromCaptured(run.resources);
      project = run.project;
    }
    const { config, file } = loadPolicyConfig({ file: values["policy-pack-config"], stack: stack!, policiesDir: POLICIES_DIR, policies: allPolicies });
    const violations = await runPolicies({ stack: stack!, project, resources, policies: allPolicies, config, outputsOf: mockOutputs });
    if (values.json) {
      io.out(JSON.stringify(violations, null, 2));
    } else {
      const descriptions = new Map(allPolicies.map((p) => [p.name, p.description]));
      const source = values.plan ? `plan ${values.plan}` : `stack ${stack}`;
      io.out(formatText(violations, descriptions, `Policy pack: ${allPolicies.length} policies over ${resources.length} resources of ${source}${file ? ` (config ${path.relative(process.cwd(), file)})` : ""}`));
    }
    return violations.some((v) => v.enforcement === "mandatory") ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof PlanInputError || e instanceof PolicyConfigError) {
      io.err(`error: ${e.message}${e instanceof UsageError ? `\n${USAGE}` : ""}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`policy runner crashed: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
