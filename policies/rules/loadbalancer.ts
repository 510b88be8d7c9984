import type { lb } from "@pulumi/aws";
import { Policies } from "@pulumi/policy";
import {
  environmentConfig,
  isProd,
  isSet,
  list,
  ofType,
  Props,
  refersTo,
  resourceRule,
  stackRule,
  TYPES,
} from "./common";

type LoadBalancer = Props<lb.LoadBalancerArgs>;
type Listener = Props<lb.ListenerArgs>;
type TargetGroup = Props<lb.TargetGroupArgs>;

const isApplication = (p: LoadBalancer) => (p.loadBalancerType ?? "application") === "application";
const isNetwork = (p: LoadBalancer) => p.loadBalancerType === "network";
const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : undefined);

/**
 * Lowest TLS version an ELB security policy accepts, from its name: `ELBSecurityPolicy-TLS13-1-2-2021-06` → "1.2".
 * Names without a version (`ELBSecurityPolicy-2016-08`, the default, `-FS-2018-06`) accept TLS 1.0.
 */
export function elbPolicyMinimumTls(policy: string | undefined): string {
  const m = /^ELBSecurityPolicy-(?:TLS13-|TLS-|FS-)?1-([0-3])-/.exec(policy ?? "");
  return m ? `1.${m[1]}` : "1.0";
}

const tlsConfig = {
  minimumTlsVersion: { type: "string" as const, enum: ["1.2", "1.3"], default: "1.2", description: "Lowest TLS version the listener's policy may accept." },
};

function checkSslPolicy(p: Listener, config: Record<string, unknown>, report: (m: string) => void, what: string) {
  const min = String(config.minimumTlsVersion);
  const policy = p.sslPolicy;
  const accepted = elbPolicyMinimumTls(policy);
  if (accepted < min) {
    report(
      `${what} uses ssl policy ${policy ? `"${policy}"` : "(unset: AWS default ELBSecurityPolicy-2016-08)"}, which accepts TLS ${accepted}; ` +
        `use a policy with TLS ${min} or newer, e.g. ELBSecurityPolicy-TLS13-1-2-2021-06.`,
    );
  }
}

