/**
 * File-reading shell around the pure diff/render modules.
 *
 * - runDiffCommand: what `npm run plan -- --stack S --diff BASE.json [--markdown] [--policy-results FILE]`
 *   calls (offline/plan/cli.ts produces the head plan in-process and hands it over).
 * - runCommentCommand / `tsx offline/plan/diff-cli.ts comment ...`: the PR workflow's single comment
 *   for every stack, from plan JSON files already written by `npm run plan -- --json`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseCommandLine } from "../../scripts/cli/args";
import { z } from "zod";
import { diffPlans, parsePlan, PlanResource } from "./diff";
import { PolicyViolation, renderMarkdown, renderText, StackDiffSection } from "./render-diff";

export type { PlanResource } from "./diff";

const violationSchema = z.object({
  policy: z.string(),
  enforcement: z.enum(["mandatory", "advisory"]),
  resource: z.object({ type: z.string(), name: z.string() }).optional(),
  message: z.string(),
});

/** Validates the policy runner's `--json` output; errors name `source` and the bad entry. */
export function parsePolicyResults(value: unknown, source: string): PolicyViolation[] {
  const parsed = z.array(violationSchema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => `[${String(p)}]`).join("") || "(root)";
    throw new Error(`${source}: not policy results (expected a JSON array of {policy, enforcement, message}): at ${where}: ${issue.message}`);
  }
  return parsed.data;
}

class FileMissingError extends Error {}

/** Reads and parses a JSON file; every failure names the file and what it was meant to be. */
async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const message = `cannot read ${what} ${path}: ${(error as Error).message}`;
    throw (error as NodeJS.ErrnoException).code === "ENOENT" ? new FileMissingError(message) : new Error(message);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

export async function loadPlanFile(path: string, what = "plan"): Promise<PlanResource[]> {
  return parsePlan(await readJsonFile(path, what), path);
}

export async function loadPolicyResultsFile(path: string): Promise<PolicyViolation[]> {
  return parsePolicyResults(await readJsonFile(path, "policy results"), path);
}

export interface DiffCommandArgs {
  headPlan: PlanResource[];
  basePath: string;
  markdown: boolean;
  policyResultsPath?: string;
  out: NodeJS.WritableStream;
  /** Stack name for the Markdown summary line. */
  stack?: string;
  /** Where errors go; default process.stderr. */
  err?: NodeJS.WritableStream;
}

/** Diffs the in-process head plan against BASE.json and prints text or a PR comment. Returns the exit code. */
export async function runDiffCommand(args: DiffCommandArgs): Promise<number> {
  const err = args.err ?? process.stderr;
  try {
    const head = parsePlan(args.headPlan, "head plan");
    const base = await loadPlanFile(args.basePath, "base plan");
    const policy = args.policyResultsPath ? await loadPolicyResultsFile(args.policyResultsPath) : undefined;
    const diff = diffPlans(base, head);
    const rendered = args.markdown
      ? renderMarkdown([{ stack: args.stack, diff, policy }], {
          fullDiffHint: `npm run plan -- --stack ${args.stack ?? "<stack>"} --diff <base.json>`,
        })
      : renderText(diff, policy);
    args.out.write(rendered);
    return 0;
  } catch (error) {
    err.write(`plan --diff: ${(error as Error).message}\n`);
    return 1;
  }
}

export interface CommentStackInput {
  stack: string;
  headPath: string;
  /** Where the head plan's stderr went: shown in the comment when the head plan is missing. */
  headErrorPath?: string;
  /** A missing file means "no base plan" (base branch predates `plan`, or the stack is new). */
  basePath: string;
  /** Missing or unreadable results become a visible note rather than a failure. */
  policyPath?: string;
}

const EMPTY_DIFF = { creates: [], deletes: [], updates: [], unchanged: 0 };

