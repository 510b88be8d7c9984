import { runInThisContext } from "node:vm";
import * as pulumi from "@pulumi/pulumi";
import { computedOutputs, identityDigest } from "./outputs";
import { invoke, type InvokeAnswer } from "./invokes";
import { PARTITIONS, partitionOfRegion, type PartitionId } from "./partitions";
import type { Partition } from "../../infra/partition";
import { PlanOptions, PlanResource, SECRET_MASK, UNKNOWN_MASK } from "../plan/format";
import { CliConfig, readStackFiles } from "./stack-files";
import { containsSecureValue, secretFragments } from "../../infra/config/secure-values";
import { declareRehearsal } from "../../infra/config/load";
import { deserializeInputs } from "./deserialize";
import { fingerprint, SecretMode } from "../plan/secrets";

/**
 * Runs the Pulumi program in this process under mocks — no CLI, engine or cloud account — and
 * records every resource it registers with its inputs, the way `pulumi preview` would see them.
 * Used by `npm run plan`, the policy runner and every mock test. A process (or jest test file)
 * can run one stack: the Pulumi runtime keeps its state in module globals.
 */

// Internal runtime modules: the public API has no hook for the request details we record.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable");

const SECRET_SIG_KEY: string = rpc.specialSigKey;
const SECRET_SIG: string = rpc.specialSecretSig;
const UNKNOWN: string = rpc.unknownValue;

export interface CapturedResource {
  type: string;
  name: string;
  urn: string;
  /** The parent's logical name; null for top-level resources. */
  parent: string | null;
  custom: boolean;
  protect: boolean;
  /** The provider reference (`urn::id`) for custom resources given an explicit provider. */
  provider?: string;
  /** Inputs with secrets unwrapped to their plain values (as policies see them). */
  inputs: Record<string, unknown>;
  /** Paths (`a.b[0].c`) of the input values that are secret, at the leaf where the program put them. */
  secretPaths: string[];
  /** Output names the resource asked to be kept secret. */
  additionalSecretOutputs: string[];
  /** Resource options as registered (non-default ones only). */
  options: PlanOptions;
  /** URNs of the resources this one waits for (dependsOn and the resources behind its input Outputs). */
  dependencies: string[];
  /** The full URNs its `aliases` option names (where it was before a move or rename), sorted. */
  aliasUrns: string[];
  /** The physical id the mock gave a custom resource (absent in preview and for components). */
  id?: string;
  /** The digest of the resource's identity its generated values come from (see offline/engine/outputs.ts). */
  identity?: string;
}

export interface StackRun {
  stack: string;
  project: string;
  resources: CapturedResource[];
  /** The program's exports, resolved. */
  outputs: Record<string, unknown>;
  /** Names of exports whose values are secret. */
  secretOutputs: string[];
  /** Every data-source call (invoke) the program made, in order, with its arguments. */
  invokes: InvokeCall[];
  /** Tokens of the invokes (data-source calls) made without an explicit provider, sorted. */
  invokesWithoutProvider: string[];
  /** True when real secret values were supplied (then plan fingerprints must be keyed). */
  realSecrets: boolean;
}

export interface InvokeCall {
  token: string;
  args: Record<string, unknown>;
}

export interface RunOptions {
  stack: string;
  /** Extra or overriding config (fully qualified keys → strings, as Pulumi passes them). */
  config?: Record<string, string>;
  /** Keys of `config` to treat as secret. */
  secretKeys?: string[];
  /** Read this stack file instead of Pulumi.<stack>.yaml. */
  stackFile?: string;
  /** Project directory (holding Pulumi.yaml); defaults to this repository's root. */
  root?: string;
  /**
   * Answers that replace the offline table's for some invokes (token → answer), e.g. an existing
   * VPC with secondary blocks; the table's argument checks still apply.
   */
  invokeAnswers?: Record<string, InvokeAnswer>;
  /**
   * The AWS partition every provider of the run reports and every mock ARN and DNS name is written in
   * (GovCloud, China); by default each region's own (commercial for the stacks' regions).
   */
  partition?: PartitionId;
  /** Run as a preview (computed values unknown) instead of an update. */
  preview?: boolean;
  /** What a StackReference reads: the outputs of each referenced stack's last deployment, by stack name (`org/project/stack`). */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /** Real values of the stack file's `secure:` keys (fully qualified key → plaintext); stand-ins otherwise. */
  secretValues?: Record<string, string>;
  /** `pulumi config --show-secrets --json` of the stack (credentialed jobs): real secret values and ESC environment values. */
  cliConfig?: CliConfig;
}

