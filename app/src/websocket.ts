import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { WebSocketLimits } from "./config";

export interface WebSocketOptions {
  path: string;
  heartbeatMs: number;
  instanceId: string;
  /** Returns false while draining: new upgrades are refused with 503. */
  accepting: () => boolean;
  limits: WebSocketLimits;
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
 * - at most `maxConnections` per replica (503 with Retry-After beyond);
 * - messages up to `maxMessageBytes` (ws closes a larger one with 1009) and `maxMessagesPerSecond`
 *   (a token bucket of one second's worth; beyond: close 1008);
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

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== options.path) return refuse(socket, "404 Not Found");
    if (!options.accepting()) return refuse(socket, "503 Service Unavailable");
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) return refuse(socket, "403 Forbidden");
    if (wss.clients.size + upgrading >= limits.maxConnections) return refuse(socket, "503 Service Unavailable", "Retry-After: 5\r\n");
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
    });
  });

  wss.on("connection", (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on("pong", () => alive.set(ws, true));
    ws.on("error", () => ws.terminate());
    let tokens = limits.maxMessagesPerSecond;
    let refilledAt = Date.now();
    const closeFor = (code: number, reason: string) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.pause(); // read nothing more from this peer
      ws.close(code, reason);
      const cut = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      cut.unref();
      ws.once("close", () => clearTimeout(cut));
    };
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const now = Date.now();
      tokens = Math.min(limits.maxMessagesPerSecond, tokens + ((now - refilledAt) * limits.maxMessagesPerSecond) / 1000);
      refilledAt = now;
      if (tokens < 1) return closeFor(WS_CLOSE.policyViolation, "message rate exceeded");
      tokens -= 1;
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
      // The peer is not reading what it asked for: drop it before its echo piles up in our memory.
      if (ws.bufferedAmount + size > limits.sendBufferBytes) return closeFor(WS_CLOSE.tryAgainLater, "send buffer full");
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
