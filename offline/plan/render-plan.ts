import { stringify } from "yaml";
import type { PlanResource } from "../engine/engine";

/**
 * The readable plan: resources as a tree under their parents (components first-level), each with
 * its inputs as YAML. Deterministic for a given plan.
 */
export function renderPlanTree(stack: string, plan: PlanResource[]): string {
  const children = new Map<string | null, PlanResource[]>();
  const names = new Set(plan.map((r) => r.name));
  for (const resource of plan) {
    // A parent that is not itself in the plan (e.g. the stack) is treated as the root.
    const parent = resource.parent !== null && names.has(resource.parent) ? resource.parent : null;
    children.set(parent, [...(children.get(parent) ?? []), resource]);
  }
  const lines = [`Plan for stack ${stack}: ${plan.length} resources`, ""];
  const walk = (parent: string | null, depth: number) => {
    for (const resource of children.get(parent) ?? []) {
      const indent = "    ".repeat(depth);
      lines.push(`${indent}+ ${resource.type}  ${resource.name}${resource.protect ? "  (protected)" : ""}`);
      const body = Object.keys(resource.inputs).length ? stringify(resource.inputs, { lineWidth: 0, sortMapEntries: true }).trimEnd() : "";
      for (const line of body ? body.split("\n") : []) lines.push(`${indent}      ${line}`);
      // Resource options, under a key no input can have (inputs are plain property names).
      const { protect: _protect, ...options } = resource.options ?? {};
      if (Object.keys(options).length > 0) {
        for (const line of stringify({ "(options)": options }, { lineWidth: 0 }).trimEnd().split("\n")) lines.push(`${indent}      ${line}`);
      }
      walk(resource.name, depth + 1);
    }
  };
  walk(null, 0);
  return `${lines.join("\n")}\n`;
}
