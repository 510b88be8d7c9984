/**
 * The real nginx over a generated list of paths, methods and protocol versions: no Location header
 * leaves the public origin (no scheme, host or port of nginx's own listener), every answer nginx
 * makes itself — errors and redirects — is the JSON format with the security headers, and nothing
 * but a 200/304 carries a long Cache-Control. Also: access-log lines stay UTF-8 JSON whatever bytes
 * a client sends, a PROXY listener's connections without a header write no error line each, and
 * the per-address limits key an IPv6 client by its /64 in any textual form.
 */
import { readFileSync } from "node:fs";
import { waitUntil } from "../../harness/wait";
import * as net from "node:net";
import * as path from "node:path";
import { ROUTES } from "@edgestack/contract";
import { NO_LIMITS, rawRequest, startBackend, startLocalNginx, type Backend, type LocalNginx } from "./support";

let backend: Backend;
let nginx: LocalNginx;
const SITE = "www.dev.edgestack.example.com";

beforeAll(async () => {
  backend = await startBackend("app1");
  nginx = await startLocalNginx([{ host: "127.0.0.1", port: backend.port }], { config: { ...NO_LIMITS, wsMaxConnectionsPerClient: 2 } });
});

afterAll(async () => {
  await nginx?.nginx.dispose();
  await backend?.kill();
});

const headerOf = (raw: string, name: string) => new RegExp(`\r\n${name}: ([^\r]*)\r\n`, "i").exec(raw.slice(0, raw.indexOf("\r\n\r\n") + 2))?.[1];
const statusOf = (raw: string) => Number(/^HTTP\/1\.[01] (\d{3}) /.exec(raw)?.[1] ?? NaN);
const bodyOf = (raw: string) => raw.slice(raw.indexOf("\r\n\r\n") + 4);

/** Paths a client would try next to the contract's own: each entry with and without its slash, dot segments, encodings. */
function generatedPaths(): string[] {
  const paths = new Set<string>(["/", "//", "/x", "/x/", "/api/hello", "/static/app.js", "/%2e%2e/", "/api/%2e%2e/static", "/a/../static", "/api/..", "/static/.", "/ws/", "/ws/x", "/health/", "/index.html", "/?q=1", "/api?x=1", "/static?x=1"]);
  for (const r of ROUTES) {
    const bare = r.path.replace(/\/$/, "");
    for (const p of [r.path, bare, `${bare}/`, `${bare}//`, `/${bare}`, `${bare}/x`, `${bare.toUpperCase()}`, `${bare}%2f`, `${bare}/..`, `${bare}/./`]) if (p.startsWith("/")) paths.add(p);
  }
  return [...paths];
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "PROPFIND"];

function send(port: number, request: string | Buffer, proxyHeader = ""): Promise<string> {
  return rawRequest(port, typeof request === "string" ? `${proxyHeader}${request}` : Buffer.concat([Buffer.from(proxyHeader), request]));
}

