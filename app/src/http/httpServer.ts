import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import FindMyWay from "find-my-way";
import type { Logger } from "pino";
import { clientIp, forwardedProto, type TrustedProxies } from "../clientIp";
import type { AccessLogMode } from "../config";
import { allowHeader, APP_HEADERS, HTTP_METHODS, TRACE_IDS, wellFormedTraceId, type AppMethod, type HttpMethod } from "@edgestack/contract";
import { UNMATCHED, type RouteLabels } from "../metrics";

/**
 * The app's HTTP layer: node:http with find-my-way (Fastify's router) and nothing in between.
 *
 * Why no framework: the API route must stay within 1.1× a bare node:http server's CPU per request (`npm run bench:http`)
 * while doing the per-request work (request id, client IP, logging), which leaves no room for a
 * framework's own cost. A handful of routes need no plugin system, body parsing or schemas; what
 * they need is here: routing, one way to answer (so every response carries the id and instance
 * headers and gets at most one access-log line), and a 500 for a handler that throws.
 */

export type Handler = (exchange: Exchange) => void | Promise<void>;

export interface HttpServerOptions {
  instanceId: string;
  /** Peers whose X-Forwarded-For / X-Forwarded-Proto are believed. */
  trustedProxies: TrustedProxies;
  logger: Logger;
  /** Appends one ready-made JSON line to the log stream. */
  writeAccessLine: (line: string) => void;
  /** all: a line per request; errors: only 5xx and responses slower than slowRequestMs; off. */
  accessLog: AccessLogMode;
  /** Default SLOW_REQUEST_MS. */
  slowRequestMs?: number;
  /** Per-request log lines share this budget (default: unbounded). */
  takeLogLine?: () => boolean;
  /** True once draining: responses then say `Connection: close`. */
  isDraining: () => boolean;
  /** Told of every answer (app/src/metrics.ts): the route's labels, never the raw path. */
  observe?: (labels: RouteLabels, method: string | undefined, status: number, seconds: number) => void;
}

/**
 * What every request reads from the contract and the metrics module, bound once: imports of
 * another module compile to property reads on its exports, and the contract's are getters
 * (re-exports), a call each time.
 */
const traceId = wellFormedTraceId;
const UNROUTED = UNMATCHED;
const REQUEST_ID = APP_HEADERS.requestId;
const INSTANCE = APP_HEADERS.instance;
const FORWARDED_FOR = APP_HEADERS.forwardedFor;
const FORWARDED_PROTO = APP_HEADERS.forwardedProto;
const CLOUDFRONT_ID = APP_HEADERS.cloudFrontId;
const AMZN_TRACE_ID = APP_HEADERS.amznTraceId;

/** Honours a sane X-Request-ID from the proxy (nginx sets one), otherwise makes one. */
export function requestId(req: IncomingMessage): string {
  return traceId("requestId", req.headers[REQUEST_ID]) ?? randomUUID();
}

const CF_ID_FIELD = `,"${TRACE_IDS.cloudFrontId.logField}":"`;
const AMZN_TRACE_ID_FIELD = `,"${TRACE_IDS.amznTraceId.logField}":"`;

/**
 * The edge's ids of a request (CloudFront's and the ALB's) as access-log fields, each only when
 * well-formed: the contract's patterns admit no character JSON would escape.
 */
export function edgeIdFields(req: IncomingMessage): string {
  const cf = traceId("cloudFrontId", req.headers[CLOUDFRONT_ID]);
  const trace = traceId("amznTraceId", req.headers[AMZN_TRACE_ID]);
  return (cf === undefined ? "" : `${CF_ID_FIELD}${cf}"`) + (trace === undefined ? "" : `${AMZN_TRACE_ID_FIELD}${trace}"`);
}

const JSON_TYPE = "application/json; charset=utf-8";

/** Characters a JSON string literal holds as themselves: printable ASCII except `"` and `\\`. */
const JSON_PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `value` as a JSON string literal, exactly as JSON.stringify writes it. The texts of a request's
 * answer (request ids, addresses) are plain ASCII, which needs no escaping: a pattern test and a
 * template cost a fraction of JSON.stringify's general path (an object body of five short strings
 * took ~2 µs on Node 20, its template ~0.4 µs).
 */
