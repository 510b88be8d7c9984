import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import * as path from "node:path";
import type { Redis } from "ioredis";
import type { DestinationStream, Logger } from "pino";
import { rateLimitIdentity } from "./clientIp";
import type { AppConfig } from "./config";
import { HttpServer, type Exchange, type Handler } from "./http/httpServer";
import { createLogger, type AppLogger } from "./logger";
import { rateLimitHeaders, type RateLimitDecision } from "./rateLimit/headers";
import { SlidingWindowLimiter } from "./rateLimit/slidingWindow";
import { createRedisClient } from "./redis";
import { gracefulShutdown } from "./shutdown";
import { attachWebSocket, type WebSocketEndpoint } from "./websocket";

/** Anything that can decide one hit; the benchmark plugs rate-limiter-flexible in here. */
export interface RequestLimiter {
  readonly windowMs: number;
  check(identity: string): Promise<RateLimitDecision>;
}

export interface AppDependencies {
  /** A Redis client owned by the caller (not closed by the app). Default: one from REDIS_URL. */
  redis?: Redis;
  /** Replaces the sliding-window limiter; `null` turns rate limiting off (benchmark baseline). */
  limiter?: RequestLimiter | null;
  /** Extra routes registered before start (tests use a slow route to prove draining). */
  extraRoutes?: (http: HttpServer) => void;
  /** Where log lines go instead of the buffered stdout destination (tests read them). */
  logDestination?: DestinationStream;
}

export interface App {
  readonly server: Server;
  readonly log: Logger;
  readonly redis: Redis;
  readonly websockets: WebSocketEndpoint;
  /** The buffered logger; flushSync() before any process.exit(). */
  readonly logs: AppLogger;
  readonly draining: boolean;
  /** Listens on config.host:config.port (0 = any) and resolves with the bound port. */
  listen(): Promise<number>;
  /** The graceful SIGTERM sequence: 503 on /readyz and /health, delay, drain, close Redis, flush logs. Idempotent. */
  shutdown(): Promise<void>;
}

