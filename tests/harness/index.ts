/**
 * The mock harness every infrastructure test uses. A test file runs ONE stack (the Pulumi runtime is
 * global per module registry, and jest gives each file its own):
 *
 *   let run: StackRun;
 *   beforeAll(async () => { run = await runStack({ stack: "dev" }); });
 *
 * `runStack` sets mocks and config before it imports the program, records every registered
 * resource (type, name, parent, inputs with secrets unwrapped, which paths were secret) and returns
 * realistic computed outputs; an invoke without a mock fails the run.
 */
import type { CapturedResource, StackRun } from "../../offline/engine/engine";
import { valueAt } from "../../offline/engine/engine";
import { computedOutputs } from "../../offline/engine/outputs";

export { runStack, toPlan, valueAt, SECRET_MASK } from "../../offline/engine/engine";
export { PARTITIONS } from "../../offline/engine/partitions";
export type { CapturedResource, PlanResource, RunOptions, StackRun } from "../../offline/engine/engine";

/** All resources of a Pulumi type token, e.g. "aws:lb/loadBalancer:LoadBalancer". */
export function ofType(run: StackRun, type: string): CapturedResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The single resource of a type (optionally with a given logical name); throws when not exactly one. */
export function one(run: StackRun, type: string, name?: string): CapturedResource {
  const found = ofType(run, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1) {
    const names = ofType(run, type).map((r) => r.name);
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length} (have: ${names.join(", ") || "none"})`);
  }
  return found[0];
}

/**
 * The computed outputs (id, ARN, generated names, a password's result) the mock gave a resource of the run:
 * they follow its identity (the inputs whose change replaces it), so tests read them from the run, never
 * recompute them from a guess of the inputs.
 */
export function mockOutputsOf(run: StackRun, type: string, name: string, region: string): { id: string; outputs: Record<string, unknown> } {
  const r = one(run, type, name);
  return computedOutputs(type, name, r.inputs, region, r.identity);
}

/** Resources whose parent is the given logical name. */
export function childrenOf(run: StackRun, parent: string): CapturedResource[] {
  return run.resources.filter((r) => r.parent === parent);
}

/** Whether the input at `path` (e.g. "authToken", "origins[0].customHeaders[0].value") is secret. */
export function isSecretInput(resource: CapturedResource, path: string): boolean {
  return resource.secretPaths.some((p) => p === path || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}

/** The plain (unwrapped) input at a path. */
export function input<T = unknown>(resource: CapturedResource, path: string): T {
  return valueAt(resource.inputs, path) as T;
}

/**
 * Custom resources registered without an explicit provider (they would use a default provider, which
 * Pulumi.yaml disables): `type::name` of each. Provider resources themselves are not counted.
 */
export function onDefaultProviders(run: StackRun): string[] {
  return run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && !r.provider).map((r) => `${r.type}::${r.name}`);
}

/** Whether `resource` waits for `dependency` (by dependsOn or through an input Output). */
export function dependsOn(resource: CapturedResource, dependency: CapturedResource): boolean {
  return resource.dependencies.includes(dependency.urn);
}
