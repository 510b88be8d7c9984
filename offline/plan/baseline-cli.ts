/**
 * `npm run plan:baseline`  regenerate offline/plan/baselines/<stack>.json for every committed stack
 *   (dev, prod) and clear declared.json (the baselines now hold what was declared).
 * `npm run plan:baseline -- --stack <name> --print`  print one stack's baseline (what the command
 *   runs per stack, in its own process: the engine runs one stack per process).
 * Exit: 0 written, 1 a stack failed to plan, 2 bad usage.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandLine } from "../../scripts/cli/args";
import { maskSecrets, runStack, StackRun } from "../engine/engine";
import { BASELINE_DIR, baselineFile, baselineOf, BASELINE_STACKS, DECLARATIONS_FILE, serializeBaseline, StackBaseline } from "./baseline";

const USAGE = "usage: npm run plan:baseline [-- --stack NAME --print]";

/** The baseline of an engine run. */
export function baselineOfRun(run: StackRun): StackBaseline {
  return baselineOf(
    run.stack,
    run.resources.map((r) => ({ type: r.type, urn: r.urn, maskedInputs: maskSecrets(r.inputs, r.secretPaths) as Record<string, unknown>, options: r.options, aliasUrns: r.aliasUrns })),
  );
}

export const EMPTY_DECLARATIONS = `${JSON.stringify(
  {
    $comment: `Plan differences from offline/plan/baselines/ that a change means, each with its reason: { "stack": "dev" | "prod" | "*", "urn": "...", "property": "inputs.tags.Name" (optional: a prefix; none covers the whole resource), "reason": "..." }. \`npm run plan:baseline\` regenerates the baselines and empties this list.`,
    differences: [],
  },
  null,
  2,
)}\n`;

export async function main(argv: string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  let values: { stack?: string; print?: boolean; help?: boolean };
  try {
    ({ values } = parseCommandLine(argv, { stack: { type: "string" }, print: { type: "boolean" }, help: { type: "boolean" } }));
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (Boolean(values.print) !== Boolean(values.stack)) {
    io.err(`--stack and --print go together\n${USAGE}`);
    return 2;
  }
  if (values.stack) {
    io.out(serializeBaseline(baselineOfRun(await runStack({ stack: values.stack }))).trimEnd());
    return 0;
  }
  fs.mkdirSync(BASELINE_DIR, { recursive: true });
  for (const stack of BASELINE_STACKS) {
    let text: string;
    try {
      text = execFileSync(process.execPath, [...process.execArgv, __filename, "--stack", stack, "--print"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] });
    } catch {
      io.err(`plan:baseline: the ${stack} stack failed to plan (see above); nothing of it written`);
      return 1;
    }
    fs.writeFileSync(baselineFile(stack), text);
    io.out(`wrote ${path.relative(process.cwd(), baselineFile(stack))}`);
  }
  fs.writeFileSync(DECLARATIONS_FILE, EMPTY_DECLARATIONS);
  io.out(`cleared ${path.relative(process.cwd(), DECLARATIONS_FILE)}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2), { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) }).then(
    (code) => process.stdout.write("", () => process.exit(code)),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
