import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runStack, toPlan } from "../engine/engine";
import { readPlanFile } from "../policy/inputs";
import type { PlanResource } from "../plan/format";
import { exportPlan } from "./files";

/**
 * `npm run export -- (--stack <name> | --plan plan.json) --out DIR`
 * Writes the plan as the field's scanners read it: DIR/tfplan.json (Terraform plan JSON of the AWS resources),
 * DIR/manifests.yaml (the Kubernetes objects), DIR/iam/*.json (every IAM policy document) and DIR/iam/index.json.
 * Then e.g. `checkov -f DIR/tfplan.json --framework terraform_plan`, `checkov -f DIR/manifests.yaml --framework kubernetes`.
 * Exit codes: 0 ok, 1 the program or the export failed, 2 bad usage.
 */
const USAGE = "usage: npm run export -- (--stack <name> | --plan plan.json) --out DIR";

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { stack: { type: "string" }, plan: { type: "string" }, out: { type: "string" }, help: { type: "boolean", default: false } }, strict: true }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.out || (args.stack === undefined) === (args.plan === undefined)) {
    process.stderr.write(`${args.out ? "give exactly one of --stack and --plan" : "--out is required"}\n${USAGE}\n`);
    return 2;
  }
  let resources: PlanResource[];
  try {
    resources = args.plan ? (readPlanFile(args.plan).resources as PlanResource[]) : toPlan((await runStack({ stack: args.stack! })).resources);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return args.plan ? 2 : 1;
  }
  const files = exportPlan({ resources });
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(args.out, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  process.stdout.write(`wrote ${Object.keys(files).length} files to ${args.out}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write("", () => process.exit(code)),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
