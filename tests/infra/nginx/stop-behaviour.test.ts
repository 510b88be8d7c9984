/**
 * Stopping one nginx pod of two under steady load, with real processes: two nginx from the cluster's
 * model behind haproxy (local/processes/balancer.ts: the senders, which like kube-proxy and the target
 * groups never retry on another pod). At the stop the pod's worker is busy for a moment (SIGSTOP), so
 * connections that reach it then wait in its accept queue, as they do on a loaded pod.
 *
 * (a) a bare SIGQUIT while the balancer still sends: nginx closes its listeners without draining the
 *     accept queue, the kernel resets every connection queued there (502 through the balancer), and
 *     every later connection is refused (503) until the balancer learns the pod is gone.
 * (b) the cluster's order (infra/config/nginx-stop.ts, local/nginx-stop.ts): out of the balancer,
 *     the preStop pause, then SIGQUIT: not one request fails.
 * (c) the cluster's access log is buffered (infra/workloads/nginx.ts): the lines of requests answered
 *     before SIGQUIT are written out at the stop, not lost with the worker.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { httpGet, runLoad } from "../../../local/load";
import { startBalancer, type BalancerProcess } from "../../../local/processes/balancer";
import type { NginxProcess } from "../../../local/processes/nginx";
import { freePort } from "../../../local/processes/ports";
import { stopNginxPod } from "../../../local/nginx-stop";
import { countBy, echoOf, get, NO_LIMITS, nginxBehaviour } from "./support";

jest.setTimeout(60_000);
const t = nginxBehaviour(4);
let dir: string;
let balancer: BalancerProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "edgestack-nginx-stop-"));
});
afterEach(async () => {
  await balancer?.stop();
  balancer = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The balancer's answers by pod, status and termination state (haproxy's log), e.g. "pod_a 502 SH". */
function balancerTerminations(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of readFileSync(path.join(dir, "balancer.log"), "utf8").split("\n")) {
    const m = / nginx_pods\/(\w+) \S+ (\d+) \d+ - - (\S\S)/.exec(line);
    if (m) counts[`${m[1]} ${m[2]} ${m[3]}`] = (counts[`${m[1]} ${m[2]} ${m[3]}`] ?? 0) + 1;
  }
  return counts;
}

/** Two nginx pods (the cluster's conf, local mode) in front of one backend, behind the balancer. */
async function twoPods(): Promise<{ a: NginxProcess; url: string }> {
  const backend = await t.backend("app");
  const upstreams = [{ host: "127.0.0.1", port: backend.port }];
  const [a, b] = await Promise.all([t.nginx(upstreams, { config: NO_LIMITS }), t.nginx(upstreams, { config: NO_LIMITS })]);
  const port = await freePort();
  balancer = await startBalancer({ dir, port, servers: [{ name: "pod_a", port: a.port }, { name: "pod_b", port: b.port }] });
  return { a: a.nginx, url: `http://127.0.0.1:${port}/api/hello` };
}

/**
 * nginx's graceful stop at a moment its worker is busy (SIGSTOP): `arrivals` new clients send a request
 * through the balancer meanwhile, then SIGQUIT reaches the master, then the worker resumes. Resolves
 * with those clients' statuses ("ECONNRESET" … when the balancer itself failed) once nginx has exited.
 */
async function quitWhileBusy(nginx: NginxProcess, url: string, arrivals = 20): Promise<string[]> {
  const workers = nginx.workerPids();
  for (const w of workers) process.kill(w, "SIGSTOP");
  const answers = Array.from({ length: arrivals }, () =>
    httpGet(url).then(
      (r) => String(r.status),
      (err: NodeJS.ErrnoException) => err.code ?? String(err),
    ),
  );
  await sleep(150);
  const quit = nginx.quit();
  await sleep(20);
  for (const w of workers) process.kill(w, "SIGCONT");
  await quit;
  return Promise.all(answers);
}

/** Statuses (or error codes) by count, e.g. { "200": 5, "502": 5 }. */
const tally = (xs: string[]) => Object.fromEntries([...countBy(xs)].sort());

/**
 * Two pods under steady load (8 connections, 2 s); half a second in, `stop` stops pod a, given its
 * graceful stop at a moment it is busy (quitWhileBusy). Returns the load's
 * figures, the arrivals at the stop, the balancer's log, and what was printed.
 */
async function stopUnderLoad(what: string, stop: (quit: () => Promise<void>) => Promise<void>) {
  const { a, url } = await twoPods();
  let arrivals: string[] = [];
  const quit = async () => void (arrivals = await quitWhileBusy(a, url));
  const result = await runLoad({
    url,
    connections: 8,
    durationMs: 2000,
    during: async () => {
      await sleep(500);
      await stop(quit);
    },
  });
  const log = balancerTerminations();
  console.log(`${what} under load: load ${JSON.stringify(result.statuses)}, ${result.errors} errors; arrivals at the stop ${JSON.stringify(tally(arrivals))}; balancer ${JSON.stringify(log)}`);
  return { a, result, arrivals: tally(arrivals), log };
}

test("(a) a bare SIGQUIT while the balancer still sends: the connections in its accept queue are reset, later ones refused", async () => {
  const { result, arrivals, log } = await stopUnderLoad("bare SIGQUIT", (quit) => quit());
  // Half the arrivals went to the stopping pod, sat in its accept queue and were reset after the balancer
  // had sent the request (502, haproxy's "SH": the server aborted before answering).
  expect(arrivals["502"]).toBeGreaterThanOrEqual(5);
  expect(log["pod_a 502 SH"]).toBeGreaterThanOrEqual(5);
  // Every request sent after the listeners closed was refused (503 "SC") until the balancer is told.
  expect(result.statuses["503"]).toBeGreaterThan(0);
  expect(log["pod_a 503 SC"]).toBeGreaterThan(0);
});

test("(b) the cluster's stop (out of the balancer, the preStop pause, then SIGQUIT): no request fails", async () => {
  const { a, result, arrivals } = await stopUnderLoad("the cluster's stop", (quit) => stopNginxPod({ balancer: balancer!, server: "pod_a", nginx: { quit } }));
  expect(arrivals).toEqual({ "200": 20 });
  expect(Object.keys(result.statuses)).toEqual(["200"]);
  expect(result.errors + result.timeouts).toBe(0);
  expect(result.statuses["200"]).toBeGreaterThan(100);
  expect(a.running).toBe(false);
});

test("(c) a graceful stop writes out the buffered access log: every request answered before SIGQUIT has its line", async () => {
  const backend = await t.backend("app1");
  // The cluster's buffer size; a flush interval longer than the test, so only the stop can write the lines.
  const n = await t.nginx([{ host: "127.0.0.1", port: backend.port }], { config: NO_LIMITS, edit: (m) => (m.accessLogBuffer = { sizeKb: 64, flushSeconds: 60 }) });
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const reply = await get(t.agent, n.port, `/api/hello?n=${i}`);
    expect(reply.status).toBe(200);
    ids.push(echoOf(reply).xRequestId ?? "");
  }
  const lines = () => n.nginx.readFile("access.log").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { request_id: string; uri: string });
  // Still in the worker's buffer: the stop below is what writes them.
  expect(lines()).toHaveLength(0);
  await n.nginx.quit();
  expect(n.nginx.running).toBe(false);
  const logged = lines();
  expect(logged.map((l) => l.request_id)).toEqual(ids);
  expect(logged.map((l) => l.uri)).toEqual(ids.map((_, i) => `/api/hello?n=${i}`));
});
