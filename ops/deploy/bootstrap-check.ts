/**
 * `tsx ops/deploy/bootstrap-check.ts --stack S --bootstrap true|false --plan PLAN.json --state STATE.json`
 *
 * Run by deploy.yml after `pulumi preview --save-plan`, before any `pulumi up`: lists the changes of
 * the saved update plan that go through the cluster's bootstrap (RBAC) provider (infra/cluster/bootstrap.ts)
 * — the node autoscaler and the deployer's own RBAC, which CI's deploy role cannot write with its
 * derived ClusterRole. Without `clusterAccessBootstrap` such an update would fail half-way (the
 * Kubernetes API refuses those objects after the rest was applied), so it is refused up front, naming
 * the resources and the procedure. With it, they are listed as a notice. The provider of a resource
 * comes from the plan's goal (creates, updates) or from the current state (deletes).
 * Exit codes: 0 nothing to refuse, 1 refused, 2 bad usage or unreadable input.
 */
import { readFileSync } from "node:fs";
import { parseCommandLine } from "../../scripts/cli/args";
import { bootstrapProcedure, isBootstrapProvider } from "../../infra/cluster/bootstrap";

/** The parts of a saved update plan (`pulumi preview --save-plan`, apitype.DeploymentPlanV1) read here. */
export interface SavedPlan {
  resourcePlans?: Record<string, { goal?: { type?: string; name?: string; provider?: string }; steps?: string[] }>;
}

/** The parts of `pulumi stack export` read here. */
export interface StackExport {
  deployment?: { resources?: { urn: string; provider?: string }[] };
}

export interface BootstrapChange {
  type: string;
  name: string;
  steps: string[];
}

/** Steps that change nothing in the cluster. */
const NO_CHANGE = new Set(["same", "read", "refresh", "discard"]);

function typeAndName(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  return { type: (parts[parts.length - 2] ?? "").split("$").pop() ?? "", name: parts[parts.length - 1] ?? urn };
}

/** The changes of `plan` applied through a bootstrap provider, sorted by type and name. */
export function bootstrapChanges(plan: SavedPlan, state: StackExport): BootstrapChange[] {
  const stateProviders = new Map((state.deployment?.resources ?? []).map((r) => [r.urn, r.provider]));
  const changes: BootstrapChange[] = [];
  for (const [urn, resourcePlan] of Object.entries(plan.resourcePlans ?? {})) {
    const steps = resourcePlan.steps ?? [];
    if (!steps.some((step) => !NO_CHANGE.has(step))) continue;
    const providers = [resourcePlan.goal?.provider, stateProviders.get(urn)];
    if (!providers.some(isBootstrapProvider)) continue;
    const { type, name } = typeAndName(urn);
    changes.push({ type: resourcePlan.goal?.type ?? type, name: resourcePlan.goal?.name ?? name, steps });
  }
  return changes.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
}

/** The verdict and what to print: an `::error::` (refused) or `::notice::` line per GitHub's workflow commands. */
export function bootstrapVerdict(stack: string, bootstrap: boolean, changes: readonly BootstrapChange[]): { refused: boolean; message: string } {
  if (changes.length === 0) return { refused: false, message: `no change of stack ${stack} goes through the cluster's bootstrap (RBAC) provider` };
  const list = changes.map((c) => `${c.steps.join("+")} ${c.type} ${c.name}`).join("; ");
  if (bootstrap) return { refused: false, message: `::notice::clusterAccessBootstrap is on: this update applies ${changes.length} change(s) through the bootstrap provider: ${list}` };
  return {
    refused: true,
    message:
      `::error::${changes.length} change(s) of stack ${stack} go through the cluster's bootstrap (RBAC) provider, which CI's deploy role cannot apply ` +
      `without clusterAccessBootstrap (the update would fail half-way): ${list}. To apply them, ${bootstrapProcedure(stack)}.`,
  };
}

const USAGE = "usage: tsx ops/deploy/bootstrap-check.ts --stack S --bootstrap true|false --plan PLAN.json --state STATE.json";

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number {
  let values;
  try {
    values = parseCommandLine(argv, { stack: { type: "string" }, bootstrap: { type: "string" }, plan: { type: "string" }, state: { type: "string" } }).values;
  } catch (error) {
    err.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!values.stack || !values.plan || !values.state || !["true", "false"].includes(values.bootstrap ?? "")) {
    err.write(`--stack, --bootstrap true|false, --plan and --state are required\n${USAGE}\n`);
    return 2;
  }
  let changes;
  try {
    changes = bootstrapChanges(readJson(values.plan, "saved update plan") as SavedPlan, readJson(values.state, "stack export") as StackExport);
  } catch (error) {
    err.write(`bootstrap-check: ${(error as Error).message}\n`);
    return 2;
  }
  const verdict = bootstrapVerdict(values.stack, values.bootstrap === "true", changes);
  out.write(`${verdict.message}\n`);
  return verdict.refused ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
