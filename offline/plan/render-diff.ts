/**
 * Renders a PlanDiff as terminal text or as one bounded GitHub PR comment (Markdown).
 * Pure: strings in, strings out.
 */
import { structuredPatch } from "diff";
import { diffCounts, optionsOf, PlanDiff, PlanResource, PropertyChange, ResourceUpdate, SECRET_PLACEHOLDER } from "./diff";
import { STATEFUL_TYPES } from "./replacements";
import { isBootstrapProvider } from "../../infra/cluster/bootstrap";
import { isKeySegment, PathSegment } from "./lists";

/** Hidden first line of the PR comment; the posting workflow finds "its" comment by it. */
export const COMMENT_MARKER = "<!-- edgestack-plan -->";
/**
 * Hidden first line of the credentialed comment (preview.yml): the same diff planned from the real
 * secret values with keyed digests. Its own marker, so the two posting paths never edit each other's comment.
 */
export const KEYED_COMMENT_MARKER = "<!-- edgestack-plan-keyed -->";

/**
 * GitHub rejects comment bodies over 65,536 characters. We measure with JS string length
 * (UTF-16 code units), which is never less than the code-point count GitHub reports in its
 * error, and 65,536 UTF-16 units are at most 196,608 UTF-8 bytes — inside the 262,144-byte
 * cap that has also been observed — so every reading of the limit is satisfied.
 */
export const GITHUB_COMMENT_LIMIT = 65_536;
export function githubLength(text: string): number {
  return text.length;
}

/** Violation shape exported by the offline policy runner (`npm run policy -- --json`). */
export interface PolicyViolation {
  policy: string;
  enforcement: "mandatory" | "advisory";
  resource?: { type: string; name: string };
  message: string;
}

/** One stack's worth of comment content. */
export interface StackDiffSection {
  /** Stack name shown in the summary; omit for a single unnamed plan. */
  stack?: string;
  diff: PlanDiff;
  /** Undefined = no policy run was supplied (section says so); [] = ran clean. */
  policy?: PolicyViolation[];
  /** Extra caveats shown under the summary (e.g. "base plan unavailable"). */
  notes?: string[];
  /** Set when this stack's plan failed: its error text is shown instead of a diff. */
  error?: string;
}

export interface MarkdownOptions {
  /** Max comment length in githubLength units; default GITHUB_COMMENT_LIMIT. */
  maxLength?: number;
  /** Max characters of one printed value; a longer one is left out whole (never cut); default 1000. */
  maxValueChars?: number;
  /** Command shown in the cut note for getting the full diff locally. */
  fullDiffHint?: string;
  /** First (hidden) line; default COMMENT_MARKER. */
  marker?: string;
}

export interface TextOptions {
  maxValueChars?: number;
}

const MINUS = "\u2212"; // typographic minus, as in the summary line "+N ~N −N"

/** `+N ~N ±N −N (M unchanged)`: creates, in-place updates, replacements, deletes. */
export function summaryLine(diff: PlanDiff): string {
  const c = diffCounts(diff);
  return `+${c.created} ~${c.updated} ±${c.replaced} ${MINUS}${c.deleted} (${c.unchanged} unchanged)`;
}

/** Whether a created or deleted resource is applied through the cluster's bootstrap (RBAC) provider. */
const throughBootstrap = (r: PlanResource) => isBootstrapProvider(optionsOf(r).provider);

/** Changes only a run with clusterAccessBootstrap can apply (infra/cluster/bootstrap.ts), counted. */
export function bootstrapCount(diff: PlanDiff): number {
  return diff.creates.filter(throughBootstrap).length + diff.deletes.filter(throughBootstrap).length + diff.updates.filter((u) => u.bootstrap).length;
}

/** The heading note of a resource block applied through the bootstrap provider. */
export const BOOTSTRAP_NOTE =
  "🔐 NEEDS clusterAccessBootstrap: applied through the cluster's bootstrap (RBAC) provider, which CI's deploy role cannot write with its own ClusterRole; the deploy refuses it without a bootstrap run (docs/ci.md)";

