/**
 * `npm run bench`: the local data plane's figures, from one run (all on loopback, this machine).
 *
 *  1. Throughput and latency of GET /api/hello (autocannon, 50 keep-alive connections, DURATION s
 *     per scenario after a 1 s warm-up; scenarios interleaved over ROUNDS rounds, best round counts,
 *     because the machine is shared): the app direct (the baseline) · nginx → 1 replica ·
 *     nginx → 1 replica without its access log (diagnostic) · nginx → N replicas · nginx → N replicas
 *     without the upstream keepalive pool. Ratios vs direct.
 *     CPU time per request of the load generator, nginx's workers, the app and Redis (from /proc),
 *     and the ratio that CPU alone allows when all of them share the machine's CPUs.
 *  2. TIME_WAIT sockets on the replicas' ports left by a fixed number of requests through nginx,
 *     with the upstream pool (the stack's nginxUpstreamKeepaliveConnections) and without it (0);
 *     measured first, before other runs leave TIME_WAIT sockets on those ports.
 *  3. Failover: requests sent / failed while a replica is killed (SIGKILL) and, separately, while
 *     one is stopped gracefully (SIGTERM) in the middle of a run through nginx.
 *  4. Capacity per nginx pod: the sized figures (infra/nginx/capacity.ts) for the cluster's pod and
 *     this run's, and nginx's memory per held WebSocket, measured (RSS of its workers before and after
 *     CAPACITY_SOCKETS WebSockets through it) against the budget the sizing assumes.
 *
 *  5. nginx worker CPU per proxied request, the generated config's ALB listener against our notes'
 *     minimal `proxy_pass` config, both over TLS (local/bench/nginx.ts, `npm run bench:nginx`: same
 *     binary, same bare backend, upstream keepalive in both, alternating rounds, median of per-round
 *     ratios; goal ≤ 1.0×).
 *
 *  6. Balancing methods against a slow replica: nginx per method (nginxLoadBalancing) in front of
 *     SLOW_BACKENDS loopback echo servers (a child process), one of which answers SLOW_MS late;
 *     p50/p99 and the slow one's share of requests, median and min–max over ROUNDS runs each.
 *
 * Limits are set so they never answer 429 but still run on every request (UNREACHABLE_LIMITS):
 * nginx limit_req 1,000,000 r/m burst 100,000, limit_conn 10,000; the app's Redis sliding window
 * 10^9 per 1 s. Everything else (algorithm, pool, retries, timeouts) is the dev stack's.
 *
 * Env: BENCH_STACK (dev), BENCH_REPLICAS (3), BENCH_DURATION_S (4), BENCH_ROUNDS (2).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { cpus, loadavg } from "node:os";
import autocannon from "autocannon";
import { startDataPlane, type DataPlane } from "..";
import { runLoad, UNREACHABLE_LIMITS, type LoadResult } from "../load";
import { CLUSTER_FD_LIMIT, NGINX_POD_RESOURCES, nginxCapacity, renderNginxConf } from "../../infra/nginx";
import { MEMORY_PER_CONNECTION_BYTES } from "../../infra/nginx/capacity";
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { localNginxModel } from "../nginx-conf";
import { loadLocalStackConfig } from "../stack";
import { makeNginxPrefix, startNginx, type NginxProcess } from "../processes/nginx";
import { cpuMs } from "../processes/cpu";
import { freePort } from "../processes/ports";
import { timeWaitOn } from "../processes/sockets";
import { spawn } from "node:child_process";
import { LOAD_BALANCING, type LoadBalancing } from "../../infra/nginx";
import { measureNginxCpu, nginxGoalVerdict } from "./nginx";
import { median as medianOf, spread } from "./stats";

const STACK = process.env.BENCH_STACK ?? "dev";
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 4) * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = 50;
const TIME_WAIT_REQUESTS = 20_000;
const CAPACITY_SOCKETS = 500;
const SLOW_BACKENDS = 3;
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 20);

/** Resident memory of a process in KiB (Linux /proc). */
const rssKiB = (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

/** Opens `count` WebSockets to `url` from distinct loopback addresses (each under the per-client cap). */
async function holdWebSockets(url: string, count: number, perAddress: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) => {
      const n = i + j;
      const ws = new WebSocket(url, { localAddress: `127.0.${10 + Math.floor(n / perAddress / 250)}.${1 + (Math.floor(n / perAddress) % 250)}` });
      sockets.push(ws);
      return new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
        ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}
/** nginx buffers its access log as in the cluster (infra/nginx's cluster mode). */
const ACCESS_LOG_BUFFER = { sizeKb: 64, flushSeconds: 1 };

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * An extra nginx from the same stack model in front of chosen replicas: one replica, no pool
 * (poolConnections 0), or — as a diagnostic of where nginx's CPU goes — without its access log.
 */
async function extraNginx(plane: DataPlane, upstreams: { host: string; port: number }[], options: { poolConnections?: number; accessLog?: boolean } = {}): Promise<{ nginx: NginxProcess; url: string }> {
  const config =
    options.poolConnections === undefined
      ? plane.config
      : loadLocalStackConfig(STACK, { ...UNREACHABLE_LIMITS.configOverrides, nginxUpstreamKeepaliveConnections: options.poolConnections });
  const prefix = makeNginxPrefix();
  const [listenPort, statusPort] = [await freePort(), await freePort()];
  const model = localNginxModel(config, { upstreams, listenPort, statusPort, prefix, accessLogBuffer: ACCESS_LOG_BUFFER });
  if (options.accessLog === false) model.paths.accessLog = null;
  const nginx = await startNginx({ prefix, conf: renderNginxConf(model), ports: [listenPort, statusPort] });
  return { nginx, url: `http://127.0.0.1:${listenPort}/api/hello` };
}



interface Measured extends LoadResult {
  /** CPU microseconds per response: the load generator (this process), nginx's workers, the app replicas, redis-server. */
  cpuUsPerRequest: { client: number; nginx: number; app: number; redis: number };
}

async function measure(url: string, nginx: NginxProcess | undefined, appPids: number[], redisPid: number): Promise<Measured> {
  await runLoad({ url, connections: CONNECTIONS, durationMs: 1000 }); // warm-up: JIT, pools
  const workers = nginx?.workerPids() ?? [];
  const sum = (pids: number[]) => pids.reduce((a, p) => a + cpuMs(p), 0);
  const [app0, nginx0, redis0, client0] = [sum(appPids), sum(workers), cpuMs(redisPid), process.cpuUsage()];
  const result = await runLoad({ url, connections: CONNECTIONS, durationMs: DURATION_MS });
  const client = process.cpuUsage(client0);
  const perRequest = (ms: number) => (ms * 1000) / Math.max(1, result.responses);
  return {
    ...result,
    cpuUsPerRequest: {
      client: perRequest((client.user + client.system) / 1000),
      nginx: perRequest(sum(workers) - nginx0),
      app: perRequest(sum(appPids) - app0),
      redis: perRequest(cpuMs(redisPid) - redis0),
    },
  };
}

/**
 * SLOW_BACKENDS echo servers in a child process (its own event loop, not the load generator's), on
 * 127.0.0.(21+i) at one port; the first answers SLOW_MS late. `GET /__hits` on one answers how many
 * requests it served. Stopped with the returned function.
 */
async function slowBackends(): Promise<{ servers: { host: string; port: number }[]; hits(): Promise<number[]>; stop(): void }> {
  const port = await freePort("0.0.0.0");
  const hosts = Array.from({ length: SLOW_BACKENDS }, (_, i) => `127.0.0.${21 + i}`);
  const script = `
    const http = require("node:http");
    const [port, slowMs, ...hosts] = process.argv.slice(1);
    let up = 0;
    hosts.forEach((host, i) => {
      let hits = 0;
      const server = http.createServer((req, res) => {
        if (req.url === "/__hits") return res.end(String(hits));
        hits += 1;
        const answer = () => { res.setHeader("content-type", "application/json"); res.end('{"ok":true}'); };
        i === 0 ? setTimeout(answer, Number(slowMs)) : answer();
      });
      server.keepAliveTimeout = 65000;
      server.listen(Number(port), host, () => { if (++up === hosts.length) process.stdout.write("ready\\n"); });
    });`;
  const child = spawn(process.execPath, ["-e", script, String(port), String(SLOW_MS), ...hosts], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`slow backends exited (${code})`)));
  });
  const servers = hosts.map((host) => ({ host, port }));
  const hits = () => Promise.all(servers.map(async (b) => Number(await (await fetch(`http://${b.host}:${b.port}/__hits`)).text())));
  return { servers, hits, stop: () => child.kill("SIGTERM") };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const withSpread = (xs: number[], digits = 0) => `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const loadAtStart = loadavg()[0]!;
  const plane = await startDataPlane({
    stack: STACK,
    replicas: REPLICAS,
    logLevel: "warn",
    configOverrides: { ...UNREACHABLE_LIMITS.configOverrides },
    appEnv: { ...UNREACHABLE_LIMITS.appEnv },
    shutdownDelayMs: 500,
    nginxAccessLogBuffer: ACCESS_LOG_BUFFER,
    log,
  });
  const extras: NginxProcess[] = [];
  try {
    // Every replica listens on the same port, each on its own loopback address.
    const replicaPorts = [...new Set(plane.replicas.map((r) => r.port))];
    const replicaServers = plane.replicas.map((r) => ({ host: r.host, port: r.port }));
    const replicaPids = plane.replicas.map((r) => r.pid);
    const single = await extraNginx(plane, [replicaServers[0]!]);
    const singleNoLog = await extraNginx(plane, [replicaServers[0]!], { accessLog: false });
    const noPool = await extraNginx(plane, replicaServers, { poolConnections: 0 });
    extras.push(single.nginx, singleNoLog.nginx, noPool.nginx);
    const out: string[] = [];
    out.push(
      `Data-plane benchmark, stack ${STACK}: ${plane.config.nginxLoadBalancing}, nginx ${plane.nginxConf.match(/worker_processes (\S+);/)?.[1]} worker, ` +
        `upstream pool ${plane.config.nginxUpstreamKeepaliveConnections}, ${REPLICAS} replicas; autocannon ${CONNECTIONS} connections; ` +
        `${cpus().length} CPUs, load average ${loadAtStart.toFixed(1)} at start; node ${process.version}`,
    );

    // 1. TIME_WAIT first, while the replicas' ports carry none from other runs.
    const timeWait = async (url: string) => {
      const before = timeWaitOn(replicaPorts);
      await autocannon({ url, connections: CONNECTIONS, amount: TIME_WAIT_REQUESTS });
      await sleep(300); // let the last closes land
      const after = timeWaitOn(replicaPorts);
      return { before, after, added: after - before };
    };
    log("TIME_WAIT with the upstream pool…");
    const pooled = await timeWait(plane.urls.hello);
    log("TIME_WAIT without the upstream pool…");
    const unpooled = await timeWait(noPool.url);
    out.push("");
    out.push(`TIME_WAIT sockets on the replicas' ports after ${fmt(TIME_WAIT_REQUESTS)} requests through nginx (${CONNECTIONS} connections):`);
    out.push("");
    out.push("| upstream keepalive | TIME_WAIT added | before -> after |");
    out.push("| --- | ---: | ---: |");
    out.push(`| pool of ${plane.config.nginxUpstreamKeepaliveConnections} (stack default) | ${fmt(pooled.added)} | ${pooled.before} -> ${pooled.after} |`);
    out.push(`| off (nginxUpstreamKeepaliveConnections 0) | ${fmt(unpooled.added)} | ${unpooled.before} -> ${unpooled.after} |`);

    // 2. Throughput and latency, scenarios interleaved; the best round of each counts.
    const scenarios = [
      { name: "app direct (replica-0)", url: `${plane.replicas[0]!.url}/api/hello`, nginx: undefined, apps: [replicaPids[0]!] },
      { name: "nginx -> 1 replica", url: single.url, nginx: single.nginx, apps: [replicaPids[0]!] },
      { name: "nginx -> 1 replica, access log off (diagnostic)", url: singleNoLog.url, nginx: singleNoLog.nginx, apps: [replicaPids[0]!] },
      { name: `nginx -> ${REPLICAS} replicas`, url: plane.urls.hello, nginx: plane.nginx, apps: replicaPids },
      { name: `nginx -> ${REPLICAS} replicas, no upstream pool`, url: noPool.url, nginx: noPool.nginx, apps: replicaPids },
    ];
    const best = new Map<string, Measured>();
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const s of scenarios) {
        log(`round ${round}/${ROUNDS}: ${s.name}…`);
        const r = await measure(s.url, s.nginx, s.apps, plane.redis.pid!);
        if (r.failedResponses + r.errors > 0) throw new Error(`${s.name}: ${r.failedResponses} failed responses, ${r.errors} errors: ${JSON.stringify(r.statuses)}`);
        const prev = best.get(s.name);
        if (prev === undefined || r.requestsPerSecond > prev.requestsPerSecond) best.set(s.name, r);
      }
    }
    const direct = best.get(scenarios[0]!.name)!;
    out.push("");
    out.push(`GET /api/hello, ${DURATION_MS / 1000} s per scenario after a 1 s warm-up, best of ${ROUNDS} interleaved rounds; CPU µs per request by process:`);
    out.push("");
    out.push("| scenario | req/s | p50 ms | p99 ms | vs direct | CPU client | CPU nginx | CPU app | CPU redis |");
    out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const s of scenarios) {
      const r = best.get(s.name)!;
      const c = r.cpuUsPerRequest;
      out.push(
        `| ${s.name} | ${fmt(r.requestsPerSecond)} | ${fmt(r.latencyMs.p50, 1)} | ${fmt(r.latencyMs.p99, 1)} | ${fmt(r.requestsPerSecond / direct.requestsPerSecond, 2)}x | ` +
          `${fmt(c.client)} | ${s.nginx === undefined ? "-" : fmt(c.nginx)} | ${fmt(c.app)} | ${fmt(c.redis)} |`,
      );
    }
    const tax = best.get(scenarios[1]!.name)!.requestsPerSecond / direct.requestsPerSecond;
    out.push("");
    out.push(`Proxy tax, 1 replica: ${fmt(tax, 2)}x direct (goal >= 0.85x: ${tax >= 0.85 ? "met" : "not met"}).`);
    // The load generator, nginx, the app and Redis share this machine's CPUs: when all of them are
    // busy, req/s is CPU / (their CPU per request), however well or badly the proxy does.
    const total = (c: Measured["cpuUsPerRequest"]) => c.client + c.nginx + c.app + c.redis;
    const cpuDirect = total(direct.cpuUsPerRequest);
    const cpuProxied = total(best.get(scenarios[1]!.name)!.cpuUsPerRequest);
    out.push(
      `CPU ceiling of that ratio with everything on ${cpus().length} shared CPUs: CPU per request direct / through nginx ` +
        `(client + nginx + app + redis) = ${fmt(cpuDirect)} / ${fmt(cpuProxied)} µs = ${fmt(cpuDirect / cpuProxied, 2)}x.`,
    );

    // 3. Failover: a replica lost a third of the way into a run.
    const failover = async (what: string, act: () => Promise<unknown>) => {
      log(`failover: ${what}…`);
      const r = await runLoad({
        url: plane.urls.hello,
        connections: CONNECTIONS,
        durationMs: DURATION_MS,
        during: async () => {
          await sleep(DURATION_MS / 3);
          await act();
        },
      });
      if (r.errorSamples.length > 0) log(`failover: ${what}: client errors: ${r.errorSamples.join("; ")}`);
      return `| ${what} | ${fmt(r.sent)} | ${fmt(r.responses)} | ${fmt(r.failedResponses + r.errors)} | ${fmt(r.latencyMs.p99, 1)} | ${fmt(r.latencyMs.max)} |`;
    };
    out.push("");
    out.push(`Failover through nginx (${CONNECTIONS} connections, ${DURATION_MS / 1000} s; the replica is stopped at ${fmt(DURATION_MS / 3000, 1)} s):`);
    out.push("");
    out.push("| event | sent | responses | failed | p99 ms | max ms |");
    out.push("| --- | ---: | ---: | ---: | ---: | ---: |");
    const last = plane.replicas.length - 1;
    if (last >= 1) out.push(await failover(`SIGKILL replica-${last}`, () => plane.killReplica(last)));
    if (last >= 2) out.push(await failover(`SIGTERM replica-${last - 1} (graceful)`, () => plane.terminateReplica(last - 1)));

    // 4. Capacity per pod.
    log("capacity: sized figures and nginx memory per WebSocket…");
    const cluster = nginxCapacity({ ...NGINX_POD_RESOURCES.limits, fdLimit: CLUSTER_FD_LIMIT, maxWorkerConnections: plane.config.nginxWorkerConnections });
    const here = {
      workers: Number(plane.nginxConf.match(/worker_processes (\d+);/)?.[1]),
      connections: Number(plane.nginxConf.match(/worker_connections (\d+);/)?.[1]),
      rlimit: Number(plane.nginxConf.match(/worker_rlimit_nofile (\d+);/)?.[1]),
      webSockets: Number(plane.nginxConf.match(/limit_conn ws_per_pod (\d+);/)?.[1]),
      perClient: Number(plane.nginxConf.match(/limit_conn ws_per_client (\d+);/)?.[1]),
    };
    const workers = plane.nginx.workerPids();
    const rssBefore = workers.reduce((a, p) => a + rssKiB(p), 0);
    const held = await holdWebSockets(plane.urls.ws, CAPACITY_SOCKETS, here.perClient);
    await sleep(500);
    const rssAfter = workers.reduce((a, p) => a + rssKiB(p), 0);
    for (const ws of held) ws.terminate();
    const perSocket = (rssAfter - rssBefore) / CAPACITY_SOCKETS;
    out.push("");
    out.push(`Capacity per nginx pod (sized from its limits: ${NGINX_POD_RESOURCES.limits.cpu} CPU, ${NGINX_POD_RESOURCES.limits.memory}; infra/nginx/capacity.ts):`);
    out.push("");
    out.push("| pod | workers | worker_connections | worker_rlimit_nofile | WebSockets per pod | per client | bound by |");
    out.push("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    out.push(`| cluster (fd limit ${fmt(CLUSTER_FD_LIMIT)}) | ${cluster.workerProcesses} | ${fmt(cluster.workerConnections)} | ${fmt(cluster.workerRlimitNofile)} | ${fmt(cluster.webSocketsPerPod)} | ${here.perClient} | ${cluster.boundBy} |`);
    out.push(`| this run | ${here.workers} | ${fmt(here.connections)} | ${fmt(here.rlimit)} | ${fmt(here.webSockets)} | ${here.perClient} | - |`);
    out.push("");
    out.push(
      `nginx memory per held WebSocket (${CAPACITY_SOCKETS} through it, worker RSS ${fmt(rssBefore / 1024, 1)} -> ${fmt(rssAfter / 1024, 1)} MiB): ` +
        `${fmt(perSocket, 1)} KiB, budget ${fmt((2 * MEMORY_PER_CONNECTION_BYTES) / 1024)} KiB (two connections) = ${fmt(perSocket / ((2 * MEMORY_PER_CONNECTION_BYTES) / 1024), 2)}x of it.`,
    );

    // 5. nginx's own CPU per proxied request against the minimal proxy_pass config (bench:nginx).
    log("nginx worker CPU per proxied request, generated vs minimal proxy_pass…");
    const nginxCpu = await measureNginxCpu({ rounds: Math.max(3, ROUNDS), durationS: DURATION_MS / 1000, log });
    out.push("");
    out.push(
      `nginx worker CPU per proxied request over TLS (npm run bench:nginx: the notes' minimal proxy_pass and the generated ALB listener, one worker each, the same bare node:http backend, upstream keepalive in both; ` +
        `${nginxCpu.rounds} alternating rounds of ${nginxCpu.durationS} s; median (min–max), ratio = median of per-round ratios to the minimal config):`,
    );
    out.push("");
    out.push("| config | worker µs/req | ratio to minimal | goal | req/s |");
    out.push("| --- | ---: | ---: | --- | ---: |");
    for (const row of nginxCpu.rows) {
      // The median the goal is judged on (the mean of the middle two for an even count of rounds).
      const ratio = row.ratios.length === 0 ? "-" : `${fmt(medianOf(row.ratios), 2)}x (${spread(row.ratios)})`;
      out.push(`| ${row.name} | ${withSpread(row.workerUs, 1)} | ${ratio} | ${nginxGoalVerdict(row) || "-"} | ${fmt(median(row.rps))} |`);
    }

    // 6. Each balancing method against one slow replica of SLOW_BACKENDS.
    log(`balancing methods against a slow replica (${SLOW_MS} ms of ${SLOW_BACKENDS})…`);
    const slow = await slowBackends();
    try {
      const rows: string[] = [];
      for (const method of LOAD_BALANCING as readonly LoadBalancing[]) {
        const config = loadLocalStackConfig(STACK, { ...UNREACHABLE_LIMITS.configOverrides, nginxLoadBalancing: method });
        const prefix = makeNginxPrefix();
        const [listenPort, statusPort] = [await freePort(), await freePort()];
        const model = localNginxModel(config, { upstreams: slow.servers, listenPort, statusPort, prefix, accessLogBuffer: ACCESS_LOG_BUFFER });
        const nginx = await startNginx({ prefix, conf: renderNginxConf(model), ports: [listenPort, statusPort] });
        extras.push(nginx);
        const p50: number[] = [];
        const p99: number[] = [];
        const share: number[] = [];
        try {
          for (let round = 1; round <= ROUNDS; round += 1) {
            log(`methods: ${method}, run ${round}/${ROUNDS}…`);
            const before = await slow.hits();
            const r = await runLoad({ url: `http://127.0.0.1:${listenPort}/api/hello`, connections: CONNECTIONS, durationMs: Math.min(DURATION_MS, 3000) });
            if (r.failedResponses + r.errors > 0) throw new Error(`${method}: ${r.failedResponses} failed responses, ${r.errors} errors`);
            const after = await slow.hits();
            const served = after.map((n, i) => n - before[i]!);
            p50.push(r.latencyMs.p50);
            p99.push(r.latencyMs.p99);
            share.push((100 * served[0]!) / Math.max(1, served.reduce((a, b) => a + b, 0)));
          }
        } finally {
          await nginx.dispose();
        }
        rows.push(`| ${method} | ${withSpread(p50, 1)} | ${withSpread(p99, 1)} | ${withSpread(share, 1)} |`);
      }
      out.push("");
      out.push(
        `Balancing methods against a slow replica: ${SLOW_BACKENDS} echo replicas, one ${SLOW_MS} ms late; ${CONNECTIONS} connections from one client address ` +
          `(so ip_hash puts every request on one replica, and hash on the one URI does too; cookie_affinity without a cookie is least_conn); ` +
          `median (min–max) of ${ROUNDS} runs of ${Math.min(DURATION_MS, 3000) / 1000} s. A fair share is ${fmt(100 / SLOW_BACKENDS, 1)} %.`,
      );
      out.push("");
      out.push("| method | p50 ms | p99 ms | share to the slow replica % |");
      out.push("| --- | ---: | ---: | ---: |");
      out.push(...rows);
    } finally {
      slow.stop();
    }
    out.push("");
    out.push(`Load average at the end: ${loadavg()[0]!.toFixed(1)} (at start ${loadAtStart.toFixed(1)}); figures from a shared machine are noisy.`);

    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    for (const n of extras) await n.dispose();
    await plane.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
