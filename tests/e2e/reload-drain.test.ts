/**
 * Reloads of nginx and a rolling replacement of the app tier under load, with WebSocket clients
 * that reconnect as soon as they are closed: nginx's old workers end their WebSockets within its
 * worker_shutdown_timeout (sized to the drain), a draining replica closes its own with 1001, every
 * client is connected again at once, and the HTTP load keeps being answered.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startDataPlane, type DataPlane } from "../../local";
import { runLoad, UNREACHABLE_LIMITS } from "../../local/load";
import { reconnectingClient } from "../harness/reconnectingWebSocket";

const DRAIN_MS = 2000;
let plane: DataPlane;

beforeAll(async () => {
  plane = await startDataPlane({ replicas: 2, logLevel: "warn", shutdownDelayMs: DRAIN_MS, configOverrides: { ...UNREACHABLE_LIMITS.configOverrides }, appEnv: { ...UNREACHABLE_LIMITS.appEnv } });
}, 90_000);

afterAll(async () => {
  await plane?.stop();
});

test("reloads and a rolling replacement of the app tier under load: WebSockets end within the drain and reconnect at once; HTTP keeps being answered", async () => {
  const timeout = Number(/worker_shutdown_timeout (\d+)s;/.exec(plane.nginxConf)![1]);
  expect(timeout * 1000).toBeLessThanOrEqual(DRAIN_MS);
  const clients = Array.from({ length: 10 }, () => reconnectingClient(plane.urls.ws));
  const events: { what: string; at: number }[] = [];
  try {
    const deadline = Date.now() + 10_000;
    while (!clients.every((c) => c.open) && Date.now() < deadline) await sleep(50);
    expect(clients.every((c) => c.open)).toBe(true);
    const result = await runLoad({
      url: plane.urls.hello,
      connections: 10,
      durationMs: 20_000,
      during: async () => {
        for (let i = 0; i < 3; i++) {
          await sleep(1500);
          events.push({ what: "reload", at: Date.now() });
          await plane.nginx.reload();
          await sleep(DRAIN_MS + 1500);
        }
        // The app tier, one replica at a time: a new one in, then an old one out (SIGTERM, drain).
        events.push({ what: "replace replica-0", at: Date.now() });
        await plane.addReplica();
        await plane.removeReplica(0);
        await sleep(1000);
      },
    });
    // Every close happened within the drain of an event, and was followed by an open within 1 s.
    const lateCloses: string[] = [];
    for (const c of clients) {
      for (const close of c.closes) {
        const event = [...events].reverse().find((e) => e.at <= close.at);
        const sinceEvent = event === undefined ? Infinity : close.at - event.at;
        // A reload ends the old workers' sockets at worker_shutdown_timeout; a replica replacement at its
        // drain (shutdown delay) plus the close handshake.
        if (sinceEvent > DRAIN_MS + 2000 + (event?.what === "reload" ? 0 : DRAIN_MS + 2000)) lateCloses.push(`${close.code} ${sinceEvent} ms after ${event?.what}`);
        const reopened = c.opens.find((t) => t >= close.at);
        if (reopened === undefined || reopened - close.at > 1000) lateCloses.push(`not reopened within 1 s after ${close.code}`);
      }
    }
    const codes = clients.flatMap((c) => c.closes.map((x) => x.code));
    console.log(`reloads + app replacement: ${result.responses} responses, ${result.errors} errors, statuses ${JSON.stringify(result.statuses)}; WebSocket closes ${JSON.stringify(codes)}`);
    expect(lateCloses).toEqual([]);
    // Each reload ended the WebSockets (1006: nginx cannot send a close frame); the replaced replica's sockets got 1001.
    expect(codes.filter((c) => c === 1006).length).toBeGreaterThanOrEqual(30);
    expect(codes).toContain(1001);
    expect(clients.every((c) => c.open)).toBe(true);
    expect(result.responses).toBeGreaterThan(500);
    expect(Object.keys(result.statuses)).toEqual(["200"]);
    // Keep-alive connections idle in an old worker are closed by it: a request racing that close can fail
    // (a client should retry it on a new connection). Requests nginx had read all finish (no 502/504 above).
    expect(result.errors).toBeLessThanOrEqual(5);
  } finally {
    for (const c of clients) c.stop();
  }
}, 90_000);
