import { CATCH_ALL, pathPattern, ROUTES, type RouteEntry } from "@edgestack/contract";
import { albRoutes, ORIGIN_SECRET_LENGTH, ORIGIN_VERIFY_HEADER } from "../../../infra/edge/origin-lock";

describe("origin lock settings", () => {
  it("fits an ALB header condition (at most 128 characters)", () => {
    expect(ORIGIN_SECRET_LENGTH).toBeGreaterThanOrEqual(32);
    expect(ORIGIN_SECRET_LENGTH).toBeLessThanOrEqual(128);
    expect(ORIGIN_VERIFY_HEADER).toMatch(/^X-[A-Za-z-]+$/);
  });

  it("routes the contract's entries with a priority before the catch-all, with unique priorities", () => {
    const routes = albRoutes();
    const withRule = ROUTES.filter((r) => r.albPriority !== null).sort((a, b) => a.albPriority! - b.albPriority!);
    expect(routes.map((r) => r.pathPatterns)).toEqual(withRule.map((r) => (r === CATCH_ALL ? undefined : [pathPattern(r)])));
    const priorities = routes.map((r) => r.priority);
    expect([...priorities].sort((a, b) => a - b)).toEqual(priorities);
    expect(new Set(priorities).size).toBe(priorities.length);
  });
});

describe("ALB rules from route methods", () => {
  const route = (over: Partial<RouteEntry>): RouteEntry => ({ key: "orders", match: "prefix", path: "/api/orders/", origin: "app", cache: "none", nginx: "proxy", albPriority: 11, methods: ["POST"], ...over });

  it("a route that takes POST gets a rule matching POST only, before the API's", () => {
    const rules = albRoutes([route({}), ...ROUTES]);
    expect(rules.find((r) => r.key === "orders")).toEqual({ key: "orders", priority: 11, pathPatterns: ["/api/orders/*"], methods: ["POST"] });
  });

  it("refuses what the ALB cannot enforce exactly, naming the route", () => {
    expect(() => albRoutes([route({ albPriority: null }), ...ROUTES])).toThrow(/route "orders" \(\/api\/orders\/\): takes POST but has no albPriority/);
    expect(() => albRoutes([route({ methods: ["GET", "HEAD", "POST", "PUT"] }), ...ROUTES])).toThrow(/route "orders" .*at most 3 methods/);
  });
});
