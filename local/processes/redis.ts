import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Redis } from "ioredis";
import { freePort, waitForPort } from "./ports";
import { stopOnExit } from "./children";
import { makeTestCertificates, type TestCertificates } from "./tls";

/**
 * A private redis-server for tests, benchmarks and the local data plane: loopback only, its own
 * port and directory, no persistence. Stop/kill/restart act on exactly this process id, so
 * parallel runs (and other engineers' redis processes) are never touched.
 */
export interface RedisOptions {
  /** Port to bind on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Sets `requirepass`; the url then carries it (redis://:password@...). */
  password?: string;
  /**
   * Serve TLS only (like ElastiCache with in-transit encryption): a throw-away CA and server
   * certificate are made in the run directory, the url is rediss://, and clients must trust
   * `tlsCaFile` (e.g. NODE_EXTRA_CA_CERTS).
   */
  tls?: boolean;
  /** With `tls`: serve these instead of making a CA per server (a cluster shares one CA). */
  certificates?: TestCertificates;
  /** Extra redis-server arguments, e.g. ["--maxmemory", "64mb"]. */
  args?: string[];
  /** How long to wait for the port to accept connections (ms). */
  startTimeoutMs?: number;
}

export interface RedisProcess {
  readonly port: number;
  /** redis://[:password@]127.0.0.1:port (rediss:// with `tls`) */
  readonly url: string;
  /** The CA certificate clients must trust when started with `tls`. */
  readonly tlsCaFile: string | undefined;
  /** Working directory (dir, log file); removed by dispose(). */
  readonly dir: string;
  /** Pid of the current redis-server, or undefined while it is stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** SIGTERM and wait for exit (a clean shutdown). No-op when stopped. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (a crash). No-op when stopped. */
  kill(): Promise<void>;
  /** Start again on the same port and dir (stops first if still running). */
  restart(): Promise<void>;
  /** Stop if running and remove the directory. */
  dispose(): Promise<void>;
}

function redisServerBinary(): string {
  for (const candidate of ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"]) {
    if (existsSync(candidate)) return candidate;
  }
  return "redis-server";
}

// Children still alive when the test/bench process exits are killed so no redis-server outlives it.
const trackChild = (child: ChildProcess) => stopOnExit(child, "SIGKILL");

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisProcess> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), "edgestack-redis-"));
  const logFile = path.join(dir, "redis.log");
  let certificates: TestCertificates | undefined;
  try {
    certificates = options.tls === true ? (options.certificates ?? makeTestCertificates(dir)) : undefined;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const listen =
    certificates === undefined
      ? ["--port", String(port)]
      : [
          "--port", "0",
          "--tls-port", String(port),
          "--tls-cert-file", certificates.certFile,
          "--tls-key-file", certificates.keyFile,
          "--tls-ca-cert-file", certificates.caFile,
          // Server authentication only, as ElastiCache: clients prove themselves with AUTH.
          "--tls-auth-clients", "no",
        ];
  const args = [
    ...listen,
    "--bind", "127.0.0.1",
    "--dir", dir,
    "--logfile", logFile,
    "--save", "",
    "--appendonly", "no",
    "--daemonize", "no",
    // Tests use DEBUG SLEEP / CLIENT PAUSE to simulate a stalled server; local connections only.
    "--enable-debug-command", "local",
    // As the stack's parameter group: an expired bucket hash of the limiter is freed in the background.
    "--lazyfree-lazy-expire", "yes",
    ...(options.password !== undefined ? ["--requirepass", options.password] : []),
    ...(options.args ?? []),
  ];
  const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : "";
  const url = `${certificates === undefined ? "redis" : "rediss"}://${auth}127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    // Its own process group: a terminal's Ctrl-C reaches only the orchestrator, which stops it in order.
    const proc = spawn(redisServerBinary(), args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    trackChild(proc);
    child = proc;
    const exited = new Promise<never>((_, reject) =>
      proc.once("exit", (code, signal) => {
        const log = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-10).join("\n") : "";
        reject(new Error(`redis-server on port ${port} exited during start (code ${code}, signal ${signal}): ${stderr}${log}`));
      }),
    );
    exited.catch(() => undefined);
    const spawnFailed = new Promise<never>((_, reject) => proc.once("error", reject));
    spawnFailed.catch(() => undefined);
    try {
      await Promise.race([waitForPort(port, options.startTimeoutMs ?? 10000), exited, spawnFailed]);
    } catch (err) {
      proc.kill("SIGKILL");
      await waitForExit(proc);
      child = undefined;
      throw err;
    }
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (proc === undefined) return;
    child = undefined;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await waitForExit(proc);
  };

  await launch().catch((err) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });

  return {
    port,
    url,
    tlsCaFile: certificates?.caFile,
    dir,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    stop: () => halt("SIGTERM"),
    kill: () => halt("SIGKILL"),
    async restart() {
      await halt("SIGTERM");
      await launch();
    },
    async dispose() {
      await halt("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the client once it is connected (an ioredis client with enableOfflineQueue: false rejects commands until then). */
export function ready<T extends Redis>(client: T): Promise<T> {
  return client.status === "ready" ? Promise.resolve(client) : new Promise((resolve) => client.once("ready", () => resolve(client)));
}
