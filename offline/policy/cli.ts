/**
 * `npm run policy -- --stack <name> [--json] [--policy-pack-config FILE]`  evaluate the stack's plan in process
 * `npm run policy -- --plan FILE [--stack <name>] [--json] [--policy-pack-config FILE]`  evaluate a plan JSON file with
 *   the stack and environment recorded in it (a file recording none needs --stack; a different --stack is an error)
 * Exit: 0 no mandatory violation, 1 mandatory violation(s), 2 usage or input error.
 */
import * as path from "node:path";
import { parseCommandLine, UsageError } from "../../scripts/cli/args";
import { allPolicies } from "../../policies/rules";
import { loadPolicyConfig, PolicyConfigError, withEnvironment } from "./config";
import { readStackFiles } from "../engine/stack-files";
import { formatText } from "./format";
import { fromCaptured, mockOutputs, PlanInputError, readPlanFile } from "./inputs";
import { RunnerResource, runPolicies } from "./runner";

export const POLICIES_DIR = path.resolve(__dirname, "..", "..", "policies");

const USAGE = "usage: npm run policy -- (--stack NAME | --plan FILE [--stack NAME]) [--json] [--policy-pack-config FILE]";

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * The environment the stack's config sets (`edgestack:environment`, undefined when unset) from its stack file, or
 * undefined when there is no stack file to read. The stack name is weighed by the rules themselves (isProd).
 */
function stackEnvironment(stack: string): string | undefined {
  try {
    const files = readStackFiles(stack);
    return files.config[`${files.project}:environment`];
  } catch {
    return undefined;
  }
}

export async function main(argv: string[], io: Io): Promise<number> {
  let values: { stack?: string; plan?: string; json?: boolean; "policy-pack-config"?: string; help?: boolean };
  try {
    ({ values } = parseCommandLine(argv, {
      stack: { type: "string" },
      plan: { type: "string" },
      json: { type: "boolean" },
      "policy-pack-config": { type: "string" },
      help: { type: "boolean", short: "h" },
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
    let environment: string | undefined;
    if (values.plan) {
      const plan = readPlanFile(values.plan);
      resources = plan.resources;
      if (plan.stack !== undefined && stack !== undefined && plan.stack !== stack) {
        throw new UsageError(`--plan ${values.plan} was made for stack "${plan.stack}", not --stack "${stack}"`);
      }
      stack = plan.stack ?? stack;
      environment = plan.environment;
      if (!stack) {
        throw new UsageError(`--plan ${values.plan} records no stack (an older plan file): pass --stack NAME, or rewrite it with npm run plan -- --stack NAME --json`);
      }
      if (environment === undefined) environment = stackEnvironment(stack);
    } else {
      const { runStack } = await import("../engine/engine");
      let run;
      try {
        run = await runStack({ stack: stack! });
      } catch (e) {
        throw new UsageError(`--stack ${stack}: the program failed under the offline engine: ${(e as Error).message}`);
      }
      resources = fromCaptured(run.resources);
      project = run.project;
      environment = stackEnvironment(stack!);
    }
    const loaded = loadPolicyConfig({ file: values["policy-pack-config"], stack: stack!, policiesDir: POLICIES_DIR, policies: allPolicies });
    const file = loaded.file;
    const config = withEnvironment(loaded.config, allPolicies, environment);
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
