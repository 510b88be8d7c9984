/**
 * The rendered proxy behaviour, proven with the real nginx in front of loopback backends: client
 * address only from trusted peers (X-Forwarded-For and PROXY protocol), forwarding headers,
 * limit_req/limit_conn 429s (never on /health), WebSocket pass-through, response headers, the
 * https redirect listener, the status listener and upstream connection pooling.
 */
import * as http from "node:http";
import * as net from "node:net";
import { waitUntil } from "../../harness/wait";
import autocannon from "autocannon";
import { WebSocket } from "ws";
import { hstsValue } from "@edgestack/contract";
import { countBy, echoOf, get, NO_LIMITS, rawRequest, startBackend, startLocalNginx, timeWaitSockets, type Backend, type LocalNginx } from "./support";

let backend: Backend;
let trusted: LocalNginx;
let untrusted: LocalNginx;
let agent: http.Agent;

beforeAll(async () => {
  backend = await startBackend("app1");
  const upstreams = [{ host: "127.0.0.1" as const, port: backend.port }];
  [trusted, untrusted] = await Promise.all([
    startLocalNginx(upstreams, { config: NO_LIMITS }),
    // A trusted range that excludes 127.0.0.1: the test client is then an untrusted peer.
    startLocalNginx(upstreams, { config: NO_LIMITS, trustedCidrs: ["10.0.0.0/8"] }),
  ]);
  agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
});

afterAll(async () => {
  agent?.destroy();
  await Promise.all([trusted?.nginx.dispose(), untrusted?.nginx.dispose()]);
  await backend?.kill();
});

describe("client address", () => {
  test("from X-Forwarded-For when the peer is trusted, skipping trusted hops", async () => {
    const direct = echoOf(await get(agent, trusted.port, "/api/ip", { "X-Forwarded-For": "203.0.113.9" }));
    expect(direct.xRealIp).toBe("203.0.113.9");
    // The app gets exactly the verified address, nothing the client wrote.
    expect(direct.xForwardedFor).toBe("203.0.113.9");

    // Recursive: the trusted 127.0.0.1 hop is skipped; the first untrusted address from the right wins.
    const chained = echoOf(await get(agent, trusted.port, "/api/ip", { "X-Forwarded-For": "192.0.2.66, 198.51.100.1, 127.0.0.1" }));
    expect(chained.xRealIp).toBe("198.51.100.1");
  });

  test("a forged X-Forwarded-For from an untrusted peer is ignored", async () => {
    const echo = echoOf(await get(agent, untrusted.port, "/api/ip", { "X-Forwarded-For": "203.0.113.9" }));
    expect(echo.xRealIp).toBe("127.0.0.1");
    expect(echo.xForwardedFor).toBe("127.0.0.1");
  });

  const proxied = (path: string) =>
    `PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\nGET ${path} HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 192.0.2.1\r\nConnection: close\r\n\r\n`;

  test("from the PROXY protocol header on the TLS-terminated listener, with X-Forwarded-Proto https and HSTS", async () => {
    const answer = await rawRequest(trusted.proxyProtocolPort, proxied("/api/pp"));
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain(`\r\nStrict-Transport-Security: ${hstsValue()}\r\n`);
    const echo = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { xRealIp: string; xForwardedProto: string };
    expect(echo.xRealIp).toBe("203.0.113.7");
    expect(echo.xForwardedProto).toBe("https");
  });

  test("the PROXY header of an untrusted peer is not believed: the peer is refused (JSON 403) and never reaches the app", async () => {
    const answer = await rawRequest(untrusted.proxyProtocolPort, proxied("/api/pp"));
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer).not.toContain("x-backend");
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: "forbidden", status: 403 });
  });

  test("a connection without a PROXY header is refused on a proxy_protocol listener", async () => {
    const answer = await rawRequest(trusted.proxyProtocolPort, "GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
  });
});

