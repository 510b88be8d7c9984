/**
 * Route methods through the real nginx in front of the real app: a route that takes POST is one
 * contract entry (here added to the table in one place) plus its handler in the app; nginx passes
 * exactly the route's methods and answers any other with 405 and the route's Allow.
 */
import * as http from "node:http";
import { Redis } from "ioredis";
import { ROUTES, type RouteEntry } from "@edgestack/contract";
import { loadConfig } from "../../../app/src/config";
import { createApp, type App } from "../../../app/src/server";
import { NO_LIMITS, startLocalNginx, type LocalNginx } from "./support";

/** The one entry a team adds: an API prefix that takes POST only. */
const ORDERS: RouteEntry = { key: "orders", match: "prefix", path: "/api/orders/", origin: "app", cache: "none", nginx: "proxy", albPriority: 11, methods: ["POST"] };
const ROUTES_WITH_ORDERS: readonly RouteEntry[] = [ORDERS, ...ROUTES];

let app: App;
let redis: Redis;
let nginx: LocalNginx;
const received: string[] = [];

beforeAll(async () => {
  redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  app = createApp(loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", SHUTDOWN_DELAY_MS: "0" }), {
    redis,
    limiter: null,
    // Its handler.
    extraRoutes: (h) =>
      h.on(["POST"], `${ORDERS.path}:id`, (ex) => {
        received.push(`${ex.req.method} ${ex.req.url}`);
        ex.json(201, { created: ex.params.id });
      }),
  });
  const port = await app.listen();
  nginx = await startLocalNginx([{ host: "127.0.0.1", port }], { config: NO_LIMITS, routes: ROUTES_WITH_ORDERS });
});

afterAll(async () => {
  await nginx?.nginx.dispose();
  await app?.shutdown();
  redis?.disconnect();
});

function request(method: string, path: string): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: nginx.port, path, method, headers: { host: "localhost", "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(method === "POST" || method === "PUT" ? "{}" : undefined);
  });
}

test("nginx passes POST on the new route to the app's handler", async () => {
  const answer = await request("POST", "/api/orders/42");
  expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({ status: 201, body: { created: "42" } });
  expect(received).toContain("POST /api/orders/42");
});

test("nginx refuses every other method on the new route with 405 and Allow: POST, never reaching the app", async () => {
  const before = received.length;
  for (const method of ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
    const answer = await request(method, "/api/orders/42");
    expect({ method, status: answer.status, allow: answer.allow }).toEqual({ method, status: 405, allow: "POST" });
  }
  expect(received.length).toBe(before);
});

test("the existing routes keep their own methods: /api/ takes them all, /health GET and HEAD only", async () => {
  // /api/ takes every method: POST reaches the app, which has only GET there (its own 405 and Allow).
  expect((await request("POST", "/api/hello")).status).toBe(405);
  expect((await request("POST", "/api/hello")).allow).toBe("GET, HEAD");
  expect((await request("GET", "/api/hello")).status).toBe(200);
  const health = await request("POST", "/health");
  expect({ status: health.status, allow: health.allow }).toEqual({ status: 405, allow: "GET, HEAD" });
});
