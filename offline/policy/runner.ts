/**
 * Offline policy runner: evaluates the policy pack's rules over captured resources the way the Pulumi engine's
 * analyzer does (see @pulumi/policy server.js), without the CLI: same argument objects (`isType`/`asType`,
 * `getConfig`, `notApplicable`, unknown-checking props), same enforcement resolution and preview semantics.
 */
import {
  EnforcementLevel,
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  unknownCheckingProxy,
  UnknownValueError,
} from "@pulumi/policy";
import type { Resource } from "@pulumi/pulumi";
import { PolicyPackConfig } from "./config";

/** A resource as the runner takes it: the in-process engine's CapturedResource or a plan-file entry, normalised. */
export interface RunnerResource {
  type: string;
  name: string;
  /** Built from stack, project, parent chain and name when absent. */
  urn?: string;
  /** The parent's logical name, null for stack-level resources. */
  parent: string | null;
  inputs: Record<string, unknown>;
  protect?: boolean;
  /** The ignoreChanges resource option (property paths), as CrossGuard hands it to a policy. */
  ignoreChanges?: string[];
  custom?: boolean;
  provider?: string;
  /** URNs or logical names of resources this one depends on, when known. */
  dependencies?: string[];
  /** The identity digest the offline engine derived the resource's generated outputs from (plan files record it). */
  identity?: string;
}

/** One violation, exactly the shape `--json` prints (PR comments are rendered from it). */
export interface Violation {
  policy: string;
  enforcement: "mandatory" | "advisory";
  resource?: { type: string; name: string };
  message: string;
}

export interface RunOptions {
  stack: string;
  project?: string;
  resources: RunnerResource[];
  policies: Policies;
  config?: PolicyPackConfig;
  /**
   * Computed outputs of a resource (id, arn, generated names). Stack policies see outputs in the engine, so their
   * props are the inputs overlaid with these; resource policies see inputs only.
   */
  outputsOf?: (r: RunnerResource) => Record<string, unknown> | undefined;
  /**
   * The resources resource policies judge (all when unset); stack policies always see every resource. A resource
   * policy sees one resource and its provider, so a caller that knows which resources changed since a run without
   * violations (the red team's mutations of a clean plan) may judge only those.
   */
  judgeResource?: (r: RunnerResource) => boolean;
  /**
   * Stops after the first policy whose run leaves `stopWhen(violations)` true (the rest are not run): a caller that
   * only asks whether some violation was found (the red team's "caught" cases) need not run the whole pack.
   */
  stopWhen?: (violations: readonly Violation[]) => boolean;
}

// The sentinels are internal to @pulumi/policy (stripped from its .d.ts) but are what the engine deserialises unknowns to.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const unknowns = require("@pulumi/policy/proxy") as Record<"unknownStringValue" | "unknownNumberValue" | "unknownBooleanValue" | "unknownArrayValue" | "unknownObjectValue", string>;

/** Sentinels the engine uses for values not known during preview; put these in `inputs` to simulate a preview. */
export const UNKNOWN = {
  string: unknowns.unknownStringValue,
  number: unknowns.unknownNumberValue,
  boolean: unknowns.unknownBooleanValue,
  array: unknowns.unknownArrayValue,
  object: unknowns.unknownObjectValue,
} as const;

class NotApplicable extends Error {}

const isResourcePolicy = (p: Policies[number]): p is ResourceValidationPolicy => "validateResource" in p || "remediateResource" in p;
const isStackPolicy = (p: Policies[number]): p is StackValidationPolicy => "validateStack" in p;

/** The engine's isTypeOf: compare the class's `__pulumiType`, else ask its `isInstance`. */
export function isTypeOf(type: string, resourceClass: unknown): boolean {
  const cls = resourceClass as { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };
  if (typeof cls?.__pulumiType === "string") return cls.__pulumiType === type;
  return typeof cls?.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

/** Enforcement of a policy: its own config entry, else `all`, else the policy's default, else advisory (the SDK default). */
export function enforcementOf(policy: Policies[number], config: PolicyPackConfig = {}): EnforcementLevel {
  const level = (entry: PolicyPackConfig[string] | undefined) => (typeof entry === "string" ? entry : entry?.enforcementLevel);
  return level(config[policy.name]) ?? level(config.all) ?? policy.enforcementLevel ?? "advisory";
}

/** Policy config as getConfig returns it: the schema's defaults overlaid with the configured properties. */
export function policyConfigOf(policy: Policies[number], config: PolicyPackConfig = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (typeof s === "object" && s.default !== undefined) out[k] = s.default;
  }
  const entry = config[policy.name];
  if (entry && typeof entry === "object") {
    for (const [k, v] of Object.entries(entry)) if (k !== "enforcementLevel") out[k] = v;
  }
  return out;
}

