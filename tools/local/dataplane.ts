import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { StackConfig } from "../../infra/config/schema";
import { NGINX_HEALTH_PATH, NGINX_STUB_STATUS_PATH } from "../../infra/nginx";
import { startNginx, type NginxProcess } from "../processes/nginx";
import { freePort } from "../processes/ports";
import { startRedis, type RedisProcess } from "../processes/redis";
import { APP_MAIN, buildApp } from "./build-app";
import { renderLocalNginxConf, type LocalNginxInput } from "./nginx-conf";
import { checkPrerequisites } from "./prerequisites";
import { startReplica, type ReplicaProcess } from "./replica";
import { loadLocalStackConfig, replicaEnv, replicaInstanceId, type ConfigOverrides } from "./stack";

export interface DataPlaneOptions {
  /** Stack whose Pulumi.<stack>.yaml the data plane is built from. Default "dev". */
  stack?: string;
  /** nginx's public port on 127.0.0.1. Default: a free port. */
  port?: number;
  /** App replicas behind nginx. Default 3. */
  replicas?: number;
  /** Build the app first: "always" (the CLI), "if-stale" (tests; default), "never". */
  build?: "always" | "if-stale" | "never";
  /** Stack-config keys to change for this run, validated like the stack file (e.g. nginxRateLimitPerMinute). */
  configOverrides?: ConfigOverrides;
  /** App environment variables set on every replica after the stack-derived ones (e.g. WS_HEARTBEAT_MS). */
  appEnv?: Record<string, string>;
  /**
   * The app's SHUTDOWN_DELAY_MS. In the cluster it covers load-balancer deregistration
   * (appShutdownDelaySeconds); locally nginx's passive checks and retries need no delay of 20 s,
   * so it defaults to 1000 ms to keep Ctrl-C quick while still exercising the drain sequence.
   */
  shutdownDelayMs?: number;
  /** The app's LOG_LEVEL. Default "info" (logs go to files in the run directory, not the terminal). */
  logLevel?: string;
  /** See LocalNginxInput.trustedProxyCidrs. Default none: nginx is the edge. */
  trustedProxyCidrs?: string[];
  /** nginx worker_processes. Default 1 (as infra/nginx's local mode). */
  nginxWorkerProcesses?: number | "auto";
  /** nginx access-log buffering; default none (lines appear at once). The cluster buffers 64k/1s. */
  nginxAccessLogBuffer?: LocalNginxInput["accessLogBuffer"];
  /** How long to wait for /health to answer 200 through nginx. Default 30 s. */
  healthTimeoutMs?: number;
  /** Progress lines (the CLI prints them). */
  log?: (line: string) => void;
}

export interface DataPlaneUrls {
  site: string;
  health: string;
  hello: string;
  ws: string;
  nginxStatus: string;
}