/** What a reviewer must not miss, counted: operations `pulumi up` will fail on, data lost, bootstrap-only changes. Empty when none. */
export function riskNote(diff: PlanDiff): string {
  const fail = diff.updates.filter((u) => u.replace?.protected || u.replace?.nameCollision || u.vpcMove).length;
  const loss =
    diff.updates.filter((u) => u.replace?.dataLoss || u.vpcMove?.dataLoss).length + diff.deletes.filter((r) => STATEFUL_TYPES.has(r.type)).length;
  const bootstrap = bootstrapCount(diff);
  const parts = [
    ...(fail > 0 ? [`❌ ${fail} will fail`] : []),
    ...(loss > 0 ? [`⚠️ ${loss} with data loss`] : []),
    ...(bootstrap > 0 ? [`🔐 ${bootstrap} need clusterAccessBootstrap`] : []),
  ];
  return parts.join(" · ");
}

/** a.b[0]["odd key"] — dots for identifier keys, brackets otherwise; a keyed list element as `behaviors[pathPattern="/v2/*"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (isKeySegment(segment)) out += `[${segment.key}=${JSON.stringify(segment.value)}]`;
    else if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(inputs)" : out;
}

/** First `max` UTF-16 units, backing off rather than splitting a surrogate pair into invalid text. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * JSON-ish rendering; masked secrets print bare as [secret]. A value is never cut mid-way: one longer
 * than `maxChars` is left out whole, with its length, and the reader gets it from the local diff.
 */
export function formatValue(value: unknown, maxChars = Infinity): string {
  if (value === SECRET_PLACEHOLDER) return SECRET_PLACEHOLDER;
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  if (text.length <= maxChars) return text;
  return `(${text.length}-character value not shown here: see the full diff)`;
}

/** Unified-diff lines (`@@`, ` `, `-`, `+`) between two multi-line strings. */
export function unifiedLines(oldText: string, newText: string, context = 3): string[] {
  const patch = structuredPatch("", "", oldText.endsWith("\n") ? oldText : `${oldText}\n`, newText.endsWith("\n") ? newText : `${newText}\n`, "", "", { context });
  return patch.hunks.flatMap((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines.filter((l) => !l.startsWith("\\"))]);
}

const isMultiline = (value: unknown): value is string => typeof value === "string" && value !== SECRET_PLACEHOLDER && value.includes("\n");

/** Leaf paths of a resource's inputs, for listing what a create or delete carries. */
function leaves(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; value: unknown }[] {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    if (entries.length === 0) return [{ path, value }];
    return entries.flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [{ path, value }];
}

/** The path as printed: inputs path, then ` (JSON) ` and the path inside a JSON-in-string document. */
function changePath(change: PropertyChange): string {
  return change.jsonPath ? `${formatPath(change.path)} (JSON) ${formatPath(change.jsonPath)}` : formatPath(change.path);
}

/** An added or removed object or list is listed leaf by leaf (short lines, nothing cut); a scalar stays one line. */
function expanded(path: readonly PathSegment[], value: unknown): { path: PathSegment[]; value: unknown }[] {
  if (value === null || typeof value !== "object") return [{ path: [...path], value }];
  return leaves(value, [...path] as (string | number)[]);
}

/** One or more lines; a changed multi-line string (nginx.conf) is a unified diff under its path. */
function changeLines(change: PropertyChange, maxValueChars: number, asciiMinus: boolean, prefix = ""): string[] {
  const minus = asciiMinus ? "-" : MINUS;
  const p = `${prefix}${changePath(change)}`;
  const via = change.via ? ` (new id: ${change.via.join(", ")} ${change.via.length > 1 ? "are" : "is"} replaced)` : "";
  if (change.secret) return [`~ ${p}: changed [secret]`];
  if (change.order) return [`~ ${p} (order by ${change.order}): ${formatValue(change.old, maxValueChars)} → ${formatValue(change.new, maxValueChars)}`];
  const listed = (sign: string, lineSign: string, value: unknown) => {
    if (isMultiline(value)) return [`${sign} ${p}:`, ...value.split("\n").map((l) => `${lineSign}${l}`)];
    const parts = change.jsonPath ? [{ path: [], value }] : expanded([], value);
    if (parts.length <= 1) return [`${sign} ${p}: ${formatValue(value, maxValueChars)}${via}`];
    return parts.map((leaf) => `${sign} ${p}${leaf.path.length > 0 ? formatPath(leaf.path).replace(/^(?=[A-Za-z_$])/, ".") : ""}: ${formatValue(leaf.value, maxValueChars)}`);
  };
  switch (change.kind) {
    case "add":
      return listed("+", "+", change.new);
    case "remove":
      return listed(minus, "-", change.old);
    case "change":
      if (isMultiline(change.old) || isMultiline(change.new)) {
        // Unified-diff lines keep ASCII signs in the terminal too: they are a patch a reader can apply.
        return [`~ ${p}:`, ...unifiedLines(String(change.old), String(change.new))];
      }
      return [`~ ${p}: ${formatValue(change.old, maxValueChars)} → ${formatValue(change.new, maxValueChars)}${via}`];
  }
}

