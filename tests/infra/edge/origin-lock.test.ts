import { CATCH_ALL, pathPattern, ROUTES } from "@edgestack/contract";
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
