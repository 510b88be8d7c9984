/**
 * WAFv2 web ACL effect: rules run in priority order and the first terminating action wins, so a protection
 * counts only if it blocks (no count override), covers every request (no scope-down), keys on something a client
 * can't choose, and no allow rule in front of it lets requests past it.
 * https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-processing-order.html
 */
import { coverage } from "./cidr";

export type WafStatement = Record<string, any>;
export interface WafRule {
  name?: string;
  priority?: number;
  action?: Record<string, unknown>;
  overrideAction?: Record<string, unknown>;
  statement?: WafStatement;
}

export interface WafContext {
  /** Addresses of an IP set, by any of its ids/ARNs/names; undefined when the set is not in the stack. */
  ipSetAddresses: (ref: string) => string[] | undefined;
  /** Rules of a rule group of the stack, by reference; undefined when not in the stack. */
  ruleGroupRules?: (ref: string) => WafRule[] | undefined;
}

export interface WafRequirements {
  /** Managed rule groups (vendor/name) that must enforce. */
  managedGroups: { vendor: string; name: string }[];
  /** Rules of those groups that may be overridden to count (e.g. the body-size rule for uploads). */
  countableRules: string[];
  /** Largest rate a rate-based rule may allow each client, in requests per 5 minutes whatever its evaluation window. */
  maxRateLimit: number;
}

/**
 * The most requests a rate-based statement lets each key send within 5 minutes: its limit counts over
 * evaluationWindowSec (60, 120, 300 or 600; 300 when unset), so the same limit over 60 s allows five times as much,
 * and a window longer than 5 minutes still lets a client send its whole limit inside 5 of them. NaN when unreadable.
 */
export function ratePerFiveMinutes(rate: { limit?: unknown; evaluationWindowSec?: unknown }): number {
  const limit = Number(rate.limit);
  const window = rate.evaluationWindowSec === undefined || rate.evaluationWindowSec === null ? 300 : Number(rate.evaluationWindowSec);
  if (!Number.isFinite(limit) || !Number.isFinite(window) || window <= 0) return Number.NaN;
  return (limit * 300) / Math.min(window, 300);
}

const terminating = (a: Record<string, unknown> | undefined) => (a?.block !== undefined ? "block" : a?.allow !== undefined ? "allow" : a?.captcha !== undefined ? "captcha" : a?.challenge !== undefined ? "challenge" : a?.count !== undefined ? "count" : undefined);

/** The most addresses an IP set may hold for a statement on it to count as matching a narrow, fixed set of sources. */
export const ALLOWLIST_BOUND = { maxV4Prefix: 16, maxV6Prefix: 48 } as const;

/**
 * How broadly a statement matches, from a client's point of view: "narrow" (only a small fixed set of source
 * addresses), "client" (anything the client controls: headers, paths, bodies, a forwarded-IP header, a country),
 * or "unknown" (a reference the stack doesn't declare).
 */
export function matchScope(st: WafStatement | undefined, ctx: WafContext): { scope: "narrow" | "client" | "unknown"; why: string } {
  if (!st || typeof st !== "object") return { scope: "client", why: "an empty statement" };
  if (st.ipSetReferenceStatement) {
    const ref = String(st.ipSetReferenceStatement.arn ?? "");
    if (st.ipSetReferenceStatement.ipSetForwardedIpConfig) return { scope: "client", why: `IP set ${ref} matched on a forwarded-IP header the client can set` };
    const addrs = ctx.ipSetAddresses(ref);
    if (addrs === undefined) return { scope: "unknown", why: `IP set ${ref} is not declared in the stack, so what it admits can't be checked` };
    // An allow exempts its sources from every later rule: a set is narrow only while it names a few networks (at most
    // a /16 of IPv4 or a /48 of IPv6 in all), not a provider's /8 that any tenant of that cloud rents addresses in.
    const c = coverage(addrs, [], ALLOWLIST_BOUND);
    return c.broad ? { scope: "client", why: `IP set ${ref} holds ${addrs.join(", ")} (more than a /${ALLOWLIST_BOUND.maxV4Prefix} of IPv4 or a /${ALLOWLIST_BOUND.maxV6Prefix} of IPv6: anyone renting addresses there)` } : { scope: "narrow", why: `IP set ${ref}` };
  }
  if (st.andStatement) {
    const parts = ((st.andStatement.statements ?? []) as WafStatement[]).map((s) => matchScope(s, ctx));
    const narrow = parts.find((p) => p.scope === "narrow");
    return narrow ?? parts.find((p) => p.scope === "unknown") ?? { scope: "client", why: parts.map((p) => p.why).join(" and ") };
  }
  if (st.orStatement) {
    const parts = ((st.orStatement.statements ?? []) as WafStatement[]).map((s) => matchScope(s, ctx));
    return parts.find((p) => p.scope === "client") ?? parts.find((p) => p.scope === "unknown") ?? { scope: "narrow", why: parts.map((p) => p.why).join(" or ") };
  }
  if (st.notStatement) return { scope: "client", why: "a NOT statement (matches everything but what it names)" };
  if (st.geoMatchStatement) return { scope: "client", why: `a country match (${(st.geoMatchStatement.countryCodes ?? []).join(", ")})` };
  const kind = Object.keys(st).find((k) => st[k] !== undefined) ?? "statement";
  return { scope: "client", why: `a ${kind.replace(/Statement$/, "")} match on what the client sends` };
}

