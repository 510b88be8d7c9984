/**
 * Pure rules for the ElastiCache replication group: parameter-group family, the parameters a
 * rate-limit store needs, the auth-token generator options and the client URL.
 */

import { KNOWN_INSTANCE_TYPES_HINT, nodeCapacity } from "../cluster/nodes";
import { ConfigError } from "../config/schema";
import { Naming, physicalNamePrefix } from "../naming";

export type CacheEngine = "redis" | "valkey";

/**
 * Checks the cache settings the config schema cannot (engine/version pairs) at program start, so a
 * bad pair fails before any resource is registered; throws a ConfigError naming key and value.
 */
export function checkCacheSettings(s: { cacheEngine: CacheEngine; cacheEngineVersion: string; cacheNodeType: string }): void {
  const problems: string[] = [];
  try {
    parameterGroupFamily(s.cacheEngine, s.cacheEngineVersion);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (cacheNodeVcpus(s.cacheNodeType) === undefined) {
    problems.push(`edgestack:cacheNodeType: ${JSON.stringify(s.cacheNodeType)} is not a node type whose vCPUs the stack knows (cache. + ${KNOWN_INSTANCE_TYPES_HINT}); its CPU alarm's threshold depends on them`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** A cache node type's vCPUs (ElastiCache's node types share EC2's sizes), or undefined outside the known families. */
export function cacheNodeVcpus(nodeType: string): number | undefined {
  const m = /^cache\.(.+)$/.exec(nodeType);
  return m ? nodeCapacity(m[1])?.vcpu : undefined;
}

/**
 * The parameter-group family for an engine and major.minor version, e.g. valkey 8.0 → "valkey8",
 * redis 7.1 → "redis7". Versions before 7 are refused: `transitEncryptionMode: required` (TLS
 * with no plain-text fallback) needs Redis OSS 7.0.5+ or Valkey.
 */
export function parameterGroupFamily(engine: CacheEngine, version: string): string {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`edgestack:cacheEngineVersion: ${JSON.stringify(version)} is not a major.minor version such as "8.0"`);
  const major = Number(match[1]);
  if (engine === "valkey") {
    if (major < 7 || major > 8) throw new Error(`edgestack:cacheEngineVersion: ${JSON.stringify(version)} is not a Valkey version ElastiCache offers (7.x or 8.x)`);
    return `valkey${major}`;
  }
  if (major < 7) {
    throw new Error(`edgestack:cacheEngineVersion: ${JSON.stringify(version)} is too old for redis: transit encryption mode "required" needs 7.0 or later`);
  }
  if (major > 7) throw new Error(`edgestack:cacheEngineVersion: ${JSON.stringify(version)} is not a Redis OSS version ElastiCache offers (7.x; use cacheEngine valkey for 8.x)`);
  return `redis${major}`;
}

/**
 * The replication group always runs in cluster mode (sharded, even with one shard): adding shards
 * later is then an online resharding, not a migration. The app is told so (REDIS_CLUSTER, see
 * infra/workloads/app.ts) and connects to the configuration endpoint with a cluster client.
 */
export const CACHE_CLUSTER_MODE: boolean = true;

/**
 * Every key the app writes carries a TTL (its sliding-window buckets expire two windows after they
 * start), so under memory pressure evicting the keys closest to expiry (the previous buckets) loses
 * the least information; `noeviction` (the default) would instead fail writes and make the limiter
 * fail open or closed. A bucket is one hash holding a group's clients: Redis frees an expired one in
 * a background thread (`lazyfree-lazy-expire`) instead of stalling every command while it does.
 */
export const RATE_LIMIT_PARAMETERS: ReadonlyArray<{ name: string; value: string }> = [
  { name: "maxmemory-policy", value: "volatile-ttl" },
  { name: "lazyfree-lazy-expire", value: "yes" },
  { name: "cluster-enabled", value: CACHE_CLUSTER_MODE ? "yes" : "no" },
];

/**
 * random.RandomPassword options for the AUTH token. ElastiCache accepts 16–128 printable characters
 * except `/`, `"`, `@` and space; letters and digits only keep the token safe inside a URL's
 * user-info part too. 64 alphanumerics ≈ 380 bits.
 */
export const AUTH_TOKEN_OPTIONS = { length: 64, special: false, upper: true, lower: true, numeric: true, minUpper: 4, minLower: 4, minNumeric: 4 } as const;

export const REDIS_PORT = 6379;

/** The app's REDIS_URL: TLS (`rediss://`) with the AUTH token as the password (default user). */
export function redisUrl(host: string, port: number, token: string): string {
  if (!host || /[\s/@:?#]/.test(host)) throw new Error(`redis host ${JSON.stringify(host)} is not a host name`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`redis port ${port} is not a TCP port`);
  if (token.length < 16 || token.length > 128) throw new Error("the Redis AUTH token must be 16 to 128 characters");
  return `rediss://:${encodeURIComponent(token)}@${host}:${port}`;
}

/** Final-snapshot name taken when the replication group is deleted (prod only). */
export function finalSnapshotName(replicationGroupId: string): string {
  return `${replicationGroupId}-final`;
}

/**
 * The replication group id: ElastiCache wants 1–40 lower-case letters, digits and single hyphens,
 * starting with a letter. The name prefix is folded into that alphabet.
 */
export function replicationGroupId(naming: Naming): string {
  const folded = physicalNamePrefix(naming)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .slice(0, 34) // leaves room for finalSnapshotName's "-final" inside the same 40-character budget
    .replace(/-+$/, "");
  return folded;
}

/**
 * The member cluster (node) ids ElastiCache gives a cluster-mode replication group:
 * `<group id>-<shard, 4 digits>-<node, 3 digits>`, the first node of each shard its primary.
 * Known before the group exists, so per-node alarms are planned with their real dimensions.
 */
export function memberClusterIds(groupId: string, shards: number, replicasPerShard: number): string[] {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return Array.from({ length: shards }, (_, s) => Array.from({ length: 1 + replicasPerShard }, (_, n) => `${groupId}-${pad(s + 1, 4)}-${pad(n + 1, 3)}`)).flat();
}
