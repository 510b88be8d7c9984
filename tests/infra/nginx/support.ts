/**
 * Shared pieces of the nginx tests: the parsed dev/prod stack configs, loopback echo backends
 * (node:http, answering which backend served and the forwarding headers it received), a keep-alive
 * HTTP client and a private nginx built from the local-mode model.
 */
import { buildLocalNginxModel, type LocalUpstream } from "../../../local/nginx-site";
import * as http from "node:http";
import * as net from "node:net";
import { WebSocketServer } from "ws";
import { parseStackConfig, type StackConfig } from "../../../infra/config/schema";
import { routePath, type RouteEntry } from "@edgestack/contract";
import { renderNginxConf, type NginxModel } from "../../../infra/nginx";
import { readStackFiles } from "../../../offline/engine/stack-files";
import { freePort } from "../../../local/processes/ports";
import { timeWaitOn } from "../../../local/processes/sockets";
import { makeNginxPrefix, startNginx, type NginxProcess } from "../../../local/processes/nginx";

export function stackConfig(stack: "dev" | "prod"): StackConfig {
  return parseStackConfig(readStackFiles(stack).config, stack);
}

export interface Echo {
  backend: string;
  method: string;
  url: string;
  xForwardedFor: string | null;
  xRealIp: string | null;
  xForwardedProto: string | null;
  xRequestId: string | null;
  xAmzCfId: string | null;
  xAmznTraceId: string | null;
  host: string | null;
  connection: string | null;
}

export interface Backend {
  readonly name: string;
  readonly port: number;
  /** Requests answered so far. */
  hits: number;
  /** Milliseconds to wait before answering (a slow replica). */
  delayMs: number;
  /** Stop accepting and drop every open connection (a crashed replica). */
  kill(): Promise<void>;
}

/**
 * Query `?delay=MS` delays one answer, `?cc=VALUE` answers with that Cache-Control, `?status=N` with
 * that status; a path containing "big" pads the body to several KB (gzip).
 */