/** URN the engine would give: `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>`. */
function urnsOf(stack: string, project: string, resources: RunnerResource[]): Map<RunnerResource, string> {
  const byName = new Map<string, RunnerResource>();
  for (const r of resources) if (!byName.has(r.name)) byName.set(r.name, r);
  const qualifiedType = (r: RunnerResource, seen = new Set<RunnerResource>()): string => {
    const parent = r.parent ? byName.get(r.parent) : undefined;
    if (!parent || seen.has(parent) || parent.type === "pulumi:pulumi:Stack") return r.type;
    seen.add(r);
    return `${qualifiedType(parent, seen)}$${r.type}`;
  };
  return new Map(resources.map((r) => [r, r.urn ?? `urn:pulumi:${stack}::${project}::${qualifiedType(r)}::${r.name}`]));
}

function optionsOf(r: RunnerResource, parentUrn: string | undefined): PolicyResourceOptions {
  return {
    protect: r.protect === true,
    ignoreChanges: [...(r.ignoreChanges ?? [])],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(parentUrn ? { parent: parentUrn } : {}),
  };
}

function providerOf(r: RunnerResource, byTypeAndName: ReadonlyMap<string, RunnerResource>) {
  if (!r.provider) return undefined;
  // Provider references are "<urn>::<id>" (the engine), "pulumi:providers:<pkg>::<name>" (a plan file's options), or a
  // bare logical name. The props are the provider's inputs when it is among the resources, as the engine hands them.
  const m = /^urn:pulumi:[^:]+::[^:]+::(?:[^:]*\$)?(pulumi:providers:[^:]+)::([^:]+)/.exec(r.provider) ?? /^(pulumi:providers:[^:]+)::([^:]+)$/.exec(r.provider);
  const pkg = r.type.split(":")[0];
  const type = m?.[1] ?? `pulumi:providers:${pkg}`;
  const name = m?.[2] ?? r.provider;
  const resource = byTypeAndName.get(`${type}::${name}`);
  return {
    type,
    name,
    urn: m && r.provider.startsWith("urn:") ? r.provider.split("::").slice(0, 4).join("::") : r.provider,
    props: resource ? { ...resource.inputs } : {},
  };
}

const UNKNOWN_SENTINELS = new Set<unknown>(Object.values(UNKNOWN));

/** The answers of holdsUnknown for deeply frozen values, which cannot change (callers sharing frozen resources between runs). */
const frozenAnswers = new WeakMap<object, boolean>();

/** Whether a value holds an unknown sentinel anywhere (a preview's computed value). */
function holdsUnknown(value: unknown): boolean {
  if (UNKNOWN_SENTINELS.has(value)) return true;
  if (value === null || typeof value !== "object") return false;
  const remembered = frozenAnswers.get(value);
  if (remembered !== undefined) return remembered;
  const children = Object.values(value);
  const holds = children.some(holdsUnknown);
  if (Object.isFrozen(value) && children.every((c) => c === null || typeof c !== "object" || frozenAnswers.has(c))) frozenAnswers.set(value, holds);
  return holds;
}

/**
 * Props as the engine hands them: wrapped so reading an unknown value throws UnknownValueError. The wrapper does
 * nothing else, so props without an unknown value are handed as they are (rules walk whole documents, and every
 * wrapped read allocates a proxy: several times the pack's run time).
 */
const checkingUnknowns = (props: Record<string, unknown>): Record<string, unknown> => (holdsUnknown(props) ? (unknownCheckingProxy(props) as Record<string, unknown>) : props);

/** The resources as a stack policy sees them: parents and dependencies linked between the views. */
function stackViews(
  resources: RunnerResource[],
  stackProps: ReadonlyMap<RunnerResource, Record<string, unknown>>,
  providers: ReadonlyMap<RunnerResource, ReturnType<typeof providerOf>>,
  urns: ReadonlyMap<RunnerResource, string>,
  byUrn: ReadonlyMap<string, RunnerResource>,
  byName: ReadonlyMap<string, RunnerResource>,
): PolicyResource[] {
  const policyResources = new Map<RunnerResource, PolicyResource>();
  for (const r of resources) {
    const props = stackProps.get(r)!;
    const provider = providers.get(r);
    const parent = r.parent ? byName.get(r.parent) : undefined;
    policyResources.set(r, {
      type: r.type,
      props,
      urn: urns.get(r)!,
      name: r.name,
      opts: optionsOf(r, parent ? urns.get(parent) : undefined),
      ...(provider ? { provider } : {}),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls: { new (...rest: unknown[]): Resource }) => isTypeOf(r.type, cls),
      asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
    });
  }
  for (const [r, pr] of policyResources) {
    const parent = r.parent ? byName.get(r.parent) : undefined;
    if (parent) pr.parent = policyResources.get(parent);
    pr.dependencies = (r.dependencies ?? [])
      .map((d) => byUrn.get(d) ?? byName.get(d))
      .filter((d): d is RunnerResource => d !== undefined)
      .map((d) => policyResources.get(d)!);
  }
  // Frozen: the array is shared by every stack policy of the run, so none may reorder it for the next.
  return Object.freeze([...policyResources.values()]) as PolicyResource[];
}

