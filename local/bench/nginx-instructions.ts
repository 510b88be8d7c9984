/**
 * `npm run bench:nginx:instructions`: what each config of `bench:nginx` costs per proxied request in
 * figures that do not move with the machine's load — the worker's user-space instructions (valgrind's
 * callgrind, Ir) and its system calls (strace -c) — for a fixed number of requests. CPU time on these
 * shared cores wanders ±10 % between rounds, as much as any one directive's price; instruction and
 * system-call counts repeat to well under 1 %, so they price each directive (with
 * BENCH_NGINX_VARIANTS=1 the rows with one directive taken out each). Not CPU time: a system call
 * costs far more than an instruction (see docs/benchmarks/2026-12-07-nginx-cost.md for both).
 *
 * Each config runs in one nginx process (`master_process off`), the request stream of bench:nginx
 * (TLS, keep-alive, one wrk connection so the count is exact), a warm-up of WARMUP requests, then
 * the counts of a connection with REQUESTS + 1 requests less those of one with 1 request (the TLS
 * handshake and the connection's own work cancel; the one-request connection is printed too, the
 * price of each connection a client opens). BENCH_REQUESTS (2000); BENCH_NGINX_ONLY, a regular expression: only the configs whose name it
 * matches (and the minimal one).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { makeNginxPrefix, nginxBinary } from "../processes/nginx";
import { freePort, waitForPort } from "../processes/ports";
import { makeTestCertificates } from "../processes/tls";
import { CONFIGS, VARIANTS, WRK_SCRIPT, type Config } from "./nginx";
import { fmt } from "./stats";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const WARMUP = 200;

/** bench:nginx's request stream, ending wrk (one connection) after exactly NREQ answers. */
const COUNTED_SCRIPT = `${WRK_SCRIPT}
local limit = tonumber(os.getenv("NREQ"))
local answered = 0
response = function()
  answered = answered + 1
  if answered >= limit then os.exit(0) end
end
`;

function requireTool(tool: string, args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: "ignore" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${tool} is not installed: run scripts/setup.sh (Debian package ${tool === "callgrind_control" ? "valgrind" : tool})`, { cause: err });
  }
}

/** wrk over one connection until `n` answers (the script exits wrk then). */
function requests(port: number, script: string, n: number): void {
  execFileSync("wrk", ["-t1", "-c1", "-d600s", "-s", script, `https://127.0.0.1:${port}`], { env: { ...process.env, NREQ: String(n) }, stdio: "ignore", timeout: 600_000 });
}

interface Counts {
  instructions: number;
  /** A connection with one request: its TLS handshake and that request. */
  connection: number;
  syscalls: Map<string, number>;
}