let used = false;

export async function runStack(options: RunOptions): Promise<StackRun> {
  if (used) throw new Error("offline engine: one stack per process (or jest test file); the Pulumi runtime keeps global state");
  used = true;

  const stackName = options.stack;
  const files = readStackFiles(options.stack, { stackFile: options.stackFile, root: options.root, secretValues: options.secretValues, cliConfig: options.cliConfig });
  const config = { ...files.config, ...(options.config ?? {}) };
  const secretKeys = [...files.secretKeys, ...(options.secretKeys ?? [])];
  pulumi.runtime.setAllConfig(config, secretKeys);
  const secureConfigValues = secretKeys
    .map((k) => config[k])
    .filter((v): v is string => typeof v === "string" && v.length > 0)
    .flatMap(secretFragments);
  const defaultRegion = config["aws:region"] ?? "us-east-1";
  const partitionIn = runPartition(options, defaultRegion);

  const records = new Map<string, CapturedResource>();
  const parentUrns = new Map<string, string>();
  const failures = new RunFailures();
  const providerRegions = new Map<string, string>();
  const pendingSecretOutputs = new Map<string, string[]>();
  const pendingReplaceOnChanges = new Map<string, string[]>();
  /** The mock id each custom resource got (`type::name` → id). */
  const ids = new Map<string, { id: string; identity: string }>();
  const invokes: InvokeCall[] = [];
  const invokesWithoutProvider = new Set<string>();

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type === "pulumi:pulumi:StackReference") {
          const name = String(args.inputs.name);
          return { id: name, state: { name, outputs: options.stackOutputs?.[name] ?? {}, secretOutputNames: [] } };
        }
        const providerUrn = args.provider?.split("::").slice(0, -1).join("::");
        const region = (args.inputs.region as string | undefined) ?? (providerUrn && providerRegions.get(providerUrn)) ?? defaultRegion;
        const plainInputs = unwrapSecrets(args.inputs, "", []);
        const resourceKey = `${args.type}::${args.name}`;
        const identity = identityDigest(args.type, plainInputs as Record<string, unknown>, pendingReplaceOnChanges.get(resourceKey) ?? []);
        const { id, outputs } = computedOutputs(args.type, args.name, plainInputs as Record<string, unknown>, region, identity, partitionIn(region));
        if (args.custom && !options.preview) ids.set(resourceKey, { id, identity });
        const state: Record<string, unknown> = { ...args.inputs, ...outputs };
        // The engine marks these outputs secret; the mock monitor ignores the option, so we do it.
        for (const key of pendingSecretOutputs.get(`${args.type}::${args.name}`) ?? []) {
          if (key in state && !isSecretWrapper(state[key])) state[key] = { [SECRET_SIG_KEY]: SECRET_SIG, value: state[key] };
        }
        return { id: options.preview && args.custom ? undefined : id, state };
      },
      call(args) {
        if (!args.provider) invokesWithoutProvider.add(args.token);
        invokes.push({ token: args.token, args: { ...(args.inputs as Record<string, unknown>) } });
        try {
          return invoke(args.token, args.inputs, defaultRegion, options.invokeAnswers, partitionIn(defaultRegion));
        } catch (err) {
          // Fail the run, not the SDK: a thrown invoke error surfaces only as an unhandled rejection
          // (or a log line when nobody awaits the result). The run is rejected with this error.
          failures.push(err);
          return {};
        }
      },
    },
    files.project,
    options.stack,
    options.preview ?? false,
    // The CLI's organization for a self-managed backend; a StackReference names `org/project/stack`.
    "organization",
  );

  const monitor = settings.getMonitor();
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, res: unknown) => void) => {
    const type: string = req.getType();
    const name: string = req.getName();
    const parentUrn: string = req.getParent();
    const urn = monitor.newUrn(parentUrn, type, name);
    const { inputs, secretPaths } = deserializeInputs(req.getObject());
    // As the program's stack transformation does under the CLI: an input carrying a `secure:` value is secret.
    // (Values already secret where the program put them are left at that granularity.)
    if (secureConfigValues.length > 0) {
      const plainParts = maskSecrets(inputs, secretPaths) as Record<string, unknown>;
      for (const [key, value] of Object.entries(plainParts)) if (containsSecureValue(value, secureConfigValues)) secretPaths.push(key);
    }
    const additionalSecretOutputs: string[] = req.getAdditionalsecretoutputsList();
    pendingSecretOutputs.set(`${type}::${name}`, additionalSecretOutputs);
    if (type.startsWith("pulumi:providers:") && typeof inputs.region === "string") providerRegions.set(urn, inputs.region);
    if (records.has(urn)) {
      callback(new Error(`offline engine: duplicate resource URN ${urn}`), undefined);
      return Promise.resolve();
    }
    const options = readOptions(req);
    pendingReplaceOnChanges.set(`${type}::${name}`, options.replaceOnChanges ?? []);
    if (parentUrn) parentUrns.set(urn, parentUrn);
    records.set(urn, {
      type,
      name,
      urn,
      parent: parentUrn ? parentUrn.split("::").pop()! : null,
      custom: req.getCustom(),
      protect: req.getProtect() === true,
      provider: req.getProvider() || undefined,
      inputs,
      secretPaths,
      additionalSecretOutputs,
      options,
      dependencies: [...new Set<string>(req.getDependenciesList())].sort(),
      aliasUrns: aliasUrns(req, { type, name, parentUrn, stack: stackName, project: files.project }),
    });
    return registerResource(req, callback);
  };

  // Under the CLI an unhandled rejection fails the program: a failed invoke, or an Output whose apply
  // threw and that nothing awaits. The runtime raises them on the host's process, which is not the
  // `process` a test runner may give each test file (jest hands out a copy whose listeners the host
  // never calls), so the run's handler is reached through one listener on the host's (hostRejections).
  // While the run is in flight every one fails the run; afterwards, the program's outputs still
  // settling re-raise errors it already failed on, and those are absorbed (neither a test runner nor
  // Node reports them again): a failed run's handler stays, a clean run's is removed when it ends.
  let running = true;
  const host = runInThisContext("process") as NodeJS.Process;
  const rejections = hostRejections(host);
  const onRejection = (reason: unknown, promise: Promise<unknown>): boolean => {
    if (!running && !failures.has(reason)) return false;
    failures.push(reason);
    // Where someone else listens too (a test runner, which fails the test it is running on an unhandled
    // rejection unless it is handled later), handle it; alone, there is nobody to tell.
    if (host.listenerCount("unhandledRejection") > 1) promise.catch(() => undefined);
    return true;
  };
  rejections.add(onRejection);
  // A registration whose inputs fail (a check in an apply throws) rejects, and under the CLI that
  // rejection fails the program; every resource waiting on the failed one's outputs then never
  // registers, so waiting for the RPCs to drain would wait forever. The SDK hands each registration's
  // promise to debuggablePromise with a `resource:` label (component outputs: `monitor.registerResourceOutputs`)
  // and drops the result: its rejection is the run's failure, observed (and so handled) here rather
  // than as an unhandled rejection, which a test runner may keep to itself (jest does). Stays
  // installed, like the handler above: registrations still in flight may fail after the run has.
  const debuggablePromise = debuggable.debuggablePromise;
  debuggable.debuggablePromise = <T>(promise: Promise<T>, ctx: unknown): Promise<T> => {
    const tracked: Promise<T> = debuggablePromise(promise, ctx);
    if (typeof ctx === "string" && (ctx.startsWith("resource:") || ctx.startsWith("monitor.registerResourceOutputs"))) {
      tracked.catch((err: unknown) => failures.push(err));
    }
    return tracked;
  };
  declareRehearsal();
  // The SDK formats a stack trace for every promise and resource it creates (leak reports, source positions); a
  // rehearsal uses neither, and where traces are source-mapped (jest) formatting them is most of a run's time.
  // Errors raised meanwhile keep their messages; the limit is restored when the run ends.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let program: Record<string, unknown>;
  let exports: { outputs: Record<string, unknown>; secretOutputs: string[] };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    program = require(files.main) as Record<string, unknown>;
    await failures.race(settle());
    exports = await failures.race(resolveExports(program));
    await failures.race(settle());
  } finally {
    running = false;
    if (failures.empty) rejections.delete(onRejection);
    Error.stackTraceLimit = stackTraceLimit;
  }
  const { outputs, secretOutputs } = exports;
  for (const record of records.values()) {
    const known = ids.get(`${record.type}::${record.name}`);
    if (known !== undefined) Object.assign(record, known);
  }
  return { stack: options.stack, project: files.project, resources: sortResources([...records.values()], parentUrns), outputs, secretOutputs, invokes, invokesWithoutProvider: [...invokesWithoutProvider].sort(), realSecrets: files.realSecrets };
}

