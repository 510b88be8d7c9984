/**
 * `npm run bench:nginx`: nginx worker CPU per proxied request, the generated config against the
 * minimal `proxy_pass` config of our notes — the same nginx binary, one worker each, the same bare
 * backend (`node:http` answering the app's response shape, `local/bench/app.ts --serve bare`),
 * upstream keepalive on in both, measured in the same run.
 *
 * Like with like: both are hit over TLS (the same test certificate), as in the cluster, where the
 * ALB's listener on nginx is TLS. The minimal config is the notes' reverse proxy (`listen … ssl`,
 * Host, X-Real-IP, X-Forwarded-For `$proxy_add_x_forwarded_for`, X-Forwarded-Proto, its two timeouts)
 * plus upstream keepalive, and nginx's defaults for everything else (its `combined` access log
 * included); a second minimal row without any access log is printed as the floor under any proxy
 * that logs. The generated config is the dev stack's model (infra/nginx) as deployed — its ALB
 * listener (TLS, client address from X-Forwarded-For of a trusted peer, the edge's ids believed),
 * the cluster's buffered access log, no local-only extras (X-Upstream, proxy_bind) — with the
 * backend as its one upstream and limits that never answer 429 but still run on every request
 * (UNREACHABLE_LIMITS). Every request carries what the ALB sends (X-Forwarded-For from one of 1000
 * client addresses, X-Amz-Cf-Id, X-Amzn-Trace-Id, a User-Agent). wrk (one thread, keep-alive) and the
 * backend run on CPU 0, both nginx on CPU 1; the figure is the worker's CPU time (/proc schedstat)
 * per request wrk counted. A warm-up run each, then BENCH_ROUNDS rounds alternating which config
 * goes first; printed: medians with their range, the median of per-round ratios with its range, the
 * goal (≤ 1.0×).
 *
 * BENCH_NGINX_VARIANTS=1 adds rows of the generated config with one feature taken out each (the
 * access log, the request-id header, limit_req/limit_conn…), to price each directive (CPU time is
 * noisy here: docs/benchmarks/2026-12-07-nginx-cost.md prices them by instructions instead).
 * BENCH_DURATION_S (4), BENCH_ROUNDS (5).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { renderNginxConf } from "../../infra/nginx";
import { UNREACHABLE_LIMITS } from "../load";
import { localNginxModel } from "../nginx-conf";
import { cpuNs } from "../processes/cpu";
import { makeNginxPrefix, startNginx, type NginxProcess } from "../processes/nginx";
import { freePort, waitForPort } from "../processes/ports";
import { loadLocalStackConfig } from "../stack";
import { makeTestCertificates, type TestCertificates } from "../processes/tls";
import { fmt, median, spread } from "./stats";
import { CONNECTIONS, DURATION_S, LOAD_CPU, pin, requireWrk, ROUNDS, runWrk, SERVER_CPU, WARMUP_S } from "./wrk";

/** nginx's worker is the measured server. */
const NGINX_CPU = SERVER_CPU;
const GOAL = 1.0;

/**
 * The notes' minimal reverse proxy (TLS listener, four proxy_set_header, two timeouts) with upstream
 * keepalive (HTTP/1.1, empty Connection), one worker, and nginx's defaults for everything else —
 * which include an access log (`combined`, a write per request); with `accessLog: false` not even
 * that (a floor no deployable proxy has: printed for reference).
 */
function minimalConf(prefix: string, listenPort: number, backendPort: number, tls: TestCertificates, accessLog: boolean): string {
  return `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log ${accessLog ? `${prefix}/access.log combined` : "off"};
  client_body_temp_path ${prefix}/client_temp;
  proxy_temp_path ${prefix}/proxy_temp;
  fastcgi_temp_path ${prefix}/fastcgi_temp;
  uwsgi_temp_path ${prefix}/uwsgi_temp;
  scgi_temp_path ${prefix}/scgi_temp;
  upstream api_servers {
    server 127.0.0.1:${backendPort};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${listenPort} ssl;
    server_name localhost;
    ssl_certificate ${tls.certFile};
    ssl_certificate_key ${tls.keyFile};
    location /api/ {
      proxy_pass http://api_servers;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_connect_timeout 5s;
      proxy_read_timeout 30s;
    }
  }
}
`;
}

/** The generated config with `transform` applied to its text (variants price one directive each). */
export interface Config {
  name: string;
  render(prefix: string, listenPort: number, statusPort: number, backendPort: number, tls: TestCertificates): string;
}

