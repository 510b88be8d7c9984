import { setTimeout as sleep } from "node:timers/promises";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import { waitForPort } from "./ports";
import { stopOnExit } from "./children";

/**
 * A private nginx for tests, benchmarks and the local data plane: its own prefix directory (conf,
 * pid, logs, temp dirs), run in the foreground (`daemon off;`) as a child of this process, so
 * stop/reload act on exactly that master pid — never on other nginx processes on the machine.
 */

/** Where scripts/setup-nginx.sh puts nginx >= 1.27.3 (Debian sid's, with its own libraries), shared by checkouts. */
export function privateNginxDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EDGESTACK_NGINX_DIR ?? path.join(env.EDGESTACK_CACHE ?? path.join(homedir(), ".cache", "edgestack"), "nginx-1.30");
}

/** The first nginx that supports `server ... resolve` in upstreams (the cluster's data path). */
export const RESOLVE_MIN_VERSION = "1.27.3";

/**
 * The nginx every test, benchmark and the local data plane runs: the private one from
 * scripts/setup-nginx.sh when present; otherwise a system nginx (Debian's 1.22 predates `resolve`, so
 * confs with resolving upstreams fail `nginx -t` there; `requireResolvingNginx` says so up front).
 */
export function nginxBinary(env: NodeJS.ProcessEnv = process.env): string {
  const launcher = path.join(privateNginxDir(env), "bin", "nginx");
  if (existsSync(launcher)) return launcher;
  for (const candidate of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx", "/usr/bin/nginx"]) {
    if (existsSync(candidate)) return candidate;
  }
  return "nginx";
}

/** "1.30.6" from `nginx -v`; undefined when it does not run. */
export function nginxVersion(binary = nginxBinary()): string | undefined {
  const r = spawnSync(binary, ["-v"], { encoding: "utf8" });
  return /nginx version: nginx\/(\d+\.\d+\.\d+)/.exec(`${r.stderr ?? ""}${r.stdout ?? ""}`)?.[1];
}

/** a >= b for dotted versions. */
export function versionAtLeast(a: string, b: string): boolean {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return true;
}

/** The nginx binary, or a clear error when it cannot run resolving upstreams (the cluster's conf). */
export function requireResolvingNginx(): string {
  const binary = nginxBinary();
  const version = nginxVersion(binary);
  if (version === undefined || !versionAtLeast(version, RESOLVE_MIN_VERSION)) {
    throw new Error(
      `${binary} is ${version === undefined ? "not runnable" : `nginx ${version}`}; the cluster's nginx.conf (upstream servers with \`resolve\`) ` +
        `needs nginx >= ${RESOLVE_MIN_VERSION}. Install it (into ${privateNginxDir()}, the system untouched) with: bash scripts/setup-nginx.sh`,
    );
  }
  return binary;
}

export interface NginxCheckResult {
  ok: boolean;
  /** nginx's own messages (stderr). */
  output: string;
}

/**
 * Runs nginx with stdout/stderr going to a file in the prefix, never to a pipe: node's child pipes
 * are sockets, and nginx cannot open /dev/stdout or /dev/stderr (the container's log paths) on a
 * socket (ENXIO). In a container they are FIFOs or files, which open fine.
 */
function stdioFile(prefix: string, name: string): { fd: number; read: () => string } {
  const file = path.join(prefix, name);
  const fd = openSync(file, "w");
  return {
    fd,
    read: () => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return "";
      }
    },
  };
}

/** `nginx -t -p PREFIX/ -c CONF`: parses the file and opens everything it names (logs, temp dirs). */
export function checkNginxConfig(prefix: string, confFile = path.join(prefix, "nginx.conf")): Promise<NginxCheckResult> {
  const dir = path.resolve(prefix);
  const out = stdioFile(dir, "nginx-t.log");
  return new Promise<NginxCheckResult>((resolve, reject) => {
    const child = spawn(nginxBinary(), ["-t", "-p", `${dir}/`, "-c", path.resolve(confFile)], { stdio: ["ignore", out.fd, out.fd] });
    child.once("error", reject);
    child.once("close", (code) => resolve({ ok: code === 0, output: out.read() }));
  }).finally(() => closeSync(out.fd));
}

/** Writes `text` as PREFIX/nginx.conf (creating PREFIX) and runs `nginx -t` on it. */
export async function writeAndCheckNginxConfig(prefix: string, text: string): Promise<NginxCheckResult> {
  prepareNginxPrefix(prefix);
  writeFileSync(path.join(prefix, "nginx.conf"), text);
  return checkNginxConfig(prefix);
}

/**
 * Creates the prefix directory and makes it traversable: run as root, nginx's workers drop to
 * `nobody` and must reach the temp dirs nginx creates inside it (mkdtemp makes it 0700).
 */
export function prepareNginxPrefix(prefix: string): void {
  mkdirSync(prefix, { recursive: true });
  chmodSync(prefix, 0o755);
}

/** A fresh prefix directory under the system temp dir. */
export function makeNginxPrefix(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "edgestack-nginx-"));
  prepareNginxPrefix(dir);
  return dir;
}

export interface NginxStartOptions {
  /** Prefix directory (holds nginx.conf); the rendered conf's pid/log/temp paths should point inside it. */
  prefix: string;
  /** The config text; written to PREFIX/nginx.conf. When omitted, the existing file is used. */
  conf?: string;
  /** Loopback ports to wait for before resolving (e.g. the listeners in the conf). */
  ports?: number[];
  startTimeoutMs?: number;
}

