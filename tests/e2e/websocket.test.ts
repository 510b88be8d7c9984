/**
 * WebSocket through nginx's /ws location: the upgrade passes, messages go both ways, and the app's
 * heartbeat pings reach the client while the client's pongs reach the app (otherwise the app would
 * drop the connection as dead after two heartbeats).
 */
import WebSocket from "ws";
import { startDataPlane, type DataPlane } from "../../local";
import { waitUntil } from "../harness/wait";
import { floodWithoutReading, rssBytes } from "../harness/wsFlood";
import { WS_CLIENT_SEND_TIMEOUT_SECONDS } from "../../infra/nginx/render";

const HEARTBEAT_MS = 200;
let plane: DataPlane;

beforeAll(async () => {
  plane = await startDataPlane({ replicas: 2, logLevel: "warn", appEnv: { WS_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
});

afterAll(async () => {
  await plane?.stop();
});

test("messages and heartbeats pass through nginx; the connection outlives many heartbeats", async () => {
  const ws = new WebSocket(plane.urls.ws);
  const received: string[] = [];
  let pings = 0;
  let closed: { code: number } | undefined;
  ws.on("message", (data) => received.push(String(data)));
  ws.on("ping", () => (pings += 1)); // ws answers every ping with a pong by itself
  ws.on("close", (code) => (closed = { code }));
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
    // The app greets with the replica that took the connection.
    await waitUntil(() => received.length >= 1);
    expect(JSON.parse(received[0]!)).toMatchObject({ type: "hello", instance: expect.stringMatching(/^replica-[01]$/) });

    ws.send("ping through nginx");
    await waitUntil(() => received.length >= 2);
    expect(received[1]).toBe("ping through nginx");

    // Ten heartbeat periods: the pings arrive, and our pongs keep the app from terminating us.
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 10));
    expect(pings).toBeGreaterThanOrEqual(5);
    expect(closed).toBeUndefined();
    expect(ws.readyState).toBe(WebSocket.OPEN);
  } finally {
    ws.terminate();
  }
});

test("a peer that stops answering pings is dropped by the app, and nginx closes the client side", async () => {
  const ws = new WebSocket(plane.urls.ws, { autoPong: false });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([closed, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("not dropped within 5 s")), 5000)))]).finally(() => {
    clearTimeout(timer);
    ws.terminate();
  });
  expect(code).toBe(1006); // abnormal closure: the TCP connection was cut, no close frame
  // Dropped by the heartbeat (2-3 periods), long before nginx's own WebSocket timeout (an hour).
  expect(Date.now() - started).toBeLessThan(HEARTBEAT_MS * 15);
});


test("a peer that sends through nginx and never reads is closed (the app drops nginx's side, nginx the peer after its send timeout); replicas' RSS stays within 32 MiB", async () => {
  const before = plane.replicas.map((r) => rssBytes(r.pid));
  const peaks = [...before];
  const sampler = setInterval(() => plane.replicas.forEach((r, i) => (peaks[i] = Math.max(peaks[i]!, rssBytes(r.pid)))), 20);
  try {
    const result = await floodWithoutReading(plane.port, { frameBytes: 16_000, durationMs: (WS_CLIENT_SEND_TIMEOUT_SECONDS + 5) * 1000 });
    expect(result.statusLine).toContain(" 101 ");
    expect(result.closedByServer).toBe(true);
    expect(result.closedAfterMs!).toBeLessThan((WS_CLIENT_SEND_TIMEOUT_SECONDS + 3) * 1000);
  } finally {
    clearInterval(sampler);
  }
  peaks.forEach((peak, i) => expect(peak - before[i]!).toBeLessThan(32 * 1024 * 1024));
}, 40_000);

test("a browser from another origin cannot open /ws through nginx; the local site's own origin can", async () => {
  const status = (origin: string) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(plane.urls.ws, { origin });
      ws.once("open", () => (ws.close(), resolve(101)));
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("error", reject);
    });
  expect(await status("https://evil.example")).toBe(403);
  expect(await status(`http://127.0.0.1:${plane.port}`)).toBe(101);
});
