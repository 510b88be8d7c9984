import { setTimeout as sleep } from "node:timers/promises";
import * as http from "node:http";
import autocannon from "autocannon";

/** Figures of one load run, the same shape for tests and the benchmark. */
export interface LoadResult {
  /** Requests written to the wire. */
  sent: number;
  /** Responses received (any status). */
  responses: number;
  /** Responses by status code, e.g. { "200": 1234 }. */
  statuses: Record<string, number>;
  /** Responses that were not 2xx/3xx. */
  failedResponses: number;
  /** Connection errors and timeouts (requests that got no response at all). */
  errors: number;
  timeouts: number;
  /** The first few request errors as "code: message" (why requests got no response). */
  errorSamples: string[];
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export interface LoadOptions {
  url: string;
  /** Concurrent keep-alive connections. Default 20. */
  connections?: number;
  /** Run length. Default 3000 ms. */
  durationMs?: number;
  /** Stop after this many requests instead of after durationMs (a run whose work does not depend on the machine's speed). */
  requests?: number;
  headers?: Record<string, string>;
  /** Runs while the load is on (e.g. kill a replica after a while); awaited before the result is returned. */
  during?: () => Promise<void>;
  /** Called with each response's status and one header (lower-case name), e.g. to see which upstream answered. */
  onResponse?: { header: string; listener: (status: number, value: string | undefined) => void };
}

/** A header from the parser's head: a flat [name, value, …] list or an object. */
function headerOf(headers: unknown, name: string): string | undefined {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    return undefined;
  }
  if (headers !== null && typeof headers === "object") {
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v);
  }
  return undefined;
}

/** Below nginx's client keepalive_requests (1000), so the load generator always closes first. */
export const RECONNECT_EVERY = 500;

/**
 * A bounded closed-loop load run with autocannon (keep-alive connections, one request in flight per
 * connection). `during` lets a test disturb the system mid-run; its promise is awaited too.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const durationMs = options.durationMs ?? 3000;
  const statuses: Record<string, number> = {};
  const loadOptions: autocannon.Options = {
    url: options.url,
    connections: options.connections ?? 20,
    ...(options.requests !== undefined ? { amount: options.requests } : { duration: durationMs / 1000 }),
    headers: options.headers,
    // Above nginx's retry budget, so a slow retried request is not counted as a client timeout.
    timeout: 30,
    // nginx ends a client's keep-alive connection after keepalive_requests (1000, its default)
    // with "Connection: close". autocannon ignores that header and writes its next request into
    // the closing connection: about one request per 50,000 then failed with ECONNRESET, a fault of
    // the load generator, not of the data plane. Reconnecting every RECONNECT_EVERY responses
    // makes it behave like a client that honours the header.
    reconnectRate: RECONNECT_EVERY,
    // Statuses are counted from the response heads: autocannon leaves the response that triggers
    // a reconnect out of its own statistics.
    setupClient: (client) => {
      // @types/autocannon types this event's argument as the header map; at run time it is the
      // parser's head (statusCode, headers, …).
      client.on("headers", ((head: { statusCode: number; headers?: unknown }) => {
        statuses[head.statusCode] = (statuses[head.statusCode] ?? 0) + 1;
        const watch = options.onResponse;
        if (watch !== undefined) watch.listener(head.statusCode, headerOf(head.headers, watch.header));
      }) as unknown as (headers: unknown) => void);
    },
  };
  const errorSamples: string[] = [];
  const run = new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(loadOptions, (err: unknown, result) => (err ? reject(err) : resolve(result)));
    instance.on("reqError", (err: NodeJS.ErrnoException) => {
      if (errorSamples.length < 10) errorSamples.push(`${err.code ?? "error"}: ${err.message}`);
    });
  });
  const [result] = await Promise.all([run, options.during?.()]);
  const responses = Object.values(statuses).reduce((a, b) => a + b, 0);
  const failedResponses = Object.entries(statuses)
    .filter(([code]) => !(Number(code) >= 200 && Number(code) < 400))
    .reduce((a, [, n]) => a + n, 0);
  return {
    sent: result.requests.sent,
    responses,
    statuses,
    failedResponses,
    errors: result.errors,
    timeouts: result.timeouts,
    errorSamples,
    durationSeconds: result.duration,
    requestsPerSecond: responses / result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One GET over `agent` (pass a keep-alive agent to reuse connections); never rejects on HTTP status. */
export function httpGet(url: string, options: { headers?: Record<string, string>; agent?: http.Agent; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: options.headers, agent: options.agent ?? false, timeout: options.timeoutMs ?? 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.once("error", reject);
    });
    req.once("timeout", () => req.destroy(new Error(`GET ${url}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.once("error", reject);
  });
}

/** Sends `total` GETs with `concurrency` workers over one keep-alive agent; returns every answer in completion order. */
export async function getMany(
  url: string,
  total: number,
  concurrency: number,
  options: { headers?: Record<string, string>; onAnswer?: (answer: HttpAnswer) => void } = {},
): Promise<HttpAnswer[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const answers: HttpAnswer[] = [];
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next += 1;
          const answer = await httpGet(url, { headers: options.headers, agent, timeoutMs: 30_000 });
          answers.push(answer);
          options.onAnswer?.(answer);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return answers;
}

/** Polls until `check` holds (or throws after timeoutMs with the last value described). */
export async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await sleep(100);
  }
}

/**
 * Limits that never trigger under a load run (the limiters still run: every request is checked
 * against Redis and counted by nginx's zones). nginx: 1,000,000 r/m (~16.7k r/s) per client with a
 * burst of 100,000 and 10,000 connections; app: 10^9 per 1 s window (a small sorted set per key).
 */
export const UNREACHABLE_LIMITS = {
  configOverrides: { nginxRateLimitPerMinute: 1_000_000, nginxRateLimitBurst: 100_000, nginxConnLimitPerIp: 10_000 },
  appEnv: { RATE_LIMIT_MAX: "1000000", RATE_LIMIT_WINDOW_MS: "1000" },
} as const;