/** Header notes of a replacement, e.g. `replace (forced by name) — delete before replace — ⚠️ data loss`. */
export function replaceNote(update: ResourceUpdate): string {
  if (!update.replace) {
    const parts: string[] = [];
    if (update.vpcMove) {
      const via = update.vpcMove.via.length > 0 ? ` (${update.vpcMove.via.join(", ")} ${update.vpcMove.via.length > 1 ? "are" : "is"} replaced)` : "";
      parts.push(`❌ WILL FAIL: this update moves it to another VPC${via}, which AWS cannot do in place; it has to be replaced`);
      if (update.vpcMove.dataLoss) parts.push("⚠️ DATA LOSS: a replacement starts empty");
    }
    if (update.deferred) {
      const window = update.deferred.maintenanceWindow ? ` (${update.deferred.maintenanceWindow})` : "";
      parts.push(`⏳ deferred: applyImmediately is false, so AWS applies these changes in the next maintenance window${window}, not during pulumi up`);
    }
    return parts.join(" — ");
  }
  const r = update.replace;
  const via = r.via ? ` (${r.via.join(", ")} ${r.via.length > 1 ? "are" : "is"} replaced)` : "";
  const parts = [`forced by ${r.causes.join(", ")}${via}`];
  if (r.protected) parts.push("❌ WILL FAIL: protected — pulumi up refuses to replace a protected resource (unprotect it deliberately first)");
  if (r.nameCollision) parts.push(`❌ WILL FAIL: fixed name ${r.nameCollision} — the replacement is created before the old one is deleted and AWS refuses the duplicate name (set deleteBeforeReplace or change the name)`);
  if (r.deleteBeforeReplace) parts.push("delete before replace");
  if (r.dataLoss) parts.push("⚠️ DATA LOSS: the replacement starts empty");
  return parts.join(" — ");
}

interface ResourceBlock {
  op: "create" | "update" | "replace" | "delete";
  type: string;
  name: string;
  protect: boolean;
  /** What the heading adds: replacement causes, data loss. */
  note: string;
  /** Detail lines, each starting with +, ~ or - (ASCII in Markdown so GitHub colours them). */
  lines: string[];
}