/** One config: nginx under callgrind for the instructions, then plain nginx under strace for the system calls. */
async function count(config: Config, backendPort: number, script: string, tls: ReturnType<typeof makeTestCertificates>): Promise<Counts> {
  const prefix = makeNginxPrefix();
  try {
    const [port, statusPort] = [await freePort(), await freePort()];
    const conf = path.join(prefix, "nginx.conf");
    writeFileSync(conf, config.render(prefix, port, statusPort, backendPort, tls));
    const args = ["-p", `${prefix}/`, "-c", conf, "-g", "daemon off; master_process off;"];
    const out = path.join(prefix, "callgrind.out");
    const grind = spawn("valgrind", ["--tool=callgrind", "--trace-children=yes", `--callgrind-out-file=${out}`, nginxBinary(), ...args], { stdio: "ignore" });
    let instructions: number;
    let connection: number;
    try {
      await waitForPort(port, 120_000);
      requests(port, script, WARMUP);
      // Each wrk run opens one connection (a TLS handshake): counted alone with one request, then
      // subtracted from the run of REQUESTS, so the figure is the requests' own.
      const counted = (n: number, dump: number): number => {
        execFileSync("callgrind_control", ["-z", String(grind.pid)], { stdio: "ignore" });
        requests(port, script, n);
        execFileSync("callgrind_control", ["-d", String(grind.pid)], { stdio: "ignore" });
        // Each dump is "<out>.<k>"; its summary line is the instructions since the last zeroing.
        const summary = /^summary: (\d+)/m.exec(readFileSync(`${out}.${dump}`, "utf8"));
        if (summary === null) throw new Error(`no summary in ${out}.${dump}`);
        return Number(summary[1]);
      };
      connection = counted(1, 1);
      instructions = counted(REQUESTS + 1, 2) - connection;
    } finally {
      grind.kill("SIGQUIT");
      await new Promise((resolve) => grind.once("exit", resolve));
    }
    const nginx = spawn(nginxBinary(), args, { stdio: "ignore" });
    const straceOut = path.join(prefix, "strace.txt");
    try {
      await waitForPort(port, 30_000);
      requests(port, script, WARMUP);
      const strace = spawn("strace", ["-c", "-o", straceOut, "-p", String(nginx.pid)], { stdio: "ignore" });
      await new Promise((resolve) => setTimeout(resolve, 500));
      requests(port, script, REQUESTS);
      strace.kill("SIGINT");
      await new Promise((resolve) => strace.once("exit", resolve));
    } finally {
      nginx.kill("SIGQUIT");
      await new Promise((resolve) => nginx.once("exit", resolve));
    }
    const syscalls = new Map<string, number>();
    for (const line of readFileSync(straceOut, "utf8").split("\n")) {
      const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)$/.exec(line);
      if (m !== null && m[2] !== "total") syscalls.set(m[2]!, Number(m[1]));
    }
    return { instructions, connection, syscalls };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  for (const [tool, args] of [["valgrind", ["--version"]], ["callgrind_control", ["-h"]], ["strace", ["-V"]], ["wrk", ["--version"]]] as const) requireTool(tool, [...args]);
  const only = process.env.BENCH_NGINX_ONLY === undefined ? null : new RegExp(process.env.BENCH_NGINX_ONLY);
  const configs = (process.env.BENCH_NGINX_VARIANTS === "1" ? [...CONFIGS, ...VARIANTS] : CONFIGS).filter((c, k) => k === 0 || only === null || only.test(c.name));
  const dir = mkdtempSync(path.join(tmpdir(), "edgestack-bench-nginx-ir-"));
  const script = path.join(dir, "counted.lua");
  writeFileSync(script, COUNTED_SCRIPT);
  const tls = makeTestCertificates(dir);
  const backendPort = await freePort();
  const backend = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "app.ts"), "--serve", "bare", String(backendPort), "redis://unused", "1"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  try {
    await waitForPort(backendPort, 30_000);
    console.log(`nginx worker per proxied request over TLS: user-space instructions (callgrind) and system calls (strace), ${REQUESTS} requests after ${WARMUP}`);
    console.log(`${"config".padEnd(46)}${"instructions/req".padStart(18)}${"to minimal".padStart(12)}${"connection".padStart(14)}${"syscalls/req".padStart(14)}  by call`);
    let minimal: number | undefined;
    for (const config of configs) {
      const c = await count(config, backendPort, script, tls);
      const perReq = c.instructions / REQUESTS;
      minimal ??= perReq;
      const calls = [...c.syscalls].sort((a, b) => b[1] - a[1]);
      const total = calls.reduce((n, [, k]) => n + k, 0) / REQUESTS;
      console.log(
        `${config.name.padEnd(46)}${fmt(perReq, 0).padStart(18)}${`${fmt(perReq / minimal)}×`.padStart(12)}${fmt(c.connection, 0).padStart(14)}${fmt(total).padStart(14)}  ${calls.map(([name, k]) => `${name} ${fmt(k / REQUESTS)}`).join(", ")}`,
      );
    }
  } finally {
    backend.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
