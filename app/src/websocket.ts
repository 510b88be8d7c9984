import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";

export interface WebSocketOptions {
  path: string;
  heartbeatMs: number;
  instanceId: string;
  /** Returns false while draining: new upgrades are refused with 503. */
  accepting: () => boolean;
}

export interface WebSocketEndpoint {
  readonly clients: Set<WebSocket>;
  /** Sends 1001 Going Away to every peer and waits (bounded) until they are gone. */
  close(timeoutMs?: number): Promise<void>;
}

const alive = new WeakMap<WebSocket, boolean>();

/**
 * WebSocket endpoint on the HTTP server's upgrade event. A server-side ping every heartbeatMs;
 * a peer that has not answered the previous ping by the next tick is terminated, so half-open
 * connections (a vanished client, a NAT that dropped state) do not pile up.
 */
export function attachWebSocket(server: Server, options: WebSocketOptions): WebSocketEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== options.path) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    if (!options.accepting()) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  wss.on("connection", (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on("pong", () => alive.set(ws, true));
    ws.on("error", () => ws.terminate());
    ws.on("message", (data, isBinary) => {
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