test("no Location leaves the public origin; every answer nginx makes is JSON with the security headers; only 200/304 are cached long", async () => {
  const problems: string[] = [];
  let nginxMade = 0;
  let checked = 0;
  const pp = "PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\n";
  const listeners = [
    { port: nginx.port, proxy: "" },
    { port: nginx.proxyProtocolPort, proxy: pp },
    { port: nginx.proxyProtocolHttpPort, proxy: pp },
  ];
  for (const { port, proxy } of listeners) {
    for (const p of generatedPaths()) {
      for (const method of METHODS) {
        for (const version of port === nginx.port ? ["HTTP/1.1", "HTTP/1.0"] : ["HTTP/1.1"]) {
          const raw = await send(port, `${method} ${p} ${version}\r\nHost: ${SITE}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, proxy);
          checked++;
          const status = statusOf(raw);
          const where = `${method} ${p} ${version} on :${port} -> ${status}`;
          const location = headerOf(raw, "Location");
          // The port-80 listener's own redirect goes to the site's https origin; anything else relative.
          if (location !== undefined && !location.startsWith("/") && !location.startsWith(`https://${SITE}/`)) problems.push(`${where}: Location ${location}`);
          if (location !== undefined && /^\/\//.test(location)) problems.push(`${where}: scheme-relative Location ${location}`);
          const cacheControl = headerOf(raw, "Cache-Control") ?? "";
          if (status !== 200 && status !== 304 && /max-age=[1-9]\d{3,}|immutable/.test(cacheControl)) problems.push(`${where}: Cache-Control ${cacheControl}`);
          if (headerOf(raw, "x-backend") !== undefined) continue; // the app's (here: the echo backend's) own answer
          nginxMade++;
          if (headerOf(raw, "Content-Type") !== "application/json") problems.push(`${where}: Content-Type ${headerOf(raw, "Content-Type")}`);
          if (headerOf(raw, "X-Content-Type-Options") !== "nosniff" || headerOf(raw, "X-Frame-Options") !== "DENY") problems.push(`${where}: security headers missing`);
          if (method !== "HEAD") {
            try {
              expect(JSON.parse(bodyOf(raw))).toMatchObject({ status });
            } catch {
              problems.push(`${where}: body ${JSON.stringify(bodyOf(raw).slice(0, 80))}`);
            }
          }
        }
      }
    }
  }
  expect(problems).toEqual([]);
  expect(checked).toBeGreaterThan(800);
  expect(nginxMade).toBeGreaterThan(500);
}, 240_000);

test("/static and /api without the slash are served like their prefix (the contract's entries own them), not redirected", async () => {
  for (const p of ["/static", "/api"]) {
    const raw = await send(nginx.port, `GET ${p} HTTP/1.1\r\nHost: ${SITE}\r\nConnection: close\r\n\r\n`);
    expect([statusOf(raw), headerOf(raw, "x-backend"), headerOf(raw, "Location")]).toEqual([200, "app1", undefined]);
  }
  // An error from the app under /static/ keeps the app's own Cache-Control, never the year-long one.
  const missing = await send(nginx.port, `GET /static/missing.js?status=404&cc=no-store HTTP/1.1\r\nHost: ${SITE}\r\nConnection: close\r\n\r\n`);
  expect([statusOf(missing), headerOf(missing, "Cache-Control")]).toEqual([404, "no-store"]);
});

test("nginx's own error answers, the redirects and 505 among them, are JSON with the security headers", async () => {
  const cases: [string | Buffer, number][] = [
    ["GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505],
    ["GET / HTTP/3.1\r\nHost: x\r\n\r\n", 505],
    ["GET / HTTP/1.1\r\n\r\n", 400],
    [`GET /${"a".repeat(70_000)} HTTP/1.1\r\nHost: ${SITE}\r\n\r\n`, 414],
    [`GET / HTTP/1.1\r\nHost: ${SITE}\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`, 400],
    [`GET / HTTP/1.1\r\nHost: ${SITE}\r\nTransfer-Encoding: gzip\r\n\r\n`, 501],
  ];
  for (const [request, status] of cases) {
    const raw = await send(nginx.port, request);
    expect(statusOf(raw)).toBe(status);
    expect(headerOf(raw, "Content-Type")).toBe("application/json");
    expect(headerOf(raw, "X-Frame-Options")).toBe("DENY");
    expect(JSON.parse(bodyOf(raw))).toMatchObject({ status });
  }
  const redirect = await send(nginx.proxyProtocolHttpPort, `GET /login HTTP/1.1\r\nHost: ${SITE}\r\nConnection: close\r\n\r\n`, "PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\n");
  expect([statusOf(redirect), headerOf(redirect, "Location"), headerOf(redirect, "Content-Type")]).toEqual([301, `https://${SITE}/login`, "application/json"]);
  expect(JSON.parse(bodyOf(redirect))).toMatchObject({ error: "moved permanently", status: 301 });
});

test("access-log lines are valid UTF-8 JSON whatever bytes the request line and headers carry", async () => {
  const bytes = (s: string) => Buffer.from(s, "latin1");
  const before = readFileSync(path.join(nginx.nginx.prefix, "access.log")).length;
  const hostile = [
    bytes(`GET /api/\xff\xfe\x80\xc3 HTTP/1.1\r\nHost: ${SITE}\r\nConnection: close\r\n\r\n`),
    bytes(`GET /caf\xc3\xa9/\xed\xa0\x80 HTTP/1.1\r\nHost: ${SITE}\r\nUser-Agent: ua\x80\x81\xf5\r\nReferer: http://x/\xc0\xaf\r\nConnection: close\r\n\r\n`),
    bytes(`GET / HTTP/1.1\r\nHost: \xe9vil.example\r\nConnection: close\r\n\r\n`),
    bytes(`GET /q HTTP/1.1\r\nHost: ${SITE}\r\nUser-Agent: "quoted\\" \x01\r\nConnection: close\r\n\r\n`),
  ];
  for (const request of hostile) await send(nginx.port, request);
  // nginx writes a request's line when the request ends, which may be just after the client has its answer.
  await waitUntil(() => readFileSync(path.join(nginx.nginx.prefix, "access.log")).subarray(before).toString("latin1").split("\n").filter(Boolean).length >= hostile.length);
  const lines = readFileSync(path.join(nginx.nginx.prefix, "access.log")).subarray(before).toString("latin1").split("\n").filter(Boolean);
  expect(lines.length).toBeGreaterThanOrEqual(hostile.length);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parsed = lines.map((l) => JSON.parse(decoder.decode(Buffer.from(l, "latin1"))) as Record<string, string>);
  // Valid UTF-8 is kept as sent; anything else is its valid prefix and a marker.
  expect(parsed.map((p) => p.uri)).toEqual(expect.arrayContaining(["/api/[not UTF-8]", "/café/[not UTF-8]"]));
  expect(parsed.map((p) => p.user_agent)).toContain("ua[not UTF-8]");
  expect(parsed.map((p) => p.referer)).toContain("http://x/[not UTF-8]");
  // A Host with such bytes is refused (400) before $host is set: its line is still UTF-8.
  expect(parsed.map((p) => p.status)).toContain("400");
});

test("connections without a PROXY header to a PROXY listener write no error-log line each", async () => {
  const count = () => nginx.nginx.readFile("error.log").split("\n").filter(Boolean).length;
  const before = count();
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      new Promise<void>((resolve) => {
        const s = net.connect(i % 2 ? nginx.proxyProtocolPort : nginx.proxyProtocolHttpPort, "127.0.0.1", () => s.end("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        s.on("close", () => resolve());
        s.on("error", () => resolve());
      }),
    ),
  );
  await new Promise((r) => setTimeout(r, 200));
  expect(count() - before).toBe(0);
  // The listeners still serve a request that carries its header.
  const ok = await send(nginx.proxyProtocolPort, `GET /api/x HTTP/1.1\r\nHost: ${SITE}\r\nConnection: close\r\n\r\n`, "PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\n");
  expect(statusOf(ok)).toBe(200);
});

describe("per-address WebSocket cap (wsMaxConnectionsPerClient 2), keyed after the real-IP step", () => {
  /** Opens /ws through the PROXY listener as `source`; resolves with the status and the open socket. */
  function upgrade(source: string): Promise<{ status: number; socket: net.Socket }> {
    const family = source.includes(":") ? "TCP6" : "TCP4";
    const dest = family === "TCP6" ? "::1" : "127.0.0.1";
    return new Promise((resolve, reject) => {
      const socket = net.connect(nginx.proxyProtocolPort, "127.0.0.1", () =>
        socket.write(
          `PROXY ${family} ${source} ${dest} 40000 443\r\nGET /ws HTTP/1.1\r\nHost: ${SITE}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        ),
      );
      let head = "";
      socket.on("data", (c: Buffer) => {
        head += c.toString("latin1");
        if (head.includes("\r\n\r\n")) resolve({ status: statusOf(head), socket });
      });
      socket.once("error", reject);
    });
  }

  test("an IPv6 client is one client per /64 in any textual form; another /64 and IPv4 clients have their own budget", async () => {
    const open: net.Socket[] = [];
    const status = async (source: string) => {
      const r = await upgrade(source);
      open.push(r.socket);
      return r.status;
    };
    try {
      expect(await status("2001:db8:1:2::a")).toBe(101);
      expect(await status("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(101);
      // Same /64, written other ways: refused.
      expect(await status("2001:db8:1:2:0:0:0:1")).toBe(429);
      expect(await status("2001:db8:1:2:1::")).toBe(429);
      // "::" inside the first four groups: 2001:db8:0:0/64.
      expect(await status("2001:db8::1")).toBe(101);
      expect(await status("2001:db8::1:2:3:4")).toBe(101);
      expect(await status("2001:db8:0:0:1::")).toBe(429);
      // 2001:db8:0:5/64 through "::" covering one group: its own budget.
      expect(await status("2001:db8::5:1:2:3:4")).toBe(101);
      expect(await status("2001:db8:1:3::1")).toBe(101);
      expect(await status("203.0.113.1")).toBe(101);
      expect(await status("203.0.113.1")).toBe(101);
      expect(await status("203.0.113.1")).toBe(429);
      expect(await status("203.0.113.2")).toBe(101);
    } finally {
      for (const s of open) s.destroy();
    }
  });
});