export function jsonString(value: string): string {
  return JSON_PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/** The body of every error answer: `{"error":…,"requestId":…}` (what JSON.stringify of that object gives). */
export function errorJson(error: string, requestId: string): string {
  return `{"error":${jsonString(error)},"requestId":${jsonString(requestId)}}`;
}
const NO_QUERY = Object.freeze({});
const NO_PARAMS: Readonly<Record<string, string | undefined>> = Object.freeze({});
/** A response that took longer than this is logged in the "errors" access-log mode too. */
export const SLOW_REQUEST_MS = 1000;

/** One request and its response. Handlers answer through json()/send(), exactly once. */
export class Exchange {
  /** Route parameters (`/static/:name` → params.name); none until routed (a shared empty object, not one per request). */
  params: Readonly<Record<string, string | undefined>> = NO_PARAMS;
  /** The matched route's template and contract entry (metrics labels); UNMATCHED until routed. */
  route: RouteLabels = UNROUTED;
  private ip: string | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly id: string,
    readonly startedAt: number,
    private readonly server: HttpServer,
  ) {}

  /** The client address, through trusted proxies only (computed once). */
  get clientIp(): string {
    return (this.ip ??= clientIp(this.req.headers[FORWARDED_FOR], this.req.socket.remoteAddress, this.server.options.trustedProxies));
  }

  /** The scheme the client used, through trusted proxies only. */
  get protocol(): "http" | "https" {
    const encrypted = (this.req.socket as { encrypted?: boolean }).encrypted === true;
    return forwardedProto(this.req.headers[FORWARDED_PROTO], this.req.socket.remoteAddress, this.server.options.trustedProxies, encrypted);
  }

  json(status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
    this.jsonText(status, JSON.stringify(value), headers);
  }

  /** Answers with JSON text already serialized (a constant body, or one built with jsonString). */
  jsonText(status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
    headers["content-type"] = JSON_TYPE;
    this.send(status, text, headers);
  }

  /** An error answer: `{"error":…,"requestId":…}` with this request's id. */
  error(status: number, error: string, headers: OutgoingHttpHeaders = {}): void {
    this.jsonText(status, errorJson(error, this.id), headers);
  }

  /** Writes the whole response in one go (a HEAD request gets the headers only: node drops the body). */
  send(status: number, body: string | Buffer | undefined, headers: OutgoingHttpHeaders = {}): void {
    if (this.res.headersSent) throw new Error(`request ${this.id} answered twice`);
    headers[REQUEST_ID] = this.id;
    headers[INSTANCE] = this.server.options.instanceId;
    // Once draining, tell keep-alive clients not to reuse this connection.
    if (this.server.options.isDraining()) headers.connection = "close";
    if (body !== undefined) headers["content-length"] = typeof body === "string" ? Buffer.byteLength(body) : body.length;
    // writeHead with every header at once: node's fast path (setHeader would validate each twice).
    this.res.writeHead(status, headers);
    this.res.end(body);
    const elapsedMs = performance.now() - this.startedAt;
    this.server.logAccess(this, status, elapsedMs);
    this.server.options.observe?.(this.route, this.req.method, status, elapsedMs / 1000);
  }
}

export class HttpServer {
  readonly server: Server;
  private readonly slowRequestMs: number;
  private readonly instanceJson: string;
  private readonly router = FindMyWay({
    ignoreTrailingSlash: true,
    // No route reads query parameters; skip parsing them on every request.
    querystringParser: () => NO_QUERY,
    // A malformed percent-encoding is the client's error, not a missing route. find() hands this
    // back as a route whose handler passes its first argument on, which for us is the exchange.
    onBadUrl: (_path, exchange) => (exchange as unknown as Exchange).json(400, { error: "bad url" }),
  });

  constructor(readonly options: HttpServerOptions) {
    this.slowRequestMs = options.slowRequestMs ?? SLOW_REQUEST_MS;
    this.instanceJson = JSON.stringify(options.instanceId);
    this.server = createServer((req, res) => this.handle(req, res));
  }

  private readonly table: { method: AppMethod; path: string }[] = [];
  /**
   * The routes without parameters by method and exact path. A request whose path (up to a `?`) is
   * one of them byte for byte gets what the router would give it (find-my-way prefers a static
   * route to a parametric one) without the router's walk; any other spelling (a trailing slash,
   * percent-encoding, `;`) goes through the router as before.
   */
  private readonly exact = new Map<string, Map<string, { handler: Handler; labels: RouteLabels }>>();

