/**
 * DNS failover mutations of the prod plan (policies/rules/dns-failover.ts): each removes or misdirects a part of the
 * failover and names the resource a mandatory rule must report.
 */
import type { Mutation } from "./mutations";

const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";

export const dnsFailoverMutations: Mutation[] = [
  { area: "dns", title: "site health check removed", expect: "dns-apex-a", apply: (p) => p.remove("dns-health-site", HEALTH_CHECK) },
  { area: "dns", title: "PRIMARY record loses its health check", expect: "dns-edge-aaaa", apply: (p) => delete p.inputs("dns-edge-aaaa").healthCheckId },
  {
    area: "dns",
    title: "site health check pointed at the origin-locked ALB",
    expect: "dns-health-site",
    apply: (p) => (p.inputs("dns-health-site", HEALTH_CHECK).fqdn = p.inputs("dns-origin-a").aliases[0].name),
  },
  { area: "dns", title: "site health check pointed at the ALB's origin name", expect: "dns-health-site", apply: (p) => (p.inputs("dns-health-site", HEALTH_CHECK).fqdn = "origin.edgestack.example.com") },
  { area: "dns", title: "site health check pointed at the apex failover name", expect: "dns-health-site", apply: (p) => (p.inputs("dns-health-site", HEALTH_CHECK).fqdn = "edgestack.example.com") },
  { area: "dns", title: "SECONDARY of the apex missing", expect: "dns-apex-a", apply: (p) => p.remove("dns-apex-a-secondary") },
  {
    area: "dns",
    title: "apex back to a simple alias",
    expect: "dns-apex-aaaa",
    apply: (p) => {
      p.remove("dns-apex-aaaa-secondary");
      const r = p.inputs("dns-apex-aaaa");
      for (const k of ["failoverRoutingPolicies", "setIdentifier", "healthCheckId"]) delete r[k];
    },
  },
  { area: "dns", title: "origin alias stops evaluating target health", expect: "dns-origin-a", apply: (p) => (p.inputs("dns-origin-a").aliases[0].evaluateTargetHealth = false) },
];
