import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import * as path from "node:path";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import type { DestinationStream } from "pino";
import { clientIp, rateLimitIdentity } from "./clientIp";
import type { AppConfig } from "./config";
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
  extraRoutes?: (app: FastifyInstance) => void;
  /** Where log lines go instead of the buffered stdout destination (tests read them). */
  logDestination?: DestinationStream;
}

export interface App {
  readonly fastify: FastifyInstance;
  readonly redis: Redis;
  readonly websockets: WebSocketEndpoint;
  /** The buffered logger; flushSync() before any process.exit(). */
  readonly logs: AppLogger;
  readonly draining: boolean;
  /** Listens on config.host:config.port (0 = any) and resolves with the bound port. */
  listen(): Promise<number>;
  /** The graceful SIGTERM sequence: 503 on /health, delay, drain, close Redis, flush logs. Idempotent. */
  shutdown(): Promise<void>;
}

declare module "fastify" {
  interface FastifyRequest {
    clientIp: string;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a sane X-Request-ID from the proxy (nginx sets one), otherwise makes one. */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers["x-request-id"];
  return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

const kRequestId = Symbol("requestId");
type RawRequest = IncomingMessage & { [kRequestId]?: string };

/** JSON string literal of a value we put in an access-log line. */
const jsonString = (value: string): string => JSON.stringify(value);

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

  const ipOf = (request: FastifyRequest): string =>
    request.clientIp || (request.clientIp = clientIp(request.headers["x-forwarded-for"], request.socket.remoteAddress, config.trustProxyHops));

  const logs = createLogger(config, deps.logDestination);
  const accessLogOn = logs.logger.isLevelEnabled("info");
  const instanceJson = jsonString(config.instanceId);

  // One access-log line per request (Fastify's default is two), with the client IP we trust.
  // The line is formatted here and handed to the log destination directly: the same JSON pino
  // writes (level, time, instance, reqId, fields, msg), at a fraction of pino's per-call cost,
  // which showed up as the largest share of the app's per-request CPU after the socket write.
  class AccessLog extends LogController {
    override incomingRequest(): void {}
    override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
      const ms = Math.round(reply.elapsedTime * 100) / 100;
      if (error) {
        request.log.error({ method: request.method, url: request.url, status: reply.statusCode, ms, clientIp: ipOf(request), err: error }, "request failed");
        return;
      }
      if (!accessLogOn) return;
      // The request id (REQUEST_ID's characters or a UUID) and the method (an HTTP token, checked
      // by Node's parser) never need JSON escaping; the url and the forwarded address may.
      logs.writeLine(
        `{"level":30,"time":${Date.now()},"instance":${instanceJson},"reqId":"${request.id}","method":"${request.method}","url":${jsonString(request.url)},"status":${reply.statusCode},"ms":${ms},"clientIp":${jsonString(ipOf(request))},"msg":"request"}\n`,
      );
    }
  }

  const fastify = Fastify({
    // Typed as Fastify's base logger so FastifyInstance keeps its default generics.
    loggerInstance: logs.logger as FastifyBaseLogger,
    logController: new AccessLog(),
    // The id and the headers every response carries are set on the raw request/response before
    // Fastify sees them: cheaper than an onRequest hook on every request.
    serverFactory: (handler) =>
      createServer((req: RawRequest, res: ServerResponse) => {
        const id = requestId(req);
        req[kRequestId] = id;
        res.setHeader("x-request-id", id);
        res.setHeader("x-instance", config.instanceId);
        // Once draining, tell keep-alive clients not to reuse this connection.
        if (draining) res.setHeader("connection", "close");
        handler(req, res);
      }),
    genReqId: (req: RawRequest) => req[kRequestId] ?? requestId(req),
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Requests already on the wire when draining starts are served, not answered 503: the load
    // balancer has stopped sending by then, so whatever still arrives is in flight.
    return503OnClosing: false,
    forceCloseConnections: "idle",
    bodyLimit: 64 * 1024,
  });
  // Fastify leaves these to the factory when serverFactory is used.
  fastify.server.keepAliveTimeout = config.keepAliveTimeoutMs;
  fastify.server.headersTimeout = config.headersTimeoutMs;
  // Hold a request at most this long overall; must stay above headersTimeout (Node requirement).
  fastify.server.requestTimeout = Math.max(config.headersTimeoutMs + 1000, 120_000);
  fastify.decorateRequest("clientIp", "");

