/** IAM-style policy documents (IAM policies, trust policies, S3 bucket policies) as rules read them. */
import { SECRET_PLACEHOLDER } from "./common";

export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** A document's statements, or a reason it can't be read (masked, not JSON, not a policy): a rule reports that, never skips. */
export function statementsOf(doc: unknown): { statements: Statement[] } | { unreadable: string } {
  if (doc === undefined || doc === null || doc === "") return { statements: [] };
  if (doc === SECRET_PLACEHOLDER) return { unreadable: "is masked as [secret] in the plan, so it can't be checked (run --stack, or keep secrets out of policy documents)" };
  let parsed: unknown = doc;
  if (typeof doc === "string") {
    try {
      parsed = JSON.parse(doc);
    } catch {
      return { unreadable: "is not valid JSON" };
    }
  }
  if (typeof parsed !== "object" || parsed === null) return { unreadable: "is not a policy document" };
  const s = (parsed as { Statement?: unknown }).Statement;
  if (s === undefined) return { statements: [] };
  const list = Array.isArray(s) ? s : [s];
  if (list.some((x) => typeof x !== "object" || x === null)) return { unreadable: "has a statement that is not an object" };
  return { statements: list as Statement[] };
}

export const values = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map((x) => String(x)));

export const isAllow = (s: Statement) => String(s.Effect ?? "").toLowerCase() === "allow";
export const isDeny = (s: Statement) => String(s.Effect ?? "").toLowerCase() === "deny";

/** A principal value naming everyone or any account: `*`, `arn:aws:iam::*:root`. */
const wildcardPrincipal = (v: string) => v === "*" || /^arn:aws[\w-]*:iam::\*:/.test(v);

/** True when the statement's principal is everyone: `"*"`, `{ "AWS": "*" }`, any account's root, or a NotPrincipal. */
export function hasPublicPrincipal(s: Statement): boolean {
  const p = s.Principal;
  if (typeof p === "string") return wildcardPrincipal(p);
  if (typeof p === "object" && p !== null) return Object.values(p as Record<string, unknown>).some((v) => values(v).some(wildcardPrincipal));
  return s.NotPrincipal !== undefined;
}

export const hasCondition = (s: Statement) => typeof s.Condition === "object" && s.Condition !== null && Object.keys(s.Condition).length > 0;

/** Action "*" (or "*:*") on Resource "*": full administrator rights, whatever else the document says. */
export function isAdminStatement(s: Statement): boolean {
  if (!isAllow(s)) return false;
  const allResources = values(s.Resource).includes("*") || (s.Resource === undefined && s.NotResource !== undefined);
  if (s.NotAction !== undefined && allResources) return true;
  return values(s.Action).some((a) => a === "*" || a === "*:*") && allResources;
}
