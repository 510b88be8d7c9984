import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { waitForPort } from "./processes/ports";
import { APP_MAIN } from "./build-app";
import { stopOnExit } from "./processes/children";

export interface ReplicaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One app process (`node app/dist/main.js`) on a loopback port. */
export interface ReplicaProcess {
  readonly index: number;
  readonly instanceId: string;
  /** Its own loopback address (as a pod has its own IP); all replicas share one port. */
  readonly host: string;
  readonly port: number;
  /** http://host:port (the replica directly, bypassing nginx). */
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  readonly running: boolean;
  /** How the process ended (resolves when it exits, whoever ended it). */
  readonly exited: Promise<ReplicaExit>;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<ReplicaExit>;
  /** SIGTERM (graceful shutdown: /readyz and /health 503, delay, drain) and wait for the exit. */
  terminate(): Promise<ReplicaExit>;
  /** SIGSTOP: the process stops answering but keeps its sockets (a hung pod). */
  stall(): void;
  /** SIGCONT after stall(). */
  resume(): void;
}

// Every replica still alive when this process exits is killed, so none outlives a crashed test or CLI.
const track = (child: ChildProcess) => stopOnExit(child, "SIGKILL");

function tail(file: string, lines = 15): string {
  return existsSync(file) ? readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n") : "";
}

export interface StartReplicaOptions {
  index: number;
  instanceId: string;
  /** Default 127.0.0.1. */
  host?: string;
  port: number;
  env: Record<string, string>;
  logFile: string;
  startTimeoutMs?: number;
}

/**
 * Spawns a replica with exactly `env` (plus PATH), logging to `logFile`, and resolves once its port
 * accepts connections. It gets its own process group, so a terminal's Ctrl-C reaches only the
 * orchestrator, which then stops everything in order.
 */
export async function startReplica(options: StartReplicaOptions): Promise<ReplicaProcess> {
  const host = options.host ?? "127.0.0.1";
  const out = openSync(options.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [APP_MAIN], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "production", ...options.env },
      stdio: ["ignore", out, out],
      detached: true,
    });
  } finally {
    closeSync(out);
  }
  track(child);
  const exited = new Promise<ReplicaExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
  spawnError.catch(() => undefined);
  const diedDuringStart = exited.then((e) => {
    throw new Error(`app replica ${options.instanceId} exited during start (code ${e.code}, signal ${e.signal}); its log:\n${tail(options.logFile)}`);
  });
  diedDuringStart.catch(() => undefined);
  try {
    await Promise.race([waitForPort(options.port, options.startTimeoutMs ?? 15_000, host), diedDuringStart, spawnError]);
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    throw err;
  }
  const pid = child.pid!;
  const signal = (sig: NodeJS.Signals): Promise<ReplicaExit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    return exited;
  };
  return {
    index: options.index,
    instanceId: options.instanceId,
    host,
    port: options.port,
    url: `http://${host}:${options.port}`,
    pid,
    logFile: options.logFile,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    exited,
    kill: () => signal("SIGKILL"),
    terminate: () => {
      const exit = signal("SIGTERM");
      // A stalled (stopped) process acts on SIGTERM only once it runs again.
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGCONT");
      return exit;
    },
    stall: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGSTOP");
    },
    resume: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGCONT");
    },
  };
}