function resourceBlocks(diff: PlanDiff, maxValueChars: number, asciiMinus: boolean): ResourceBlock[] {
  const listInputs = (r: PlanResource, sign: "+" | "-") => {
    const kind = sign === "+" ? "add" : "remove";
    const entries = [
      ...leaves(r.inputs).filter((leaf) => leaf.path.length > 0),
      ...Object.entries(optionsOf(r)).map(([key, value]) => ({ path: ["options", key], value })),
    ];
    return entries.flatMap((leaf) => changeLines({ kind, path: leaf.path, [kind === "add" ? "new" : "old"]: leaf.value }, maxValueChars, asciiMinus));
  };
  // Destructive changes first: when a huge comment is cut, deletes and replacements are the last thing to lose.
  const blocks: ResourceBlock[] = [];
  for (const r of diff.deletes) {
    const dataLoss = STATEFUL_TYPES.has(r.type) ? "⚠️ DATA LOSS: its data is deleted with it" : "";
    const note = [dataLoss, throughBootstrap(r) ? BOOTSTRAP_NOTE : ""].filter(Boolean).join(" — ");
    blocks.push({ op: "delete", type: r.type, name: r.name, protect: Boolean(optionsOf(r).protect), note, lines: listInputs(r, "-") });
  }
  const updates = [...diff.updates.filter((u) => u.replace), ...diff.updates.filter((u) => !u.replace && u.vpcMove), ...diff.updates.filter((u) => !u.replace && !u.vpcMove)];
  for (const u of updates) {
    const lines: string[] = [];
    if (u.protectChange) lines.push(`~ options.protect: ${u.protectChange.old} → ${u.protectChange.new}`);
    if (u.parentChange) lines.push(`~ (parent): ${formatValue(u.parentChange.old)} → ${formatValue(u.parentChange.new)}`);
    for (const c of u.optionChanges) lines.push(...changeLines({ ...c, path: ["options", ...c.path] }, maxValueChars, asciiMinus));
    for (const c of u.changes) lines.push(...changeLines(c, maxValueChars, asciiMinus));
    for (const c of u.ignored) lines.push(...changeLines(c, maxValueChars, asciiMinus).map((l) => `  (not applied, ignoreChanges) ${l}`));
    for (const c of u.orderingOnly ?? []) lines.push(...changeLines({ ...c, path: ["options", ...c.path] }, maxValueChars, asciiMinus).map((l) => `  (ordering only, nothing applied) ${l}`));
    const note = [replaceNote(u), u.bootstrap ? BOOTSTRAP_NOTE : ""].filter(Boolean).join(" — ");
    blocks.push({ op: u.replace ? "replace" : "update", type: u.type, name: u.name, protect: false, note, lines });
  }
  for (const r of diff.creates) {
    blocks.push({ op: "create", type: r.type, name: r.name, protect: Boolean(optionsOf(r).protect), note: throughBootstrap(r) ? BOOTSTRAP_NOTE : "", lines: listInputs(r, "+") });
  }
  return blocks;
}

function sortedViolations(violations: readonly PolicyViolation[]): Map<string, PolicyViolation[]> {
  // Mandatory policies first, then by policy name, so the blocking ones are read (and kept) first.
  const ordered = [...violations].sort(
    (a, b) =>
      (a.enforcement === "mandatory" ? 0 : 1) - (b.enforcement === "mandatory" ? 0 : 1) || a.policy.localeCompare(b.policy),
  );
  const groups = new Map<string, PolicyViolation[]>();
  for (const v of ordered) {
    const key = `${v.enforcement}\u0000${v.policy}`;
    const group = groups.get(key) ?? [];
    group.push(v);
    groups.set(key, group);
  }
  return groups;
}

function policyCounts(violations: readonly PolicyViolation[]): { mandatory: number; advisory: number } {
  const mandatory = violations.filter((v) => v.enforcement === "mandatory").length;
  return { mandatory, advisory: violations.length - mandatory };
}

// ---------------------------------------------------------------- text

/** Terminal rendering: summary, then one block per changed resource, then policy results if given. */
export function renderText(diff: PlanDiff, policy?: readonly PolicyViolation[], options: TextOptions = {}): string {
  const maxValueChars = options.maxValueChars ?? 2000;
  const risk = riskNote(diff);
  const out: string[] = [`Plan diff: ${summaryLine(diff)}${risk ? ` · ${risk}` : ""}`];
  const sign = { create: "+", update: "~", replace: "±", delete: MINUS } as const;
  for (const block of resourceBlocks(diff, maxValueChars, false)) {
    out.push("");
    const protectNote = block.op === "delete" && block.protect ? "  (protected: pulumi up will refuse to delete it)" : "";
    const note = block.note ? `  (${block.op === "replace" ? "replace: " : ""}${block.note})` : "";
    out.push(`${sign[block.op]} ${block.type} ${block.name}${protectNote}${note}`);
    for (const line of block.lines) out.push(`    ${line}`);
  }
  if (policy) {
    out.push("", "Policy results:");
    if (policy.length === 0) out.push("  no violations");
    for (const group of sortedViolations(policy).values()) {
      out.push(`  [${group[0].enforcement}] ${group[0].policy} (${group.length})`);
      for (const v of group) {
        const target = v.resource ? `${v.resource.type} ${v.resource.name}: ` : "";
        out.push(`    - ${target}${v.message}`);
      }
    }
  }
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------- markdown

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Inline text from untrusted sources (policy messages): one line, no HTML that could break the layout. */
function inline(text: string, max = 1000): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return escapeHtml(oneLine.length > max ? `${truncate(oneLine, max)}…` : oneLine);
}

