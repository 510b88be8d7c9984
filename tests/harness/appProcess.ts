/** The app's real process entry (app/src/main.ts, as `npm start` runs it but through tsx), for tests. */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";

const MAIN = path.resolve(__dirname, "../../app/src/main.ts");

export interface AppProcess {
  proc: ChildProcess;
  /** stdout and stderr so far. */
  output: () => string;
  exit: Promise<number | null>;
}

const started: ChildProcess[] = [];

/** Starts the app with exactly `env` (plus PATH, and METRICS_PORT=0 unless given), capturing its output. */
export function runAppMain(env: Record<string, string>): AppProcess {
  const proc = spawn(process.execPath, ["--import", "tsx", MAIN], {
    // Metrics on any free port unless a test names one (the default 9464 would collide across tests).
    env: { PATH: process.env.PATH ?? "", METRICS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(proc);
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, output: () => out, exit };
}

/** SIGKILLs every app process this test file started that is still running (for afterAll). */
export function killAppProcesses(): void {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}
