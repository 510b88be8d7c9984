import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { realDeployProblems } from "./guards";
import { ConfigError, parseStackConfig, StackConfig } from "./schema";
import { keepSecureConfigSecret } from "./secure-values";

export { ConfigError } from "./schema";
export type { StackConfig } from "./schema";

/** True under Pulumi mocks (the offline engine, tests): no cloud is reached, sample names are fine. */
export function isOffline(): boolean {
  return pulumi.runtime.getMonitor() instanceof MockMonitor;
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
  const problems = isOffline() ? [] : realDeployProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  keepSecureConfigSecret(raw);
  return config;
}
