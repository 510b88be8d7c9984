/**
 * The app's route table (APP_ROUTES in @edgestack/contract) against the contract's entries, and
 * createApp registering exactly that table.
 */
import { Redis } from "ioredis";
import { APP_ROUTES, PORTS, ROUTES, requireRoute } from "@edgestack/contract";
import { loadConfig } from "../../app/src/config";
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

test("the app listens on the contract's port by default", () => {
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
