/**
 * The app's route table and header names are a copy of its part of infra/contract.ts (the app's
 * build cannot import from outside app/): this test fails when the two disagree, and proves that
 * createApp registers exactly that table.
 */
import { Redis } from "ioredis";
import { HEADERS, PORTS, ROUTES, requireRoute, STATIC_CACHE_CONTROL } from "../../infra/contract";
import { loadConfig } from "../../app/src/config";
import { APP_HEADERS, APP_PORT, APP_ROUTES, STATIC_CACHE_CONTROL as APP_STATIC_CACHE_CONTROL } from "../../app/src/routes";
import { createApp } from "../../app/src/server";

/** A concrete request path for a find-my-way pattern (`/static/:name` → `/static/x`). */
const concrete = (pattern: string) => pattern.replace(/:[A-Za-z]+/g, "x");

test("every app route lies under the contract entry it names, with methods that entry lets through", () => {
  for (const [key, route] of Object.entries(APP_ROUTES)) {
    const entry = requireRoute(concrete(route.path), route.contract);
    for (const m of route.methods) expect({ key, method: m, allowed: (entry.methods as readonly string[]).includes(m) }).toEqual({ key, method: m, allowed: true });
  }
});

test("every contract entry the app's origin serves (all but the HTML catch-all) has an app route", () => {
  const served = new Set(Object.values(APP_ROUTES).map((r) => r.contract));
  for (const r of ROUTES.filter((x) => x.key !== "html")) expect({ entry: r.key, served: served.has(r.key) }).toEqual({ entry: r.key, served: true });
});

test("header names, port and the static Cache-Control match the contract", () => {
  expect(APP_HEADERS).toEqual({
    requestId: HEADERS.requestId.toLowerCase(),
    instance: HEADERS.instance.toLowerCase(),
    apiKey: HEADERS.apiKey.toLowerCase(),
    forwardedFor: HEADERS.forwardedFor.toLowerCase(),
    forwardedProto: HEADERS.forwardedProto.toLowerCase(),
  });
  expect(APP_PORT).toBe(PORTS.app);
  expect(APP_STATIC_CACHE_CONTROL).toBe(STATIC_CACHE_CONTROL);
  expect(loadConfig({}).port).toBe(PORTS.app);
});

test("createApp registers exactly the route table (the WebSocket is served on upgrade)", async () => {
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  const app = createApp(loadConfig({ LOG_LEVEL: "silent", SHUTDOWN_DELAY_MS: "0" }), { redis, limiter: null });
  try {
    const registered = app.http.routes;
    const expected = Object.entries(APP_ROUTES)
      .filter(([key]) => key !== "websocket")
      .flatMap(([, r]) => r.methods.map((method) => ({ method, path: r.path })));
    expect(registered).toEqual(expected);
  } finally {
    await app.shutdown();
    redis.disconnect();
  }
});
