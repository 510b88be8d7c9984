import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { secretFragments } from "./secret-fragments";

export { secretFragments } from "./secret-fragments";

/**
 * `pulumi.runtime.allConfig()` hands the program every value in plain text, `secure:` ones
 * included, and the typed config carries them as plain strings. So that a value set with
 * `pulumi config set --secret` never reaches a resource input (and the state) as plain text, every
 * input of every resource that contains such a value is marked secret. Keys the schema declares
 * secret are wrapped where they are used as well; this covers the rest (any key an operator chose
 * to encrypt).
 */

/** The config keys the engine (or the offline runner) marks secret: `secure:` in the stack file. */
export function secureConfigKeys(raw: Record<string, string>): string[] {
  const isSecret = (runtimeConfig as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (typeof isSecret !== "function") throw new Error("@pulumi/pulumi no longer exposes runtime isConfigSecret: secure config values cannot be told apart");
  return Object.keys(raw).filter((k) => isSecret(k));
}

/** Whether `value` (any plain structure) contains one of `secrets` in one of its strings. */
export function containsSecureValue(value: unknown, secrets: readonly string[]): boolean {
  if (typeof value === "string") return secrets.some((s) => value.includes(s));
  if (Array.isArray(value)) return value.some((v) => containsSecureValue(v, secrets));
  if (typeof value === "object" && value !== null) return Object.values(value).some((v) => containsSecureValue(v, secrets));
  return false;
}

function holdsOutputs(value: unknown): boolean {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return true;
  if (Array.isArray(value)) return value.some(holdsOutputs);
  if (typeof value === "object" && value !== null) return Object.values(value).some(holdsOutputs);
  return false;
}

/** The transformation that marks secret each input of a custom resource that carries one of `secrets`. */
export function secureValueTransformation(secrets: readonly string[]): pulumi.ResourceTransformation {
  return (args) => {
    if (!pulumi.CustomResource.isInstance(args.resource)) return undefined;
    const props: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args.props)) {
      // A plain value is judged as it is (and left untouched unless it carries one); a value holding
      // Outputs is judged once resolved, which makes it secret as a whole if any part of it was.
      if (holdsOutputs(v)) props[k] = pulumi.output(v).apply((resolved) => (containsSecureValue(resolved, secrets) ? pulumi.secret(resolved) : resolved));
      else props[k] = containsSecureValue(v, secrets) ? pulumi.secret(v) : v;
    }
    return { props, opts: args.opts };
  };
}

/** What to look for in inputs for every `secure:` key: the fragments of each non-empty value. */
export function secureValues(raw: Record<string, string>): string[] {
  return secureConfigKeys(raw)
    .map((k) => raw[k])
    .filter((v): v is string => typeof v === "string" && v.length > 0)
    .flatMap(secretFragments);
}

/**
 * Marks secret every resource input that carries a `secure:` config value, for every resource
 * registered after it (the program calls it before the first). Under the CLI it is a stack
 * transformation; the offline engine has no root stack resource and applies the same rule
 * (containsSecureValue) to the inputs it captures (offline/engine/engine.ts).
 */
export function keepSecureConfigSecret(raw: Record<string, string>): void {
  const secrets = secureValues(raw);
  if (secrets.length === 0 || !pulumi.runtime.getStackResource()) return;
  pulumi.runtime.registerStackTransformation(secureValueTransformation(secrets));
}
