import type { AddressInfo } from "node:net";
import fc from "fast-check";
import pino from "pino";
import type { AccessLogMode } from "../../../app/src/config";
import { TrustedProxies } from "../../../app/src/clientIp";
import { errorJson, HttpServer, jsonString } from "../../../app/src/http/httpServer";
import type { RouteLabels } from "../../../app/src/metrics";

/** A server with a few routes, its log lines (pino + access log) collected in `lines`. */
async function start(draining = false, accessLog: AccessLogMode = "all") {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
  const http = new HttpServer({
    instanceId: "unit-1",
    trustedProxies: new TrustedProxies(["127.0.0.1/32"]),
    logger,
    writeAccessLine: (line) => void lines.push(line),
    accessLog,
    slowRequestMs: 100,
    isDraining: () => draining,
  });
  http.get("/ok", (ex) => ex.json(200, { ok: true, ip: ex.clientIp }));
  http.get("/items/:id", (ex) => ex.json(200, { id: ex.params.id }));
  http.get("/throws", () => {
    throw new Error("boom");
  });
  http.get("/rejects", async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error("late boom");
  });
  http.get("/slow", async (ex) => {
    await new Promise((r) => setTimeout(r, 150));
    ex.json(200, { slow: true });
  });
  http.get("/twice", (ex) => {
    ex.json(200, { first: true });
    ex.json(200, { second: true });
  });
  await new Promise<void>((resolve) => http.server.listen(0, "127.0.0.1", resolve));
  servers.push(http);
  const base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { base, parsed };
}

const servers: HttpServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.server.close(resolve))));
});

