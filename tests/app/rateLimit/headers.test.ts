import { rateLimitHeaders } from "../../../app/src/rateLimit/headers";

describe("rateLimitHeaders", () => {
  it("emits the draft RateLimit and RateLimit-Policy fields, no Retry-After when allowed", () => {
    expect(rateLimitHeaders({ allowed: true, limit: 100, remaining: 42, resetMs: 1001 }, 60000)).toEqual({
      "ratelimit-policy": '"default";q=100;w=60',
      ratelimit: '"default";r=42;t=2',
    });
  });

  it("adds Retry-After (rounded up, at least 1 s) on a denial", () => {
    expect(rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetMs: 4200 }, 10000)["retry-after"]).toBe("5");
    expect(rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetMs: 3 }, 10000)["retry-after"]).toBe("1");
  });
});
