import type { Policies, PolicyResource } from "@pulumi/policy";
import type { lb, route53 } from "@pulumi/aws";
import { environmentConfig, isProd, list, num, obj, ofType, Props, refersTo, requireKnownInputs, stackRule, TYPES } from "./common";
import { cachePolicyIsSafeForApi, MANAGED_CACHE_POLICIES } from "./cloudfront";

type Record_ = Props<route53.RecordArgs>;
type HealthCheck_ = Props<route53.HealthCheckArgs>;
type LoadBalancer_ = Props<lb.LoadBalancerArgs>;

const HEALTH_CHECK = ["aws:route53/healthCheck:HealthCheck"];
/** CloudFront's alias zone: Route53 cannot evaluate a distribution's health (AWS refuses evaluateTargetHealth there). */
const CLOUDFRONT_ALIAS_ZONE = "Z2FDTNDATAQYW2";
/** Health-check types that request an endpoint (the others combine checks or read alarms). */
const ENDPOINT_CHECK = /^(HTTP|HTTPS|HTTP_STR_MATCH|HTTPS_STR_MATCH|TCP)$/;
const ADDRESS_TYPES = new Set(["A", "AAAA", "CNAME"]);

const norm = (n: unknown) =>
  String(n ?? "")
    .trim()
    .toLowerCase()
    .replace(/\.$/, "");
// Reads are direct: a value unknown in preview throws, and the runner reports that the rule could not run rather than a
// guess (a rule that skipped unknowns here could pass a plan it cannot see).
const props = <T>(r: PolicyResource) => r.props as T;
const failoverRole = (p: Record_) => String(obj(list(p.failoverRoutingPolicies)[0])?.type ?? "").toUpperCase();
const alias = (p: Record_) => obj(list(p.aliases)[0]);

/** What a name in the plan resolves to, as far as the plan shows: a distribution, a load balancer, or an unknown. */
interface Resolved {
  kind: "distribution" | "loadBalancer";
  resource: PolicyResource;
}

/** Resolves a DNS name through the plan: a distribution's domain or alias, a load balancer's name, or a record aliasing to one. */
export function resolver(resources: PolicyResource[]) {
  const distributions = ofType(resources, TYPES.distribution);
  const balancers = ofType(resources, TYPES.loadBalancer);
  const records = ofType(resources, TYPES.record);
  const direct = (name: string): Resolved | undefined => {
    const d = distributions.find((x) => norm(((x.props as Record<string, unknown>).domainName)) === name);
    if (d) return { kind: "distribution", resource: d };
    // A balancer's name follows its type (ELB names network and application balancers differently): reading the type
    // first means an unknown type stops the rule in preview rather than failing to match.
    const b = balancers.find((x) => (x.props as LoadBalancer_).loadBalancerType !== null && norm((x.props as Record<string, unknown>).dnsName) === name);
    if (b) return { kind: "loadBalancer", resource: b };
    return undefined;
  };
  return (name: string): Resolved[] => {
    const n = norm(name);
    const found = direct(n);
    if (found) return [found];
    const viaRecords = records
      .filter((r) => norm(((r.props as Record_).name)) === n)
      .map((r) => alias(props<Record_>(r)))
      .map((a) => (a ? direct(norm(a.name)) : undefined))
      .filter((x): x is Resolved => x !== undefined);
    // Names are generated from each resource's inputs: while any of them is unknown (preview), a name
    // that matches nothing may still be one of theirs; reading them raises the unknown-value error.
    if (viaRecords.length === 0) requireKnownInputs([...distributions, ...balancers]);
    return viaRecords;
  };
}

/**
 * The names the stack serves: its distributions' aliases and the names its ACM certificates cover (a wildcard covers
 * one label). A record of another name points clients at something the stack does not run.
 */
export function servedNames(resources: PolicyResource[]): string[] {
  const out: string[] = [];
  for (const d of ofType(resources, TYPES.distribution)) out.push(...list((d.props as { aliases?: unknown[] }).aliases).map(norm));
  for (const c of ofType(resources, ["aws:acm/certificate:Certificate"])) {
    const p = c.props as { domainName?: unknown; subjectAlternativeNames?: unknown[] };
    out.push(...[p.domainName, ...list(p.subjectAlternativeNames)].filter((x) => x !== undefined).map(norm));
  }
  return out.filter((n) => n !== "");
}

/** Whether a name is one of the served names (or matches a served wildcard's one label). */
export function serves(served: string[], name: string): boolean {
  return served.some((s) => s === name || (s.startsWith("*.") && name.endsWith(s.slice(1)) && !name.slice(0, -(s.length - 1)).includes(".")));
}

