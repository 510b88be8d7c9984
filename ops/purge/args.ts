import { createHash } from "node:crypto";
import { parseCommandLine, UsageError } from "../../scripts/cli/args";

export { UsageError };

/**
 * Argument handling for `npm run purge`, pure so it can be tested offline. CloudFront's limits are
 * checked here, before any request: an invalidation CloudFront would reject never leaves the machine.
 */

/** Paths one invalidation may carry (CloudFront's in-progress limit for file paths). */
export const MAX_PATHS = 3000;
/** Wildcard paths one invalidation may carry (CloudFront's in-progress limit for wildcards). */
export const MAX_WILDCARD_PATHS = 15;
/** Longest path CloudFront accepts. */
export const MAX_PATH_LENGTH = 4000;

export const USAGE =
  'usage: npm run purge -- (--stack <name> | --distribution-id <id>) --paths "/index.html /api/*" [--paths ...] [--dry-run]';

export interface PurgeRequest {
  stack?: string;
  distributionId?: string;
  paths: string[];
  dryRun: boolean;
}

export function parsePurgeArgs(argv: string[]): PurgeRequest {
  const { values } = parseCommandLine(argv, {
    stack: { type: "string" },
    "distribution-id": { type: "string" },
    paths: { type: "string", multiple: true },
    "dry-run": { type: "boolean", default: false },
  });
  const stack = values.stack;
  const distributionId = values["distribution-id"];
  if (!stack && !distributionId) throw new UsageError("give --stack <name> (reads the distributionId stack output) or --distribution-id <id>");
  if (stack !== undefined && !/^[A-Za-z0-9_.\-/]{1,100}$/.test(stack)) throw new UsageError(`--stack ${JSON.stringify(stack)} is not a stack name`);
  if (distributionId !== undefined) checkDistributionId(distributionId, "--distribution-id");
  const paths = checkPaths((values.paths ?? []).flatMap((p) => p.split(/\s+/)).filter((p) => p !== ""));
  return { stack, distributionId, paths, dryRun: values["dry-run"] ?? false };
}

/** CloudFront distribution ids: "E" and upper-case letters/digits. */
export function checkDistributionId(id: string, source: string): string {
  if (!/^E[A-Z0-9]{5,20}$/.test(id)) throw new UsageError(`${source}: ${JSON.stringify(id)} is not a CloudFront distribution id (like E2QWRUHAPOMQZL)`);
  return id;
}

/**
 * Validates and de-duplicates invalidation paths: each starts with "/", is printable ASCII with no
 * spaces (URL-encode anything else, as CloudFront requires), has "*" only as its last character,
 * and the batch stays within CloudFront's limits.
 */
export function checkPaths(paths: string[]): string[] {
  if (paths.length === 0) throw new UsageError('--paths is required, e.g. --paths "/index.html /api/*"');
  const unique = [...new Set(paths)];
  for (const p of unique) {
    const show = JSON.stringify(p.length > 80 ? `${p.slice(0, 80)}…` : p);
    if (!p.startsWith("/")) throw new UsageError(`path ${show} must start with "/"`);
    if (p.length > MAX_PATH_LENGTH) throw new UsageError(`path ${show} is longer than ${MAX_PATH_LENGTH} characters`);
    if (!/^[\x21-\x7e]+$/.test(p)) throw new UsageError(`path ${show} has characters CloudFront needs URL-encoded (spaces, non-ASCII, control characters)`);
    if (p.indexOf("*") !== -1 && p.indexOf("*") !== p.length - 1) throw new UsageError(`path ${show}: "*" is only allowed as the last character`);
  }
  if (unique.length > MAX_PATHS) throw new UsageError(`${unique.length} paths: one invalidation takes at most ${MAX_PATHS}`);
  const wildcards = unique.filter((p) => p.endsWith("*")).length;
  if (wildcards > MAX_WILDCARD_PATHS) throw new UsageError(`${wildcards} wildcard paths: one invalidation takes at most ${MAX_WILDCARD_PATHS}`);
  return unique;
}

/**
 * The invalidation's CallerReference: the same for the same distribution, paths and call time, so the
 * SDK's retries of one call can never start a second invalidation; a later call gets a new one.
 */
export function callerReference(distributionId: string, paths: string[], callTime: Date): string {
  const digest = createHash("sha256")
    .update([distributionId, callTime.toISOString(), ...[...paths].sort()].join("\n"))
    .digest("hex")
    .slice(0, 16);
  return `edgestack-purge-${callTime.getTime()}-${digest}`;
}