/** Why a rate-based statement does not limit each client (undefined when it does). */
export function rateKeyProblem(rate: WafStatement): string | undefined {
  const key = String(rate.aggregateKeyType ?? "IP");
  if (key === "IP") return undefined;
  if (key === "FORWARDED_IP") return `aggregates on a forwarded-IP header (${rate.forwardedIpConfig?.headerName ?? "the forwarded-for header"}), which a client sets to anything`;
  if (key === "CONSTANT") return "aggregates every request under one key (a global limit, not per client)";
  if (key === "CUSTOM_KEYS") {
    const keys = (rate.customKeys ?? []) as Record<string, unknown>[];
    const kinds = keys.flatMap((k) => Object.keys(k).filter((x) => k[x] !== undefined));
    if (kinds.length > 0 && kinds.every((k) => k === "ip")) return undefined;
    if (kinds.includes("ip")) return `aggregates on the IP together with ${kinds.filter((k) => k !== "ip").join(", ")}, which a client varies to get a fresh budget`;
    return `aggregates on ${kinds.join(", ") || "no key"}, which a client controls`;
  }
  return `aggregates on ${key}`;
}

/** What the web ACL fails to enforce, in words (empty: every required protection applies to every request). */
export function webAclEffectProblems(rules: WafRule[], req: WafRequirements, ctx: WafContext): string[] {
  const problems: string[] = [];
  const ordered = [...rules].sort((a, b) => Number(a?.priority ?? 0) - Number(b?.priority ?? 0));
  const position = new Map<WafRule, number>(ordered.map((r, i) => [r, i]));

  // Allow rules (their own, or inside a referenced rule group) that end evaluation for client-chosen requests.
  const bypasses: { at: number; why: string }[] = [];
  ordered.forEach((r, i) => {
    const st = r?.statement ?? {};
    if (terminating(r?.action) === "allow") {
      const m = matchScope(st, ctx);
      if (m.scope !== "narrow") bypasses.push({ at: i, why: `rule "${r.name}" (priority ${r.priority}) allows ${m.why}` });
    }
    if (st.ruleGroupReferenceStatement && terminating(r?.overrideAction) !== "count") {
      const inner = ctx.ruleGroupRules?.(String(st.ruleGroupReferenceStatement.arn ?? ""));
      if (inner === undefined) bypasses.push({ at: i, why: `rule "${r.name}" runs rule group ${st.ruleGroupReferenceStatement.arn}, which is not declared in the stack (its allow rules can't be checked)` });
      for (const g of inner ?? []) {
        if (terminating(g?.action) !== "allow") continue;
        const m = matchScope(g.statement, ctx);
        if (m.scope !== "narrow") bypasses.push({ at: i, why: `rule group rule "${g.name}" (in "${r.name}", priority ${r.priority}) allows ${m.why}` });
      }
    }
  });
  const bypassBefore = (i: number) => bypasses.filter((b) => b.at < i).map((b) => b.why);

  for (const g of req.managedGroups) {
    const found = ordered.filter((r) => r?.statement?.managedRuleGroupStatement?.name === g.name && r.statement?.managedRuleGroupStatement?.vendorName === g.vendor);
    if (found.length === 0) {
      problems.push(`no rule runs the ${g.vendor} managed ${g.name}`);
      continue;
    }
    const why = (r: WafRule): string[] => {
      const m = r.statement?.managedRuleGroupStatement ?? {};
      const out: string[] = [];
      if (terminating(r.overrideAction) === "count") out.push(`${g.name} runs in count mode (overrideAction count)`);
      if (m.scopeDownStatement) out.push(`${g.name} has a scope-down statement, so it inspects only some requests`);
      const overridden = [
        ...((m.ruleActionOverrides ?? []) as { name?: string; actionToUse?: Record<string, unknown> }[]).filter((o) => ["count", "allow"].includes(terminating(o?.actionToUse) ?? "")).map((o) => String(o.name)),
        ...((m.excludedRules ?? []) as { name?: string }[]).map((o) => String(o?.name)),
      ].filter((n) => !req.countableRules.includes(n));
      if (overridden.length > 0) out.push(`${g.name} overrides ${overridden.join(", ")} to count/allow (only ${req.countableRules.join(", ") || "none"} may be)`);
      const before = bypassBefore(position.get(r) ?? 0);
      if (before.length > 0) out.push(`requests reach ${g.name} only after ${before.join("; ")}`);
      return out;
    };
    const verdicts = found.map(why);
    if (verdicts.every((v) => v.length > 0)) problems.push(...verdicts[0]);
  }

  const rates = ordered.filter((r) => r?.statement?.rateBasedStatement !== undefined);
  if (rates.length === 0) problems.push("no rate-based rule");
  else {
    const why = (r: WafRule): string[] => {
      const rate = r.statement?.rateBasedStatement ?? {};
      const out: string[] = [];
      const action = terminating(r.action);
      if (!["block", "captcha", "challenge"].includes(action ?? "")) out.push(`rate rule "${r.name}" only ${action ?? "has no action"} (it must block, captcha or challenge)`);
      const perFive = ratePerFiveMinutes(rate);
      const window = rate.evaluationWindowSec ?? 300;
      if (!Number.isFinite(perFive) || perFive > req.maxRateLimit) out.push(`rate rule "${r.name}" allows ${rate.limit} requests per ${window} s window${Number.isFinite(perFive) && String(window) !== "300" ? ` (${Math.round(perFive)} per 5 minutes)` : ""} (at most ${req.maxRateLimit} per 5 minutes)`);
      if (rate.scopeDownStatement) out.push(`rate rule "${r.name}" has a scope-down statement, so floods elsewhere pass`);
      const key = rateKeyProblem(rate);
      if (key) out.push(`rate rule "${r.name}" ${key}`);
      const before = bypassBefore(position.get(r) ?? 0);
      if (before.length > 0) out.push(`requests reach rate rule "${r.name}" only after ${before.join("; ")}`);
      return out;
    };
    const verdicts = rates.map(why);
    if (verdicts.every((v) => v.length > 0)) problems.push(...verdicts[0]);
  }
  return problems;
}