describe("plain PROXY-protocol listener", () => {
  test("redirects to https with 301", async () => {
    const answer = await rawRequest(trusted.proxyProtocolHttpPort, `PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\nGET /api/a?b=1 HTTP/1.1\r\nHost: edge.dev.edgestack.example.com\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 301/);
    expect(answer).toMatch(/\r\nLocation: https:\/\/edge\.dev\.edgestack\.example\.com\/api\/a\?b=1\r\n/);
    expect(answer).not.toMatch(/Strict-Transport-Security/i);
    // `always`: non-2xx answers carry the security headers too.
    expect(answer).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/);
  });

  test("passes /health through to the app so load-balancer health checks succeed", async () => {
    const hits = backend.hits;
    const answer = await rawRequest(trusted.proxyProtocolHttpPort, `PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\nGET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(backend.hits).toBe(hits + 1);
  });
});

describe("forwarded headers and response headers", () => {
  test("X-Request-ID: a well-formed incoming id is kept, otherwise one is generated", async () => {
    expect(echoOf(await get(agent, trusted.port, "/api/r", { "X-Request-ID": "abc-123.x:y_z" })).xRequestId).toBe("abc-123.x:y_z");
    expect(echoOf(await get(agent, trusted.port, "/api/r")).xRequestId).toMatch(/^[0-9a-f]{32}$/);
    expect(echoOf(await get(agent, trusted.port, "/api/r", { "X-Request-ID": "<script>" })).xRequestId).toMatch(/^[0-9a-f]{32}$/);
  });

  test("the edge's ids (X-Amz-Cf-Id, X-Amzn-Trace-Id): logged and passed to the app when well-formed, dropped from both otherwise", async () => {
    const cfId = "B3vk0iTbvh8Rxw4bdWpm2w2pw4a-Q7dQHnpf39VxXWmOHZOFhA1Q6w==";
    const traceId = "Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678;Sampled=1";
    const good = echoOf(await get(agent, trusted.port, "/api/trace-good", { "X-Request-ID": "trace-good", "X-Amz-Cf-Id": cfId, "X-Amzn-Trace-Id": traceId }));
    expect([good.xAmzCfId, good.xAmznTraceId]).toEqual([cfId, traceId]);
    const hostile: [string, string][] = [
      ['x","status":"200', 'Root=1-67891233-abcdef012345678912345678","forged":"1'],
      ["short", "Root=1-6789-abc"],
      ["A".repeat(200), `Root=1-67891233-abcdef012345678912345678${";Parent=53995c3f42cd8ad8".repeat(5)}`],
      ["has spaces in the middle of it all", "Root=1-67891233-ABCDEF012345678912345678"],
    ];
    for (const [i, [cf, trace]] of hostile.entries()) {
      const echo = echoOf(await get(agent, trusted.port, `/api/trace-bad-${i}`, { "X-Amz-Cf-Id": cf, "X-Amzn-Trace-Id": trace }));
      expect([i, echo.xAmzCfId, echo.xAmznTraceId]).toEqual([i, null, null]);
    }
    // nginx writes a request's line when the request ends, which may be just after the client has its answer.
    await waitUntil(() => trusted.nginx.readFile("access.log").includes(`/api/trace-bad-${hostile.length - 1}`));
    const logged = trusted.nginx
      .readFile("access.log")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>)
      .filter((l) => l.uri.startsWith("/api/trace-"));
    expect(logged.find((l) => l.uri === "/api/trace-good")).toMatchObject({ request_id: "trace-good", cf_id: cfId, amzn_trace_id: traceId });
    const bad = logged.filter((l) => l.uri.startsWith("/api/trace-bad-"));
    expect(bad).toHaveLength(hostile.length);
    for (const l of bad) {
      expect([l.uri, l.cf_id, l.amzn_trace_id, l.status]).toEqual([l.uri, "", "", "200"]);
      expect(l).not.toHaveProperty("forged");
    }
  });

  test("the edge's ids are believed only from the HTTP load balancer: a client on a PROXY listener or an untrusted peer cannot plant them", async () => {
    const cfId = "Zm9yZ2VkLWJ5LXRoZS1jbGllbnQtbm90LWNsb3VkZnJvbnQtZWRnZQ==";
    const traceId = "Root=1-67891233-abcdef012345678912345678";
    const viaProxy = await rawRequest(
      trusted.proxyProtocolPort,
      `PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\nGET /api/trace-planted-pp HTTP/1.1\r\nHost: localhost\r\nX-Amz-Cf-Id: ${cfId}\r\nX-Amzn-Trace-Id: ${traceId}\r\nConnection: close\r\n\r\n`,
    );
    expect(viaProxy).toMatch(/^HTTP\/1\.1 200/);
    const echo = JSON.parse(viaProxy.slice(viaProxy.indexOf("\r\n\r\n") + 4)) as { xAmzCfId: string | null; xAmznTraceId: string | null };
    expect([echo.xAmzCfId, echo.xAmznTraceId]).toEqual([null, null]);
    const untrustedEcho = echoOf(await get(agent, untrusted.port, "/api/trace-planted-untrusted", { "X-Amz-Cf-Id": cfId, "X-Amzn-Trace-Id": traceId }));
    expect([untrustedEcho.xAmzCfId, untrustedEcho.xAmznTraceId]).toEqual([null, null]);
    const lineOf = async (nginx: LocalNginx, uri: string) => {
      await waitUntil(() => nginx.nginx.readFile("access.log").includes(uri));
      const line = nginx.nginx.readFile("access.log").trim().split("\n").map((l) => JSON.parse(l) as Record<string, string>).find((l) => l.uri === uri);
      return [line?.cf_id, line?.amzn_trace_id];
    };
    expect(await lineOf(trusted, "/api/trace-planted-pp")).toEqual(["", ""]);
    expect(await lineOf(untrusted, "/api/trace-planted-untrusted")).toEqual(["", ""]);
  });

  test("Host and X-Forwarded-Proto are passed on; only http/https is believed from the load balancer", async () => {
    const https = echoOf(await get(agent, trusted.port, "/api/p", { "X-Forwarded-Proto": "https", Host: "www.dev.edgestack.example.com" }));
    expect(https.xForwardedProto).toBe("https");
    expect(https.host).toBe("www.dev.edgestack.example.com");
    expect(echoOf(await get(agent, trusted.port, "/api/p", { "X-Forwarded-Proto": "javascript" })).xForwardedProto).toBe("http");
    expect(echoOf(await get(agent, trusted.port, "/api/p")).xForwardedProto).toBe("http");
  });

  test("security headers on every answer, HSTS only for https, no version in Server, X-Upstream locally", async () => {
    const plain = await get(agent, trusted.port, "/api/h");
    expect(plain.headers["x-content-type-options"]).toBe("nosniff");
    expect(plain.headers["x-frame-options"]).toBe("DENY");
    expect(plain.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
    expect(plain.headers.server).toBe("nginx");
    expect(plain.headers["x-upstream"]).toBe(`127.0.0.1:${backend.port}`);

    const secure = await get(agent, trusted.port, "/api/h", { "X-Forwarded-Proto": "https" });
    expect(secure.headers["strict-transport-security"]).toBe(hstsValue());
  });

  test("/static/ gets a year of caching, public and immutable, replacing the app's Cache-Control", async () => {
    const reply = await get(agent, trusted.port, "/static/app.3f2a.js");
    expect(reply.status).toBe(200);
    // One Cache-Control line (node would join two with ", ").
    expect(reply.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(reply.headers.expires).toBeUndefined();
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
  });

  test("/api/ responses keep the app's Cache-Control untouched", async () => {
    const reply = await get(agent, trusted.port, "/api/cc");
    expect(reply.headers["cache-control"]).toBe("private, max-age=7");
    expect(reply.headers.expires).toBeUndefined();
  });

  test("gzip compresses text answers when the client accepts it", async () => {
    const zipped = await get(agent, trusted.port, "/api/big", { "Accept-Encoding": "gzip" });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
    const plain = await get(agent, trusted.port, "/api/big");
    expect(plain.headers["content-encoding"]).toBeUndefined();
  });
});

describe("status listener", () => {
  test("stub_status and nginx liveness answer on loopback; anything else is 404", async () => {
    const status = await get(agent, trusted.statusPort, "/nginx_status");
    expect(status.status).toBe(200);
    expect(status.body).toMatch(/^Active connections: \d+/);
    const live = await get(agent, trusted.statusPort, "/nginx-health");
    expect(live.status).toBe(200);
    expect(live.body).toBe("ok\n");
    expect((await get(agent, trusted.statusPort, "/health")).status).toBe(404);
  });
});

describe("WebSocket", () => {
  test("upgrade passes through nginx and messages echo both ways", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${trusted.port}/ws`, { headers: { "X-Forwarded-For": "203.0.113.77" } });
    const messages: string[] = [];
    const got = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (messages.length >= n ? resolve() : undefined);
        ws.on("message", (data) => {
          messages.push(data.toString());
          check();
        });
        ws.once("error", reject);
        check();
      });
    const hello = got(1);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    await hello;
    // X-Real-IP set by nginx from the trusted X-Forwarded-For: the upgrade went through the proxy.
    expect(JSON.parse(messages[0])).toEqual({ hello: "app1", xRealIp: "203.0.113.77" });
    const echoed = got(2);
    ws.send("ping-123");
    await echoed;
    expect(messages[1]).toBe("ping-123");
    ws.close();
  });
});

describe("limits", () => {
  let limited: LocalNginx;
  beforeAll(async () => {
    limited = await startLocalNginx([{ host: "127.0.0.1", port: backend.port }], {
      config: { nginxRateLimitPerMinute: 60, nginxRateLimitBurst: 3, nginxConnLimitPerIp: 2 },
    });
  });
  afterAll(async () => {
    await limited?.nginx.dispose();
  });

  test("limit_req answers 429 beyond rate + burst, per real client address, never on /health", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get(agent, limited.port, `/api/limited/${i}`)).status);
    // 1 request at the rate plus a burst of 3 without delay; the rest within the same second are refused.
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(countBy(statuses).get(429)).toBeGreaterThanOrEqual(7);
    expect(countBy(statuses).get(200)! + countBy(statuses).get(429)!).toBe(12);

    // Another client (real address from trusted X-Forwarded-For) has its own budget.
    expect((await get(agent, limited.port, "/api/limited/other", { "X-Forwarded-For": "203.0.113.50" })).status).toBe(200);
    // Health checks are never limited.
    for (let i = 0; i < 20; i++) expect((await get(agent, limited.port, "/health")).status).toBe(200);
  });

  test("limit_conn answers 429 beyond the concurrent connections per client", async () => {
    const concurrentAgent = new http.Agent({ keepAlive: false, maxSockets: 10 });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 5 }, () => get(concurrentAgent, limited.port, `/api/slow?delay=400`, { "X-Forwarded-For": "203.0.113.100" }).then((r) => r.status)),
      );
      const counts = countBy(statuses);
      expect(counts.get(429) ?? 0).toBeGreaterThanOrEqual(1);
      expect(counts.get(200) ?? 0).toBeLessThanOrEqual(2);
    } finally {
      concurrentAgent.destroy();
    }
  });
});

describe("upstream connection pooling", () => {
  test("a burst of thousands of requests leaves few TIME_WAIT sockets to the backend with the pool, many without", async () => {
    const [pooledBackend, unpooledBackend] = await Promise.all([startBackend("pooled"), startBackend("unpooled")]);
    const [pooled, unpooled] = await Promise.all([
      startLocalNginx([{ host: "127.0.0.1", port: pooledBackend.port }], { config: NO_LIMITS }),
      startLocalNginx([{ host: "127.0.0.1", port: unpooledBackend.port }], { config: { ...NO_LIMITS, nginxUpstreamKeepaliveConnections: 0 } }),
    ]);
    try {
      expect(pooled.model.upstreams[0].keepalive).not.toBeNull();
      expect(unpooled.model.upstreams[0].keepalive).toBeNull();
      const requests = 2000;
      // autocannon keeps its client connections alive, so only nginx's upstream side differs.
      for (const target of [pooled, unpooled]) {
        const result = await autocannon({ url: `http://127.0.0.1:${target.port}/api/pool`, connections: 8, amount: requests });
        expect(result.errors).toBe(0);
        expect(result["2xx"]).toBe(requests);
      }
      expect(pooledBackend.hits).toBe(requests);
      expect(unpooledBackend.hits).toBe(requests);
      const pooledTimeWait = timeWaitSockets(pooledBackend.port);
      const unpooledTimeWait = timeWaitSockets(unpooledBackend.port);
      expect(unpooledTimeWait).toBeGreaterThanOrEqual(requests / 2);
      expect(pooledTimeWait).toBeLessThan(unpooledTimeWait * 0.1);
    } finally {
      await Promise.all([pooled.nginx.dispose(), unpooled.nginx.dispose()]);
      await Promise.all([pooledBackend.kill(), unpooledBackend.kill()]);
    }
  });
});

describe("client connections", () => {
  test("one client connection carries more requests than nginx's default 1000 (a load balancer's pool is not reopened, TLS handshake and all)", async () => {
    const requests = 1100;
    const socket = net.connect(trusted.port, "127.0.0.1");
    let received = "";
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".repeat(requests));
    // Each answer's status line (bodies are JSON: no status line inside one).
    const answers = () => received.match(/HTTP\/1\.1 200 OK\r\n/g)?.length ?? 0;
    await Promise.race([waitUntil(() => answers() >= requests, 20_000), closed]);
    socket.destroy();
    expect(answers()).toBe(requests);
    // nginx never announced a close: the connection stays open for more.
    expect(received).not.toMatch(/^Connection: close\r$/im);
  });
});
