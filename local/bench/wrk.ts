/**
 * The pinned wrk runs the HTTP benches share (`bench:http`, `bench:nginx`): wrk (one thread) on
 * LOAD_CPU, the server measured on SERVER_CPU, so the load generator does not take the measured
 * server's CPU; the run lengths and round count (BENCH_DURATION_S, BENCH_ROUNDS) and wrk's figures.
 */
import { execFileSync, spawn } from "node:child_process";
import { cpuNs } from "../processes/cpu";

export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 4);
export const WARMUP_S = 2;
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** wrk's concurrent connections. */
export const CONNECTIONS = 50;
/** The measured server's CPU. */
export const SERVER_CPU = 1;
/** wrk's CPU, and whatever else is not measured (Redis, a backend). */
export const LOAD_CPU = 0;

/** A clear error when wrk is missing (scripts/setup.sh installs it). */
export function requireWrk(): void {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
  } catch (err) {
    // wrk prints its usage and exits 1 on --version; only a missing binary is an error here.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error("wrk is not installed: run scripts/setup.sh (Debian package wrk)", { cause: err });
  }
}

/** Pins every thread of `pid` to `cpu`. */
export function pin(pid: number, cpu: number): void {
  execFileSync("taskset", ["-a", "-cp", String(cpu), String(pid)], { stdio: "ignore" });
}

export interface WrkRun {
  requests: number;
  seconds: number;
  /** Answers wrk counted as non-2xx/3xx. */
  non2xx: number;
  /** wrk's own CPU (the largest 100 ms sample: a slight under-count). */
  wrkNs: number;
}

/** One wrk run on LOAD_CPU (`-t1 -cCONNECTIONS`, the Lua script) against 127.0.0.1:port, over http or https (no certificate check). */
export function runWrk(port: number, scriptFile: string, durationS: number, scheme: "http" | "https" = "http"): Promise<WrkRun> {
  return new Promise((resolve, reject) => {
    const wrk = spawn("taskset", ["-c", String(LOAD_CPU), "wrk", "-t1", `-c${CONNECTIONS}`, `-d${durationS}s`, "-s", scriptFile, `${scheme}://127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    let wrkNs = 0;
    wrk.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    // wrk's CPU so far, sampled every 100 ms while it runs (the largest sample: its load thread's
    // time leaves the per-thread counts when that thread ends, before wrk prints and exits), so up
    // to the last 100 ms are missed.
    const sample = setInterval(() => {
      wrkNs = Math.max(wrkNs, cpuNs(wrk.pid!));
    }, 100);
    wrk.on("error", (err) => {
      clearInterval(sample);
      reject(err);
    });
    wrk.on("exit", (code) => {
      clearInterval(sample);
      const total = /(\d+) requests in ([\d.]+)(m?s)/.exec(out);
      if (code !== 0 || total === null) {
        reject(new Error(`wrk failed (exit ${code}): ${out}`));
        return;
      }
      const seconds = Number(total[2]) / (total[3] === "ms" ? 1000 : 1);
      resolve({ requests: Number(total[1]), seconds, non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0), wrkNs });
    });
  });
}