function generated(transform: (conf: string) => string = (c) => c): Config["render"] {
  const config = loadLocalStackConfig("dev", UNREACHABLE_LIMITS.configOverrides);
  return (prefix, listenPort, statusPort, backendPort, tls) => {
    // The ALB listener (TLS); wrk, on loopback, is its trusted peer as the ALB is in the VPC.
    const model = localNginxModel(config, {
      upstreamPorts: [backendPort],
      listenPort,
      statusPort,
      prefix,
      workerProcesses: 1,
      albStandIn: { certificate: tls.certFile, certificateKey: tls.keyFile },
      trustedProxyCidrs: ["127.0.0.1/32"],
    });
    // As in the cluster (infra/workloads/nginx.ts): access lines buffered (64k, flushed every
    // second), no X-Upstream header, no source address for upstream connections.
    model.accessLogBuffer = { sizeKb: 64, flushSeconds: 1 };
    model.exposeUpstreamAddress = false;
    model.upstreamBindAddress = null;
    return transform(renderNginxConf(model));
  };
}

/** Removes every line matching `pattern` (whole directives on one line). */
const without = (pattern: RegExp) => (conf: string) => conf.split("\n").filter((line) => !pattern.test(line)).join("\n");

export const CONFIGS: Config[] = [
  { name: "minimal proxy_pass (TLS)", render: (prefix, listen, _status, backend, tls) => minimalConf(prefix, listen, backend, tls, true) },
  { name: "generated, ALB listener (TLS)", render: generated() },
  { name: "minimal, access_log off (floor)", render: (prefix, listen, _status, backend, tls) => minimalConf(prefix, listen, backend, tls, false) },
];