type RejectionHandler = (reason: unknown, promise: Promise<unknown>) => boolean;
const HOST_REJECTIONS = Symbol.for("edgestack.offline-engine.unhandledRejection");

/**
 * The runs' unhandled-rejection handlers, reached through one listener on the host's process, installed
 * by the first run in that process (a jest worker runs many test files, each with its own module
 * registry, so the set lives on the host's process, not in this module). A rejection no handler claims
 * goes to whoever else listens, or fails the process as Node would with nobody listening.
 */
function hostRejections(host: NodeJS.Process): Set<RejectionHandler> {
  const slot = host as unknown as Record<symbol, Set<RejectionHandler> | undefined>;
  let handlers = slot[HOST_REJECTIONS];
  if (handlers === undefined) {
    const installed = new Set<RejectionHandler>();
    handlers = slot[HOST_REJECTIONS] = installed;
    host.on("unhandledRejection", (reason: unknown, promise: Promise<unknown>) => {
      for (const handler of installed) if (handler(reason, promise)) return;
      if (host.listenerCount("unhandledRejection") === 1) throw reason;
    });
  }
  return handlers;
}

/**
 * The errors that fail a run, in the order they happened. `race` settles a wait with the first
 * failure as soon as there is one (a failed registration leaves its dependants waiting forever),
 * and else as the wait does, then throws the first failure if any arrived meanwhile.
 */
