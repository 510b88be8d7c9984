/**
 * Policy-pack configuration: the same JSON file `pulumi preview --policy-pack-config FILE` reads, e.g.
 * `{ "all": "advisory", "route53-ttl-bounds": { "maxTtl": 3600 }, "nlb-cross-zone": "mandatory" }`.
 * Checked here against each policy's configSchema so a typo fails loudly instead of being ignored.
 */
import Ajv from "ajv";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { ConfigError } from "@edgestack/contract";

export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** A policy config problem (the contract's ConfigError), naming the file, policy and setting. */
export class PolicyConfigError extends ConfigError {
  constructor(problem: string) {
    super([problem], "invalid policy config");
    this.name = "PolicyConfigError";
  }
}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Validates raw config against the pack; returns it typed, or throws PolicyConfigError naming the bad key/value. */
export function validatePolicyConfig(raw: unknown, policies: Policies, source: string): PolicyPackConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new PolicyConfigError(`${source}: must be a JSON object keyed by policy name`);
  const byName = new Map(policies.map((p) => [p.name, p]));
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const [key, value] of Object.entries(raw)) {
    const policy = byName.get(key);
    if (key !== "all" && !policy) throw new PolicyConfigError(`${source}: unknown policy "${key}" (known: all, ${[...byName.keys()].join(", ")})`);
    if (typeof value === "string") {
      if (!LEVELS.includes(value as EnforcementLevel)) throw new PolicyConfigError(`${source}: "${key}" has enforcement level "${value}"; expected one of ${LEVELS.join(", ")}`);
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new PolicyConfigError(`${source}: "${key}" must be an enforcement level or an object`);
    const { enforcementLevel, ...props } = value as Record<string, unknown>;
    if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as EnforcementLevel)) {
      throw new PolicyConfigError(`${source}: "${key}.enforcementLevel" is "${String(enforcementLevel)}"; expected one of ${LEVELS.join(", ")}`);
    }
    if (key === "all") {
      if (Object.keys(props).length > 0) throw new PolicyConfigError(`${source}: "all" takes only enforcementLevel`);
      continue;
    }
    const schema = policy!.configSchema ?? { properties: {} };
    for (const prop of Object.keys(props)) {
      if (!(prop in schema.properties)) {
        const known = Object.keys(schema.properties);
        throw new PolicyConfigError(`${source}: "${key}.${prop}" is not a setting of ${key} (settings: ${known.join(", ") || "none"})`);
      }
    }
    const validate = ajv.compile({ type: "object", properties: schema.properties, required: schema.required ?? [] });
    if (!validate(props)) {
      const e = validate.errors![0];
      // JSON-pointer segments back to the keys as written (a key may hold "/" or "~": Pulumi type tokens do).
      const where = e.instancePath.split("/").slice(1).map((k) => `.${k.replace(/~1/g, "/").replace(/~0/g, "~")}`).join("");
      const name = (e as { propertyName?: string }).propertyName;
      throw new PolicyConfigError(`${source}: "${key}${where}"${name !== undefined ? ` key "${name}"` : ""} ${e.message}`);
    }
  }
  return raw as PolicyPackConfig;
}

export function readPolicyConfigFile(file: string, policies: Policies): PolicyPackConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new PolicyConfigError(`cannot read policy config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PolicyConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return validatePolicyConfig(raw, policies, file);
}

/** The per-stack config file the runner picks up by default: `policies/policy-config.<stack>.json`. */
export function stackPolicyConfigPath(policiesDir: string, stack: string): string {
  return path.join(policiesDir, `policy-config.${stack}.json`);
}

/** Explicit file if given, else the stack's file if it exists, else no overrides. Returns the file used too. */
export function loadPolicyConfig(opts: { file?: string; stack: string; policiesDir: string; policies: Policies }): { config: PolicyPackConfig; file?: string } {
  if (opts.file) return { config: readPolicyConfigFile(opts.file, opts.policies), file: opts.file };
  const stackFile = stackPolicyConfigPath(opts.policiesDir, opts.stack);
  if (existsSync(stackFile)) return { config: readPolicyConfigFile(stackFile, opts.policies), file: stackFile };
  return { config: {} };
}

/**
 * Pins prod-only rules to the environment the resources were planned for (`edgestack:environment`, recorded in plan
 * files): every policy with an `environment` setting gets prod/nonprod unless the config file sets it explicitly.
 * Without a known environment the config is returned unchanged (rules then read the AWS provider's environment tag).
 * Either way the rules weigh the stack name too (packages/contract/src/environment.ts).
 */
export function withEnvironment(config: PolicyPackConfig, policies: Policies, environment: string | undefined): PolicyPackConfig {
  if (environment === undefined) return config;
  const value = environment === "prod" ? "prod" : "nonprod";
  const out: PolicyPackConfig = { ...config };
  for (const p of policies) {
    if (!p.configSchema?.properties || !("environment" in p.configSchema.properties)) continue;
    const entry = config[p.name];
    if (typeof entry === "object" && entry.environment !== undefined) continue;
    out[p.name] = typeof entry === "string" ? { enforcementLevel: entry, environment: value } : { ...(entry ?? {}), environment: value };
  }
  return out;
}
