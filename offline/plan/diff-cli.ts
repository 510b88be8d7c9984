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
import { COMMENT_MARKER, KEYED_COMMENT_MARKER, PolicyViolation, renderMarkdown, renderText, StackDiffSection } from "./render-diff";
import { MIN_FRAGMENT_CHARS, secretFragments } from "../../infra/config/secret-fragments";

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

/** One secret config value a comment must never contain (from `pulumi config --show-secrets --json`). */
export interface SecretConfigValue {
  key: string;
  value: string;
  source: string;
}

export interface CommentOptions {
  /**
   * The credentialed comment (preview.yml): plans made from the real secret values with keyed digests.
   * Every secret digest of every plan must then be keyed (a plan fingerprinted another way is refused,
   * since comparing across modes is meaningless), and the comment has its own marker.
   */
  keyed?: boolean;
  /** Values the finished comment is checked against: one found anywhere fails the command, naming its key. */
  secretValues?: readonly SecretConfigValue[];
}

const KEYED_NOTE =
  "Planned from the stack's real config: secrets are compared by a keyed digest (HMAC-SHA-256 under the CI secret EDGESTACK_PLAN_SECRET_KEY), so a changed secret shows as `changed [secret]`; no value is shown.";

/** Refuses a plan whose secret fingerprints are not keyed (keyed comments only). */
function requireKeyed(plan: PlanResource[], source: string): void {
  const unkeyed = plan.flatMap((r) => (r.secrets ?? []).filter((s) => !s.digest.startsWith("hmac-sha256:")).map(() => r));
  if (unkeyed.length > 0) {
    throw new Error(
      `${source}: ${unkeyed.length} secret fingerprint(s) are not keyed (first: ${unkeyed[0].type} ${unkeyed[0].name}); plan base and head with --secrets-from and EDGESTACK_PLAN_SECRET_KEY set`,
    );
  }
}

/** Reads `pulumi config --show-secrets --json` output: the values marked secret (every value of a plain map). */
export async function loadSecretConfigValues(path: string): Promise<SecretConfigValue[]> {
  const raw = await readJsonFile(path, "secret config");
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`secret config ${path}: expected a JSON object of config keys`);
  const values: SecretConfigValue[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    const structured = typeof entry === "object" && entry !== null;
    const value = structured ? (entry as { value?: unknown }).value : entry;
    const secret = structured ? (entry as { secret?: unknown }).secret === true : true;
    if (secret && typeof value === "string" && value.length > 0) values.push({ key, value, source: path });
  }
  return values;
}

/** Throws, naming the key and never the value, if `text` contains any part of a secret value the program could use. */
export function assertNoSecretValues(text: string, secrets: readonly SecretConfigValue[]): void {
  for (const secret of secrets) {
    // Values too short to tell apart from ordinary text are left to the digest; the rest must not appear.
    if (secretFragments(secret.value).some((fragment) => fragment.length >= MIN_FRAGMENT_CHARS && text.includes(fragment))) {
      throw new Error(`the rendered comment contains the value of secret config key ${secret.key} (${secret.source}); refusing to write it`);
    }
  }
}

/**
 * Builds the one PR comment covering every stack. A stack whose head plan failed shows its error
 * text while the others still render; a malformed base plan is a hard error.
 */
export async function buildComment(stacks: readonly CommentStackInput[], options: CommentOptions = {}): Promise<string> {
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
    if (options.keyed) notes.push(KEYED_NOTE);
    let head: PlanResource[];
    try {
      head = await loadPlanFile(input.headPath, "head plan");
      if (options.keyed) requireKeyed(head, input.headPath);
    } catch (error) {
      sections.push({ stack: input.stack, diff: EMPTY_DIFF, policy, notes, error: await headFailure(input, error as Error) });
      continue;
    }
    let base: PlanResource[] = [];
    try {
      base = await loadPlanFile(input.basePath, "base plan");
      if (options.keyed) requireKeyed(base, input.basePath);
    } catch (error) {
      if (!(error instanceof FileMissingError)) throw error;
      notes.push("No base plan (the merge base has no plan command, or it failed for this stack — see the workflow log): every resource shows as a create.");
    }
    sections.push({ stack: input.stack, diff: diffPlans(base, head), policy, notes });
  }
  const comment = renderMarkdown(sections, {
    fullDiffHint: "npm run plan -- --stack <stack> --diff <base.json>",
    marker: options.keyed ? KEYED_COMMENT_MARKER : COMMENT_MARKER,
  });
  assertNoSecretValues(comment, options.secretValues ?? []);
  return comment;
}

const COMMENT_USAGE =
  "usage: tsx offline/plan/diff-cli.ts comment --out FILE [--keyed] [--secrets CONFIG.json]... (--stack NAME --head HEAD.json [--head-error HEAD.err] --base BASE.json [--policy POLICY.json])...\n" +
  "  --keyed: plans made with --secrets-from and EDGESTACK_PLAN_SECRET_KEY (preview.yml); --secrets: the\n" +
  "  `pulumi config --show-secrets --json` files used, whose secret values the comment must not contain";

/** `comment` subcommand: flags after each --stack belong to that stack. Returns the exit code. */
export async function runCommentCommand(argv: string[], err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(
      argv,
      {
        out: { type: "string" },
        keyed: { type: "boolean", default: false },
        secrets: { type: "string", multiple: true },
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
    if (token.kind !== "option" || ["out", "keyed", "secrets"].includes(token.name)) continue;
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
    const secretValues = (await Promise.all((parsed.values.secrets ?? []).map(loadSecretConfigValues))).flat();
    await writeFile(parsed.values.out, await buildComment(stacks as CommentStackInput[], { keyed: parsed.values.keyed, secretValues }));
    return 0;
  } catch (error) {
    err.write(`plan comment: ${(error as Error).message}\n`);
    return 1;
  }
}

/** GitHub's workflow command data escaping (`%`, CR and LF). */
const escapeCommandData = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");

/**
 * `mask CONFIG.json`: the `::add-mask::` commands that make GitHub hide every secret value of a
 * `pulumi config --show-secrets --json` file (and each part the program uses, secretFragments) in
 * the job's log, one line at a time (a mask does not span lines). Prints nothing else.
 */
export async function runMaskCommand(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  if (argv.length !== 1) {
    err.write("usage: tsx offline/plan/diff-cli.ts mask CONFIG.json\n");
    return 2;
  }
  try {
    const lines = new Set<string>();
    for (const secret of await loadSecretConfigValues(argv[0])) {
      for (const fragment of secretFragments(secret.value)) for (const line of fragment.split(/\r?\n/)) if (line.trim()) lines.add(line);
    }
    out.write([...lines].map((line) => `::add-mask::${escapeCommandData(line)}\n`).join(""));
    return 0;
  } catch (error) {
    err.write(`plan mask: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "mask") {
    void runMaskCommand(rest).then((code) => {
      process.exitCode = code;
    });
  } else if (command !== "comment") {
    process.stderr.write(`${COMMENT_USAGE}\n`);
    process.exitCode = 2;
  } else {
    void runCommentCommand(rest).then((code) => {
      process.exitCode = code;
    });
  }
}
