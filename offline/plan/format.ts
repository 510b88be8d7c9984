/**
 * The offline plan's format, shared by the engine that writes it, the diff and the policy runner
 * that read it. No dependencies: the PR workflow loads it without the Pulumi SDK.
 */

/** What the plan prints wherever a value is secret. */
export const SECRET_MASK = "[secret]";
/** What the plan prints for a value unknown until deployment (preview). */
export const UNKNOWN_MASK = "[unknown]";

/** A resource as `npm run plan -- --json` prints it. */
export interface PlanResource {
  /** Pulumi type token, e.g. "aws:lb/loadBalancer:LoadBalancer". */
  type: string;
  /** Logical name; unique per type. */
  name: string;
  /** Parent's logical name, or null for a root resource. */
  parent: string | null;
  /**
   * The physical id the offline engine gave a custom resource. It is derived from the resource's
   * identity (the inputs whose change replaces it), so a replaced resource has a new one.
   */
  id?: string;
  /** The digest of that identity the engine derived the id (and every generated output) from. */
  identity?: string;
  /** Resource inputs, keys sorted, secrets masked as "[secret]". */
  inputs: Record<string, unknown>;
  /**
   * A fingerprint per masked value (offline/plan/secrets.ts), so a changed secret shows as changed
   * without its value: keyed (HMAC) whenever a real secret could be behind it.
   */
  secrets?: { path: (string | number)[]; digest: string }[];
  protect?: true;
  /** Resource options other than the defaults (protect is also kept above, as older plans have it). */
  options?: PlanOptions;
}

/**
 * The resource options a reviewer must see, as the program set them. Only non-default options are
 * present. `provider` and `dependsOn` name resources by logical name (`type::name` for providers).
 */
export interface PlanOptions {
  protect?: true;
  ignoreChanges?: string[];
  deleteBeforeReplace?: true;
  replaceOnChanges?: string[];
  retainOnDelete?: true;
  /** Explicit `dependsOn` only (dependencies through inputs are not listed). */
  dependsOn?: string[];
  customTimeouts?: { create?: string; update?: string; delete?: string };
  aliases?: string[];
  provider?: string;
}

/** Option names in the order the plan prints them. */
export const PLAN_OPTION_KEYS = ["protect", "ignoreChanges", "deleteBeforeReplace", "replaceOnChanges", "retainOnDelete", "dependsOn", "customTimeouts", "aliases", "provider"] as const;

/**
 * What `npm run plan -- --json` writes: the resources plus the stack and environment they were planned for, so a
 * reader (the policy runner) applies that environment's rules instead of guessing from a file name.
 */
export interface PlanFile {
  stack: string;
  project: string;
  /** The environment the program decided (dev, prod): its `edgestack:environment`, or prod by the stack name (packages/contract/src/environment.ts). */
  environment: string;
  resources: PlanResource[];
}

/** The resource list of a plan file (`PlanFile`), or the value itself for a bare array (older plans). */
export function planResourcesOf(value: unknown): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "resources" in value ? (value as { resources: unknown }).resources : value;
}
