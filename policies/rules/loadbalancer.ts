import type { lb } from "@pulumi/aws";
import { Policies, PolicyResource } from "@pulumi/policy";
import {
  environmentConfig,
  ifKnown,
  isProd,
  isSet,
  list,
  num,
  ofType,
  Props,
  refersTo,
  resourceRule,
  stackRule,
  TYPES,
} from "./common";
import { blocksNamed, directivesNamed, listensOf, parseNginx, serversOf } from "../semantics/nginx";
import { selectorMatches } from "../semantics/netpol";
import { podTemplateOf } from "./podsecurity";

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

/**
 * Whether every TLS 1.2 cipher an ELB security policy offers is forward-secret (ECDHE) without a SHA-1 MAC, from its
 * name: the TLS13 family (except `-Ext1`/`-Ext2`, which add RSA key exchange and SHA-1 suites) and the restricted
 * forward-secrecy policies (`FS-1-2-Res-*`). `TLS-1-2-2017-01`, `FS-1-2-2019-08` and the TLS 1.0/1.1 families offer
 * AES-CBC with SHA-1 or static RSA key exchange.
 */
export function elbPolicyStrongCiphers(policy: string | undefined): boolean {
  return /^ELBSecurityPolicy-TLS13-(?!.*-Ext)/.test(policy ?? "") || /^ELBSecurityPolicy-FS-1-2-Res-/.test(policy ?? "");
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
  } else if (!elbPolicyStrongCiphers(policy)) {
    report(`${what} uses ssl policy "${policy}", which offers ciphers without forward secrecy or with SHA-1 MACs; use ELBSecurityPolicy-TLS13-1-2-2021-06 (or a TLS13 / FS-1-2-Res policy).`);
  }
}

/** One hop of a NodePort to nginx: the Service port, the pods it selects, their container port, and the nginx.conf they mount. */
export interface NginxHop {
  nodePort: number;
  service: PolicyResource;
  workload: PolicyResource;
  port: number;
  conf: { cm: PolicyResource; root: ReturnType<typeof parseNginx> };
}

/**
 * Every NodePort a NodePort/LoadBalancer Service exposes, followed to the container port (a number, or a port name of
 * the selected pods) and the nginx.conf ConfigMaps those pods mount: what a load balancer's target group on that
 * NodePort reaches. Unknown values (preview) drop the hop.
 */
export function nginxBehindNodePorts(resources: PolicyResource[], confKey: string): NginxHop[] {
  const confs = new Map<string, { cm: PolicyResource; root: ReturnType<typeof parseNginx> }>();
  for (const cm of ofType(resources, TYPES.configMap)) {
    const text = ifKnown(() => (cm.props.data as Record<string, unknown> | undefined)?.[confKey]);
    const name = ifKnown(() => (cm.props.metadata as { name?: string } | undefined)?.name) ?? cm.name;
    if (typeof text === "string") confs.set(name, { cm, root: parseNginx(text) });
  }
  if (confs.size === 0) return [];
  type PodSpecView = { containers?: { name?: string; ports?: { name?: string; containerPort?: unknown }[] }[]; volumes?: { configMap?: { name?: string } }[] };
  const workloads = ofType(resources, TYPES.workload).map((w) => {
    const template = ifKnown(() => JSON.parse(JSON.stringify(podTemplateOf(w.type, w.props as Record<string, unknown>))) as { metadata?: { labels?: Record<string, string> }; spec?: PodSpecView });
    return { w, labels: template?.metadata?.labels ?? {}, spec: template?.spec ?? {} };
  });
  const hops: NginxHop[] = [];
  for (const svc of ofType(resources, TYPES.service)) {
    const spec = ifKnown(() => JSON.parse(JSON.stringify(svc.props.spec ?? {})) as { type?: string; selector?: Record<string, string>; ports?: { name?: string; nodePort?: unknown; port?: unknown; targetPort?: unknown }[] });
    if (!spec || (spec.type !== "NodePort" && spec.type !== "LoadBalancer") || !spec.selector || Object.keys(spec.selector).length === 0) continue;
    for (const sp of list(spec.ports)) {
      const nodePort = num(sp?.nodePort);
      if (nodePort === undefined) continue;
      for (const { w, spec: pod } of workloads.filter((x) => selectorMatches({ matchLabels: spec.selector }, x.labels))) {
        const target = sp.targetPort ?? sp.port;
        const containerPort = typeof target === "number" ? target : list(pod.containers).flatMap((c) => list(c?.ports)).find((p) => p?.name === target)?.containerPort;
        const port = num(containerPort);
        if (port === undefined) continue;
        for (const v of list(pod.volumes)) {
          const conf = confs.get(String(v?.configMap?.name ?? ""));
          if (conf) hops.push({ nodePort, service: svc, workload: w, port, conf });
        }
      }
    }
  }
  return hops;
}

