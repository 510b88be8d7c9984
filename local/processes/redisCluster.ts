import { setTimeout as sleep } from "node:timers/promises";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports";
import { startRedis, type RedisProcess } from "./redis";
import { makeTestCertificates, type TestCertificates } from "./tls";

const run = promisify(execFile);

/**
 * A private Redis Cluster on loopback for tests: `masters` masters with the 16384 slots spread
 * over them, each with `replicasPerMaster` replicas, optionally behind AUTH and TLS-only (bus and
 * replication too, one shared CA) like ElastiCache in cluster mode. Every node is a startRedis
 * process (own port, dir, exact-pid stop); the cluster bus gets its own free port (the default,
 * port + 10000, can fall outside the port range).
 */
export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  password?: string;
  tls?: boolean;
  /** cluster-node-timeout (ms): how long a node may be unreachable before it is failed over. */
  nodeTimeoutMs?: number;
}

export interface RedisCluster {
  readonly nodes: RedisProcess[];
  /** A seed URL (first node) carrying the scheme and AUTH, as a configuration endpoint would. */
  readonly url: string;
  /** The CA clients must trust with `tls`. */
  readonly tlsCaFile: string | undefined;
  /** redis-cli against one node (AUTH and TLS applied); returns stdout. */
  cli(node: RedisProcess, ...args: string[]): Promise<string>;
  /** The node that currently serves `key`'s slot as master. */
  masterOf(key: string): Promise<RedisProcess>;
  /** Resolves once every node reports cluster_state:ok and every replica's link to its master is up. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /**
   * Manual failover of `master` (CLUSTER FAILOVER on one of its replicas: the replica catches up,
   * then takes over the slots, so no acknowledged write is lost); resolves with the new master
   * once the whole cluster agrees on it.
   */
  failover(master: RedisProcess, timeoutMs?: number): Promise<RedisProcess>;
  dispose(): Promise<void>;
}


export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const tls = options.tls === true;
  const caDir = tls ? mkdtempSync(path.join(tmpdir(), "edgestack-redis-cluster-ca-")) : undefined;
  const nodes: RedisProcess[] = [];
  const dispose = async () => {
    for (const n of nodes) await n.dispose();
    if (caDir !== undefined) rmSync(caDir, { recursive: true, force: true });
  };
  try {
    const certificates: TestCertificates | undefined = caDir !== undefined ? makeTestCertificates(caDir) : undefined;
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const args = ["--cluster-enabled", "yes", "--cluster-node-timeout", String(options.nodeTimeoutMs ?? 2000), "--cluster-port", String(await freePort())];
      if (options.password !== undefined) args.push("--masterauth", options.password);
      if (tls) args.push("--tls-cluster", "yes", "--tls-replication", "yes");
      nodes.push(await startRedis({ args, password: options.password, tls, certificates }));
    }
    const cliBase = [
      ...(options.password !== undefined ? ["-a", options.password, "--no-auth-warning"] : []),
      ...(certificates !== undefined ? ["--tls", "--cacert", certificates.caFile] : []),
    ];
    const cli = async (node: RedisProcess, ...args: string[]) => (await run("redis-cli", [...cliBase, "-h", "127.0.0.1", "-p", String(node.port), ...args])).stdout;
    // The first `masters` nodes become masters, the rest their replicas (redis-cli's own layout).
    await run("redis-cli", [...cliBase, "--cluster", "create", ...nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-replicas", String(replicas), "--cluster-yes"]);

    const role = async (node: RedisProcess) => (await cli(node, "role")).split("\n")[0]!.trim();
    const waitHealthy = async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          nodes.map(async (n) => {
            const info = await cli(n, "cluster", "info");
            if (!info.includes("cluster_state:ok")) return false;
            if ((await role(n)) !== "slave") return true;
            return (await cli(n, "info", "replication")).includes("master_link_status:up");
          }),
        );
        const masterCount = (await Promise.all(nodes.map(role))).filter((r) => r === "master").length;
        if (states.every(Boolean) && masterCount === masters) return;
        if (Date.now() > deadline) throw new Error(`redis cluster not healthy after ${timeoutMs} ms`);
        await sleep(200);
      }
    };
    await waitHealthy();

    const nodeId = async (node: RedisProcess) => (await cli(node, "cluster", "myid")).trim();
    // The slot ranges a master serves, from its own line of CLUSTER NODES (fields 9 onwards).
    const ownsSlot = async (node: RedisProcess, slot: number) => {
      const myself = (await cli(node, "cluster", "nodes")).split("\n").find((line) => line.includes("myself"))!;
      return myself
        .trim()
        .split(" ")
        .slice(8)
        .some((range) => {
          const [from, to] = range.split("-").map(Number);
          return from !== undefined && !Number.isNaN(from) && slot >= from && slot <= (to ?? from);
        });
    };
    const masterOf = async (key: string) => {
      const slot = Number((await cli(nodes[0]!, "cluster", "keyslot", key)).trim());
      for (const node of nodes) if ((await role(node)) === "master" && (await ownsSlot(node, slot))) return node;
      throw new Error(`no master serves slot ${slot}`);
    };
    const failover = async (master: RedisProcess, timeoutMs = 30_000) => {
      const id = await nodeId(master);
      const lines = (await cli(master, "cluster", "replicas", id)).split("\n").filter((l) => l.trim() !== "");
      const replicaPort = lines.map((l) => Number(/:(\d+)@/.exec(l)?.[1])).find((p) => p > 0);
      const replica = nodes.find((n) => n.port === replicaPort);
      if (replica === undefined) throw new Error(`master on port ${master.port} has no replica to fail over to`);
      const answer = (await cli(replica, "cluster", "failover")).trim();
      if (answer !== "OK") throw new Error(`CLUSTER FAILOVER on port ${replica.port}: ${answer}`);
      const deadline = Date.now() + timeoutMs;
      while ((await role(replica)) !== "master" || (await role(master)) !== "slave") {
        if (Date.now() > deadline) throw new Error(`failover of port ${master.port} did not complete in ${timeoutMs} ms`);
        await sleep(100);
      }
      await waitHealthy(timeoutMs);
      return replica;
    };
    return { nodes, url: nodes[0]!.url, tlsCaFile: certificates?.caFile, cli, masterOf, waitHealthy, failover, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
