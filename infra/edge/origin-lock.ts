import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { allowHeader, checkRoutes, HEADERS, HTTP_METHODS, pathPattern, ROUTES, sortedMethods, type HttpMethod, type RouteEntry } from "@edgestack/contract";

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
  /** The route's methods; undefined: every method (no method condition). */
  methods?: HttpMethod[];
}

/**
 * ALB quota: at most five condition values per rule. The origin header and the path pattern take
 * one each, which leaves three methods for a rule that does not take all seven.
 */
export const ALB_MAX_METHOD_VALUES = 3;
/** Priority of the rule that answers 405 to a request no forwarding rule takes (after every route rule). */
export const ALB_METHOD_NOT_ALLOWED_PRIORITY = 50_000;

/** Rule keys are part of the rules' resource names (`<alb>-route-<key>`): these keep existing names. */
const ALB_RULE_KEYS: Record<string, string> = { websocket: "ws", html: "default" };

/**
 * The contract's entries that have an ALB priority, lowest priority first; the catch-all entry is the
 * rule without a path condition. They all reach the same nginx target group today; separate rules
 * keep per-path routing (a dedicated WebSocket target group, say) a one-line change and show up per
 * path in metrics.
 */
export function albRoutes(routes: readonly RouteEntry[] = ROUTES): AlbRouteSpec[] {
  checkRoutes(routes);
  const last = routes[routes.length - 1]!;
  const problems: string[] = [];
  for (const r of routes) {
    const at = `route ${JSON.stringify(r.key)} (${r.path})`;
    // Without its own rule a route is forwarded by the catch-all's, with the catch-all's methods.
    if (r.albPriority === null && allowHeader(r.methods) !== allowHeader(last.methods)) {
      problems.push(`${at}: takes ${allowHeader(r.methods)} but has no albPriority, so the ALB's catch-all rule (${allowHeader(last.methods)}) decides its methods; give it an albPriority`);
    }
    if (r.albPriority !== null && r.methods.length < HTTP_METHODS.length && r.methods.length > ALB_MAX_METHOD_VALUES) {
      problems.push(`${at}: an ALB rule matches at most ${ALB_MAX_METHOD_VALUES} methods besides its header and path; list at most ${ALB_MAX_METHOD_VALUES} or all ${HTTP_METHODS.length}`);
    }
    if (r.albPriority !== null && r.albPriority >= ALB_METHOD_NOT_ALLOWED_PRIORITY) problems.push(`${at}: albPriority must be below ${ALB_METHOD_NOT_ALLOWED_PRIORITY}`);
  }
  if (problems.length > 0) throw new Error(`the ALB cannot enforce the route table:\n  ${problems.join("\n  ")}`);
  return routes
    .filter((r) => r.albPriority !== null)
    .map((r) => ({
      key: ALB_RULE_KEYS[r.key] ?? r.key,
      priority: r.albPriority!,
      ...(r === last ? {} : { pathPatterns: [pathPattern(r)] }),
      ...(r.methods.length === HTTP_METHODS.length ? {} : { methods: sortedMethods(r.methods) }),
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
