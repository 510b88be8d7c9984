/**
 * HTML caching headers, proven with the real nginx in front of a loopback backend: the default
 * location adds `public, max-age, stale-while-revalidate, stale-if-error` only when the upstream
 * sent no Cache-Control, only on successful GET/HEAD answers; every other location is untouched.
 */
import * as http from "node:http";
import { htmlDefaultCacheControl } from "../../../infra/nginx";
import { freePort } from "../../../local/processes/ports";
import { get, NO_LIMITS, rawRequest, stackConfig, startBackend, startLocalNginx, type Backend, type LocalNginx, type Reply } from "./support";

const config = { ...stackConfig("dev"), ...NO_LIMITS, cdnHtmlDefaultTtlSeconds: 45, staleWhileRevalidateSeconds: 90 };
const DEFAULT = "public, max-age=45, stale-while-revalidate=90, stale-if-error=86400";

let backend: Backend;
let nginx: LocalNginx;
let deadUpstream: LocalNginx;
let agent: http.Agent;

beforeAll(async () => {
  backend = await startBackend("html");
  [nginx, deadUpstream] = await Promise.all([
    startLocalNginx([{ host: "127.0.0.1", port: backend.port }], { config }),
    // Nothing listens on this port: nginx answers 502 itself.
    freePort().then((port) => startLocalNginx([{ host: "127.0.0.1", port }], { config })),
  ]);
  agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
});

afterAll(async () => {
  agent?.destroy();
  await Promise.all([nginx?.nginx.dispose(), deadUpstream?.nginx.dispose()]);
  await backend?.kill();
});

function request(method: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: nginx.port, path, method, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Raw header lines named Cache-Control (a duplicate would show as two). */
const cacheControlLines = (raw: string) => raw.slice(0, raw.indexOf("\r\n\r\n")).split("\r\n").filter((l) => /^cache-control:/i.test(l));

test("the default is built from the config", () => {
  expect(htmlDefaultCacheControl(config)).toBe(DEFAULT);
});

describe("location / (HTML)", () => {
  test("an answer without Cache-Control gets the stale-while-revalidate default, exactly once", async () => {
    const reply = await get(agent, nginx.port, "/index.html");
    expect(reply.status).toBe(200);
    expect(reply.headers["cache-control"]).toBe(DEFAULT);
    const raw = await rawRequest(nginx.port, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    expect(cacheControlLines(raw)).toEqual([`Cache-Control: ${DEFAULT}`]);
    // The other response headers are still there (add_header lists the full set).
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
  });

  test("HEAD gets it too", async () => {
    const reply = await request("HEAD", "/about");
    expect(reply.status).toBe(200);
    expect(reply.headers["cache-control"]).toBe(DEFAULT);
  });

  test("the upstream's own Cache-Control passes through unchanged, once", async () => {
    for (const own of ["no-store", "private, max-age=5", "public, max-age=300, stale-while-revalidate=10"]) {
      const reply = await get(agent, nginx.port, `/page?cc=${encodeURIComponent(own)}`);
      expect(reply.headers["cache-control"]).toBe(own);
    }
    const raw = await rawRequest(nginx.port, "GET /page?cc=no-cache HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    expect(cacheControlLines(raw)).toEqual(["Cache-Control: no-cache"]);
  });

  test("errors get no default (CloudFront's short error caching applies); an upstream error's own Cache-Control is kept", async () => {
    const failed = await get(agent, nginx.port, "/page?status=503");
    expect(failed.status).toBe(503);
    expect(failed.headers["cache-control"]).toBeUndefined();
    const notFound = await get(agent, nginx.port, "/missing?status=404");
    expect(notFound.headers["cache-control"]).toBeUndefined();
    const own = await get(agent, nginx.port, "/page?status=503&cc=no-store");
    expect(own.headers["cache-control"]).toBe("no-store");
    // nginx's own 502 (no upstream answered).
    const badGateway = await get(agent, deadUpstream.port, "/");
    expect(badGateway.status).toBe(502);
    expect(badGateway.headers["cache-control"]).toBeUndefined();
  });

  test("a POST is refused by nginx (405) and gets no default", async () => {
    const reply = await request("POST", "/form");
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe("GET, HEAD");
    expect(reply.headers["cache-control"]).toBeUndefined();
  });

  test("the PROXY-protocol (NLB) listener's / behaves the same", async () => {
    const raw = await rawRequest(nginx.proxyProtocolPort, "PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\nGET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(cacheControlLines(raw)).toEqual([`Cache-Control: ${DEFAULT}`]);
  });
});

describe("other locations are untouched", () => {
  test("/api/: no Cache-Control added; the app's own kept", async () => {
    expect((await get(agent, nginx.port, "/api/x")).headers["cache-control"]).toBeUndefined();
    expect((await get(agent, nginx.port, "/api/x?cc=private")).headers["cache-control"]).toBe("private");
  });

  test("/health: no Cache-Control added", async () => {
    expect((await get(agent, nginx.port, "/health")).headers["cache-control"]).toBeUndefined();
  });

  test("/static/: still public, immutable for a year", async () => {
    const cacheControl = ([] as string[]).concat((await get(agent, nginx.port, "/static/a.1.js")).headers["cache-control"] ?? []).join(", ");
    expect(cacheControl).toBe("public, max-age=31536000, immutable");
  });
});
