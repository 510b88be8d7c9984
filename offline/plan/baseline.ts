/**
 * The plan baseline: what the committed dev and prod stacks deploy (every resource by URN, with its
 * inputs and options, secrets masked), and the check that a change to the code changes none of it
 * unless the difference is declared with a reason. A refactor proves itself against it; a change
 * that means to alter the plan declares what it alters, and the baseline is regenerated at merge.
 *
 * Pure: the engine run comes from the caller (one stack per process), files are read by the caller.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import microdiff from "microdiff";
import { z } from "zod";
import type { PlanOptions } from "./format";

/** The stacks whose plans are kept (their Pulumi.<stack>.yaml is committed). */
export const BASELINE_STACKS = ["dev", "prod"] as const;
export const BASELINE_DIR = path.join(__dirname, "baselines");
export const DECLARATIONS_FILE = path.join(BASELINE_DIR, "declared.json");
export const baselineFile = (stack: string): string => path.join(BASELINE_DIR, `${stack}.json`);
export const REGENERATE = "npm run plan:baseline";

/** Strings longer than this are kept as a digest (the rendered nginx.conf): small, still exact. */
export const DIGEST_ABOVE_CHARS = 2000;

export interface BaselineResource {
  type: string;
  /** Inputs, keys sorted, secrets as "[secret]", long strings as "sha256:<hex> (<n> chars)". */
  inputs: Record<string, unknown>;
  /** Non-default resource options (protect, aliases, provider, dependsOn, …). */
  options?: PlanOptions;
  /** Older URNs this resource answers to (its aliases): a move that keeps them is no difference. */
  aliasUrns?: string[];
}

export interface StackBaseline {
  stack: string;
  /** URN → resource, URNs sorted. */
  resources: Record<string, BaselineResource>;
}

/** What the engine captured, reduced to what the baseline keeps (see offline/engine). */
export interface CapturedForBaseline {
  type: string;
  urn: string;
  /** Inputs with secrets already masked (offline/engine's maskSecrets). */
  maskedInputs: Record<string, unknown>;
  options: PlanOptions;
  aliasUrns: string[];
}

