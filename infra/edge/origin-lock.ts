import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { HEADERS, pathPattern, ROUTES, type RouteEntry } from "@edgestack/contract";

/** The header CloudFront adds to every origin request; the ALB forwards only requests that carry it. */
export const ORIGIN_VERIFY_HEADER = HEADERS.originVerify;
/**
 * ALB header conditions match at most 128 characters and treat `*` and `?` as wildcards, so the
 * secret is long but within that, and alphanumeric only (`special: false`).
 */
export const ORIGIN_SECRET_LENGTH = 48;

export interface OriginVerifyHeader {
  name: string;
  /** A Pulumi secret. */
  value: pulumi.Output<string>;
}

/** The HTTPS listener's rules: each forwards to the nginx target group only when the header matches. */
export interface AlbRouteSpec {
  key: string;
  priority: number;
  /** undefined: every path (the catch-all rule). */
  pathPatterns?: string[];
}

/** Rule keys are part of the rules' resource names (`<alb>-route-<key>`): these keep existing names. */
const ALB_RULE_KEYS: Record<string, string> = { websocket: "ws", html: "default" };

/**
 * The contract's entries that have an ALB priority, lowest priority first; the catch-all entry is the
 * rule without a path condition. They all reach the same nginx target group today; separate rules
 * keep per-path routing (a dedicated WebSocket target group, say) a one-line change and show up per
 * path in metrics.
 */
export function albRoutes(routes: readonly RouteEntry[] = ROUTES): AlbRouteSpec[] {
  const last = routes[routes.length - 1];
  return routes
    .filter((r) => r.albPriority !== null)
    .map((r) => ({
      key: ALB_RULE_KEYS[r.key] ?? r.key,
      priority: r.albPriority!,
      ...(r === last ? {} : { pathPatterns: [pathPattern(r)] }),
    }))
    .sort((a, b) => a.priority - b.priority);
}

/**
 * The shared secret between CloudFront and the ALB. Random, generated once per stack, stored only as
 * a Pulumi secret (encrypted in state, "[secret]" in previews). Rotate with
 * `pulumi up --replace <urn of the RandomPassword>`: both sides update in the same run.
 */
export class OriginLock extends pulumi.ComponentResource {
  public readonly header: OriginVerifyHeader;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:edge:OriginLock", name, {}, opts);
    const password = new random.RandomPassword(`${name}-secret`, { length: ORIGIN_SECRET_LENGTH, special: false }, { parent: this });
    // `result` is secret already; wrapping keeps it so even if a later SDK change lost the flag.
    this.header = { name: ORIGIN_VERIFY_HEADER, value: pulumi.secret(password.result) };
    this.registerOutputs({});
  }
}