/**
 * The error codes (400 and up) an HTTP health-check matcher counts healthy: "200", "200,202", "200-299" (ELB's
 * syntax); an unset matcher is ELB's default 200 (ALB) or 200-399 (NLB).
 */
export function matcherErrorCodes(matcher: unknown): string[] {
  if (matcher === undefined || matcher === null) return [];
  const codes = typeof matcher === "object" ? (matcher as { httpCode?: unknown }).httpCode : matcher;
  if (codes === undefined || codes === null) return [];
  return String(codes)
    .split(",")
    .map((x) => x.trim())
    .filter((x) => {
      const m = /^(\d+)(?:-(\d+))?$/.exec(x);
      return m !== null && Number(m[2] ?? m[1]) >= 400;
    });
}

export const loadBalancerPolicies: Policies = [
  stackRule({
    name: "alb-http-listener-redirect-only",
    description: "An HTTP listener may only redirect to HTTPS (301/302 to port 443); it never forwards or answers in plain text.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.listener, "aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"],
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
    description: "NLB TLS listeners use an ELB security policy that accepts TLS 1.2 or newer only, and a TCP listener never takes the HTTPS port (443): clients speak TLS there, and passing it through would hand it to targets that speak plain HTTP behind PROXY protocol.",
    enforcementLevel: "mandatory",
    types: TYPES.listener,
    config: tlsConfig,
    validate: (p, { args, config }, report) => {
      if (upper(p.protocol) === "TCP" && num(p.port) === 443) report(`Listener "${args.name}" takes port 443 as plain TCP: TLS is not ended at the load balancer (set protocol TLS with a certificate and a TLS 1.2+ policy).`);
      if (upper(p.protocol) !== "TLS") return;
      checkSslPolicy(p, config, report, `TLS listener "${args.name}"`);
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "lb-certificates-from-acm",
    description: "Every certificate a load balancer presents — a listener's certificateArn and every additional listener certificate — is an ACM certificate (renewed and validated by ACM; an IAM server certificate is uploaded by hand, expires unnoticed and keeps its private key outside ACM).",
    enforcementLevel: "mandatory",
    types: [...TYPES.listener, "aws:lb/listenerCertificate:ListenerCertificate", "aws:alb/listenerCertificate:ListenerCertificate"],
    validate: (p, { args }, report) => {
      const arn = ifKnown(() => p.certificateArn);
      if (typeof arn === "string" && arn !== "" && !/^arn:[^:]+:acm:/.test(arn)) report(`"${args.name}" presents certificate ${arn}, which is not an ACM certificate: use an ACM certificate of the stack (renewed by ACM, key never leaves it).`);
    },
  }),
  stackRule({
    name: "lb-multi-az-prod",
    description: "In prod, every load balancer spans at least two availability zones (its subnets or subnet mappings, zones read from the stack's subnets): one zone's outage must not take the entry point down.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.loadBalancer, ...TYPES.subnet],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const subnets = ofType(resources, TYPES.subnet);
      for (const lbr of ofType(resources, TYPES.loadBalancer)) {
        if (!isProd(config, lbr)) continue;
        const refs = ifKnown(() => [...list((lbr.props as LoadBalancer).subnets), ...list((lbr.props as LoadBalancer).subnetMappings).map((m) => m?.subnetId)]);
        if (refs === undefined || refs.length === 0) continue; // unknown in preview, or the default VPC's (judged elsewhere)
        const zones = new Set(refs.map((ref) => {
          const s = subnets.find((x) => refersTo(ref, x));
          return String((s && ifKnown(() => s.props.availabilityZone ?? s.props.availabilityZoneId)) ?? ref);
        }));
        if (zones.size < 2) report(`Load balancer "${lbr.name}" in a prod stack spans ${zones.size} availability zone (${[...zones].join(", ")}): one zone's outage takes it down; give it a subnet in each zone of the stack.`, lbr.urn);
      }
    },
  }),
  resourceRule<LoadBalancer>({
    name: "alb-drop-invalid-header-fields",
    description: "Application load balancers drop HTTP headers with invalid names and keep desync mitigation at defensive or strictest (request-smuggling defences).",
    enforcementLevel: "mandatory",
    types: TYPES.loadBalancer,
    validate: (p, { args }, report) => {
      if (isApplication(p) && p.dropInvalidHeaderFields !== true) {
        report(`Application load balancer "${args.name}" must set dropInvalidHeaderFields: true (it is ${p.dropInvalidHeaderFields ?? "unset"}).`);
      }
      const desync = String(p.desyncMitigationMode ?? "defensive").toLowerCase();
      if (isApplication(p) && desync !== "defensive" && desync !== "strictest") {
        report(`Application load balancer "${args.name}" has desyncMitigationMode "${p.desyncMitigationMode}": ambiguous requests reach the targets; use defensive (the default) or strictest.`);
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
    enforcementLevel: "mandatory",
    types: TYPES.loadBalancer,
    validate: (p, { args }, report) => {
      if (isNetwork(p) && p.enableCrossZoneLoadBalancing !== true) {
        report(`Network load balancer "${args.name}" should set enableCrossZoneLoadBalancing: true.`);
      }
    },
  }),
  stackRule({
    name: "target-group-protocol-matches-listener",
    description: "A target group speaks the layer of the listeners that forward to it: HTTP/HTTPS behind an ALB's HTTP/HTTPS listener, TCP/TLS/UDP behind an NLB's — never an HTTP target group behind a TLS/TCP listener, which would turn the NLB's pass-through into an unparsed, unencrypted hop AWS refuses or mis-routes; a group no listener forwards to yet (a standby colour) that sets PROXY protocol v2 must speak TCP/TLS/UDP.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.targetGroup, ...TYPES.listener, ...TYPES.listenerRule],
    validate: (resources, _ctx, report) => {
      const l7 = new Set(["HTTP", "HTTPS"]);
      const groups = ofType(resources, TYPES.targetGroup);
      const forwarders = [...ofType(resources, TYPES.listener), ...ofType(resources, TYPES.listenerRule)];
      const listenerOf = (r: PolicyResource) => (TYPES.listener.includes(r.type as never) ? r : ofType(resources, TYPES.listener).find((l) => refersTo(ifKnown(() => r.props.listenerArn), l)));
      for (const f of forwarders) {
        const listener = listenerOf(f);
        const lp = upper(ifKnown(() => listener?.props.protocol));
        if (!listener || lp === undefined) continue;
        const actions = list(ifKnown(() => (f.props.defaultActions ?? f.props.actions) as { targetGroupArn?: unknown; forward?: { targetGroups?: { arn?: unknown }[] } }[]));
        const refs = actions.flatMap((a) => [a?.targetGroupArn, ...list(a?.forward?.targetGroups).map((t) => t?.arn)]);
        for (const tg of groups.filter((g) => refs.some((ref) => refersTo(ref, g)))) {
          const tp = upper(ifKnown(() => tg.props.protocol));
          if (tp === undefined) continue;
          if (l7.has(lp) !== l7.has(tp)) report(`Target group "${tg.name}" speaks ${tp} behind ${lp} listener "${listener.name}": a target group must speak its listener's layer (${l7.has(lp) ? "HTTP/HTTPS" : "TCP/TLS/UDP"}).`, tg.urn);
        }
      }
      // A standby group (a colour no listener forwards to yet) is judged by its own network-layer settings:
      // PROXY protocol v2 exists only on TCP/TLS/UDP target groups, so such a group must speak that layer.
      for (const tg of groups) {
        const tp = upper(ifKnown(() => tg.props.protocol));
        if (tp !== undefined && l7.has(tp) && ifKnown(() => tg.props.proxyProtocolV2) === true) {
          report(`Target group "${tg.name}" speaks ${tp} but sets proxyProtocolV2, which only a network (TCP/TLS/UDP) target group carries: it is meant for an NLB listener and must speak its layer.`, tg.urn);
        }
      }
    },
  }),
  stackRule({
    name: "alb-targets-encrypted",
    description:
      "The load balancers' hop to their targets is encrypted where it carries HTTP: every HTTP/HTTPS target group (an ALB's, active or standby) speaks HTTPS, and so do health checks aimed at a port an HTTPS group serves; following an HTTPS group's NodePort through its NodePort Service to the container port of the pods it selects, the nginx.conf those pods mount listens there with `ssl`, certificate and key, and no protocol older than TLS 1.2 (a break of that chain is reported on the target group and on the ConfigMap). Not judged: NLB TCP groups carrying PROXY v2 after the NLB terminated TLS (nlb-tls-listener judges that listener), Lambda targets, and certificate validation (an ALB never validates target certificates).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.targetGroup],
    config: {
      nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding an nginx configuration." },
    },
    validate: (resources, { config }, report) => {
      const l7 = new Set(["HTTP", "HTTPS"]);
      const groups = ofType(resources, TYPES.targetGroup).filter((tg) => ifKnown(() => tg.props.targetType) !== "lambda");
      const httpsPorts = new Set<number>();
      for (const tg of groups) {
        const tp = upper(ifKnown(() => tg.props.protocol));
        if (tp === undefined) continue;
        // (A TCP/TLS group behind an HTTP listener is target-group-protocol-matches-listener's.)
        if (tp === "HTTP") {
          report(`Target group "${tg.name}" speaks ${tp} to its targets: the load balancer's hop to nginx would carry every request and header (the origin secret included) unencrypted inside the VPC. Use protocol HTTPS (the ALB does not verify target certificates: a per-stack self-signed one is enough).`, tg.urn);
        }
        if (tp === "HTTPS") {
          const port = num(ifKnown(() => tg.props.port));
          if (port !== undefined) httpsPorts.add(port);
        }
      }
      // A health check in clear against a TLS port fails (nginx answers 400), and against a port in clear it is a hop in clear.
      for (const tg of groups) {
        const hc = ifKnown(() => tg.props.healthCheck as { enabled?: boolean; protocol?: string; port?: string | number } | undefined);
        if (!hc || hc.enabled === false) continue;
        const tp = upper(ifKnown(() => tg.props.protocol));
        const hp = upper(hc.protocol) ?? (tp && l7.has(tp) ? tp : "TCP");
        const hport = hc.port === undefined || hc.port === "traffic-port" ? num(ifKnown(() => tg.props.port)) : num(hc.port);
        if (hp === "HTTP" && (tp === "HTTPS" || (hport !== undefined && httpsPorts.has(hport)))) {
          report(`Target group "${tg.name}" health-checks port ${hport ?? "traffic-port"} over plain HTTP, where its targets speak TLS: use an HTTPS health check.`, tg.urn);
        }
      }
      if (httpsPorts.size === 0) return;

      // The chain: NodePort → Service → pods' container port → the nginx.conf they mount listens there with TLS.
      for (const hop of nginxBehindNodePorts(resources, String(config.nginxConfKey))) {
        if (!httpsPorts.has(hop.nodePort)) continue;
        const group = groups.find((tg) => num(ifKnown(() => tg.props.port)) === hop.nodePort && upper(ifKnown(() => tg.props.protocol)) === "HTTPS")!;
        const { conf, port } = hop;
        const servers = serversOf(conf.root).filter((sv) => listensOf(sv).some((l) => l.port === port));
        const where = `Target group "${group.name}" sends HTTPS to NodePort ${hop.nodePort} (Service "${hop.service.name}" → "${hop.workload.name}" port ${port})`;
        if (servers.length === 0) {
          for (const urn of [group.urn, conf.cm.urn]) report(`${where}, but the nginx.conf of ConfigMap "${conf.cm.name}" has no listener on ${port}.`, urn);
          continue;
        }
        for (const sv of servers) {
          const listen = listensOf(sv).find((l) => l.port === port)!;
          const protocols = directivesNamed(sv, "ssl_protocols")[0] ?? blocksNamed(conf.root, "http").flatMap((h) => directivesNamed(h, "ssl_protocols"))[0];
          const cert = directivesNamed(sv, "ssl_certificate").length > 0 || blocksNamed(conf.root, "http").some((h) => directivesNamed(h, "ssl_certificate").length > 0);
          // Reported on the target group and on the ConfigMap: a change of either breaks the encrypted hop.
          const both = (message: string) => [group.urn, conf.cm.urn].forEach((urn) => report(message, urn));
          if (!listen.ssl) both(`${where}, where nginx (ConfigMap "${conf.cm.name}") listens without ssl: the hop is plain text (and the HTTPS health checks fail).`);
          else if (!cert) both(`${where}, where nginx (ConfigMap "${conf.cm.name}") listens with ssl but names no ssl_certificate.`);
          else if (list(protocols).some((p) => /^(SSLv[23]|TLSv1(\.1)?)$/.test(p))) both(`${where}, where nginx (ConfigMap "${conf.cm.name}") accepts ${list(protocols).join(" ")}: TLS 1.2 or newer only.`);
        }
      }
    },
  }),
  resourceRule<TargetGroup>({
    name: "target-group-health-check",
    description:
      "Target groups declare an enabled health check that can fail: HTTP(S) checks name a path and count only success codes healthy (a matcher admitting any 4xx/5xx code keeps a target that answers errors in service); no bare TCP check (a connect proves only that a port accepts connections, as nginx does with no app behind it) unless allowTcpHealthChecks.",
    enforcementLevel: "mandatory",
    types: TYPES.targetGroup,
    config: {
      pathPattern: { type: "string", default: "^/", description: "Regular expression the HTTP health check path must match, e.g. ^/health$." },
      allowTcpHealthChecks: { type: "boolean", default: false, description: "Accept TCP (connect-only) health checks, for target groups whose targets serve no HTTP." },
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
        const failing = upper(p.protocolVersion) === "GRPC" ? [] : matcherErrorCodes(hc.matcher);
        if (failing.length > 0) report(`Target group "${args.name}" counts ${failing.join(", ")} healthy (matcher ${JSON.stringify(hc.matcher)}): a target answering errors stays in service; match success codes only (200-399).`);
      } else if (protocol === "TCP" && config.allowTcpHealthChecks !== true) {
        report(`Target group "${args.name}" has a TCP health check: a connect only proves the port accepts connections (nginx does with no app pod behind it), so a target that cannot serve stays in service; check the health path over HTTP(S) (or set allowTcpHealthChecks).`);
      }
    },
  }),
];
