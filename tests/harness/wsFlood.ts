/**
 * A hostile WebSocket client over a raw socket: it upgrades, then sends masked binary frames as
 * fast as its own socket drains and never reads a byte, the way a peer that wants the server to
 * buffer its echoes behaves. Also reads a process's resident memory from /proc.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { tcpSockets, TCP_STATE } from "../../local/processes/sockets";

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * Whether the server side of the connection serverPort ⇄ clientPort (loopback) is no longer
 * ESTABLISHED: the server closed it, even if its FIN waits behind data the client never read.
 */
export function serverSideClosed(serverPort: number, clientPort: number): boolean {
  return !tcpSockets().some((s) => s.localPort === serverPort && s.remotePort === clientPort && s.state === TCP_STATE.established);
}

/** One masked binary frame (client frames must be masked, RFC 6455 §5.3). */
export function maskedFrame(payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x82, 0x80 | len]) : len < 65536 ? Buffer.from([0x82, 0x80 | 126, len >> 8, len & 0xff]) : Buffer.alloc(10);
  if (len >= 65536) {
    head[0] = 0x82;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

export interface FloodResult {
  /** The upgrade response's status line. */
  statusLine: string;
  /** Frames handed to the socket before it was closed or the time ran out. */
  framesSent: number;
  /** Whether the server closed/cut the connection within the time (seen by the client or in the kernel's table). */
  closedByServer: boolean;
  /** Milliseconds from the upgrade until the server cut the connection (when it did). */
  closedAfterMs: number | undefined;
}

/** Upgrades at host:port/path and floods frames of `frameBytes` for at most `durationMs`, never reading. */
export function floodWithoutReading(port: number, options: { path?: string; frameBytes: number; durationMs: number; host?: string }): Promise<FloodResult> {
  const host = options.host ?? "127.0.0.1";
  const frame = maskedFrame(randomBytes(options.frameBytes));
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let head = "";
    let statusLine = "";
    let framesSent = 0;
    let upgradedAt = 0;
    let finished = false;
    const finish = (closedByServer: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ statusLine, framesSent, closedByServer, closedAfterMs: closedByServer ? Date.now() - upgradedAt : undefined });
    };
    let timer = setTimeout(() => finish(false), options.durationMs + 5000);
    socket.once("error", () => finish(upgradedAt > 0));
    socket.once("close", () => finish(upgradedAt > 0));
    socket.once("connect", () => {
      socket.write(
        `GET ${options.path ?? "/ws"} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      socket.pause(); // never read again
      statusLine = head.slice(0, head.indexOf("\r\n"));
      if (!statusLine.includes(" 101 ")) return finish(false);
      upgradedAt = Date.now();
      clearTimeout(timer);
      // A client that never reads cannot see the server's FIN (it waits behind unread data): watch
      // the server's side of the connection instead.
      const clientPort = socket.localPort!;
      const watch = setInterval(() => {
        if (finished) clearInterval(watch);
        else if (serverSideClosed(port, clientPort)) {
          clearInterval(watch);
          finish(true);
        }
      }, 50);
      // Also ends a flood stuck waiting for "drain" (a server that reads nothing more).
      timer = setTimeout(() => finish(false), options.durationMs);
      const stopAt = upgradedAt + options.durationMs;
      const pump = () => {
        while (!finished) {
          if (Date.now() > stopAt) return finish(false);
          framesSent++;
          if (!socket.write(frame)) return void socket.once("drain", pump);
        }
      };
      pump();
    };
    socket.on("data", onData);
    socket.once("timeout", () => reject(new Error("timeout")));
    socket.setTimeout(options.durationMs + 10_000);
  });
}
