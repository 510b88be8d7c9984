/**
 * The sliding-window limiter on a real Redis Cluster (3 masters on loopback, slots spread over
 * them): clients are spread over groups (hash tags) on different nodes, and a script may only ever
 * touch one group's slot. Exactness and isolation must hold as on a single node.
 */
import { execFileSync } from "node:child_process";
import { Cluster } from "ioredis";
import { SlidingWindowLimiter } from "../../../app/src/rateLimit/slidingWindow";
import type { RedisProcess } from "../../../local/processes/redis";
import { startRedisCluster, type RedisCluster } from "../../../local/processes/redisCluster";

let redisCluster: RedisCluster;
let nodes: RedisProcess[] = [];
let cluster: Cluster;

beforeAll(async () => {
  redisCluster = await startRedisCluster({ masters: 3 });
  nodes = redisCluster.nodes;
  cluster = new Cluster(nodes.map((n) => ({ host: "127.0.0.1", port: n.port })), { enableOfflineQueue: true });
  await new Promise((resolve, reject) => {
    cluster.once("ready", resolve);
    cluster.once("error", reject);
  });
}, 60_000);

afterAll(async () => {
  cluster?.disconnect();
  await redisCluster?.dispose();
});

test("keys of many clients spread over the masters, each limited exactly", async () => {
  const limiter = new SlidingWindowLimiter(cluster, { limit: 3, windowMs: 60_000, prefix: "cl" });
  const clients = Array.from({ length: 60 }, (_, i) => `ip:198.51.100.${i}`);
  // 5 concurrent hits per client, all in flight at once: 3 admitted each, never more.
  const decisions = await Promise.all(clients.flatMap((c) => Array.from({ length: 5 }, () => limiter.check(c).then((d) => ({ c, allowed: d.allowed })))));
  const admitted = new Map<string, number>();
  for (const d of decisions) if (d.allowed) admitted.set(d.c, (admitted.get(d.c) ?? 0) + 1);
  expect(clients.map((c) => admitted.get(c) ?? 0)).toEqual(clients.map(() => 3));
  // Batched per group (one slot each): one script call per group holding a client, not one per check.
  expect(limiter.redisCalls).toBe(new Set(clients.map((c) => limiter.key(c))).size);
  // The keys really live on different masters (the test would prove nothing on one node).
  const owners = new Set(
    await Promise.all(
      clients.map(async (c) => {
        const slot = Number(execFileSync("redis-cli", ["-p", String(nodes[0]!.port), "cluster", "keyslot", limiter.key(c)]).toString().trim());
        return nodes.findIndex((n) => execFileSync("redis-cli", ["-p", String(n.port), "cluster", "countkeysinslot", String(slot)]).toString().trim() !== "0");
      }),
    ),
  );
  expect(owners.size).toBe(3);
});

test("a refused client is answered from the block cache after one round trip", async () => {
  const limiter = new SlidingWindowLimiter(cluster, { limit: 2, windowMs: 60_000, prefix: "cl2" });
  const results = [];
  for (let i = 0; i < 6; i++) results.push(await limiter.check("ip:203.0.113.7"));
  expect(results.map((r) => r.allowed)).toEqual([true, true, false, false, false, false]);
  expect(results.map((r) => r.source)).toEqual(["redis", "redis", "redis", "cache", "cache", "cache"]);
  expect(limiter.redisCalls).toBe(3);
});