  /** Registers `handler` for each method on `path`; a GET route answers HEAD too. */
  on(methods: readonly AppMethod[], path: string, handler: Handler, labels: RouteLabels = { route: path, contract: "none" }): void {
    for (const method of methods) {
      this.router.on(method, path, handler as unknown as FindMyWay.Handler<FindMyWay.HTTPVersion.V1>, labels);
      this.table.push({ method, path });
      if (!/[:*]/.test(path)) {
        let paths = this.exact.get(method);
        if (paths === undefined) this.exact.set(method, (paths = new Map()));
        paths.set(path, { handler, labels });
      }
    }
  }

  /** Registers a GET (and HEAD) route. */
  get(path: string, handler: Handler): void {
    this.on(["GET"], path, handler);
  }

  /** The registered routes, in registration order. */
  get routes(): readonly { method: AppMethod; path: string }[] {
    return this.table;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const exchange = new Exchange(req, res, requestId(req), performance.now(), this);
    const method = req.method === "HEAD" ? "GET" : req.method!;
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const exact = this.exact.get(method)?.get(query === -1 ? url : url.slice(0, query));
    let handler: Handler;
    if (exact !== undefined) {
      handler = exact.handler;
      exchange.route = exact.labels;
    } else {
      // null for an unknown path or method (bad URLs come back as the onBadUrl route).
      const route = this.router.find(method as FindMyWay.HTTPMethod, url);
      if (route === null) {
        // A known path asked with another method: 405 with the methods it has (HEAD wherever GET is).
        const allowed = this.methodsAt(url);
        if (allowed.length > 0) {
          exchange.error(405, "method not allowed", { allow: allowHeader(allowed) });
          return;
        }
        exchange.error(404, "not found");
        return;
      }
      if (route.params !== undefined) exchange.params = route.params;
      if (route.store !== undefined && route.store !== null) exchange.route = route.store as RouteLabels;
      handler = route.handler as unknown as Handler;
    }
    try {
      const result = handler(exchange);
      if (result !== undefined) result.catch((err: unknown) => this.fail(exchange, err));
    } catch (err) {
      this.fail(exchange, err);
    }
  }

  /** The methods registered for the path of `url` (with HEAD where GET is); none for an unknown path. */
  private methodsAt(url: string): HttpMethod[] {
    const methods = HTTP_METHODS.filter((m) => m !== "HEAD" && this.router.find(m as FindMyWay.HTTPMethod, url) !== null);
    return methods.includes("GET") ? [...methods, "HEAD"] : methods;
  }

  /** A handler threw: 500 if nothing was sent yet, otherwise the connection is cut. */
  private fail(exchange: Exchange, err: unknown): void {
    const { req, res } = exchange;
    if (this.options.takeLogLine?.() !== false) this.options.logger.error({ reqId: exchange.id, method: req.method, url: req.url, clientIp: exchange.clientIp, err }, "request failed");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    exchange.error(500, "internal error");
  }

  /**
   * The access-log line of a response, with the client IP we trust: the same JSON pino writes
   * (level, time, instance, reqId, fields, msg), formatted here at a fraction of a pino call's cost.
   * The request id (TRACE_IDS.requestId's characters or a UUID), the edge ids (edgeIdFields) and the method (an HTTP token, checked by
   * node's parser) never need JSON escaping; the url and the forwarded address may.
   */
  logAccess(exchange: Exchange, status: number, elapsed: number): void {
    if (this.options.accessLog === "off") return;
    if (this.options.accessLog === "errors" && status < 500 && elapsed < this.slowRequestMs) return;
    const ms = Math.round(elapsed * 100) / 100;
    this.options.writeAccessLine(
      `{"level":30,"time":${Date.now()},"instance":${this.instanceJson},"reqId":"${exchange.id}","method":"${exchange.req.method}","url":${jsonString(exchange.req.url ?? "")},"status":${status},"ms":${ms},"clientIp":${jsonString(exchange.clientIp)}${edgeIdFields(exchange.req)},"msg":"request"}\n`,
    );
  }
}