export interface NginxProcess {
  readonly prefix: string;
  readonly confFile: string;
  /** Pid of the master process, or undefined once stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Current worker pids (children of the master). */
  workerPids(): number[];
  /** Writes a new conf (if given), checks it with `nginx -t`, sends SIGHUP and waits for new workers. */
  reload(conf?: string): Promise<void>;
  /** Fast shutdown (SIGTERM) and wait for the master to exit. No-op when stopped. */
  stop(): Promise<void>;
  /** Graceful shutdown (SIGQUIT): finish open requests, then exit. */
  quit(): Promise<void>;
  /** Contents of a file inside the prefix (e.g. "error.log", "access.log"); "" when missing. */
  readFile(name: string): string;
  /** stop(), then remove the prefix directory. */
  dispose(): Promise<void>;
}

// Masters still alive when the test/bench process exits get SIGTERM (the master then stops its workers).
const track = (child: ChildProcess) => stopOnExit(child, "SIGTERM");

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Children of a pid, from /proc (Linux). */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter((s) => s !== "")
      .map(Number);
  } catch {
    return [];
  }
}

/** The process title nginx sets ("nginx: worker process", "... is shutting down"); "" when gone. */
function processTitle(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  // A zombie (exited, not yet reaped by the master) has an empty cmdline and counts as gone.
  return processTitle(pid) !== "";
}


export async function startNginx(options: NginxStartOptions): Promise<NginxProcess> {
  const prefix = path.resolve(options.prefix);
  const confFile = path.join(prefix, "nginx.conf");
  prepareNginxPrefix(prefix);
  if (options.conf !== undefined) writeFileSync(confFile, options.conf);
  const check = await checkNginxConfig(prefix, confFile);
  if (!check.ok) throw new Error(`nginx -t failed for ${confFile}:\n${check.output}`);

  const readFile = (name: string) => {
    const file = path.join(prefix, name);
    return existsSync(file) ? readFileSync(file, "utf8") : "";
  };

  // The master's own stdout/stderr (messages before the conf's error_log is open) land in stdio.log.
  const stdio = stdioFile(prefix, "stdio.log");
  // Its own process group: a terminal's Ctrl-C reaches only the orchestrator, which stops it in order.
  const child = spawn(nginxBinary(), ["-p", `${prefix}/`, "-c", confFile, "-g", "daemon off;"], { stdio: ["ignore", stdio.fd, stdio.fd], detached: true });
  closeSync(stdio.fd);
  const stderr = () => stdio.read().slice(-4000);
  track(child);
  const died = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) =>
      reject(new Error(`nginx (${confFile}) exited during start (code ${code}, signal ${signal}):\n${stderr()}${readFile("error.log").slice(-4000)}`)),
    ),
  );
  died.catch(() => undefined);
  const spawnFailed = new Promise<never>((_, reject) => child.once("error", reject));
  spawnFailed.catch(() => undefined);
  try {
    const timeout = options.startTimeoutMs ?? 10_000;
    await Promise.race([Promise.all((options.ports ?? []).map((p) => waitForPort(p, timeout))), died, spawnFailed]);
    // Listening sockets are opened by the master before workers start; wait for a worker too.
    const deadline = Date.now() + timeout;
    while (child.pid !== undefined && childPids(child.pid).length === 0 && !exited(child) && Date.now() < deadline) await sleep(10);
    if (exited(child)) await died;
  } catch (err) {
    if (!exited(child)) child.kill("SIGTERM");
    await waitForExit(child, 5000);
    throw err;
  }

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    if (exited(child) || child.pid === undefined) return;
    const workers = childPids(child.pid);
    child.kill(signal);
    if (await waitForExit(child, signal === "SIGQUIT" ? 30_000 : 10_000)) return;
    // The master did not exit: kill it and exactly the workers it had.
    for (const w of [...workers, ...childPids(child.pid)]) {
      try {
        process.kill(w, "SIGKILL");
      } catch {
        // already gone
      }
    }
    child.kill("SIGKILL");
    await waitForExit(child, 5000);
  };

  return {
    prefix,
    confFile,
    get pid() {
      return exited(child) ? undefined : child.pid;
    },
    get running() {
      return !exited(child);
    },
    workerPids: () => (child.pid !== undefined && !exited(child) ? childPids(child.pid) : []),
    async reload(conf?: string) {
      if (exited(child) || child.pid === undefined) throw new Error("nginx is not running");
      if (conf !== undefined) writeFileSync(confFile, conf);
      const result = await checkNginxConfig(prefix, confFile);
      if (!result.ok) throw new Error(`nginx -t failed for ${confFile}; not reloading:\n${result.output}`);
      const before = new Set(childPids(child.pid));
      child.kill("SIGHUP");
      // Done when new workers run and every old worker has stopped accepting: it exits, or retitles
      // itself "worker process is shutting down" while it finishes open connections (WebSockets).
      const deadline = Date.now() + 10_000;
      const oldStillAccepting = () => [...before].some((p) => alive(p) && !processTitle(p).includes("shutting down"));
      while (!childPids(child.pid).some((p) => !before.has(p)) || oldStillAccepting()) {
        if (exited(child)) throw new Error(`nginx exited during reload:\n${stderr()}${readFile("error.log").slice(-4000)}`);
        if (Date.now() > deadline) throw new Error(`nginx did not finish reloading within 10 s of SIGHUP:\n${readFile("error.log").slice(-4000)}`);
        await sleep(10);
      }
    },
    stop: () => halt("SIGTERM"),
    quit: () => halt("SIGQUIT"),
    readFile,
    async dispose() {
      await halt("SIGTERM");
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