/** Runs every enabled policy over the resources and returns the violations (mandatory first within each policy). */
export async function runPolicies(opts: RunOptions): Promise<Violation[]> {
  const { stack, resources, policies } = opts;
  const config = opts.config ?? {};
  const urns = urnsOf(stack, opts.project ?? "edgestack", resources);
  const byUrn = new Map(resources.map((r) => [urns.get(r)!, r]));
  const byName = new Map<string, RunnerResource>();
  for (const r of resources) if (!byName.has(r.name)) byName.set(r.name, r);
  const custom = resources.filter((r) => r.custom !== false && !r.type.startsWith("pulumi:"));
  const stackProps = new Map(resources.map((r) => [r, checkingUnknowns({ ...r.inputs, ...(opts.outputsOf?.(r) ?? {}) })]));
  const resourceProps = new Map(resources.map((r) => [r, checkingUnknowns(r.inputs)]));
  const byTypeAndName = new Map<string, RunnerResource>();
  for (const r of resources) if (!byTypeAndName.has(`${r.type}::${r.name}`)) byTypeAndName.set(`${r.type}::${r.name}`, r);
  const providers = new Map(resources.map((r) => [r, providerOf(r, byTypeAndName)]));
  const violations: Violation[] = [];
  const stackTags: ReadonlyMap<string, string> = new Map();
  const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
  };
  const judged = opts.judgeResource ? custom.filter(opts.judgeResource) : custom;
  // Stack policies read the resources and never change them: their views are built once per run and shared (rules
  // may memoize what they derive from the one array, e.g. the stack's own accounts).
  let stackResources: PolicyResource[] | undefined;
  const stackResourcesOnce = (): PolicyResource[] => (stackResources ??= stackViews(resources, stackProps, providers, urns, byUrn, byName));

  for (const policy of policies) {
    let enforcement = enforcementOf(policy, config);
    if (enforcement === "disabled") continue;
    if (enforcement === "remediate") enforcement = "mandatory";
    const level = enforcement as "mandatory" | "advisory";
    const getConfig = <T extends object>() => policyConfigOf(policy, config) as T;
    const push = (message: string, r?: RunnerResource) =>
      violations.push({ policy: policy.name, enforcement: level, ...(r ? { resource: { type: r.type, name: r.name } } : {}), message });
    const guard = async (run: () => Promise<void> | void, r?: RunnerResource) => {
      try {
        await run();
      } catch (e) {
        if (e instanceof NotApplicable) return;
        if (e instanceof UnknownValueError) {
          // The engine downgrades these to advisory: the rule can't decide until the value is known.
          violations.push({ policy: policy.name, enforcement: "advisory", ...(r ? { resource: { type: r.type, name: r.name } } : {}), message: `can't run policy '${policy.name}' during preview: ${(e as Error).message}` });
          return;
        }
        push(`policy '${policy.name}' failed${r ? ` on ${r.type} "${r.name}"` : ""}: ${(e as Error).stack ?? e}`, r);
      }
    };

    if (isResourcePolicy(policy) && policy.validateResource) {
      const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      for (const r of judged) {
        const urn = urns.get(r)!;
        const parent = r.parent ? byName.get(r.parent) : undefined;
        const props = resourceProps.get(r)!;
        const provider = providers.get(r);
        const args: ResourceValidationArgs = {
          type: r.type,
          props,
          urn,
          name: r.name,
          opts: optionsOf(r, parent ? urns.get(parent) : undefined),
          ...(provider ? { provider } : {}),
          stackTags,
          isType: (cls) => isTypeOf(r.type, cls),
          asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
          getConfig,
          notApplicable,
        };
        for (const validate of validations) await guard(() => validate(args, (message) => push(message, r)), r);
      }
    }

    if (isStackPolicy(policy)) {
      const args: StackValidationArgs = { resources: stackResourcesOnce(), stackTags, getConfig, notApplicable };
      await guard(() =>
        policy.validateStack(args, (message, urn) => {
          const target = urn ? byUrn.get(urn) : undefined;
          push(message, target);
        }),
      );
    }
    if (opts.stopWhen?.(violations)) break;
  }
  return violations;
}