/** A code fence longer than any backtick run inside, so values can never close it early. */
function fenced(lang: string, body: string): string {
  const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

const MAX_LINE_CHARS = 2_500;
const MAX_BLOCK_CHARS = 8_000;

function markdownBlock(block: ResourceBlock): string {
  const icon = { create: "➕", update: "🔄", replace: "♻️", delete: "🗑️" }[block.op];
  const protectNote = block.op === "delete" && block.protect ? " — ⚠️ protected: `pulumi up` will refuse to delete it" : "";
  const note = block.note ? ` — ${escapeHtml(block.note)}` : "";
  const body: string[] = [];
  let used = 0;
  for (let i = 0; i < block.lines.length; i++) {
    const raw = block.lines[i];
    // Never cut a value mid-way: an over-long line is replaced whole by a note naming its path.
    const line = raw.length > MAX_LINE_CHARS ? `${raw.slice(0, Math.min(raw.indexOf(": ") + 1 || 80, 200))} (a ${raw.length}-character line, not shown here: see the full diff)` : raw;
    if (used + line.length + 1 > MAX_BLOCK_CHARS) {
      body.push(`… ${block.lines.length - i} more lines for this resource not shown`);
      break;
    }
    body.push(line);
    used += line.length + 1;
  }
  const details = body.length > 0 ? `\n\n${fenced("diff", body.join("\n"))}\n` : "\n\n_(no inputs)_\n";
  return `<details><summary>${icon} ${block.op} <code>${escapeHtml(block.type)}</code> <b>${escapeHtml(block.name)}</b>${protectNote}${note}</summary>${details}</details>`;
}

function policyStatus(policy: readonly PolicyViolation[] | undefined): string {
  if (!policy) return "policy: not run";
  if (policy.length === 0) return "policy: ✅ no violations";
  const { mandatory, advisory } = policyCounts(policy);
  return `policy: ${mandatory > 0 ? "❌" : "⚠️"} ${mandatory} mandatory, ${advisory} advisory`;
}

function sectionSummary(section: StackDiffSection): string {
  const label = section.stack ? `**Plan \`${section.stack}\`**` : "**Plan**";
  const risk = section.error !== undefined ? "" : riskNote(section.diff);
  const diff = section.error !== undefined ? "❌ plan failed" : `${summaryLine(section.diff)}${risk ? ` · ${risk}` : ""}`;
  return `${label} ${diff} · ${policyStatus(section.policy)}`;
}

const MAX_ERROR_CHARS = 4_000;

/** The failed plan's error text, bounded, in a fence it cannot close. */
function markdownError(error: string): string {
  const text = error.trim() || "(the plan printed no error text; see the workflow log)";
  const body = text.length > MAX_ERROR_CHARS ? `${truncate(text, MAX_ERROR_CHARS)}\n… (${text.length - MAX_ERROR_CHARS} more chars in the workflow log)` : text;
  return `\n\n${fenced("text", body)}`;
}

/** Policy results for one stack, kept within `budget` (mandatory listed first, so they survive). */
function markdownPolicy(policy: readonly PolicyViolation[] | undefined, budget: number): string {
  const heading = "#### Policy results";
  if (!policy) return `${heading}\n\n_No policy results were supplied for this run._`;
  if (policy.length === 0) return `${heading}\n\n✅ no violations`;
  const parts: string[] = [heading];
  let used = heading.length;
  let shown = 0;
  outer: for (const group of sortedViolations(policy).values()) {
    const first = group[0];
    const title = `\n\n**${first.enforcement === "mandatory" ? "❌ mandatory" : "⚠️ advisory"}** \`${first.policy}\` (${group.length})\n`;
    if (used + title.length > budget) break;
    parts.push(title);
    used += title.length;
    for (const v of group) {
      const target = v.resource ? `<code>${escapeHtml(v.resource.type)}</code> <b>${escapeHtml(v.resource.name)}</b>: ` : "";
      const item = `\n- ${target}${inline(v.message)}`;
      if (used + item.length > budget) break outer;
      parts.push(item);
      used += item.length;
      shown += 1;
    }
  }
  if (shown < policy.length) parts.push(`\n\n✂️ ${policy.length - shown} more violations not shown (comment size limit); see the workflow log.`);
  return parts.join("");
}

/**
 * One PR comment for one or more stacks: marker, one summary line per stack, notes, then per
 * stack the resource <details> blocks and the policy results. The marker, summaries and
 * policy results are reserved first; resource blocks fill what is left, and where they stop
 * a cut note says how many were left out. The result never exceeds `maxLength`.
 */
export function renderMarkdown(sections: readonly StackDiffSection[], options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const maxValueChars = options.maxValueChars ?? 1_000;
  const hint = options.fullDiffHint ?? "npm run plan -- --stack <stack> --diff <base.json>";

  const headLines = [options.marker ?? COMMENT_MARKER, ...sections.map(sectionSummary)];
  for (const section of sections) {
    for (const note of section.notes ?? []) headLines.push(`> ${section.stack ? `\`${section.stack}\`: ` : ""}${inline(note)}`);
  }
  const head = headLines.join("\n\n");
  const cutNoteFor = (omitted: number) =>
    `\n\n✂️ **Cut here to fit GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit:** ` +
    `${omitted} more resource change(s) not shown. For the full diff run \`${hint}\` locally.`;
  const cutNoteReserve = githubLength(cutNoteFor(Number.MAX_SAFE_INTEGER)) * sections.length;

  // Policy results get at most a third of what is left after the summaries, shared by stacks.
  const policyBudget = Math.max(0, Math.floor((maxLength - githubLength(head) - cutNoteReserve) / 3 / Math.max(1, sections.length)));
  const policyTexts = sections.map((s) => markdownPolicy(s.policy, policyBudget));
  const stackHeadings = sections.map((s) => (sections.length > 1 && s.stack ? `\n\n### \`${s.stack}\`` : ""));

  const errorTexts = sections.map((s) => (s.error !== undefined ? markdownError(s.error) : ""));
  const fixed =
    githubLength(head) +
    cutNoteReserve +
    policyTexts.reduce((n, t) => n + githubLength(t) + 2, 0) +
    stackHeadings.reduce((n, h) => n + githubLength(h), 0) +
    errorTexts.reduce((n, t) => n + githubLength(t), 0);
  let remaining = maxLength - fixed - 1; // trailing newline

  const parts: string[] = [head];
  sections.forEach((section, index) => {
    parts.push(stackHeadings[index]);
    if (section.error !== undefined) {
      parts.push(errorTexts[index], `\n\n${policyTexts[index]}`);
      return;
    }
    // Each stack gets an equal share of what is left; what one does not use passes to the next.
    let share = Math.floor(remaining / (sections.length - index));
    const blocks = resourceBlocks(section.diff, maxValueChars, true);
    if (blocks.length === 0) {
      const none = "\n\nNo resource changes.";
      parts.push(none);
      remaining -= githubLength(none);
    }
    for (let i = 0; i < blocks.length; i++) {
      const text = `\n\n${markdownBlock(blocks[i])}`;
      if (githubLength(text) > share) {
        parts.push(cutNoteFor(blocks.length - i));
        break;
      }
      parts.push(text);
      share -= githubLength(text);
      remaining -= githubLength(text);
    }
    parts.push(`\n\n${policyTexts[index]}`);
  });
  const body = parts.join("") + "\n";
  if (githubLength(body) <= maxLength) return body;
  // Only reachable if maxLength is too small even for the reserved parts: keep the summaries.
  const fallback = `${head}\n\n✂️ Details and policy results cut to fit the comment limit.\n`;
  return truncate(fallback, maxLength);
}
