/**
 * An nginx pod replacement through the local plane, as a rollout does it: a second nginx with the
 * same configuration starts, new connections move to it, and the old one stops gracefully (SIGQUIT,
 * what kubelet's preStop/termination does). Its proxied WebSockets end within worker_shutdown_timeout
 * (sized to the drain), not after a 40 s hang; every client is connected again at once (to the new
 * nginx); requests the old one had in flight finish; the moved HTTP load is answered throughout.
 */
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { startDataPlane, type DataPlane } from "../../local";
import { startLoadBalancers } from "../../local/dataplane";
import type { HaproxyProcess } from "../../local/processes/haproxy";
import { httpGet, runLoad, UNREACHABLE_LIMITS } from "../../local/load";
import { makeNginxPrefix, startNginx, type NginxProcess } from "../../local/processes/nginx";
import { freePort } from "../../local/processes/ports";
import { reconnectingClient } from "../harness/reconnectingWebSocket";

const DRAIN_MS = 2000;
let plane: DataPlane;
let replacement: NginxProcess | undefined;
let replacementAlb: HaproxyProcess | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  plane = await startDataPlane({ replicas: 2, logLevel: "warn", shutdownDelayMs: DRAIN_MS, configOverrides: { ...UNREACHABLE_LIMITS.configOverrides }, appEnv: { ...UNREACHABLE_LIMITS.appEnv } });
}, 150_000);

afterAll(async () => {
  await replacementAlb?.stop();
  await replacement?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await plane?.stop();
}, 60_000);

/**
 * The plane's nginx.conf for another pod: its own prefix (pid, logs, temp) and its own listener ports,
 * behind its own ALB stand-in (TLS to its ALB listener, as the plane's); `port` is that stand-in's.
 */
async function replacementNginx(): Promise<{ nginx: NginxProcess; port: number }> {
  const prefix = makeNginxPrefix();
  let conf = plane.nginxConf.split(path.resolve(plane.nginx.prefix)).join(prefix);
  const ports = new Map<number, number>();
  for (const m of conf.matchAll(/listen 127\.0\.0\.1:(\d+)/g)) if (!ports.has(Number(m[1]))) ports.set(Number(m[1]), await freePort());
  conf = conf.replace(/listen 127\.0\.0\.1:(\d+)/g, (_, p: string) => `listen 127.0.0.1:${ports.get(Number(p))}`);
  const nginx = await startNginx({ prefix, conf, ports: [...ports.values()] });
  const lbDir = mkdtempSync(path.join(tmpdir(), "edgestack-replacement-alb-"));
  dirs.push(lbDir);
  const certDir = path.join(plane.dir, "tls");
  const port = await freePort();
  await startLoadBalancers(lbDir, { port, nginxAlbPort: ports.get(plane.nginxAlbPort)! }, undefined, { caFile: plane.tlsCaFile, certFile: path.join(certDir, "server.crt"), keyFile: path.join(certDir, "server.key") }, () => undefined, (h) => (replacementAlb = h));
  return { nginx, port };
}

test("an nginx pod replacement under load: WebSockets end within the drain and reconnect at once to the new pod; in-flight HTTP finishes", async () => {
  const timeout = Number(/worker_shutdown_timeout (\d+)s;/.exec(plane.nginxConf)![1]);
  expect(timeout * 1000).toBeLessThanOrEqual(DRAIN_MS);
  const oldPort = Number(new URL(plane.urls.hello).port);
  let wsUrl = plane.urls.ws;
  const clients = Array.from({ length: 10 }, () => reconnectingClient(() => wsUrl));
  try {
    const deadline = Date.now() + 10_000;
    while (!clients.every((c) => c.open) && Date.now() < deadline) await sleep(50);
    expect(clients.every((c) => c.open)).toBe(true);

    // The new pod, then the load balancer's move: new connections go to it.
    const next = await replacementNginx();
    replacement = next.nginx;
    wsUrl = plane.urls.ws.replace(`:${oldPort}/`, `:${next.port}/`);
    const helloNew = plane.urls.hello.replace(`:${oldPort}/`, `:${next.port}/`);

    let quitAt = 0;
    let quitMs = 0;
    let inFlight: { status: number; err?: string }[] = [];
    const result = await runLoad({
      url: helloNew,
      connections: 10,
      durationMs: DRAIN_MS + 5000,
      during: async () => {
        await sleep(500);
        // Requests the old pod is serving when it is told to stop: read by nginx, waiting on replicas
        // held for a moment (SIGSTOP), so they are surely in flight at the SIGQUIT.
        const replicas = plane.replicas.map((r, i) => ({ r, i })).filter((x) => x.r.running);
        for (const x of replicas) plane.stallReplica(x.i);
        const pending = Array.from({ length: 20 }, () => httpGet(plane.urls.hello).catch((err: unknown) => ({ status: 0, err: String(err) })));
        await sleep(300);
        quitAt = Date.now();
        const quit = plane.nginx.quit();
        await sleep(300);
        for (const x of replicas) plane.resumeReplica(x.i);
        await quit;
        quitMs = Date.now() - quitAt;
        inFlight = await Promise.all(pending);
      },
    });

    const late: string[] = [];
    for (const c of clients) {
      for (const close of c.closes) {
        // worker_shutdown_timeout ends them (nginx cannot send a close frame: 1006), plus a busy machine's margin.
        if (close.at - quitAt > DRAIN_MS + 2000) late.push(`${close.code} ${close.at - quitAt} ms after the quit`);
        const reopened = c.opens.find((t) => t >= close.at);
        if (reopened === undefined || reopened - close.at > 1000) late.push(`not reopened within 1 s after ${close.code}`);
      }
    }
    console.log(`nginx replacement: old pod exited ${quitMs} ms after SIGQUIT; closes ${JSON.stringify(clients.flatMap((c) => c.closes.map((x) => [x.code, x.at - quitAt])))}; in flight ${JSON.stringify(inFlight.map((r) => r.err ?? r.status))}; load ${JSON.stringify(result.statuses)} errors ${result.errors}`);
    expect(late).toEqual([]);
    // Every socket of the old pod was ended, exactly once, and is open again on the new pod.
    expect(clients.map((c) => c.closes.length)).toEqual(clients.map(() => 1));
    expect(clients.every((c) => c.open && c.url === wsUrl)).toBe(true);
    // The old pod is gone within the drain (plus margin), not after a 40 s hang.
    expect(quitMs).toBeLessThan(DRAIN_MS + 2000);
    expect(inFlight.map((r) => r.status)).toEqual(inFlight.map(() => 200));
    expect(Object.keys(result.statuses)).toEqual(["200"]);
    expect(result.errors + result.timeouts).toBe(0);
    expect(result.responses).toBeGreaterThan(300);
  } finally {
    for (const c of clients) c.stop();
  }
}, 90_000);
