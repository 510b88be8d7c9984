/**
 * /ws against hostile peers, on the real app process (and a real Redis): a peer that never reads
 * is closed and the replica's memory stays bounded; message rate, size, connection count and the
 * Origin list are enforced.
 */
import { WebSocket } from "ws";
import { freePort, waitForPort } from "../../local/processes/ports";
import { startRedis, type RedisProcess } from "../../local/processes/redis";
import { killAppProcesses, runAppMain, type AppProcess } from "../harness/appProcess";
import { floodWithoutReading, rssBytes } from "../harness/wsFlood";

/** The bound this test holds a replica to while one peer floods without reading. */
const RSS_GROWTH_BOUND_BYTES = 32 * 1024 * 1024;

let redis: RedisProcess;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  killAppProcesses();
  await redis?.dispose();
});

async function startApp(env: Record<string, string> = {}): Promise<{ child: AppProcess; port: number }> {
  const port = await freePort();
  const child = runAppMain({ PORT: String(port), HOST: "127.0.0.1", REDIS_URL: redis.url, LOG_LEVEL: "warn", INSTANCE_ID: "ws-test", ...env });
  await waitForPort(port, 20_000);
  return { child, port };
}

/** Opens a client and resolves with how the server ended it (or the upgrade's refusal status). */
function connect(port: number, options: { origin?: string } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, options.origin === undefined ? {} : { origin: options.origin });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

const closed = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));

describe("a peer that sends and never reads", () => {
  it.each([
    ["at the default message rate: closed for its rate", {}],
    ["with the rate limit out of the way: closed when its send buffer is full", { WS_MAX_MESSAGES_PER_SECOND: "100000" }],
  ])("%s, and the replica's RSS grows by less than 32 MiB", async (_name, env) => {
    const { child, port } = await startApp(env);
    await new Promise((r) => setTimeout(r, 500)); // settle after start
    const pid = child.proc.pid!;
    const before = rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
    try {
      const result = await floodWithoutReading(port, { frameBytes: 16_000, durationMs: 4000 });
      expect(result.statusLine).toContain(" 101 ");
      expect(result.closedByServer).toBe(true);
      // Closed promptly (close frame, then the socket is cut after a 1 s grace).
      expect(result.closedAfterMs!).toBeLessThan(3000);
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND_BYTES);
    // The replica serves on.
    expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
  });
});

describe("limits", () => {
  let port: number;

  beforeAll(async () => {
    ({ port } = await startApp({
      WS_ALLOWED_ORIGINS: "https://example.com",
      WS_MAX_CONNECTIONS: "3",
      WS_MAX_MESSAGE_BYTES: "1024",
      WS_MAX_MESSAGES_PER_SECOND: "5",
      WS_SEND_BUFFER_BYTES: "4096",
    }));
  });

  it("accepts the allowed Origin and clients without one; refuses other origins with 403", async () => {
    const allowed = await connect(port, { origin: "https://example.com" });
    const plain = await connect(port);
    await expect(connect(port, { origin: "https://evil.example" })).rejects.toThrow("status 403");
    await expect(connect(port, { origin: "null" })).rejects.toThrow("status 403");
    allowed.close();
    plain.close();
    await Promise.all([closed(allowed), closed(plain)]);
  });

  it("refuses connections beyond the per-replica cap with 503 and accepts again once one leaves", async () => {
    const open = await Promise.all([connect(port), connect(port), connect(port)]);
    await expect(connect(port)).rejects.toThrow("status 503");
    open[0]!.close();
    await closed(open[0]!);
    await new Promise((r) => setTimeout(r, 100));
    const again = await connect(port);
    for (const ws of [...open.slice(1), again]) ws.close();
    await Promise.all([...open.slice(1), again].map(closed));
  });

  it("closes a peer over the message rate with 1008 and one over the size with 1009", async () => {
    const fast = await connect(port);
    const fastClosed = closed(fast);
    for (let i = 0; i < 20; i++) fast.send("x");
    expect(await fastClosed).toEqual({ code: 1008, reason: "message rate exceeded" });

    const big = await connect(port);
    const bigClosed = closed(big);
    big.send(Buffer.alloc(2048));
    expect((await bigClosed).code).toBe(1009);
  });

  it("echoes within the limits", async () => {
    const ws = await connect(port);
    const messages: string[] = [];
    ws.on("message", (m) => messages.push(m.toString()));
    ws.send("ping-1");
    await new Promise((r) => setTimeout(r, 200));
    expect(messages).toContain("ping-1");
    ws.close();
    await closed(ws);
  });
});

describe("every frame counts toward the budget (WS_MAX_MESSAGES_PER_SECOND 20)", () => {
  let port: number;

  beforeAll(async () => {
    ({ port } = await startApp({ WS_MAX_MESSAGES_PER_SECOND: "20", WS_MAX_CONNECTIONS_PER_CLIENT: "2", WS_MAX_CONNECTIONS: "100" }));
  });

  it.each([
    ["pings (ws answers each with a pong by itself)", (ws: WebSocket) => ws.ping()],
    ["unsolicited pongs", (ws: WebSocket) => ws.pong()],
    ["fragments of one message (no message event until the last)", (ws: WebSocket) => ws.send("x", { fin: false })],
  ])("a flood of %s is closed with 1008, and the peer gets only its budget's worth of answers", async (_name, sendOne) => {
    const ws = await connect(port);
    let pongs = 0;
    ws.on("pong", () => pongs++);
    const end = closed(ws);
    const started = Date.now();
    const flood = setInterval(() => {
      for (let i = 0; i < 200 && ws.readyState === WebSocket.OPEN; i++) sendOne(ws);
    }, 1);
    const result = await end.finally(() => clearInterval(flood));
    expect(result).toEqual({ code: 1008, reason: "message rate exceeded" });
    expect(Date.now() - started).toBeLessThan(2000);
    // Before: 23,620 pongs a second from one flooding connection; now at most a second's budget.
    expect(pongs).toBeLessThanOrEqual(40);
  });

  it("a peer within the budget that mixes pings and messages is served", async () => {
    const ws = await connect(port);
    const echoed: string[] = [];
    ws.on("message", (m) => echoed.push(m.toString()));
    for (let i = 0; i < 5; i++) {
      ws.ping();
      ws.send(`m${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(echoed).toEqual(expect.arrayContaining(["m0", "m4"]));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    await closed(ws);
  });

  it("at most WS_MAX_CONNECTIONS_PER_CLIENT sockets per client address (429 beyond); another address has its own", async () => {
    const fromAddress = (localAddress: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { localAddress });
        ws.once("open", () => resolve(ws));
        ws.once("unexpected-response", (_req, res) => reject(new Error(`status ${res.statusCode}`)));
        ws.once("error", reject);
      });
    const a = [await fromAddress("127.0.0.31"), await fromAddress("127.0.0.31")];
    await expect(fromAddress("127.0.0.31")).rejects.toThrow("status 429");
    const b = await fromAddress("127.0.0.32");
    a[0]!.close();
    await closed(a[0]!);
    await new Promise((r) => setTimeout(r, 100));
    const again = await fromAddress("127.0.0.31");
    for (const ws of [a[1]!, b, again]) ws.close();
    await Promise.all([a[1]!, b, again].map(closed));
  });
});
