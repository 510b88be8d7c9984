import { readFileSync } from "node:fs";
import { parseCommandLine } from "../../scripts/cli/args";
import { secretMode } from "./secrets";
import { ConfigError } from "../../infra/config/schema";
import { decideEnvironment } from "@edgestack/contract";
import { runStack, toPlan } from "../engine/engine";
import { CliConfig, readStackFiles } from "../engine/stack-files";
import type { PlanFile } from "./format";
import { renderPlanTree } from "./render-plan";

/**
 * `npm run plan -- --stack <name> [--json] [--diff BASE.json [--markdown] [--policy-results FILE]]`
 * Runs the program in-process under mocks with Pulumi.<name>.yaml and prints every resource
 * `pulumi up` would register. Exit codes: 0 ok, 1 the program failed, 2 bad usage or config.
 */
const USAGE =
  "usage: npm run plan -- --stack <name> [--json] [--stack-file FILE] [--secrets-from CONFIG.json] [--diff BASE.json [--markdown] [--policy-results FILE]]\n" +
  "  --secrets-from: the stack's real config (`pulumi config --show-secrets --json`, in a credentialed job); secret\n" +
  "  fingerprints are then keyed with EDGESTACK_PLAN_SECRET_KEY, which must be set";

/**
 * The stack's config from `pulumi config --show-secrets --json` (`{ key: { value, secret } }`), or a plain
 * `{ key: value }` map whose values all count as secret. Values the stack file lacks (an ESC
 * environment's) reach the program too, as under the CLI.
 */
function readCliConfig(file: string): CliConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`--secrets-from ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`--secrets-from ${file}: expected a JSON object of config keys`);
  const out: CliConfig = {};
  for (const [key, entry] of Object.entries(raw)) {
    const structured = typeof entry === "object" && entry !== null;
    const value = structured ? (entry as { value?: unknown }).value : entry;
    if (typeof value === "string") out[key] = { value, secret: structured ? (entry as { secret?: unknown }).secret === true : true };
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseCommandLine(argv, {
      stack: { type: "string" },
      "stack-file": { type: "string" },
      "secrets-from": { type: "string" },
      json: { type: "boolean", default: false },
      diff: { type: "string" },
      markdown: { type: "boolean", default: false },
      "policy-results": { type: "string" },
      help: { type: "boolean", default: false },
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.stack) {
    process.stderr.write(`--stack is required\n${USAGE}\n`);
    return 2;
  }
  if ((args.markdown || args["policy-results"]) && !args.diff) {
    process.stderr.write(`--markdown and --policy-results go with --diff\n${USAGE}\n`);
    return 2;
  }

  let run;
  let mode;
  let cliConfig: CliConfig | undefined;
  try {
    cliConfig = args["secrets-from"] ? readCliConfig(args["secrets-from"]) : undefined;
    // Decided before the program runs: real secrets without a key are refused up front.
    mode = secretMode({ realSecrets: cliConfig !== undefined && Object.keys(cliConfig).length > 0 });
    run = await runStack({ stack: args.stack, stackFile: args["stack-file"], cliConfig });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`plan failed: ${message}\n`);
    return /no stack file|Pulumi\.yaml|--secrets-from|EDGESTACK_PLAN_SECRET_KEY/.test(message) ? 2 : 1;
  }
  const plan = toPlan(run.resources, { secretMode: mode });

  if (args.diff) {
    // The diff renderer lives beside this file (offline/plan/diff-cli.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runDiffCommand } = require("./diff-cli") as typeof import("./diff-cli");
    return runDiffCommand({ stack: args.stack, headPlan: plan, basePath: args.diff, markdown: args.markdown, policyResultsPath: args["policy-results"], out: process.stdout });
  }
  if (args.json) {
    const config = readStackFiles(args.stack, { stackFile: args["stack-file"], cliConfig }).config;
    // The environment the program decided (config or stack name, packages/contract/src/environment.ts), as the policy runner reads it.
    const environment = decideEnvironment(args.stack, config[`${run.project}:environment`]).environment;
    const file: PlanFile = { stack: args.stack, project: run.project, environment, resources: plan };
    process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(renderPlanTree(args.stack, plan));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write("", () => process.exit(code)),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
