import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, StackConfig } from "./schema";

export { ConfigError } from "./schema";
export type { StackConfig } from "./schema";

/**
 * Reads the `edgestack:` configuration Pulumi handed this program and validates it as a whole,
 * before any resource is registered: invalid config fails the run with every problem listed.
 */
export function loadStackConfig(): StackConfig {
  return parseStackConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}