/** An internet-facing load balancer whose security groups (if any) admit the whole internet on `port`. */
function openToInternet(resources: PolicyResource[], balancer: PolicyResource, port: number): boolean {
  const p = props<LoadBalancer_>(balancer);
  if (p.internal === true) return false;
  const groups = list(p.securityGroups);
  if (groups.length === 0) return p.loadBalancerType === "network";
  const ingress = ofType(resources, TYPES.vpcIngressRule).map((r) => props<Record<string, unknown>>(r));
  return ingress.some((rule) => {
    const world = rule.cidrIpv4 === "0.0.0.0/0" || rule.cidrIpv6 === "::/0";
    const from = num(rule.fromPort);
    const to = num(rule.toPort);
    const covers = rule.ipProtocol === "-1" || (from !== undefined && to !== undefined && from <= port && port <= to);
    return world && covers && groups.some((g) => ofType(resources, TYPES.securityGroup).some((sg) => refersTo(g, sg) && refersTo(rule.securityGroupId, sg)));
  });
}

/** Does the target answer plain HTTP on this port with a redirect (CloudFront's redirect-to-https, a listener's redirect)? */
function redirectsToHttps(resources: PolicyResource[], t: { kind: "distribution" | "loadBalancer"; resource: PolicyResource }, port: number): boolean {
  if (t.kind === "distribution") {
    const d = t.resource.props as Record<string, unknown>;
    const behaviors = [d.defaultCacheBehavior, ...list(d.orderedCacheBehaviors as unknown[])] as ({ viewerProtocolPolicy?: unknown } | undefined)[];
    return behaviors.some((b) => b?.viewerProtocolPolicy === "redirect-to-https");
  }
  return ofType(resources, TYPES.listener)
    .filter((l) => refersTo((l.props as Record<string, unknown>).loadBalancerArn, t.resource, ["arn"]) && num((l.props as Record<string, unknown>).port) === port)
    .some((l) => list((l.props as Record<string, unknown>).defaultActions as { type?: unknown }[]).some((a) => a?.type === "redirect"));
}

/** CloudFront's path-pattern match (`*` any run, `?` one character; case-sensitive; the leading slash optional). */
export function pathPatternMatches(pattern: string, path: string): boolean {
  const p = pattern.startsWith("/") ? pattern : `/${pattern}`;
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(path);
}

/**
 * Why a health-check path through a distribution says nothing about the origin (undefined when it does): the behavior
 * CloudFront picks for it (the first ordered match, else the default) serves an S3 origin or a cache.
 */
export function pathThroughDistribution(resources: PolicyResource[], distribution: PolicyResource, path: string): string | undefined {
  const d = distribution.props as Record<string, unknown>;
  const ordered = list(d.orderedCacheBehaviors as Record<string, unknown>[]);
  const b = ordered.find((x) => pathPatternMatches(String(x?.pathPattern ?? ""), path)) ?? (d.defaultCacheBehavior as Record<string, unknown> | undefined);
  if (!b) return undefined;
  const where = `behavior ${String(b.pathPattern ?? "(default)")}`;
  const origin = list(d.origins as { originId?: unknown; customOriginConfig?: unknown }[]).find((o) => o?.originId === b.targetOriginId);
  if (origin && origin.customOriginConfig === undefined) return `${where} serves it from the S3 origin "${String(origin.originId)}"`;
  const policyId = String(b.cachePolicyId ?? "");
  const managed = MANAGED_CACHE_POLICIES[policyId];
  if (managed) return managed.caches ? `${where} caches it (${managed.name})` : undefined;
  const policy = ofType(resources, TYPES.cachePolicy).find((c) => refersTo(policyId, c));
  if (!policy) return undefined;
  const p = policy.props as { minTtl?: unknown; defaultTtl?: unknown; maxTtl?: unknown };
  if (cachePolicyIsSafeForApi(policy.props as never).why === "caching disabled") return undefined;
  return `${where} caches it (cache policy "${policy.name}", TTL up to ${String(p.maxTtl ?? 31536000)} s)`;
}