class RunFailures {
  private readonly errors: unknown[] = [];
  private readonly first: Promise<never>;
  private reject!: (err: unknown) => void;

  constructor() {
    this.first = new Promise<never>((_resolve, reject) => (this.reject = reject));
    // Observed by race; never an unhandled rejection of its own.
    this.first.catch(() => undefined);
  }

  push(err: unknown): void {
    if (this.errors.includes(err)) return;
    this.errors.push(err);
    if (this.errors.length === 1) this.reject(err);
  }

  has(err: unknown): boolean {
    return this.errors.includes(err);
  }

  get empty(): boolean {
    return this.errors.length === 0;
  }

  async race<T>(wait: Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await Promise.race([wait, this.first]);
    } catch (err) {
      throw this.errors.length > 0 ? this.errors[0] : err;
    }
    if (this.errors.length > 0) throw this.errors[0];
    return value;
  }
}

/**
 * The partition a run's mock ARNs and DNS names are written in, for a region: the one the run names;
 * else the one a test's own getPartition answer reports (so that answer and the generated ARNs agree);
 * else the region's own.
 */
function runPartition(options: RunOptions, defaultRegion: string): (region: string) => Partition {
  if (options.partition !== undefined) {
    const named = PARTITIONS[options.partition];
    return () => named;
  }
  const answer = options.invokeAnswers?.["aws:index/getPartition:getPartition"];
  if (answer !== undefined) {
    const p = answer({}, defaultRegion, partitionOfRegion(defaultRegion));
    const id = String(p.partition ?? p.id);
    // An answer that gives the partition alone gets the rest from the table.
    const known: Partition = (PARTITIONS as Record<string, Partition>)[id] ?? partitionOfRegion(defaultRegion);
    const text = (v: unknown, fallback: string) => (typeof v === "string" && v !== "" ? v : fallback);
    const answered: Partition = { id, dnsSuffix: text(p.dnsSuffix, known.dnsSuffix), reverseDnsPrefix: text(p.reverseDnsPrefix, known.reverseDnsPrefix) };
    return () => answered;
  }
  return partitionOfRegion;
}