describe("HttpServer", () => {
  it("answers with the id and instance headers, a content length, and one access-log line", async () => {
    const { base, parsed } = await start();
    const res = await fetch(`${base}/ok?x=1`, { headers: { "x-request-id": "abc-1", "x-forwarded-for": "198.51.100.4" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("abc-1");
    expect(res.headers.get("x-instance")).toBe("unit-1");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = await res.text();
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
    expect(JSON.parse(body)).toEqual({ ok: true, ip: "198.51.100.4" });
    expect(parsed()).toEqual([expect.objectContaining({ msg: "request", reqId: "abc-1", url: "/ok?x=1", status: 200, clientIp: "198.51.100.4" })]);
  });

  it("logs the edge's ids (CloudFront's X-Amz-Cf-Id, the ALB's X-Amzn-Trace-Id) only when well-formed", async () => {
    const { base, parsed } = await start();
    const cfId = "B3vk0iTbvh8Rxw4bdWpm2w2pw4a-Q7dQHnpf39VxXWmOHZOFhA1Q6w==";
    const traceId = "Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678;Sampled=1";
    await fetch(`${base}/ok`, { headers: { "x-request-id": "good", "x-amz-cf-id": cfId, "x-amzn-trace-id": traceId } });
    const hostile = [
      ['bad","admin":true,"x":"', 'Root=1-67891233-abcdef012345678912345678","forged":"1'],
      ["short", "Root=1-6789-abc"],
      ["a".repeat(200), `Root=1-67891233-abcdef012345678912345678${";Parent=53995c3f42cd8ad8".repeat(5)}`],
    ];
    for (const [cf, trace] of hostile) await fetch(`${base}/ok`, { headers: { "x-request-id": "bad", "x-amz-cf-id": cf, "x-amzn-trace-id": trace } });
    const logged = parsed();
    expect(logged[0]).toMatchObject({ reqId: "good", cf_id: cfId, amzn_trace_id: traceId });
    expect(logged).toHaveLength(1 + hostile.length);
    for (const line of logged.slice(1)) {
      expect(line).toMatchObject({ reqId: "bad", msg: "request" });
      expect(line).not.toHaveProperty("cf_id");
      expect(line).not.toHaveProperty("amzn_trace_id");
      expect(line).not.toHaveProperty("admin");
      expect(line).not.toHaveProperty("forged");
    }
  });

  it("makes a request id when the incoming one is missing or not sane", async () => {
    const { base } = await start();
    const made = (await fetch(`${base}/ok`, { headers: { "x-request-id": "bad id with spaces" } })).headers.get("x-request-id");
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("routes parameters, ignores a trailing slash, answers unknown routes 404 and other methods 405 with Allow", async () => {
    const { base } = await start();
    expect(await (await fetch(`${base}/items/42/`)).json()).toEqual({ id: "42" });
    const missing = await fetch(`${base}/nope`, { headers: { "x-request-id": "r-404" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "not found", requestId: "r-404" });
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const refused = await fetch(`${base}/ok`, { method, body: method === "OPTIONS" || method === "DELETE" ? undefined : "x" });
      expect([method, refused.status, refused.headers.get("allow")]).toEqual([method, 405, "GET, HEAD"]);
      expect(await refused.json()).toMatchObject({ error: "method not allowed" });
    }
    // An unknown path stays 404 whatever the method.
    expect((await fetch(`${base}/nope`, { method: "POST", body: "x" })).status).toBe(404);
  });

  it("answers HEAD with the GET route's headers and no body", async () => {
    const { base } = await start();
    const res = await fetch(`${base}/ok`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(0);
    expect(await res.text()).toBe("");
  });

  it("answers a malformed percent-encoding with 400, not 404", async () => {
    const { base } = await start();
    expect((await fetch(`${base}/items/%E0%A4%A`)).status).toBe(400);
  });

  it("turns a handler's exception or rejection into a logged 500 carrying the request id", async () => {
    const { base, parsed } = await start();
    for (const path of ["/throws", "/rejects"]) {
      const res = await fetch(`${base}${path}`, { headers: { "x-request-id": `id${path.replace("/", "-")}` } });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: "internal error", requestId: `id${path.replace("/", "-")}` });
    }
    const errors = parsed().filter((l) => l.msg === "request failed");
    expect(errors.map((l) => [l.reqId, (l.err as { message: string }).message])).toEqual([
      ["id-throws", "boom"],
      ["id-rejects", "late boom"],
    ]);
  });

  it("refuses a second answer to the same request: the first stands and the mistake is logged", async () => {
    const { base, parsed } = await start();
    const res = await fetch(`${base}/twice`);
    expect(await res.json()).toEqual({ first: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(parsed().filter((l) => l.msg === "request failed")).toHaveLength(1);
  });

  it("logs only 5xx and slow responses in the errors mode, nothing when off", async () => {
    const errorsOnly = await start(false, "errors");
    for (const path of ["/ok", "/nope", "/throws", "/slow"]) await (await fetch(`${errorsOnly.base}${path}`)).arrayBuffer();
    const access = errorsOnly.parsed().filter((l) => l.msg === "request");
    expect(access.map((l) => [l.url, l.status])).toEqual([
      ["/throws", 500],
      ["/slow", 200],
    ]);
    expect(access[1]!.ms).toBeGreaterThanOrEqual(100);

    const off = await start(false, "off");
    for (const path of ["/ok", "/throws", "/slow"]) await (await fetch(`${off.base}${path}`)).arrayBuffer();
    // The handler failure is still logged as an error; no access lines.
    expect(off.parsed().map((l) => l.msg)).toEqual(["request failed"]);
  });

  it("says Connection: close while draining", async () => {
    const { base } = await start(true);
    const res = await fetch(`${base}/ok`);
    expect(res.headers.get("connection")).toBe("close");
  });

  it("routes a path spelled exactly like a static route as the router would (static before parametric; other spellings through the router)", async () => {
    const seen: [string, number, string][] = [];
    const http = new HttpServer({
      instanceId: "unit-1",
      trustedProxies: new TrustedProxies([]),
      logger: pino({ level: "silent" }),
      writeAccessLine: () => undefined,
      accessLog: "off",
      isDraining: () => false,
      observe: (labels: RouteLabels, _method, status) => void seen.push([labels.route, status, labels.contract]),
    });
    http.on(["GET"], "/items/:id", (ex) => ex.json(200, { id: ex.params.id }), { route: "/items/:id", contract: "items" });
    http.on(["GET"], "/items/special", (ex) => ex.json(200, { special: true, params: ex.params }), { route: "/items/special", contract: "special" });
    http.on(["POST"], "/submit", (ex) => ex.json(201, { posted: true }));
    await new Promise<void>((resolve) => http.server.listen(0, "127.0.0.1", resolve));
    servers.push(http);
    const base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
    const get = async (path: string, method = "GET") => {
      const res = await fetch(`${base}${path}`, { method });
      return [res.status, method === "HEAD" ? "" : await res.text()];
    };
    expect(await get("/items/special")).toEqual([200, '{"special":true,"params":{}}']);
    expect(await get("/items/special?x=1")).toEqual([200, '{"special":true,"params":{}}']);
    expect(await get("/items/special/")).toEqual([200, '{"special":true,"params":{}}']);
    expect(await get("/items/special", "HEAD")).toEqual([200, ""]);
    expect(await get("/items/42")).toEqual([200, '{"id":"42"}']);
    expect(await get("/items/speci%61l")).toEqual([200, '{"special":true,"params":{}}']);
    expect(await get("/items/special", "DELETE")).toEqual([405, expect.stringContaining('"error":"method not allowed"')]);
    expect(await get("/submit")).toEqual([405, expect.stringContaining('"error":"method not allowed"')]);
    expect(await get("/submit", "POST")).toEqual([201, '{"posted":true}']);
    // The metrics see the route's labels on every path to it.
    expect(seen.slice(0, 4)).toEqual(Array(4).fill(["/items/special", 200, "special"]));
    expect(seen[4]).toEqual(["/items/:id", 200, "items"]);
    expect(seen[6]).toEqual(["unmatched", 405, "none"]);
  });

  it("writes JSON string literals exactly as JSON.stringify does, for any text", () => {
    for (const text of ["", "10.0.0.1", "2001:db8::1", 'a"b', "a\\b", "\u0000\u001f\u007f", "caf\u00e9", "\ud800", "/path?x=<y>&z"]) {
      expect(jsonString(text)).toBe(JSON.stringify(text));
    }
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => jsonString(text) === JSON.stringify(text)),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (error, requestId) => errorJson(error, requestId) === JSON.stringify({ error, requestId })),
      { numRuns: 300 },
    );
  });
});
