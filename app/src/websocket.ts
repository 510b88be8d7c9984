import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { WebSocketLimits } from "./config";
import { FrameCounter } from "./wsFrames";

export interface WebSocketOptions {
  path: string;
  heartbeatMs: number;
  instanceId: string;
  /** Returns false while draining: new upgrades are refused with 503. */
  accepting: () => boolean;
  limits: WebSocketLimits;
  /** The client a connection counts against for maxConnectionsPerClient (its address, IPv6 by /64). */
  clientKey: (req: IncomingMessage) => string;
}

/** Close codes (RFC 6455 §7.4.1). */
export const WS_CLOSE = { policyViolation: 1008, tryAgainLater: 1013 } as const;
/** How long a closed-by-us peer gets to answer the close frame before its socket is cut. */
const CLOSE_GRACE_MS = 1000;

export interface WebSocketEndpoint {
  readonly clients: Set<WebSocket>;
  /** Sends 1001 Going Away to every peer and waits (bounded) until they are gone. */
  close(timeoutMs?: number): Promise<void>;
}

const alive = new WeakMap<WebSocket, boolean>();

const refuse = (socket: Duplex, status: string, extra = ""): void => {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
};

/**
 * WebSocket endpoint on the HTTP server's upgrade event, bounded against hostile peers:
 * - Origin: a browser's upgrade must come from an allowed origin (403 otherwise); a request
 *   without Origin is not from a browser, so cross-site hijacking does not apply to it.
 * - at most `maxConnections` per replica (503 with Retry-After beyond) and `maxConnectionsPerClient`
 *   per client address (429 with Retry-After beyond);
 * - messages up to `maxMessageBytes` (ws closes a larger one with 1009); `maxMessagesPerSecond`
 *   frames of any type — data, continuation, ping, pong — (a token bucket of one second's worth;
 *   beyond: close 1008), so neither pings (which ws answers by itself) nor fragments escape it;
 * - at most `sendBufferBytes` queued towards a peer: one that stops reading is closed with 1013 and
 *   cut after CLOSE_GRACE_MS, so its echo cannot grow the heap. Worst case per replica:
 *   maxConnections × (sendBufferBytes + maxMessageBytes).
 *
 * A server-side ping every heartbeatMs;
 * a peer that has not answered the previous ping by the next tick is terminated, so half-open
 * connections (a vanished client, a NAT that dropped state) do not pile up.
 */
export function attachWebSocket(server: Server, options: WebSocketOptions): WebSocketEndpoint {
  const limits = options.limits;
  const allowedOrigins = new Set(limits.allowedOrigins);
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  let upgrading = 0;
  const perClient = new Map<string, number>();

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== options.path) return refuse(socket, "404 Not Found");
    if (!options.accepting()) return refuse(socket, "503 Service Unavailable");
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) return refuse(socket, "403 Forbidden");
    if (wss.clients.size + upgrading >= limits.maxConnections) return refuse(socket, "503 Service Unavailable", "Retry-After: 5\r\n");
    const client = options.clientKey(req);
    const held = perClient.get(client) ?? 0;
    if (held >= limits.maxConnectionsPerClient) return refuse(socket, "429 Too Many Requests", "Retry-After: 5\r\n");
    // Counted from the upgrade until the socket closes, whatever happens in between.
    perClient.set(client, held + 1);
    socket.once("close", () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    });
    upgrading++;
    let counted = true;
    const done = () => {
      if (counted) upgrading--;
      counted = false;
    };
    socket.once("close", done);
    wss.handleUpgrade(req, socket, head, (ws) => {
      done();
      wss.emit("connection", ws, req);
      limitFrames(ws, socket);
    });
  });

  /**
   * Every frame the peer sends takes a token; beyond the budget the peer is closed with 1008. The
   * counter reads each chunk before ws does (prependListener), so the frames of the chunk that
   * overdraws the budget find the socket closing: no pong, no echo for them. (The upgrade's `head`
   * bytes are put back into the socket by ws and arrive here as data too.)
   */
  const limitFrames = (ws: WebSocket, socket: Duplex): void => {
    const frames = new FrameCounter();
    let tokens = limits.maxMessagesPerSecond;
    let refilledAt = Date.now();
    const take = (n: number) => {
      if (n === 0 || ws.readyState !== WebSocket.OPEN) return;
      const now = Date.now();
      tokens = Math.min(limits.maxMessagesPerSecond, tokens + ((now - refilledAt) * limits.maxMessagesPerSecond) / 1000);
      refilledAt = now;
      tokens -= n;
      if (tokens < 0) closeFor(ws, WS_CLOSE.policyViolation, "message rate exceeded");
    };
    socket.prependListener("data", (chunk: Buffer) => take(frames.push(chunk)));
  };

  const closeFor = (ws: WebSocket, code: number, reason: string) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.pause(); // read nothing more from this peer
    ws.close(code, reason);
    const cut = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    cut.unref();
    ws.once("close", () => clearTimeout(cut));
  };

  wss.on("connection", (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on("pong", () => alive.set(ws, true));
    ws.on("error", () => ws.terminate());
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
      // The peer is not reading what it asked for: drop it before its echo piles up in our memory.
      if (ws.bufferedAmount + size > limits.sendBufferBytes) return closeFor(ws, WS_CLOSE.tryAgainLater, "send buffer full");
      // Echo: enough to prove the path works end to end through every proxy hop.
      ws.send(data, { binary: isBinary });
    });
    ws.send(JSON.stringify({ type: "hello", instance: options.instanceId }));
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  return {
    clients: wss.clients,
    async close(timeoutMs = 1000) {
      clearInterval(heartbeat);
      const peers = [...wss.clients];
      const gone = peers.map((ws) =>
        ws.readyState === WebSocket.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => ws.once("close", () => resolve())),
      );
      for (const ws of peers) ws.close(1001, "server shutting down");
      const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([Promise.all(gone), timer]);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
