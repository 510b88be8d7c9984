import type { RouteKey } from "@edgestack/contract";
import type { StackConfig } from "./schema";

/**
 * The service level objectives of the stack, derived from its config (the `slo*` keys) and the HTTP
 * contract. Pure: the rule generator (./rules.ts), the local Prometheus and the app's histogram
 * buckets all read this one object.
 */

/** The SLO route classes and the contract entries each one covers. */
export const SLO_ROUTE_CLASSES = {
  api: ["api"],
  site: ["html", "static"],
  websocket: ["websocket"],
} as const satisfies Record<string, readonly RouteKey[]>;

export type SloRouteClass = keyof typeof SLO_ROUTE_CLASSES;

/**
 * Contract entries under no objective, on purpose: probes of the load balancers and the kubelet.
 * Every contract entry is in exactly one class or here (tests/infra/config/slo.test.ts).
 */
export const ROUTES_WITHOUT_SLO = ["health", "liveness", "readiness"] as const satisfies readonly RouteKey[];

export interface ClassObjectives {
  routeClass: SloRouteClass;
  /** The contract entries (the app's `contract` metric label values) of the class. */
  contractRoutes: readonly RouteKey[];
  /** Share of requests that must not be answered with a 5xx (0.999). */
  availability: number;
  latency: {
    /** Requests answered within this are good. */
    thresholdMs: number;
    /** Share of requests that must be good (0.99). */
    target: number;
  };
}

export interface SloSpec {
  windowDays: number;
  classes: ClassObjectives[];
}

/** "99.9" → 0.999, exactly as a decimal fraction (no 0.9990000000000001). */
export function percentToRatio(percent: string): number {
  return Number((Number(percent) / 100).toPrecision(12));
}

/** The `slo*` keys of the stack config. */
export type SloConfig = Pick<StackConfig, Extract<keyof StackConfig, `slo${string}`>>;

/** The SLO spec of a validated stack config. */
export function sloSpec(c: SloConfig): SloSpec {
  const of = (routeClass: SloRouteClass, availability: string, thresholdMs: number, latency: string): ClassObjectives => ({
    routeClass,
    contractRoutes: SLO_ROUTE_CLASSES[routeClass],
    availability: percentToRatio(availability),
    latency: { thresholdMs, target: percentToRatio(latency) },
  });
  return {
    windowDays: c.sloWindowDays,
    classes: [
      of("api", c.sloApiAvailabilityPercent, c.sloApiLatencyMs, c.sloApiLatencyPercent),
      of("site", c.sloSiteAvailabilityPercent, c.sloSiteLatencyMs, c.sloSiteLatencyPercent),
      of("websocket", c.sloWebsocketAvailabilityPercent, c.sloWebsocketLatencyMs, c.sloWebsocketLatencyPercent),
    ],
  };
}

/** The latency thresholds of a spec, distinct and ascending: the app's histograms must have these buckets. */
export function latencyThresholdsMs(spec: SloSpec): number[] {
  return [...new Set(spec.classes.map((c) => c.latency.thresholdMs))].sort((a, b) => a - b);
}