/** `urn:pulumi:stack::project::a$b$type::name` → `name`, or `type::name` for providers. */
function urnRef(urn: string): string {
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop()!;
  const name = parts.slice(3).join("::");
  return type.startsWith("pulumi:providers:") ? `${type}::${name}` : name;
}

/**
 * The URNs a registration's aliases stand for. The SDK sends an alias either as a URN or as a spec
 * (name, type, stack, project, parent) whose missing parts are the resource's own.
 */
function aliasUrns(req: any, self: { type: string; name: string; parentUrn: string; stack: string; project: string }): string[] {
  const urns = new Set<string>(req.getAliasurnsList() as string[]);
  for (const alias of req.getAliasesList() as any[]) {
    if (alias.getUrn()) {
      urns.add(alias.getUrn());
      continue;
    }
    const spec = alias.getSpec();
    if (!spec) continue;
    const parentUrn: string = spec.getNoparent() ? "" : spec.getParenturn() || self.parentUrn;
    const parentType = parentUrn ? (parentUrn.split("::")[2] ?? "") : "";
    const type: string = spec.getType() || self.type;
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    urns.add(`urn:pulumi:${spec.getStack() || self.stack}::${spec.getProject() || self.project}::${qualified}::${spec.getName() || self.name}`);
  }
  return [...urns].sort();
}

/** The options a RegisterResourceRequest carries, non-default ones only. */
function readOptions(req: any): PlanOptions {
  const options: PlanOptions = {};
  if (req.getProtect() === true) options.protect = true;
  const ignoreChanges: string[] = req.getIgnorechangesList();
  if (ignoreChanges.length > 0) options.ignoreChanges = [...ignoreChanges].sort();
  if (req.getDeletebeforereplace() === true) options.deleteBeforeReplace = true;
  const replaceOnChanges: string[] = req.getReplaceonchangesList();
  if (replaceOnChanges.length > 0) options.replaceOnChanges = [...replaceOnChanges].sort();
  if (req.getRetainondelete() === true) options.retainOnDelete = true;
  // The request lists explicit dependsOn and input dependencies together; keep the explicit ones.
  const viaInputs = new Set<string>();
  req.getPropertydependenciesMap().forEach((deps: any) => deps.getUrnsList().forEach((u: string) => viaInputs.add(u)));
  const dependsOn = (req.getDependenciesList() as string[]).filter((u) => !viaInputs.has(u)).map(urnRef);
  if (dependsOn.length > 0) options.dependsOn = [...new Set(dependsOn)].sort();
  const timeouts = req.getCustomtimeouts();
  if (timeouts) {
    const t = { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() };
    const set = Object.fromEntries(Object.entries(t).filter(([, v]) => v));
    if (Object.keys(set).length > 0) options.customTimeouts = set;
  }
  const aliases: string[] = [
    ...(req.getAliasurnsList() as string[]).map(urnRef),
    ...(req.getAliasesList() as any[]).map((a) => (a.getUrn() ? urnRef(a.getUrn()) : a.getSpec()?.getName() || "")).filter(Boolean),
  ];
  if (aliases.length > 0) options.aliases = [...new Set(aliases)].sort();
  const provider: string = req.getProvider();
  if (provider) options.provider = urnRef(provider.split("::").slice(0, -1).join("::"));
  return options;
}

/** Waits until no registration or invoke is in flight and nothing new arrives. */
async function settle(): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    const before = settings.getMonitor().resources.size;
    await settings.waitForRPCs();
    await new Promise((resolve) => setImmediate(resolve));
    quiet = settings.getMonitor().resources.size === before ? quiet + 1 : 0;
  }
}

async function resolveExports(program: Record<string, unknown>): Promise<{ outputs: Record<string, unknown>; secretOutputs: string[] }> {
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const key of Object.keys(program).sort()) {
    if (key === "__esModule") continue;
    const output: pulumi.Output<unknown> = pulumi.output(program[key] as pulumi.Input<unknown>);
    // An export whose value fails (a check in an apply) fails the run, as under the CLI.
    const settled = await (output as unknown as { promise(withUnknowns?: boolean): Promise<unknown> }).promise(true).then(
      () => undefined,
      (err: unknown) => ({ err }),
    );
    if (settled) throw settled.err;
    outputs[key] = await new Promise((resolve) => {
      let done = false;
      output.apply((v: unknown) => {
        done = true;
        resolve(v);
        return v;
      });
      // Unknown values never call apply; resolve them once everything has settled.
      void settle().then(() => !done && resolve(UNKNOWN));
    });
    if (await pulumi.isSecret(output)) secretOutputs.push(key);
  }
  return { outputs, secretOutputs };
}