export async function startBackend(name: string, options: { delayMs?: number; port?: number } = {}): Promise<Backend> {
  // A given port: a replica restarted at its old address.
  const port = options.port ?? (await freePort());
  const sockets = new Set<net.Socket>();
  const backend: Backend = {
    name,
    port,
    hits: 0,
    delayMs: options.delayMs ?? 0,
    kill: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
  const header = (req: http.IncomingMessage, h: string) => {
    const v = req.headers[h];
    return v === undefined ? null : Array.isArray(v) ? v.join(",") : v;
  };
  const server = http.createServer((req, res) => {
    backend.hits += 1;
    // Prefixed, not resolved against a base: "//x" is a valid request path, not a host.
    const url = new URL(`http://backend${req.url ?? "/"}`);
    const delay = url.searchParams.has("delay") ? Number(url.searchParams.get("delay")) : backend.delayMs;
    const padding = url.pathname.includes("big") ? "lorem ipsum ".repeat(400) : undefined;
    const echo: Echo & { padding?: string } = {
      backend: name,
      method: req.method ?? "",
      url: req.url ?? "",
      xForwardedFor: header(req, "x-forwarded-for"),
      xRealIp: header(req, "x-real-ip"),
      xForwardedProto: header(req, "x-forwarded-proto"),
      xRequestId: header(req, "x-request-id"),
      xAmzCfId: header(req, "x-amz-cf-id"),
      xAmznTraceId: header(req, "x-amzn-trace-id"),
      host: header(req, "host"),
      connection: header(req, "connection"),
      ...(padding ? { padding } : {}),
    };
    const answer = () => {
      res.setHeader("content-type", req.url?.endsWith(".txt") ? "text/plain" : "application/json");
      res.setHeader("x-backend", name);
      if (url.pathname.startsWith(routePath("static"))) res.setHeader("cache-control", "no-cache");
      if (url.pathname.startsWith("/api/cc")) res.setHeader("cache-control", "private, max-age=7");
      if (url.searchParams.has("cc")) res.setHeader("cache-control", url.searchParams.get("cc")!);
      if (url.searchParams.has("status")) res.statusCode = Number(url.searchParams.get("status"));
      res.end(JSON.stringify(echo));
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  });
  // Longer than nginx's upstream keepalive_timeout, as the timeout chain requires of the app.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  // WebSocket echo on /ws, like the app.
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if ((req.url ?? "").split("?")[0] !== routePath("websocket")) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ hello: name, xRealIp: header(req, "x-real-ip") }));
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return backend;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** GET over a keep-alive agent (one client connection reused, as a load balancer does). */
export function get(agent: http.Agent, port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: "GET", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

export const echoOf = (reply: Reply): Echo => JSON.parse(reply.body) as Echo;

export function countBy<T>(items: T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

export interface LocalNginx {
  nginx: NginxProcess;
  model: NginxModel;
  port: number;
  statusPort: number;
  proxyProtocolPort: number;
  proxyProtocolHttpPort: number;
}

/**
 * A private nginx in front of `upstreams`, built by the same buildNginxModel as the cluster's, with
 * config overrides and a final edit of the model (e.g. a different trusted CIDR).
 */
export async function startLocalNginx(
  upstreams: LocalUpstream[],
  options: { config?: Partial<StackConfig>; edit?: (model: NginxModel) => void; trustedCidrs?: string[]; routes?: readonly RouteEntry[]; canaryUpstreams?: LocalUpstream[] } = {},
): Promise<LocalNginx> {
  const prefix = makeNginxPrefix();
  const [port, statusPort, proxyProtocolPort, proxyProtocolHttpPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const config = { ...stackConfig("dev"), ...options.config };
  const model = buildLocalNginxModel(config, {
    prefix,
    upstreams,
    ...(options.canaryUpstreams ? { canaryUpstreams: options.canaryUpstreams } : {}),
    listenPort: port,
    statusPort,
    proxyProtocolPort,
    proxyProtocolHttpPort,
    ...(options.trustedCidrs ? { trustedCidrs: options.trustedCidrs } : {}),
  }, options.routes);
  options.edit?.(model);
  const nginx = await startNginx({ prefix, conf: renderNginxConf(model), ports: [port, statusPort, proxyProtocolPort, proxyProtocolHttpPort] });
  return { nginx, model, port, statusPort, proxyProtocolPort, proxyProtocolHttpPort };
}

/** What one real-nginx behaviour test starts: echo backends, nginx in front of them, a keep-alive client. */
export interface NginxBehaviour {
  /** This test's keep-alive client (a fresh one per test). */
  readonly agent: http.Agent;
  /** startBackend, stopped after the test. */
  backend(name: string, options?: Parameters<typeof startBackend>[1]): Promise<Backend>;
  /** startLocalNginx, stopped after the test. */
  nginx(upstreams: LocalUpstream[], options?: Parameters<typeof startLocalNginx>[1]): Promise<LocalNginx>;
}

/**
 * The lifecycle every real-nginx behaviour test repeats: a keep-alive client per test (`maxSockets`),
 * and after each test its nginx processes and backends stopped. Call at the top level of a test file.
 */
export function nginxBehaviour(maxSockets: number): NginxBehaviour {
  const running: LocalNginx[] = [];
  const started: Backend[] = [];
  let agent: http.Agent | undefined;
  beforeEach(() => {
    agent = new http.Agent({ keepAlive: true, maxSockets });
  });
  afterEach(async () => {
    agent?.destroy();
    await Promise.all(running.splice(0).map((n) => n.nginx.dispose()));
    await Promise.all(started.splice(0).map((b) => b.kill()));
  });
  return {
    get agent() {
      if (agent === undefined) throw new Error("nginxBehaviour: the agent exists only inside a test");
      return agent;
    },
    async backend(name, options) {
      const b = await startBackend(name, options);
      started.push(b);
      return b;
    },
    async nginx(upstreams, options) {
      const n = await startLocalNginx(upstreams, options);
      running.push(n);
      return n;
    },
  };
}

/** Generous limits so only the test that is about limiting ever sees a 429. */
export const NO_LIMITS: Partial<StackConfig> = { nginxRateLimitPerMinute: 1_000_000, nginxRateLimitBurst: 100_000, nginxConnLimitPerIp: 10_000 };

/**
 * Sockets in TIME_WAIT (state 06) with `port` at either end, from /proc/net/tcp and tcp6. Whoever
 * closes a TCP connection first holds it in TIME_WAIT for a minute, so this counts closed connections.
 */
export function timeWaitSockets(port: number): number {
  return timeWaitOn([port]);
}

/** Sends raw bytes on a fresh connection and returns everything the server sends back until it closes. */
export function rawRequest(port: number, data: string | Buffer, timeoutMs = 5000, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, ...(localAddress === undefined ? {} : { localAddress }) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer from 127.0.0.1:${port} within ${timeoutMs} ms: ${Buffer.concat(chunks).toString()}`));
    }, timeoutMs);
    socket.on("connect", () => socket.write(data));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/**
 * The text of the first block whose head line matches `head` (e.g. "upstream app", "location /api/"),
 * braces inside quoted strings ignored. Throws when absent.
 */
export function blockOf(conf: string, head: string | RegExp, from = 0): string {
  const lines = conf.split("\n");
  let start = -1;
  let offset = 0;
  for (const line of lines) {
    const trimmed = line.trim();
    if (offset >= from && trimmed.endsWith("{") && (typeof head === "string" ? trimmed === `${head} {` : head.test(trimmed))) {
      start = offset;
      break;
    }
    offset += line.length + 1;
  }
  if (start < 0) throw new Error(`no block ${String(head)} in the rendered conf`);
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < conf.length; i++) {
    const c = conf[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "{") depth += 1;
    else if (c === "}") {
      depth -= 1;
      if (depth === 0) return conf.slice(start, i + 1);
    }
  }
  throw new Error(`block ${String(head)} is not closed`);
}

/** Every server block of the conf, in order. */
export function serverBlocks(conf: string): string[] {
  const blocks: string[] = [];
  let from = 0;
  for (;;) {
    const at = conf.indexOf("\n    server {", from);
    if (at < 0) return blocks;
    const block = blockOf(conf, "server", at + 1);
    blocks.push(block);
    from = at + block.length;
  }
}