  // Redis outages are logged once per burst, not once per request.
  let lastRedisErrorLog = 0;
  const logRedisError = (err: unknown, context: string) => {
    const now = Date.now();
    if (now - lastRedisErrorLog < 5000) return;
    lastRedisErrorLog = now;
    fastify.log.warn({ err: err instanceof Error ? err.message : String(err), context }, "redis unavailable");
  };
  redis.on("error", (err) => logRedisError(err, "connection"));

  fastify.get("/livez", async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return { status: "ok" };
  });

  fastify.get("/health", async (_request, reply) => {
    reply.header("cache-control", "no-store");
    const base = { uptime: Math.round(process.uptime()), timestamp: new Date().toISOString(), instance: config.instanceId };
    if (draining) return reply.code(503).send({ status: "draining", redis: "unchecked", ...base });
    try {
      await redis.ping();
      return { status: "ok", redis: "ok", ...base };
    } catch (err) {
      logRedisError(err, "health");
      return reply.code(503).send({ status: "degraded", redis: "error", ...base });
    }
  });

  const assets = loadStaticAssets(path.resolve(__dirname, "..", "static"));
  fastify.get<{ Params: { name: string } }>("/static/:name", async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) return reply.code(404).send({ error: "not found" });
    // File names carry a version, so a given URL never changes content: cache for a year.
    reply.header("cache-control", "public, max-age=31536000, immutable").header("etag", asset.etag).type(asset.type);
    if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  });

  // Async onRequest hook: answering from it ends the request (`return reply` per Fastify docs).
  const limitHook = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (limiter === null) return undefined; // not registered then; narrows the type
    const apiKey = request.headers["x-api-key"];
    const identity = rateLimitIdentity(typeof apiKey === "string" ? apiKey : undefined, ipOf(request));
    let decision: RateLimitDecision;
    try {
      decision = await limiter.check(identity);
    } catch (err) {
      logRedisError(err, "rate limit");
      if (config.rateLimit.fail === "open") return undefined;
      return reply
        .code(503)
        .header("retry-after", "1")
        .header("cache-control", "no-store")
        .send({ error: "rate limiter unavailable", requestId: request.id });
    }
    reply.headers(rateLimitHeaders(decision, limiter.windowMs));
    if (!decision.allowed) {
      return reply.code(429).header("cache-control", "no-store").send({ error: "too many requests", requestId: request.id });
    }
    return undefined;
  };

  fastify.register(
    async (api) => {
      if (limiter !== null) api.addHook("onRequest", limitHook);
      api.get(
        "/hello",
        {
          schema: {
            response: {
              200: {
                type: "object",
                properties: {
                  message: { type: "string" },
                  instance: { type: "string" },
                  clientIp: { type: "string" },
                  requestId: { type: "string" },
                },
              },
            },
          },
        },
        async (request) => ({ message: "hello", instance: config.instanceId, clientIp: ipOf(request), requestId: request.id }),
      );
    },
    { prefix: "/api" },
  );

  deps.extraRoutes?.(fastify);

  const websockets = attachWebSocket(fastify.server, {
    path: "/ws",
    heartbeatMs: config.wsHeartbeatMs,
    instanceId: config.instanceId,
    accepting: () => !draining,
  });

  const closeServer = async (): Promise<void> => {
    // server.close() only reaps sockets idle at that instant; a request that was in flight leaves
    // its keep-alive socket idle afterwards, so keep reaping until the server has closed.
    const reaper = setInterval(() => fastify.server.closeIdleConnections(), 50);
    try {
      await Promise.all([fastify.close(), websockets.close()]);
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
    fastify,
    redis,
    websockets,
    logs,
    get draining() {
      return draining;
    },
    async listen() {
      await fastify.listen({ port: config.port, host: config.host });
      const address = fastify.server.address();
      if (address === null || typeof address === "string") throw new Error("server has no TCP address");
      return address.port;
    },
    shutdown() {
      shutdownPromise ??= gracefulShutdown(
        {
          markDraining: () => {
            draining = true;
            fastify.log.info({ delayMs: config.shutdownDelayMs }, "draining: /health now 503");
          },
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          closeServer: async () => {
            fastify.log.info("closing server: no new connections, finishing in-flight requests");
            await closeServer();
          },
          closeRedis: async () => {
            await closeRedis();
            fastify.log.info("shutdown complete");
          },
          flushLogs: () => logs.flush(),
        },
        config.shutdownDelayMs,
      );
      return shutdownPromise;
    },
  };
}