/** The alarm names the plan declares (CloudWatch metric and composite alarms), for alarm-based health checks. */
function alarmNames(resources: PolicyResource[]): Set<string> {
  return new Set(ofType(resources, ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm"]).map((a) => String((a.props as { name?: unknown }).name ?? a.name)));
}

/**
 * Why a Route53 health check can never report unhealthy, whatever its target does (undefined when it can): disabled
 * (Route53 counts it healthy), inverted (healthy when the target is down), a CALCULATED check whose threshold of
 * healthy children is met by children that are themselves never unhealthy (or are not in the plan), a
 * CLOUDWATCH_METRIC check that counts missing data healthy or reads an alarm the plan does not declare.
 */
export function neverUnhealthy(check: PolicyResource, checks: PolicyResource[], alarms: ReadonlySet<string>, seen: Set<PolicyResource> = new Set()): string | undefined {
  const cp = props<Record<string, unknown>>(check);
  if (cp.disabled === true || cp.disabled === "true") return "is disabled (Route53 then treats it as healthy: no failover)";
  if (cp.invertHealthcheck === true || cp.invertHealthcheck === "true") return "is inverted (healthy when the target is down)";
  const type = String(cp.type ?? "").toUpperCase();
  if (type === "CALCULATED") {
    if (seen.has(check)) return undefined;
    seen.add(check);
    const children = list(cp.childHealthchecks as unknown[]);
    const threshold = num(cp.childHealthThreshold) ?? 0;
    const healthyAlways = children.filter((ref) => {
      const child = checks.find((c) => refersTo(ref, c));
      return child === undefined || neverUnhealthy(child, checks, alarms, seen) !== undefined;
    });
    if (threshold <= healthyAlways.length) {
      return threshold <= 0
        ? `is a calculated check that needs ${threshold} healthy children (always healthy)`
        : `is a calculated check that needs ${threshold} healthy of its children, and ${healthyAlways.length} of them never report unhealthy (or are not in the plan)`;
    }
  }
  if (type === "CLOUDWATCH_METRIC") {
    if (String(cp.insufficientDataHealthStatus ?? "") === "Healthy") return "counts the alarm's missing data as healthy (insufficientDataHealthStatus Healthy: a target that stops reporting stays healthy)";
    if (!alarms.has(String(cp.cloudwatchAlarmName ?? ""))) return `reads alarm ${JSON.stringify(cp.cloudwatchAlarmName ?? "")}, which the plan does not declare (nothing shows what it watches)`;
  }
  return undefined;
}

export const dnsFailoverPolicies: Policies = [
  stackRule({
    name: "dns-failover-health-checked",
    description:
      "In prod every public address record (A/AAAA/CNAME) is health-checked: a failover record with a Route53 health check that is neither disabled nor inverted, or an alias that evaluates its target's health (not CloudFront, which AWS refuses); a CNAME follows its target. A CNAME to a name outside the plan, or a plain address record, is judged only when its own name is one the stack serves (a distribution's alias, a name its ACM certificates cover): another name (a vendor's status page, a mail host) is no endpoint of the stack.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.record, ...HEALTH_CHECK, ...TYPES.distribution, "aws:acm/certificate:Certificate"],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const records = ofType(resources, TYPES.record);
      const checks = ofType(resources, HEALTH_CHECK);
      const served = servedNames(resources);
      const resolve = resolver(resources);
      const covered = (r: PolicyResource): string | undefined => {
        const p = props<Record_>(r);
        const a = alias(p);
        if (a?.evaluateTargetHealth === true && String(a.zoneId) === CLOUDFRONT_ALIAS_ZONE) return "sets evaluateTargetHealth on a CloudFront alias, which AWS refuses";
        const role = failoverRole(p);
        if (role === "PRIMARY") {
          if (p.healthCheckId === undefined) return "is a PRIMARY failover record without a healthCheckId";
          if (!checks.some((c) => refersTo(p.healthCheckId, c))) {
            // A check whose inputs are not known yet (preview) has no known id either: reading them
            // raises the unknown-value error, so the rule reports it cannot run rather than a violation.
            for (const c of checks) for (const key of Object.keys(c.props)) void (c.props as Record<string, unknown>)[key];
            return `names health check ${JSON.stringify(p.healthCheckId)}, which is not in the plan`;
          }
          // A check that can never report unhealthy (disabled, inverted, a calculated check needing no healthy child, an
          // alarm check healthy on missing data) never fails the record over.
          const check = checks.find((c) => refersTo(p.healthCheckId, c))!;
          const never = neverUnhealthy(check, checks, alarmNames(resources));
          return never ? `fails over on health check "${check.name}", which ${never}` : undefined;
        }
        if (role === "SECONDARY") return undefined;
        if (a?.evaluateTargetHealth === true) return undefined;
        return a ? "is a simple alias that does not evaluate its target's health and has no failover health check" : "has no health check";
      };
      for (const r of records) {
        if (!isProd(config, r.urn)) continue;
        const p = props<Record_>(r);
        const type = String(p.type ?? "").toUpperCase();
        const name = norm(p.name);
        // Service and validation names (_acme, _srv._tcp, ACM's _hash) are not addresses clients browse to.
        if (!ADDRESS_TYPES.has(type) || name === "" || name.split(".")[0].startsWith("_")) continue;
        if (type === "CNAME") {
          const targets = list(p.records).map(norm);
          const resolved = records.filter((o) => targets.includes(norm(((o.props as Record_).name))) && ADDRESS_TYPES.has(String((o.props as Record_).type)));
          // A name the stack does not serve (a vendor's status page, a docs site) is no endpoint of the stack to fail
          // over: whether its target is claimable by others is route53-targets-owned's question.
          if (resolved.length === 0 && serves(served, name)) {
            // A target of the stack named directly (its distribution's or load balancer's own name) skips the failover records.
            const direct = targets.flatMap((t) => resolve(t));
            if (direct.length > 0) report(`CNAME record "${r.name}" (${name}) names ${direct.map((d) => `${d.kind} "${d.resource.name}"`).join(", ")} directly: no failover record is on the way, so the name never fails over; point it at a failover name of the stack.`, r.urn);
            else report(`CNAME record "${r.name}" (${name}) points outside the plan (${targets.join(", ")}); nothing health-checks it.`, r.urn);
          }
          for (const o of resolved) {
            const problem = covered(o);
            if (problem) report(`CNAME record "${r.name}" (${name}) follows "${o.name}", which ${problem}.`, r.urn);
          }
          continue;
        }
        // A plain address record of a name the stack does not serve (a mail host, a vendor's page) points clients at
        // something the stack does not run; a claimable address there is route53-targets-owned's question.
        if (alias(p) === undefined && failoverRole(p) === "" && !serves(served, name)) continue;
        const problem = covered(r);
        if (problem) {
          report(`Record "${r.name}" (${name} ${type}) ${problem}; in prod every public record fails over on a health check.`, r.urn);
          // A check that never reports unhealthy is named too: it is what to fix.
          const m = /health check "([^"]+)", which (.*)$/.exec(problem);
          const c = m ? checks.find((x) => x.name === m[1]) : undefined;
          if (c) report(`Health check "${c.name}" is what record "${r.name}" fails over on, and it ${m![2]}: Route53 never fails the record over.`, c.urn);
        }
      }
    },
  }),
  stackRule({
    name: "dns-failover-check-reachable",
    description:
      "Every Route53 endpoint health check targets a name the plan shows reachable from the internet (a CloudFront distribution, or a load balancer open to the world on the port), never an origin-locked load balancer nor a name that itself fails over, and never over plain HTTP where the target redirects to HTTPS (a distribution behavior with redirect-to-https, a load-balancer listener whose default action redirects): Route53 counts a 3xx as healthy. Through a distribution, its path reaches the origin uncached (the behavior CloudFront picks for it targets a custom origin with caching disabled); a check a failover record relies on is not a bare TCP check; a check that names regions names at least three. It does not judge what the app's health route itself checks.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.record, ...HEALTH_CHECK],
    validate: (resources, _ctx, report) => {
      const resolve = resolver(resources);
      const records = ofType(resources, TYPES.record);
      // The checks records fail over on: their answer decides where every client goes.
      const failoverChecks = records.filter((r) => failoverRole(props<Record_>(r)) === "PRIMARY").map((r) => props<Record_>(r).healthCheckId);
      for (const c of ofType(resources, HEALTH_CHECK)) {
        const p = props<HealthCheck_>(c);
        const type = String(p.type ?? "").toUpperCase();
        if (!ENDPOINT_CHECK.test(type)) continue;
        const regions = list(p.regions as unknown[]);
        if (regions.length > 0 && new Set(regions.map(String)).size < 3) report(`Health check "${c.name}" runs from ${regions.join(", ")} only: Route53 needs at least three checker regions, and one region's network trouble would decide the failover.`, c.urn);
        if (type === "TCP" && failoverChecks.some((ref) => refersTo(ref, c))) report(`Health check "${c.name}" is a TCP check that a failover record relies on: it only proves a port accepts connections (a load balancer accepts them with every target down, a CDN with its origin down); check the health path over HTTPS.`, c.urn);
        const fqdnKnown = ((c.props as HealthCheck_).fqdn);
        if (p.ipAddress !== undefined) {
          report(`Health check "${c.name}" targets the address ${String(p.ipAddress)}; check a public name the plan resolves (the distribution or an open load balancer).`, c.urn);
          continue;
        }
        if (fqdnKnown === undefined) {
          if (p.fqdn === undefined) report(`Health check "${c.name}" has neither fqdn nor ipAddress.`, c.urn);
          continue;
        }
        const fqdn = norm(fqdnKnown);
        const port = num(p.port) ?? (type.startsWith("HTTPS") ? 443 : 80);
        if (records.some((r) => norm(((r.props as Record_).name)) === fqdn && failoverRole(props<Record_>(r)) !== "")) {
          report(`Health check "${c.name}" targets ${fqdn}, a failover name: once failed over it checks the secondary and fails back; check the primary's own name.`, c.urn);
          continue;
        }
        const targets = resolve(fqdn);
        if (targets.length === 0) {
          report(`Health check "${c.name}" targets ${fqdn}, which the plan does not show reachable from the internet (no distribution or open load balancer has that name).`, c.urn);
          continue;
        }
        for (const t of targets) {
          const path = typeof p.resourcePath === "string" && p.resourcePath !== "" ? p.resourcePath.split("?")[0] : "/";
          const stale = t.kind === "distribution" && type !== "TCP" ? pathThroughDistribution(resources, t.resource, path) : undefined;
          if (stale) report(`Health check "${c.name}" requests ${path} through distribution "${t.resource.name}", whose ${stale}: the answer says nothing about the origin; check a path CloudFront forwards to the app uncached (the health route).`, c.urn);
          // Route53 counts 2xx and 3xx answers healthy: over plain HTTP a name that redirects to HTTPS passes forever.
          if (!type.startsWith("HTTPS") && type !== "TCP" && redirectsToHttps(resources, t, port)) {
            report(`Health check "${c.name}" checks ${fqdn} over plain HTTP (${type} port ${port}), where ${t.kind === "distribution" ? "the distribution" : `load balancer "${t.resource.name}"`} answers with a redirect to HTTPS: Route53 counts the 3xx as healthy, so the check never fails; check over HTTPS on 443.`, c.urn);
            continue;
          }
          if (t.kind === "loadBalancer" && !openToInternet(resources, t.resource, port)) {
            report(
              `Health check "${c.name}" targets ${fqdn}, load balancer "${t.resource.name}", which does not admit the internet on port ${port} (origin-locked or internal): Route53's checkers cannot reach it. Check through the CloudFront name.`,
              c.urn,
            );
          }
        }
      }
    },
  }),
  stackRule({
    name: "dns-failover-pairs",
    description: "Failover records come in pairs: one PRIMARY with a health check and one SECONDARY per name and type, with distinct set identifiers; the SECONDARY is no S3 website endpoint (HTTP only, refused under HSTS).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.record],
    validate: (resources, _ctx, report) => {
      const groups = new Map<string, PolicyResource[]>();
      for (const r of ofType(resources, TYPES.record)) {
        const p = props<Record_>(r);
        if (failoverRole(p) === "" || p.name === undefined) continue;
        const key = `${String(p.zoneId)} ${norm(p.name)} ${String(p.type).toUpperCase()}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      for (const [key, members] of groups) {
        const [, name, type] = key.split(" ");
        const roles = members.map((r) => failoverRole(props<Record_>(r)));
        for (const role of ["PRIMARY", "SECONDARY"]) {
          const n = roles.filter((x) => x === role).length;
          if (n !== 1) {
            const other = members.find((r) => failoverRole(props<Record_>(r)) !== role) ?? members[0];
            report(`Failover ${name} ${type} has ${n} ${role} record(s) (${members.map((r) => r.name).join(", ")}); it needs exactly one ${role} and one of the other role.`, other.urn);
          }
        }
        // The SECONDARY must serve HTTPS for the names it takes over (HSTS preload): an S3 website endpoint serves HTTP only.
        for (const r of members.filter((m) => failoverRole(props<Record_>(m)) === "SECONDARY")) {
          const p = props<Record_>(r) as { aliases?: { name?: unknown }[]; records?: unknown[] };
          const targets = [...list(p.aliases).map((a) => a?.name), ...list(p.records)].map((t) => String(t ?? ""));
          const website = targets.find((t) => /(^|\.)s3-website[.-]/i.test(t));
          if (website) report(`Failover ${name} ${type}'s SECONDARY "${r.name}" points at the S3 website endpoint ${website}, which serves plain HTTP only: browsers holding the site's HSTS refuse it, so failing over serves nobody.`, r.urn);
        }
        const ids = members.map((r) => String(props<Record_>(r).setIdentifier ?? ""));
        if (ids.some((id) => id === "") || new Set(ids).size !== ids.length) {
          report(`Failover ${name} ${type}: set identifiers ${JSON.stringify(ids)} must be present and distinct.`, members[0].urn);
        }
      }
    },
  }),
];