export interface DataPlane {
  readonly stack: string;
  /** The validated stack config the run was built from (overrides applied). */
  readonly config: StackConfig;
  /** Run directory: logs (replica-<i>.log, nginx/), nginx prefix. Removed by stop(). */
  readonly dir: string;
  readonly port: number;
  readonly statusPort: number;
  readonly urls: DataPlaneUrls;
  readonly redis: RedisProcess;
  readonly nginx: NginxProcess;
  readonly replicas: readonly ReplicaProcess[];
  /** The nginx.conf nginx runs. */
  readonly nginxConf: string;
  /** Every live process this data plane started: redis-server, replicas, nginx master and workers. */
  pids(): number[];
  /** SIGKILL replica i (a crash). */
  killReplica(index: number): Promise<void>;
  /** SIGTERM replica i (graceful: /health 503, shutdown delay, drain, exit). Resolves on exit. */
  terminateReplica(index: number): Promise<void>;
  /** Stops redis-server (SIGTERM); the replicas keep running. */
  stopRedis(): Promise<void>;
  /** Starts redis-server again on the same port and directory. */
  startRedis(): Promise<void>;
  /** Stops nginx, then the replicas (graceful), then redis-server; removes the run directory. Idempotent. */
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} on 127.0.0.1 is already in use by another process; choose another with --port <n> (or stop what listens there)`);
    this.name = "PortInUseError";
  }
}

/** Rejects with PortInUseError when something already listens on 127.0.0.1:port. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") reject(new PortInUseError(port));
      else if (err.code === "EACCES") reject(new Error(`port ${port} on 127.0.0.1: permission denied (ports below 1024 need root); choose another with --port <n>`));
      else reject(err);
    });
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

function getStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(0));
  });
}

/** Polls `url` until it answers 200; the error names the last status seen. */
export async function waitForHttp200(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number;
  for (;;) {
    last = await getStatus(url, 2000);
    if (last === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last status: ${last === 0 ? "no answer" : last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Starts the data plane the cluster runs, on loopback: a private redis-server, N app replicas and
 * nginx rendered from the stack's model in local mode. Resolves once /health answers 200 through
 * nginx. If any step fails, everything already started is stopped before the error is rethrown.
 */
export async function startDataPlane(options: DataPlaneOptions = {}): Promise<DataPlane> {
  const stack = options.stack ?? "dev";
  const replicaCount = options.replicas ?? 3;
  const log = options.log ?? (() => undefined);
  if (!Number.isInteger(replicaCount) || replicaCount < 1 || replicaCount > 64) {
    throw new Error(`replicas: ${JSON.stringify(options.replicas)} must be a whole number from 1 to 64`);
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)) {
    throw new Error(`port: ${JSON.stringify(options.port)} must be a whole number from 1 to 65535`);
  }
  checkPrerequisites();
  const config = loadLocalStackConfig(stack, options.configOverrides);
  if (options.port !== undefined) await assertPortFree(options.port);
  if (options.build !== "never") await buildApp(options.build ?? "if-stale", log);
  else if (!existsSync(APP_MAIN)) throw new Error(`${APP_MAIN} does not exist: build the app first (npm run --workspace app build)`);

  // nginx runs its workers as `nobody` when started as root: they must traverse the run directory.
  const dir = mkdtempSync(path.join(tmpdir(), "edgestack-local-"));
  chmodSync(dir, 0o755);
  let redis: RedisProcess | undefined;
  let nginx: NginxProcess | undefined;
  const replicas: ReplicaProcess[] = [];
  let stopped: Promise<void> | undefined;

  const stopAll = async (): Promise<void> => {
    // Front to back: no new traffic, then drain the replicas, then their Redis.
    await nginx?.stop().catch(() => undefined);
    await Promise.all(replicas.map((r) => stopReplica(r)));
    await redis?.dispose().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const shutdownDelayMs = options.shutdownDelayMs ?? 1000;
  const stopReplica = async (r: ReplicaProcess): Promise<void> => {
    if (!r.running) return;
    const timer = setTimeout(() => void r.kill(), shutdownDelayMs + 10_000);
    await r.terminate();
    clearTimeout(timer);
  };

  try {
    log(`starting redis-server…`);
    redis = await startRedis();
    const port = options.port ?? (await freePort());
    const siteOrigins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    const ports = await Promise.all(Array.from({ length: replicaCount }, () => freePort()));
    log(`starting ${replicaCount} app replica(s) on 127.0.0.1:${ports.join(", ")}…`);
    const started = await Promise.allSettled(
      ports.map((port, index) =>
        startReplica({
          index,
          instanceId: replicaInstanceId(index),
          port,
          logFile: path.join(dir, `${replicaInstanceId(index)}.log`),
          env: replicaEnv(config, {
            index,
            port,
            redisUrl: redis!.url,
            shutdownDelayMs,
            logLevel: options.logLevel ?? "info",
            siteOrigins,
            overrides: options.appEnv,
          }),
        }),
      ),
    );
    for (const s of started) if (s.status === "fulfilled") replicas.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed !== undefined) throw failed.reason;

    const statusPort = await freePort();
    const prefix = path.join(dir, "nginx");
    mkdirSync(prefix);
    const nginxConf = renderLocalNginxConf(config, {
      upstreamPorts: ports,
      listenPort: port,
      statusPort,
      prefix,
      trustedProxyCidrs: options.trustedProxyCidrs,
      workerProcesses: options.nginxWorkerProcesses,
      accessLogBuffer: options.nginxAccessLogBuffer,
    });
    log(`starting nginx on 127.0.0.1:${port} (${config.nginxLoadBalancing}, config from stack ${stack})…`);
    nginx = await startNginx({ prefix, conf: nginxConf, ports: [port, statusPort] }).catch((err: unknown) => {
      // Someone took the port between our check and nginx's bind.
      if (/Address already in use/.test(describe(err))) throw new PortInUseError(port);
      throw err;
    });

    const base = `http://127.0.0.1:${port}`;
    const urls: DataPlaneUrls = {
      site: `${base}/`,
      health: `${base}${NGINX_HEALTH_PATH}`,
      hello: `${base}/api/hello`,
      ws: `ws://127.0.0.1:${port}/ws`,
      nginxStatus: `http://127.0.0.1:${statusPort}${NGINX_STUB_STATUS_PATH}`,
    };
    await waitForHttp200(urls.health, options.healthTimeoutMs ?? 30_000);

    const replicaAt = (index: number): ReplicaProcess => {
      const r = replicas[index];
      if (r === undefined) throw new Error(`no replica ${index}: this data plane has replicas 0..${replicas.length - 1}`);
      return r;
    };
    const theRedis = redis;
    const theNginx = nginx;
    return {
      stack,
      config,
      dir,
      port,
      statusPort,
      urls,
      redis: theRedis,
      nginx: theNginx,
      replicas,
      nginxConf,
      pids() {
        const live: number[] = [];
        if (theRedis.pid !== undefined) live.push(theRedis.pid);
        for (const r of replicas) if (r.running) live.push(r.pid);
        if (theNginx.pid !== undefined) live.push(theNginx.pid, ...theNginx.workerPids());
        return live;
      },
      async killReplica(index) {
        await replicaAt(index).kill();
      },
      async terminateReplica(index) {
        await replicaAt(index).terminate();
      },
      stopRedis: () => theRedis.stop(),
      async startRedis() {
        if (!theRedis.running) await theRedis.restart();
      },
      stop() {
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Last lines of each replica's log (for failure messages). */
export function replicaLogTails(plane: Pick<DataPlane, "dir">, lines = 10): string {
  try {
    return readdirSync(plane.dir)
      .filter((f) => f.endsWith(".log"))
      .map((f) => `--- ${f}\n${readFileSync(path.join(plane.dir, f), "utf8").trimEnd().split("\n").slice(-lines).join("\n")}`)
      .join("\n");
  } catch {
    return "";
  }
}
