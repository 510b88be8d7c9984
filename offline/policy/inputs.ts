/** Where the runner's resources come from: a plan JSON file (`npm run plan -- --json`) or an in-process stack run. */
import { readFileSync } from "node:fs";
import type { CapturedResource } from "../engine/engine";
import { computedOutputs } from "../engine/outputs";
import { SECRET_MASK, UNKNOWN_MASK } from "../plan/format";
import { RunnerResource, UNKNOWN } from "./runner";
import type { Partition } from "../../infra/partition";

export class PlanInputError extends Error {}

/** How `plan --json` prints values it can't show. */
export const PLAN_SECRET = SECRET_MASK;
export const PLAN_UNKNOWN = UNKNOWN_MASK;

/** "[unknown]" in a plan becomes the engine's unknown sentinel; "[secret]" stays: a value that is set but hidden. */
function revive(value: unknown): unknown {
  if (value === PLAN_UNKNOWN) return UNKNOWN.string;
  if (Array.isArray(value)) return value.map(revive);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  return value;
}

/** A plan file as the runner reads it: its resources and, when the file records them, the stack and environment. */
export interface PlanInput {
  resources: RunnerResource[];
  stack?: string;
  environment?: string;
}

/** Parses plan JSON text (`npm run plan -- --json`: `{ stack, environment, resources }`, or a bare resource array). */
export function parsePlanFile(text: string, source: string): PlanInput {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PlanInputError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const meta = (typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  for (const key of ["stack", "environment"]) {
    if (meta[key] !== undefined && (typeof meta[key] !== "string" || !/^[\w.-]+$/.test(meta[key] as string))) {
      throw new PlanInputError(`${source}: "${key}" must be a stack/environment name, got ${JSON.stringify(meta[key])}`);
    }
  }
  return { resources: resourcesOf(raw, source), stack: meta.stack as string | undefined, environment: meta.environment as string | undefined };
}

/** The resources of plan JSON text, naming the first malformed entry. */
export function parsePlan(text: string, source: string): RunnerResource[] {
  return parsePlanFile(text, source).resources;
}

function resourcesOf(raw: unknown, source: string): RunnerResource[] {
  const list = Array.isArray(raw) ? raw : (raw as { resources?: unknown })?.resources;
  if (!Array.isArray(list)) throw new PlanInputError(`${source}: expected a JSON array of resources (the output of npm run plan -- --json)`);
  return list.map((entry, i) => {
    const e = entry as Record<string, unknown>;
    const where = `${source}: resource [${i}]`;
    if (typeof e !== "object" || e === null) throw new PlanInputError(`${where} is not an object`);
    if (typeof e.type !== "string" || e.type === "") throw new PlanInputError(`${where} has no "type" string`);
    if (typeof e.name !== "string" || e.name === "") throw new PlanInputError(`${where} (${e.type}) has no "name" string`);
    if (e.parent !== undefined && e.parent !== null && typeof e.parent !== "string") throw new PlanInputError(`${where} ("${e.name}") has a non-string "parent"`);
    if (e.inputs !== undefined && (typeof e.inputs !== "object" || e.inputs === null || Array.isArray(e.inputs))) {
      throw new PlanInputError(`${where} ("${e.name}") has "inputs" that is not an object`);
    }
    return {
      type: e.type,
      name: e.name,
      parent: (e.parent as string | null | undefined) ?? null,
      inputs: revive(e.inputs ?? {}) as Record<string, unknown>,
      protect: e.protect === true,
      ...(Array.isArray((e.options as { ignoreChanges?: unknown } | undefined)?.ignoreChanges) ? { ignoreChanges: ((e.options as { ignoreChanges: unknown[] }).ignoreChanges).map(String) } : {}),
      custom: !e.type.startsWith("pulumi:") && !isComponentType(e.type),
      ...(typeof e.identity === "string" ? { identity: e.identity } : {}),
      // The provider (`type::name`) tells a rule the resource's region.
      ...(typeof (e.options as { provider?: unknown } | undefined)?.provider === "string" ? { provider: (e.options as { provider: string }).provider } : {}),
    };
  });
}

/** Components are registered by the program itself (`edgestack:...`), custom resources by providers. */
function isComponentType(type: string): boolean {
  const pkg = type.split(":")[0];
  return !["aws", "kubernetes", "random", "tls", "command"].includes(pkg);
}

export function readPlanFile(file: string): PlanInput {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new PlanInputError(`--plan ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parsePlanFile(text, file);
}

export function fromCaptured(resources: CapturedResource[]): RunnerResource[] {
  return resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, parent: r.parent, custom: r.custom, protect: r.protect, ...(r.options.ignoreChanges ? { ignoreChanges: [...r.options.ignoreChanges] } : {}), provider: r.provider, inputs: r.inputs, ...(r.identity ? { identity: r.identity } : {}) }));
}

/**
 * Stack policies see resource outputs, not just inputs. Offline, the computed outputs (ids, ARNs, generated names)
 * are the offline engine's deterministic ones, so references such as `securityGroupId: sg.id` resolve as in the mocks
 * (in `partition` when the run named one, else each region's own).
 * `defaultRegion` is the run's region (resources without a region input are in it).
 */
export function mockOutputs(r: RunnerResource, partition?: Partition, defaultRegion = "us-east-1"): Record<string, unknown> | undefined {
  if (r.type.startsWith("pulumi:") || r.custom === false) return undefined;
  const inputs = r.inputs;
  const region = typeof inputs.region === "string" ? inputs.region : defaultRegion;
  const { id, outputs } = computedOutputs(r.type, r.name, inputs, region, r.identity, partition);
  // An output the engine derives from an input unknown in preview is unknown too: keep the input's unknown.
  const unknownInputs = new Set<unknown>(Object.values(UNKNOWN));
  const known = Object.fromEntries(Object.entries(outputs).filter(([k]) => !unknownInputs.has(inputs[k])));
  return { ...known, id };
}