/** The error text of a stack whose head plan cannot be read: its stderr if kept, else why reading failed. */
async function headFailure(input: CommentStackInput, error: Error): Promise<string> {
  if (input.headErrorPath) {
    try {
      const text = (await readFile(input.headErrorPath, "utf8")).trim();
      if (text) return text;
    } catch {
      // no stderr file: fall back to the read error
    }
  }
  return error.message;
}

/**
 * Builds the one PR comment covering every stack. A stack whose head plan failed shows its error
 * text while the others still render; a malformed base plan is a hard error.
 */
export async function buildComment(stacks: readonly CommentStackInput[]): Promise<string> {
  const sections: StackDiffSection[] = [];
  for (const input of stacks) {
    const notes: string[] = [];
    let policy: PolicyViolation[] | undefined;
    if (input.policyPath) {
      try {
        policy = await loadPolicyResultsFile(input.policyPath);
      } catch (error) {
        notes.push(`Policy results unavailable: ${(error as Error).message}`);
      }
    }
    let head: PlanResource[];
    try {
      head = await loadPlanFile(input.headPath, "head plan");
    } catch (error) {
      sections.push({ stack: input.stack, diff: EMPTY_DIFF, policy, notes, error: await headFailure(input, error as Error) });
      continue;
    }
    let base: PlanResource[] = [];
    try {
      base = await loadPlanFile(input.basePath, "base plan");
    } catch (error) {
      if (!(error instanceof FileMissingError)) throw error;
      notes.push("No base plan (the merge base has no plan command, or it failed for this stack — see the workflow log): every resource shows as a create.");
    }
    sections.push({ stack: input.stack, diff: diffPlans(base, head), policy, notes });
  }
  return renderMarkdown(sections, { fullDiffHint: "npm run plan -- --stack <stack> --diff <base.json>" });
}

const COMMENT_USAGE =
  "usage: tsx offline/plan/diff-cli.ts comment --out FILE (--stack NAME --head HEAD.json [--head-error HEAD.err] --base BASE.json [--policy POLICY.json])...";

/** `comment` subcommand: flags after each --stack belong to that stack. Returns the exit code. */
export async function runCommentCommand(argv: string[], err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(
      argv,
      {
        out: { type: "string" },
        stack: { type: "string", multiple: true },
        head: { type: "string", multiple: true },
        "head-error": { type: "string", multiple: true },
        base: { type: "string", multiple: true },
        policy: { type: "string", multiple: true },
      },
      { tokens: true },
    );
  } catch (error) {
    err.write(`${(error as Error).message}\n${COMMENT_USAGE}\n`);
    return 2;
  }
  const stacks: Partial<CommentStackInput>[] = [];
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option" || token.name === "out") continue;
    if (token.name === "stack") {
      stacks.push({ stack: token.value });
      continue;
    }
    const current = stacks[stacks.length - 1];
    if (!current) {
      err.write(`--${token.name} must follow a --stack\n${COMMENT_USAGE}\n`);
      return 2;
    }
    const key = ({ head: "headPath", "head-error": "headErrorPath", base: "basePath", policy: "policyPath" } as const)[token.name as "head" | "head-error" | "base" | "policy"];
    current[key] = token.value;
  }
  const incomplete = stacks.find((s) => !s.headPath || !s.basePath);
  if (!parsed.values.out || stacks.length === 0 || incomplete) {
    const why = incomplete ? `stack "${incomplete.stack}" needs --head and --base` : "--out and at least one --stack are required";
    err.write(`${why}\n${COMMENT_USAGE}\n`);
    return 2;
  }
  try {
    await writeFile(parsed.values.out, await buildComment(stacks as CommentStackInput[]));
    return 0;
  } catch (error) {
    err.write(`plan comment: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "comment") {
    process.stderr.write(`${COMMENT_USAGE}\n`);
    process.exitCode = 2;
  } else {
    void runCommentCommand(rest).then((code) => {
      process.exitCode = code;
    });
  }
}
