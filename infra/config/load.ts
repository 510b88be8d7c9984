import * as pulumi from "@pulumi/pulumi";
import { realDeployProblems } from "./guards";
import { ConfigError, parseStackConfig, StackConfig } from "./schema";
import { keepSecureConfigSecret } from "./secure-values";

export { ConfigError } from "./schema";
export type { StackConfig } from "./schema";

let rehearsal = false;

/**
 * Declares this process a rehearsal: the offline engine (offline/engine) calls it before it loads the
 * program, because its runs reach no cloud and plan the sample stacks with their documentation names.
 * Every other run, whatever engine or monitor it has, is held to the real-deployment guards.
 */
export function declareRehearsal(): void {
  rehearsal = true;
}

/**
 * Reads the `edgestack:` configuration Pulumi handed this program and validates it as a whole,
 * before any resource is registered: invalid config fails the run with every problem listed.
 * A real deployment is also held to infra/config/guards.ts (no reserved example domains). Values
 * set with --secret stay secret in every resource input that carries them (./secure-values.ts).
 */
export function loadStackConfig(): StackConfig {
  const raw = pulumi.runtime.allConfig();
  const config = parseStackConfig(raw, pulumi.getStack());
  const problems = rehearsal ? [] : realDeployProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  keepSecureConfigSecret(raw);
  return config;
}
