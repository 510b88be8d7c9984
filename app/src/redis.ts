import { Cluster, Redis, type RedisOptions } from "ioredis";

/** What the app talks to: one node, or a Redis Cluster through its configuration endpoint. */
export type RedisClient = Redis | Cluster;

/**
 * Per-connection options shared by both client kinds: a request never waits for Redis. Commands
 * fail after `commandTimeoutMs`, and while disconnected they fail at once instead of queueing
 * (enableOfflineQueue: false). No auto-pipelining: the limiter already sends one script call per
 * event-loop turn, and ioredis' per-tick pipeline on top cost ~0.7 µs of app CPU per check
 * (local/bench/app.ts).
 */
function connectionOptions(commandTimeoutMs: number): RedisOptions {
  return {
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1000, commandTimeoutMs * 4),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    enableAutoPipelining: false,
  };
}

/** Reconnect backoff: 100 ms doubling to 2 s, forever (the app recovers without a restart). */
const backoff = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000);

/**
 * A single-node client. It keeps reconnecting in the background, so the app recovers without a
 * restart when Redis returns. rediss:// enables TLS from the URL; ElastiCache in-transit
 * encryption needs nothing more.
 */
export function createRedisClient(url: string, commandTimeoutMs: number): Redis {
  return new Redis(url, { ...connectionOptions(commandTimeoutMs), retryStrategy: backoff });
}

/**
 * A cluster client seeded with the configuration endpoint (ElastiCache cluster mode: one DNS
 * name for every shard). It learns the slot map from CLUSTER SLOTS and follows MOVED/ASK
 * redirections, so online resharding and failovers need no app change. TLS and AUTH come from the
 * URL as for one node and apply to every shard's connection; with TLS the node names from CLUSTER
 * SLOTS are connected to as given (not resolved first), so each node's certificate is checked
 * against its own DNS name (ElastiCache's nodes have per-node names under the certificate's
 * wildcard).
 */
export function createRedisClusterClient(url: string, commandTimeoutMs: number): Cluster {
  const parsed = new URL(url);
  const tls = parsed.protocol === "rediss:";
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return new Cluster([{ host, port: parsed.port === "" ? 6379 : Number(parsed.port) }], {
    redisOptions: {
      ...connectionOptions(commandTimeoutMs),
      username: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
      password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
      tls: tls ? {} : undefined,
    },
    ...(tls ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
    enableOfflineQueue: false,
    enableAutoPipelining: false,
    // A failover moves a slot to the promoted replica: wait for the new map instead of failing.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    maxRedirections: 16,
    slotsRefreshTimeout: Math.max(1000, commandTimeoutMs * 2),
    // Pick up a changed slot map (resharding, a failover elsewhere) without waiting for a MOVED.
    slotsRefreshInterval: 5000,
    clusterRetryStrategy: backoff,
    scaleReads: "master",
  });
}

/** The client REDIS_URL / REDIS_CLUSTER ask for. */
export function createAppRedisClient(config: { redisUrl: string; redisCluster: boolean; redisCommandTimeoutMs: number }): RedisClient {
  return config.redisCluster ? createRedisClusterClient(config.redisUrl, config.redisCommandTimeoutMs) : createRedisClient(config.redisUrl, config.redisCommandTimeoutMs);
}
