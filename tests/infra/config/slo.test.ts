import { ROUTES } from "@edgestack/contract";
import { parseStackConfig } from "../../../infra/config/schema";
import { latencyThresholdsMs, percentToRatio, ROUTES_WITHOUT_SLO, SLO_ROUTE_CLASSES, sloSpec } from "../../../infra/config/slo";
import { configProblems } from "../../harness/config";

const base = { "aws:region": "eu-west-1", "edgestack:domain": "example.com", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy" };

describe("the SLO spec in the stack config", () => {
  it("defaults to objectives a platform team accepts: 99.9% available, 99% of API requests under 300 ms, 30 days", () => {
    const spec = sloSpec(parseStackConfig(base, "dev"));
    expect(spec.windowDays).toBe(30);
    expect(spec.classes.map((c) => c.routeClass)).toEqual(["api", "site", "websocket"]);
    const api = spec.classes.find((c) => c.routeClass === "api")!;
    expect(api).toMatchObject({ availability: 0.999, latency: { thresholdMs: 300, target: 0.99 }, contractRoutes: ["api"] });
    for (const c of spec.classes) expect(c.availability).toBe(0.999);
    expect(latencyThresholdsMs(spec)).toEqual([300, 1000]);
  });

  it("reads every objective from its own key", () => {
    const spec = sloSpec(
      parseStackConfig(
        { ...base, "edgestack:sloWindowDays": "28", "edgestack:sloSiteAvailabilityPercent": "99.95", "edgestack:sloWebsocketLatencyMs": "250", "edgestack:sloApiLatencyPercent": "95.5" },
        "dev",
      ),
    );
    expect(spec.windowDays).toBe(28);
    expect(spec.classes[0].latency.target).toBe(0.955);
    expect(spec.classes[1].availability).toBe(0.9995);
    expect(spec.classes[2].latency.thresholdMs).toBe(250);
  });

  it("refuses bad objectives with an error naming the key and the value", () => {
    expect(configProblems({ ...base, "edgestack:sloApiAvailabilityPercent": "100" })).toEqual([expect.stringMatching(/^edgestack:sloApiAvailabilityPercent: "100" is not a percentage/)]);
    expect(configProblems({ ...base, "edgestack:sloSiteLatencyPercent": "0.99" })).toEqual([expect.stringMatching(/^edgestack:sloSiteLatencyPercent: "0.99" must be at least 50/)]);
    expect(configProblems({ ...base, "edgestack:sloWebsocketAvailabilityPercent": "99.9%" })[0]).toMatch(/^edgestack:sloWebsocketAvailabilityPercent: "99.9%" is not a percentage/);
    expect(configProblems({ ...base, "edgestack:sloApiAvailabilityPercent": "99.99999" })[0]).toMatch(/^edgestack:sloApiAvailabilityPercent: "99.99999" is not a percentage/);
    expect(configProblems({ ...base, "edgestack:sloApiLatencyMs": "0" })).toEqual(["edgestack:sloApiLatencyMs: 0 must be at least 1"]);
    expect(configProblems({ ...base, "edgestack:sloWindowDays": "365" })).toEqual(["edgestack:sloWindowDays: 365 must be at most 90"]);
    expect(configProblems({ ...base, "edgestack:sloWindowDays": "30d" })).toEqual(['edgestack:sloWindowDays: "30d" must be a whole number']);
  });

  it("puts every contract entry in exactly one route class or in the list of routes without an objective", () => {
    const classified = [...Object.values(SLO_ROUTE_CLASSES).flat(), ...ROUTES_WITHOUT_SLO];
    expect([...classified].sort()).toEqual(ROUTES.map((r) => r.key).sort());
    expect(new Set(classified).size).toBe(classified.length);
  });

  it("converts percentages exactly", () => {
    expect(percentToRatio("99.9")).toBe(0.999);
    expect(percentToRatio("99.95")).toBe(0.9995);
    expect(1 - percentToRatio("99.9")).toBeCloseTo(0.001, 12);
  });
});