export const loadBalancerPolicies: Policies = [
  stackRule({
    name: "alb-http-listener-redirect-only",
    description: "An HTTP listener may only redirect to HTTPS (301/302 to port 443); it never forwards or answers in plain text.",
    enforcementLevel: "mandatory",
    validate: (resources, _ctx, report) => {
      const httpListeners = ofType(resources, TYPES.listener).filter((l) => upper((l.props as Listener).protocol) === "HTTP");
      for (const l of httpListeners) {
        const actions = list((l.props as Listener).defaultActions);
        if (actions.length === 0) report(`HTTP listener "${l.name}" has no default action; it must redirect to HTTPS.`, l.urn);
        for (const a of actions) {
          if (a?.type !== "redirect") {
            report(`HTTP listener "${l.name}" has a "${a?.type}" default action; its only action must be a redirect to HTTPS.`, l.urn);
            continue;
          }
          const r = a.redirect;
          if (upper(r?.protocol) !== "HTTPS" || String(r?.port ?? "#{port}") !== "443" || !/^HTTP_30[12]$/.test(String(r?.statusCode))) {
            report(
              `HTTP listener "${l.name}" redirects to protocol=${r?.protocol ?? "#{protocol}"} port=${r?.port ?? "#{port}"} status=${r?.statusCode}; ` +
                `it must redirect to HTTPS on port 443 with HTTP_301.`,
              l.urn,
            );
          }
        }
        // Listener rules on the HTTP listener would bypass the redirect.
        for (const rule of ofType(resources, ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"])) {
          const rp = rule.props as { listenerArn?: string; actions?: { type?: string }[] };
          if (!refersTo(rp.listenerArn, l)) continue;
          const bad = list(rp.actions).filter((a) => a?.type !== "redirect");
          if (bad.length > 0) report(`ListenerRule "${rule.name}" on HTTP listener "${l.name}" has a "${bad[0].type}" action; plain HTTP may only redirect.`, rule.urn);
        }
      }
    },
  }),
  resourceRule<Listener>({
    name: "alb-https-listener-tls12",
    description: "HTTPS listeners use an ELB security policy that accepts TLS 1.2 or newer only.",
    enforcementLevel: "mandatory",
    types: TYPES.listener,
    config: tlsConfig,
    validate: (p, { args, config }, report) => {
      if (upper(p.protocol) !== "HTTPS") return;
      checkSslPolicy(p, config, report, `HTTPS listener "${args.name}"`);
    },
  }),
  resourceRule<Listener>({
    name: "nlb-tls-listener-policy",
    description: "NLB TLS listeners use an ELB security policy that accepts TLS 1.2 or newer only.",
    enforcementLevel: "mandatory",
    types: TYPES.listener,
    config: tlsConfig,
    validate: (p, { args, config }, report) => {
      if (upper(p.protocol) !== "TLS") return;
      checkSslPolicy(p, config, report, `TLS listener "${args.name}"`);
    },
  }),
  resourceRule<LoadBalancer>({
    name: "alb-drop-invalid-header-fields",
    description: "Application load balancers drop HTTP headers with invalid names (request-smuggling defence).",
    enforcementLevel: "mandatory",
    types: TYPES.loadBalancer,
    validate: (p, { args }, report) => {
      if (isApplication(p) && p.dropInvalidHeaderFields !== true) {
        report(`Application load balancer "${args.name}" must set dropInvalidHeaderFields: true (it is ${p.dropInvalidHeaderFields ?? "unset"}).`);
      }
    },
  }),
  resourceRule<LoadBalancer>({
    name: "alb-deletion-protection-prod",
    description: "In prod, application load balancers have deletion protection on.",
    enforcementLevel: "mandatory",
    types: TYPES.loadBalancer,
    config: environmentConfig,
    validate: (p, { args, config }, report) => {
      if (isApplication(p) && isProd(config, args) && p.enableDeletionProtection !== true) {
        report(`Application load balancer "${args.name}" in a prod stack must set enableDeletionProtection: true.`);
      }
    },
  }),
  resourceRule<LoadBalancer>({
    name: "alb-access-logs-prod",
    description: "In prod, application load balancers write access logs to S3.",
    enforcementLevel: "mandatory",
    types: TYPES.loadBalancer,
    config: environmentConfig,
    validate: (p, { args, config }, report) => {
      if (!isApplication(p) || !isProd(config, args)) return;
      if (p.accessLogs?.enabled !== true || !isSet(p.accessLogs?.bucket)) {
        report(`Application load balancer "${args.name}" in a prod stack must enable accessLogs with a bucket (enabled defaults to false).`);
      }
    },
  }),
  resourceRule<LoadBalancer>({
    name: "nlb-deletion-protection-prod",
    description: "In prod, network load balancers have deletion protection on.",
    enforcementLevel: "mandatory",
    types: TYPES.loadBalancer,
    config: environmentConfig,
    validate: (p, { args, config }, report) => {
      if (isNetwork(p) && isProd(config, args) && p.enableDeletionProtection !== true) {
        report(`Network load balancer "${args.name}" in a prod stack must set enableDeletionProtection: true.`);
      }
    },
  }),
  resourceRule<LoadBalancer>({
    name: "nlb-access-logs-prod",
    description: "In prod, network load balancers write access logs (of their TLS listeners) to S3.",
    enforcementLevel: "mandatory",
    types: TYPES.loadBalancer,
    config: environmentConfig,
    validate: (p, { args, config }, report) => {
      if (!isNetwork(p) || !isProd(config, args)) return;
      if (p.accessLogs?.enabled !== true || !isSet(p.accessLogs?.bucket)) {
        report(`Network load balancer "${args.name}" in a prod stack must enable accessLogs with a bucket (enabled defaults to false).`);
      }
    },
  }),
  resourceRule<LoadBalancer>({
    name: "nlb-cross-zone",
    description: "Network load balancers balance across zones (off by default for NLBs), so one zone's targets don't take a zone's whole share.",
    enforcementLevel: "advisory",
    types: TYPES.loadBalancer,
    validate: (p, { args }, report) => {
      if (isNetwork(p) && p.enableCrossZoneLoadBalancing !== true) {
        report(`Network load balancer "${args.name}" should set enableCrossZoneLoadBalancing: true.`);
      }
    },
  }),
  resourceRule<TargetGroup>({
    name: "target-group-health-check",
    description: "Target groups declare an enabled health check; HTTP(S) health checks name a path.",
    enforcementLevel: "mandatory",
    types: TYPES.targetGroup,
    config: {
      pathPattern: { type: "string", default: "^/", description: "Regular expression the HTTP health check path must match, e.g. ^/health$." },
    },
    validate: (p, { args, config }, report) => {
      if (p.targetType === "lambda") return;
      const hc = p.healthCheck;
      if (!hc || hc.enabled === false) {
        report(`Target group "${args.name}" must declare an enabled healthCheck.`);
        return;
      }
      const protocol = upper(hc.protocol) ?? (["HTTP", "HTTPS"].includes(upper(p.protocol) ?? "") ? upper(p.protocol) : "TCP");
      if (protocol === "HTTP" || protocol === "HTTPS") {
        if (!isSet(hc.path) || !new RegExp(String(config.pathPattern)).test(String(hc.path))) {
          report(`Target group "${args.name}" has an ${protocol} health check without a path matching ${config.pathPattern} (path: ${hc.path ?? "unset"}).`);
        }
      }
    },
  }),
];