function isSecretWrapper(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Replaces the SDK's secret wrappers by their values, collecting where they were. */
function unwrapSecrets(value: unknown, path: string, secretPaths: string[]): unknown {
  if (isSecretWrapper(value)) {
    secretPaths.push(path);
    return unwrapSecrets(value.value, path, []);
  }
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, secretPaths));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = unwrapSecrets((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key, secretPaths);
    }
    return out;
  }
  return value;
}

/**
 * Deterministic order whatever the registration order was: providers first, then depth-first by
 * logical name, each parent before its children.
 */
function sortResources(resources: CapturedResource[], parentUrns: Map<string, string>): CapturedResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const keys = new Map<string, string>();
  const keyOf = (r: CapturedResource): string => {
    let key = keys.get(r.urn);
    if (key === undefined) {
      const parent = byUrn.get(parentUrns.get(r.urn) ?? "");
      const prefix = parent ? `${keyOf(parent)}\u0001` : r.type.startsWith("pulumi:providers:") ? "0" : "1";
      key = `${prefix}${r.name}\u0000${r.type}`;
      keys.set(r.urn, key);
    }
    return key;
  };
  return resources.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

export { SECRET_MASK, UNKNOWN_MASK } from "../plan/format";
export type { PlanResource } from "../plan/format";

/**
 * The plan of captured resources: secrets masked as "[secret]" where the program put them, each with a
 * fingerprint (offline/plan/secrets.ts) so a changed secret shows as changed. `secretMode` defaults to
 * stand-in fingerprints, right for the offline engine's stand-in secrets; pass a keyed mode when the run
 * had real secret values.
 */
export function toPlan(resources: CapturedResource[], options: { secretMode?: SecretMode } = {}): PlanResource[] {
  const mode: SecretMode = options.secretMode ?? { kind: "stand-in" };
  return resources.map((r) => {
    const secrets: { path: (string | number)[]; digest: string }[] = [];
    const inputs = maskSecrets(r.inputs, r.secretPaths, "", [], (path, value) => secrets.push({ path, digest: fingerprint(value, mode) })) as Record<string, unknown>;
    return {
      type: r.type,
      name: r.name,
      parent: r.parent,
      ...(r.id !== undefined ? { id: r.id, identity: r.identity } : {}),
      inputs,
      ...(secrets.length > 0 ? { secrets } : {}),
      ...(r.protect ? { protect: true as const } : {}),
      ...(Object.keys(r.options).length > 0 ? { options: r.options } : {}),
    };
  });
}

/**
 * Returns a copy with every value at a secret path replaced by "[secret]" and unknowns by "[unknown]";
 * `onSecret` gets each masked value with its path segments (for its fingerprint).
 */
export function maskSecrets(value: unknown, secretPaths: string[], path = "", segments: (string | number)[] = [], onSecret?: (segments: (string | number)[], value: unknown) => void): unknown {
  if (secretPaths.includes(path)) {
    onSecret?.(segments, value);
    return SECRET_MASK;
  }
  if (value === UNKNOWN) return UNKNOWN_MASK;
  if (Array.isArray(value)) return value.map((v, i) => maskSecrets(v, secretPaths, `${path}[${i}]`, [...segments, i], onSecret));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = maskSecrets((value as Record<string, unknown>)[key], secretPaths, path ? `${path}.${key}` : key, [...segments, key], onSecret);
    return out;
  }
  return value;
}

/** The value at a path such as `a.b[0].c` (the form secretPaths uses). */
export function valueAt(value: unknown, path: string): unknown {
  if (path === "") return value;
  return path
    .split(/\.|(?=\[)/)
    .reduce<unknown>((v, part) => {
      if (v === undefined || v === null) return undefined;
      const index = /^\[(\d+)\]$/.exec(part);
      return index ? (v as unknown[])[Number(index[1])] : (v as Record<string, unknown>)[part];
    }, value);
}