interface StaticAsset {
  body: Buffer;
  type: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".svg": "image/svg+xml",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** Loads app/static once: a handful of small versioned files, served from memory. */
function loadStaticAssets(dir: string): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  for (const name of names) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(path.join(dir, name));
    assets.set(name, { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` });
  }
  return assets;
}

export function createApp(config: AppConfig, deps: AppDependencies = {}): App {
  const ownsRedis = deps.redis === undefined;
  const redis = deps.redis ?? createRedisClient(config.redisUrl, config.redisCommandTimeoutMs);
  const limiter: RequestLimiter | null =
    deps.limiter !== undefined
      ? deps.limiter
      : new SlidingWindowLimiter(redis, { limit: config.rateLimit.max, windowMs: config.rateLimit.windowMs });
  let draining = false;
  let shutdownPromise: Promise<void> | undefined;

  const logs = createLogger(config, deps.logDestination);
  const log = logs.logger;
  const http = new HttpServer({
    instanceId: config.instanceId,
    trustProxyHops: config.trustProxyHops,
    logger: log,
    writeAccessLine: logs.writeLine,
    // Access-log lines are info lines: a quieter LOG_LEVEL turns them off too.
    accessLog: log.isLevelEnabled("info") ? config.accessLog : "off",
    isDraining: () => draining,
  });
  const server = http.server;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  // Hold a request at most this long overall; must stay above headersTimeout (Node requirement).
  server.requestTimeout = Math.max(config.headersTimeoutMs + 1000, 120_000);

  // Redis outages are logged once per burst, not once per request.
  let lastRedisErrorLog = 0;
  const logRedisError = (err: unknown, context: string) => {
    const now = Date.now();
    if (now - lastRedisErrorLog < 5000) return;
    lastRedisErrorLog = now;
    log.warn({ err: err instanceof Error ? err.message : String(err), context }, "redis unavailable");
  };
  redis.on("error", (err) => logRedisError(err, "connection"));

  const noStore = () => ({ "cache-control": "no-store" });

  // Liveness: the process answers. No dependencies, so nothing outside the pod restarts it.
  http.get("/livez", (ex) => ex.json(200, { status: "ok" }, noStore()));

  // Readiness: this pod can serve. False only while draining (at once on SIGTERM); a Redis outage
  // does not count, since the limiter's fail mode decides the API's answer, fast, either way.
  http.get("/readyz", (ex) =>
    draining ? ex.json(503, { status: "draining" }, noStore()) : ex.json(200, { status: "ready" }, noStore()),
  );

  // The load balancers' target check through nginx: the same verdict as readiness (503 only while
  // draining), plus what the pod sees of Redis, for people and monitors ("degraded" is still 200).
  http.get("/health", async (ex) => {
    const base = { uptime: Math.round(process.uptime()), timestamp: new Date().toISOString(), instance: config.instanceId };
    if (draining) return ex.json(503, { status: "draining", redis: "unchecked", ...base }, noStore());
    try {
      await redis.ping();
      ex.json(200, { status: "ok", redis: "ok", ...base }, noStore());
    } catch (err) {
      logRedisError(err, "health");
      ex.json(200, { status: "degraded", redis: "error", rateLimiter: `fail-${config.rateLimit.fail}`, ...base }, noStore());
    }
  });

  const assets = loadStaticAssets(path.resolve(__dirname, "..", "static"));
  http.get("/static/:name", (ex) => {
    const asset = assets.get(ex.params.name ?? "");
    if (asset === undefined) return ex.json(404, { error: "not found", requestId: ex.id });
    // File names carry a version, so a given URL never changes content: cache for a year.
    const headers = { "cache-control": "public, max-age=31536000, immutable", etag: asset.etag, "content-type": asset.type };
    if (ex.req.headers["if-none-match"] === asset.etag) return ex.send(304, undefined, headers);
    ex.send(200, asset.body, headers);
  });

  /** Runs the rate limiter before `handler`; answers 429 (or 503 when failing closed) itself. */
  const rateLimited = (handler: Handler): Handler => {
    if (limiter === null) return handler;
    return async (ex: Exchange) => {
      const apiKey = ex.req.headers["x-api-key"];
      const identity = rateLimitIdentity(typeof apiKey === "string" ? apiKey : undefined, ex.clientIp);
      let decision: RateLimitDecision;
      try {
        decision = await limiter.check(identity);
      } catch (err) {
        logRedisError(err, "rate limit");
        if (config.rateLimit.fail === "open") return handler(ex);
        return ex.json(503, { error: "rate limiter unavailable", requestId: ex.id }, { "retry-after": "1", "cache-control": "no-store" });
      }
      ex.extraHeaders = rateLimitHeaders(decision, limiter.windowMs);
      if (!decision.allowed) return ex.json(429, { error: "too many requests", requestId: ex.id }, noStore());
      return handler(ex);
    };
  };

  http.get(
    "/api/hello",
    rateLimited((ex) => ex.json(200, { message: "hello", instance: config.instanceId, clientIp: ex.clientIp, requestId: ex.id })),
  );

  deps.extraRoutes?.(http);

  const websockets = attachWebSocket(server, {
    path: "/ws",
    heartbeatMs: config.wsHeartbeatMs,
    instanceId: config.instanceId,
    accepting: () => !draining,
  });

  const closeServer = async (): Promise<void> => {
    // server.close() only reaps sockets idle at that instant; a request that was in flight leaves
    // its keep-alive socket idle afterwards, so keep reaping until the server has closed.
    const reaper = setInterval(() => server.closeIdleConnections(), 50);
    const closed = new Promise<void>((resolve, reject) => {
      if (!server.listening) return resolve();
      server.close((err) => (err ? reject(err) : resolve()));
    });
    try {
      await Promise.all([closed, websockets.close()]);
    } finally {
      clearInterval(reaper);
    }
  };

  const closeRedis = async (): Promise<void> => {
    if (!ownsRedis) return;
    const quit = redis.quit().then(
      () => undefined,
      () => undefined,
    );
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
    await Promise.race([quit, timeout]);
    redis.disconnect();
  };

  return {
    server,
    log,
    redis,
    websockets,
    logs,
    get draining() {
      return draining;
    },
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("server has no TCP address");
      return address.port;
    },
    shutdown() {
      shutdownPromise ??= gracefulShutdown(
        {
          markDraining: () => {
            draining = true;
            log.info({ delayMs: config.shutdownDelayMs }, "draining: /readyz and /health now 503");
          },
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          closeServer: async () => {
            log.info("closing server: no new connections, finishing in-flight requests");
            await closeServer();
          },
          closeRedis: async () => {
            await closeRedis();
            log.info("shutdown complete");
          },
          flushLogs: () => logs.flush(),
        },
        config.shutdownDelayMs,
      );
      return shutdownPromise;
    },
  };
}
