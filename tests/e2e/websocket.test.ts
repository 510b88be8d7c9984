/**
 * WebSocket through nginx's /ws location: the upgrade passes, messages go both ways, and the app's
 * heartbeat pings reach the client while the client's pongs reach the app (otherwise the app would
 * drop the connection as dead after two heartbeats).
 */
import WebSocket from "ws";
import { startDataPlane, type DataPlane } from "../../tools/local";
import { waitUntil } from "../harness/wait";

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

