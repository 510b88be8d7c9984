import { Violation } from "./runner";

/** Human report: violations grouped by policy (mandatory policies first), each with its resource, then a summary line. */
export function formatText(violations: Violation[], descriptions: Map<string, string>, header: string): string {
  const lines = [header];
  const groups = new Map<string, Violation[]>();
  for (const v of violations) groups.set(`${v.enforcement}\u0000${v.policy}`, [...(groups.get(`${v.enforcement}\u0000${v.policy}`) ?? []), v]);
  const keys = [...groups.keys()].sort((a, b) => (a.startsWith("mandatory") === b.startsWith("mandatory") ? 0 : a.startsWith("mandatory") ? -1 : 1));
  for (const key of keys) {
    const list = groups.get(key)!;
    const { policy, enforcement } = list[0];
    lines.push("", `${enforcement === "mandatory" ? "✗" : "!"} ${policy} (${enforcement}): ${descriptions.get(policy) ?? ""}`.trimEnd());
    for (const v of list) lines.push(`    ${v.resource ? `${v.resource.type} "${v.resource.name}": ` : "(stack): "}${v.message}`);
  }
  const mandatory = violations.filter((v) => v.enforcement === "mandatory").length;
  const advisory = violations.length - mandatory;
  lines.push("", `${mandatory} mandatory, ${advisory} advisory violation(s) — ${mandatory > 0 ? "FAILED" : "passed"}`);
  return lines.join("\n");
}