export function baselineOf(stack: string, resources: CapturedForBaseline[]): StackBaseline {
  const entries = resources
    .map((r): [string, BaselineResource] => {
      const entry: BaselineResource = { type: r.type, inputs: compact(r.maskedInputs) as Record<string, unknown> };
      if (Object.keys(r.options).length > 0) entry.options = r.options;
      if (r.aliasUrns.length > 0) entry.aliasUrns = r.aliasUrns;
      return [r.urn, entry];
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { stack, resources: Object.fromEntries(entries) };
}

/** The file text for a baseline: stable (sorted keys, fixed indentation, trailing newline). */
export function serializeBaseline(baseline: StackBaseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

function compact(value: unknown): unknown {
  if (typeof value === "string" && value.length > DIGEST_ABOVE_CHARS) return `sha256:${createHash("sha256").update(value).digest("hex")} (${value.length} chars)`;
  if (Array.isArray(value)) return value.map(compact);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  return value;
}

/** One way the current plan differs from the baseline. */
export interface BaselineDifference {
  stack: string;
  urn: string;
  kind: "added" | "removed" | "changed";
  /** For "changed": the property, e.g. `inputs.tags.Name`, `options.protect`, `type`. */
  property?: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Every difference between two baselines of one stack. A resource whose new URN differs but whose
 * aliases name the old URN is the same resource (Pulumi keeps it): compared property by property.
 */
export function compareBaselines(before: StackBaseline, after: StackBaseline): BaselineDifference[] {
  const differences: BaselineDifference[] = [];
  const stack = after.stack;
  const matchedOld = new Set<string>();
  for (const [urn, now] of Object.entries(after.resources)) {
    const oldUrn = urn in before.resources ? urn : (now.aliasUrns ?? []).find((alias) => alias in before.resources && !(alias in after.resources));
    if (oldUrn === undefined) {
      differences.push({ stack, urn, kind: "added" });
      continue;
    }
    matchedOld.add(oldUrn);
    const was = before.resources[oldUrn];
    const { aliasUrns: _was, ...wasCompared } = was;
    const { aliasUrns: _now, ...nowCompared } = now;
    // Aliases are how a move keeps its URN: adding one is no change to what is deployed.
    const withoutAliases = (r: typeof wasCompared) => ({ ...r, options: r.options ? Object.fromEntries(Object.entries(r.options).filter(([k]) => k !== "aliases")) : undefined });
    for (const change of microdiff(withoutAliases(wasCompared) as Record<string, unknown>, withoutAliases(nowCompared) as Record<string, unknown>)) {
      differences.push({
        stack,
        urn,
        kind: "changed",
        property: formatPath(change.path),
        ...("oldValue" in change ? { before: change.oldValue } : {}),
        ...("value" in change ? { after: change.value } : {}),
      });
    }
  }
  for (const urn of Object.keys(before.resources)) if (!matchedOld.has(urn)) differences.push({ stack, urn, kind: "removed" });
  return differences;
}

function formatPath(segments: (string | number)[]): string {
  return segments.reduce<string>((out, s) => (typeof s === "number" ? `${out}[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? (out ? `${out}.${s}` : s) : `${out}[${JSON.stringify(s)}]`), "");
}

/**
 * A difference someone meant: matched by stack ("*" for every stack), URN, and property (a prefix:
 * `inputs.tags` covers every tag; none covers the whole resource, added or removed).
 */
export const declarationSchema = z
  .object({
    stack: z.string().min(1),
    urn: z.string().startsWith("urn:pulumi:"),
    property: z.string().min(1).optional(),
    reason: z.string().trim().min(10, { error: "must say why the plan changes (10 characters at least)" }),
  })
  .strict();
export const declarationsFileSchema = z.object({ $comment: z.string().optional(), differences: z.array(declarationSchema) }).strict();
export type Declaration = z.infer<typeof declarationSchema>;

/** Parses declared.json, naming the offending entry and field on a mistake. */
export function parseDeclarations(text: string, file = DECLARATIONS_FILE): Declaration[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`, { cause: err });
  }
  const result = declarationsFileSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(`${file}: ${result.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  return result.data.differences;
}

export function declares(declaration: Declaration, difference: BaselineDifference): boolean {
  if (declaration.stack !== "*" && declaration.stack !== difference.stack) return false;
  if (declaration.urn !== difference.urn) return false;
  if (declaration.property === undefined) return true;
  const property = difference.property;
  if (property === undefined) return false;
  return property === declaration.property || property.startsWith(`${declaration.property}.`) || property.startsWith(`${declaration.property}[`);
}

export interface BaselineCheck {
  undeclared: BaselineDifference[];
  /** Declarations for this stack that no difference needs (stale: the baseline already has them, or the change went away). */
  unused: Declaration[];
}

export function checkBaseline(stack: string, before: StackBaseline, after: StackBaseline, declarations: Declaration[]): BaselineCheck {
  const differences = compareBaselines(before, after);
  const mine = declarations.filter((d) => d.stack === stack || d.stack === "*");
  const used = new Set<Declaration>();
  const undeclared = differences.filter((difference) => {
    const by = mine.filter((d) => declares(d, difference));
    by.forEach((d) => used.add(d));
    return by.length === 0;
  });
  // A "*" declaration may be needed by the other stack only: it is judged there.
  return { undeclared, unused: mine.filter((d) => !used.has(d) && d.stack !== "*") };
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? "(absent)" : text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

/** The failure message: each difference, then how to declare it or to regenerate the baseline. "" when clean. */
export function formatCheck(stack: string, check: BaselineCheck): string {
  if (check.undeclared.length === 0 && check.unused.length === 0) return "";
  const lines: string[] = [];
  if (check.undeclared.length > 0) {
    lines.push(`The ${stack} plan differs from ${path.relative(process.cwd(), baselineFile(stack))} in ${check.undeclared.length} undeclared way(s):`);
    for (const d of check.undeclared) {
      if (d.kind === "changed") lines.push(`  ~ ${d.urn}\n      ${d.property}: ${show(d.before)} → ${show(d.after)}`);
      else lines.push(`  ${d.kind === "added" ? "+" : "-"} ${d.urn} (${d.kind})`);
    }
    const first = check.undeclared[0];
    lines.push(
      "",
      "A refactor must not change what is deployed: if this was not meant, fix the code (a moved component keeps its URN with `aliases`).",
      `If it was meant, declare each difference with its reason in ${path.relative(process.cwd(), DECLARATIONS_FILE)}, e.g.`,
      `  { "stack": ${JSON.stringify(stack)}, "urn": ${JSON.stringify(first.urn)},${first.property ? ` "property": ${JSON.stringify(first.property)},` : ""} "reason": "…" }`,
      `or, when the change is accepted (at merge), regenerate the baselines: ${REGENERATE}`,
    );
  }
  if (check.unused.length > 0) {
    lines.push("", `Declared differences of ${stack} that the plan no longer has (remove them, or run ${REGENERATE} which clears them):`);
    for (const d of check.unused) lines.push(`  ${d.urn}${d.property ? ` ${d.property}` : ""}: ${d.reason}`);
  }
  return lines.join("\n");
}