/** BENCH_NGINX_VARIANTS=1: the generated config with one feature taken out each. */
export const VARIANTS: Config[] = [
  { name: "generated, access_log off", render: generated((c) => without(/^\s*access_log\s/)(c).replace(/(http \{)/, "$1\n  access_log off;")) },
  { name: "generated, no limit_req/limit_conn", render: generated(without(/^\s*limit_(req|conn)\s/)) },
  { name: "generated, no add_header", render: generated(without(/^\s*add_header\s/)) },
  { name: "generated, no proxy_set_header", render: generated(without(/^\s*proxy_set_header\s/)) },
  { name: "generated, no method guard", render: generated((c) => c.replace(/\n\s*if \(\$request_method !~ [^\n]*\n[^\n]*return 405;\n\s*\}/g, "")) },
  { name: "generated, upstream without zone/least_conn", render: generated(without(/^\s*(zone app(_fallback)? |least_conn;)/)) },
  { name: "generated, gzip off", render: generated((c) => c.replace("gzip on;", "gzip off;")) },
  // The generated config before its regex fast paths: no pcre_jit, every IPv6 client-key case tried for an
  // IPv4 address, every logged field through the full UTF-8 check.
  { name: "generated, keepalive_requests 1000", render: generated((c) => c.replace(/^ {4}keepalive_requests \d+;$/m, "    keepalive_requests 1000;")) },
  { name: "generated, no regex fast paths", render: generated(without(/^pcre_jit |^\s*"~\^\[\\x00-\\x7f\]\*\$" |^\s*"~\^\[0-9\.\]\+\$" /)) },
];

/**
 * `GET /api/hello` as the ALB sends it: X-Forwarded-For from one of 1000 client addresses in turn,
 * CloudFront's and the ALB's ids (well-formed), a browser's User-Agent.
 */
export const WRK_SCRIPT = `
local addresses = {}
for i = 0, 999 do addresses[#addresses + 1] = string.format("10.0.%d.%d", math.floor(i / 256), i % 256) end
local n = 0
request = function()
  n = n % #addresses + 1
  return wrk.format("GET", "/api/hello", {
    ["X-Forwarded-For"] = addresses[n],
    ["X-Amz-Cf-Id"] = "yNlZ0bFHTd0wQ0dYxKf2NqSx1qg4Vv3cD8sVJ2AbCdEfGhIjKlMnOp==",
    ["X-Amzn-Trace-Id"] = "Root=1-67891233-abcdef012345678912345678",
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  })
end
`;

interface Measurement {
  workerUs: number;
  rps: number;
  non2xx: number;
}

/** One wrk run: the workers' CPU per request wrk counted. */
async function measure(nginx: NginxProcess, port: number, scriptFile: string, durationS: number): Promise<Measurement> {
  const workers = nginx.workerPids();
  const cpu = () => workers.reduce((sum, pid) => sum + cpuNs(pid), 0);
  const before = cpu();
  const run = await runWrk(port, scriptFile, durationS, "https");
  return { workerUs: (cpu() - before) / 1000 / run.requests, rps: run.requests / run.seconds, non2xx: run.non2xx };
}

/** One config's figures over the rounds: worker µs per request, its ratio to the minimal config's of the same round, req/s. */
export interface NginxCpuRow {
  name: string;
  workerUs: number[];
  /** Per round, to the minimal config measured in the same round (empty for the minimal row itself). */
  ratios: number[];
  rps: number[];
  non2xx: number;
  /** The row the goal applies to (the generated config). */
  goal?: number;
}

export interface NginxCpuRun {
  rows: NginxCpuRow[];
  rounds: number;
  durationS: number;
  loadAtStart: number;
  loadAtEnd: number;
}

/**
 * Measures every config of CONFIGS (variants with `variants`) as described above: its own backend,
 * nginx processes and wrk runs, all stopped before it returns. `npm run bench` runs it too.
 */
export async function measureNginxCpu(options: { rounds?: number; durationS?: number; variants?: boolean; log?: (line: string) => void } = {}): Promise<NginxCpuRun> {
  const rounds = options.rounds ?? ROUNDS;
  const durationS = options.durationS ?? DURATION_S;
  const log = options.log ?? ((line: string) => process.stderr.write(`  ${line}\n`));
  requireWrk();
  const configs = options.variants === true ? [...CONFIGS, ...VARIANTS] : CONFIGS;
  const dir = mkdtempSync(path.join(tmpdir(), "edgestack-bench-nginx-"));
  const scriptFile = path.join(dir, "clients.lua");
  writeFileSync(scriptFile, WRK_SCRIPT);
  const tls = makeTestCertificates(dir);
  const backendPort = await freePort();
  const backend: ChildProcess = spawn("taskset", ["-c", String(LOAD_CPU), process.execPath, "--import", "tsx", path.join(__dirname, "app.ts"), "--serve", "bare", String(backendPort), "redis://unused", "1"], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const nginxes: { nginx: NginxProcess; port: number }[] = [];
  const loadAtStart = loadavg()[0]!;
  try {
    await waitForPort(backendPort, 30_000);
    for (const config of configs) {
      const prefix = makeNginxPrefix();
      const [port, statusPort] = [await freePort(), await freePort()];
      const nginx = await startNginx({ prefix, conf: config.render(prefix, port, statusPort, backendPort, tls), ports: [port] });
      for (const pid of nginx.workerPids()) pin(pid, NGINX_CPU);
      nginxes.push({ nginx, port });
    }
    for (const { nginx, port } of nginxes) await measure(nginx, port, scriptFile, WARMUP_S);
    const runs: Measurement[][] = configs.map(() => []);
    for (let round = 0; round < rounds; round++) {
      const order = configs.map((_, k) => k);
      if (round % 2 === 1) order.reverse();
      for (const k of order) {
        const m = await measure(nginxes[k]!.nginx, nginxes[k]!.port, scriptFile, durationS);
        runs[k]!.push(m);
        log(`round ${round + 1}: ${configs[k]!.name}: ${fmt(m.workerUs, 1)} µs worker CPU/req, ${fmt(m.rps, 0)} req/s`);
      }
    }
    const minimal = runs[0]!;
    const rows = configs.map((config, k): NginxCpuRow => {
      const mine = runs[k]!;
      return {
        name: config.name,
        workerUs: mine.map((m) => m.workerUs),
        ratios: k === 0 ? [] : mine.map((m, i) => m.workerUs / minimal[i]!.workerUs),
        rps: mine.map((m) => m.rps),
        non2xx: mine.reduce((n, m) => n + m.non2xx, 0),
        ...(k === 1 ? { goal: GOAL } : {}),
      };
    });
    return { rows, rounds, durationS, loadAtStart, loadAtEnd: loadavg()[0]! };
  } finally {
    for (const { nginx } of nginxes) await nginx.dispose();
    backend.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The goal's verdict for a row that has one ("met ≤ 1.0×"), else "". */
export function nginxGoalVerdict(row: NginxCpuRow): string {
  if (row.goal === undefined) return "";
  return `${median(row.ratios) <= row.goal ? "met" : "MISSED"} ≤ ${row.goal.toFixed(1)}×`;
}

async function main(): Promise<void> {
  const run = await measureNginxCpu({ variants: process.env.BENCH_NGINX_VARIANTS === "1" });
  console.log(`nginx worker CPU per proxied request over TLS (schedstat of the worker; 1 worker on CPU ${NGINX_CPU}, wrk -t1 -c${CONNECTIONS} and a bare node:http backend on CPU ${LOAD_CPU})`);
  console.log(`${run.rounds} rounds of ${run.durationS} s after a ${WARMUP_S} s warm-up each, order reversed every other round; ratio per round to the minimal config`);
  console.log(`${"config".padEnd(38)}${"worker µs/req".padStart(22)}${"ratio to minimal".padStart(26)}${"goal".padStart(14)}${"req/s".padStart(10)}${"non-2xx".padStart(9)}`);
  for (const row of run.rows) {
    console.log(
      `${row.name.padEnd(38)}${`${fmt(median(row.workerUs), 1)} (${spread(row.workerUs, 1)})`.padStart(22)}${(row.ratios.length === 0 ? "" : `${fmt(median(row.ratios))}× (${spread(row.ratios)})`).padStart(26)}${nginxGoalVerdict(row).padStart(14)}` +
        `${fmt(median(row.rps), 0).padStart(10)}${String(row.non2xx).padStart(9)}`,
    );
  }
  console.log(`load average (1 min): ${fmt(run.loadAtStart)} at start, ${fmt(run.loadAtEnd)} at end`);
  process.exit(0);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
