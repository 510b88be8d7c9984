import { existsSync } from "node:fs";
import { startRedisCluster, type RedisCluster } from "../../../local/processes/redisCluster";

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, password: "helper-test-token" });
}, 60_000);

afterAll(async () => {
  await cluster?.dispose();
});

const role = async (port: number) => (await cluster.cli(cluster.nodes.find((n) => n.port === port)!, "role")).split("\n")[0]!.trim();

test("3 masters with a replica each, behind AUTH, every node on its own port", async () => {
  expect(cluster.nodes).toHaveLength(6);
  expect(new Set(cluster.nodes.map((n) => n.port)).size).toBe(6);
  const roles = await Promise.all(cluster.nodes.map((n) => role(n.port)));
  expect(roles.filter((r) => r === "master")).toHaveLength(3);
  expect(roles.filter((r) => r === "slave")).toHaveLength(3);
  expect(cluster.url).toMatch(/^redis:\/\/:helper-test-token@127\.0\.0\.1:\d+$/);
});

test("masterOf names the node that accepts the key; failover hands the key's slot to the replica", async () => {
  const key = "rl:{ip:198.51.100.9}";
  const master = await cluster.masterOf(key);
  // Without -c redis-cli does not follow redirections: only the owner answers OK.
  expect((await cluster.cli(master, "set", key, "v")).trim()).toBe("OK");
  const roles = await Promise.all(cluster.nodes.map((n) => role(n.port)));
  const otherMaster = cluster.nodes.find((n, i) => roles[i] === "master" && n.port !== master.port)!;
  expect(await cluster.cli(otherMaster, "set", key, "v")).toMatch(/MOVED/);

  const promoted = await cluster.failover(master);
  expect(await role(promoted.port)).toBe("master");
  expect(await role(master.port)).toBe("slave");
  expect((await cluster.masterOf(key)).port).toBe(promoted.port);
  // The write made before the failover is on the promoted node.
  expect((await cluster.cli(promoted, "get", key)).trim()).toBe("v");
}, 60_000);

test("dispose stops every node and removes its directory", async () => {
  const dirs = cluster.nodes.map((n) => n.dir);
  await cluster.dispose();
  expect(cluster.nodes.every((n) => !n.running)).toBe(true);
  expect(dirs.some((d) => existsSync(d))).toBe(false);
});
