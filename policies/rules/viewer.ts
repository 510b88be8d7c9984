/**
 * The viewer-address chain that keeps every rate limit keyed on the real client: CloudFront's viewer-request
 * function overwrites a header with the viewer's IP on every behavior that reaches a custom origin, the origin
 * request policy forwards it, nginx's real-IP module takes the address from that header only from the VPC's
 * range, nginx's limits key on the resulting address, and the app trusts forwarding headers only from narrow ranges.
 */
import { Policies, PolicyResource } from "@pulumi/policy";
import { coverage, parseCidr, subtract, type Range } from "../semantics/cidr";
import { stackVpcBlocks } from "./podsecurity";
import { blocksNamed, directivesNamed, effectiveHeaders, effectiveProxyHeaders, geoBlocks, inherited, listensOf, NginxBlock, nginxSeconds, parseNginx, possibleValues, proxies, serversOf, trustingValues, walkBlocks } from "../semantics/nginx";
import { APP_HEADERS, HEADERS, SECURITY_HEADER_NAMES } from "@edgestack/contract";
import { nginxBehindNodePorts } from "./loadbalancer";
import { ifKnown, list, masked, ofType, refersTo, resourceRule, stackRule, TYPES, unknownAt } from "./common";
import { hasSecretEnvSource, resolvedEnv, type ConfigMapLookup } from "../semantics/env";
import { APP_MARKERS, memoryBytes } from "./kubernetes";
import { APP_ENV } from "@edgestack/contract";
import { headersAlwaysSetFromViewer } from "../semantics/cloudfront-function";

/** The plan's ConfigMaps by namespace and name (their data; undefined when unknown in preview). */
export function configMapLookup(resources: PolicyResource[]): ConfigMapLookup {
  const byKey = new Map<string, Record<string, unknown> | undefined>();
  for (const cm of ofType(resources, TYPES.configMap)) {
    const meta = ifKnown(() => cm.props.metadata as { name?: unknown; namespace?: unknown } | undefined);
    if (typeof meta?.name !== "string") continue;
    byKey.set(`${String(meta.namespace ?? "default")}/${meta.name}`, ifKnown(() => ({ ...((cm.props.data as Record<string, unknown> | undefined) ?? {}) })));
  }
  return (namespace, name) => byKey.get(`${namespace}/${name}`);
}

/**
 * Every container of every pod-bearing resource with its environment as the kubelet builds it (policies/semantics/env.ts:
 * envFrom ConfigMaps, then env entries, the last of a name winning, ConfigMap references resolved from the plan).
 */
export function containerEnvironments(resources: PolicyResource[]): { workload: PolicyResource; container: { name?: string; envFrom?: unknown }; env: ReturnType<typeof resolvedEnv>; runsApp: boolean }[] {
  const lookup = configMapLookup(resources);
  const out: ReturnType<typeof containerEnvironments> = [];
  for (const w of ofType(resources, TYPES.workload)) {
    const namespace = String(ifKnown(() => (w.props.metadata as { namespace?: unknown } | undefined)?.namespace) ?? "default");
    for (const c of list(ifKnown(() => JSON.parse(JSON.stringify(w.props.spec?.template?.spec?.containers ?? [])) as { name?: string; env?: unknown; envFrom?: unknown }[]))) {
      const env = resolvedEnv(c, namespace, lookup);
      out.push({ workload: w, container: c, env, runsApp: [...env.keys()].some((k) => APP_MARKERS.test(k)) });
    }
  }
  return out;
}

const CONTENT_TYPE_OPTIONS = SECURITY_HEADER_NAMES.contentTypeOptions;
const FRAME_OPTIONS = SECURITY_HEADER_NAMES.frameOptions;
const REFERRER_POLICY = SECURITY_HEADER_NAMES.referrerPolicy;

/** AWS-managed origin request policies that forward every viewer header (a function-set header included). */
const ALL_VIEWER_POLICIES = ["216adef6-5c7f-47e4-b989-5492eafa07d3", "b689b0a8-53d0-40ab-baf2-68738e2966ac", "33f36d7e-f396-46d9-90e0-52428a34d9dc"];

/**
 * Headers a CloudFront Function sets from `event.viewer.ip` on every request (policies/semantics/cloudfront-function.ts:
 * an assignment under a condition, after an early return, or undone later does not count), and headers it also reads
 * (a kept viewer copy).
 */
export function viewerHeadersOf(code: string): { sets: string[]; reads: string[]; miscased: string[] } {
  const written = [...code.matchAll(/headers\s*\[\s*["']([\w-]+)["']\s*\]\s*=\s*\{\s*value\s*:\s*event\.viewer\.ip\s*\}/g)].map((m) => m[1]);
  const always = new Set(headersAlwaysSetFromViewer(code) ?? []);
  // CloudFront Functions see header names in lower case: a key written otherwise is another entry, so the viewer's
  // own lower-case copy is left in place beside it.
  const sets = [...always].filter((h) => h === h.toLowerCase());
  const miscased = written.filter((h) => h !== h.toLowerCase());
  const all = [...code.matchAll(/headers\s*(?:\[\s*["']([\w-]+)["']\s*\]|\.([\w$]+))/g)].map((m) => (m[1] ?? m[2]).toLowerCase());
  const reads = [...new Set(written.filter((h) => h === h.toLowerCase()))].filter((h) => all.filter((x) => x === h).length > written.filter((x) => x.toLowerCase() === h).length);
  return { sets, reads, miscased };
}

const ADDRESS = /^\$(binary_)?remote_addr$/;

/**
 * The ranges of `cidrs` that reach beyond the stack's VPC (its blocks of the same address family; a family whose
 * blocks the plan does not know, such as an IPv6 /56 AWS assigns, is not judged). Peers inside the VPC are the load
 * balancers and the nodes' NodePort SNAT; a wider range (10.0.0.0/8, a peered network, on-premises) lets hosts there
 * state any client address.
 */
export function beyondVpc(cidrs: readonly string[], vpcBlocks: readonly string[] | undefined): string[] {
  if (vpcBlocks === undefined) return [];
  const vpc = vpcBlocks.map((b) => parseCidr(b)).filter((r): r is Range => r !== undefined);
  return cidrs.filter((c) => {
    const r = parseCidr(c);
    if (!r) return false;
    const same = vpc.filter((v) => v.family === r.family);
    return same.length > 0 && subtract([r], same).length > 0;
  });
}

/**
 * Variables a `map` derives from the client address alone: source $remote_addr/$binary_remote_addr and
 * every value the address itself, a capture of it ($1…) or literal hex digits, zeros and colons (an IPv6
 * prefix such as the /64 key). Nothing the client writes can reach such a variable.
 */
function addressDerived(http: NginxBlock, groupingIpv6 = false): Set<string> {
  const out = new Set<string>();
  for (const map of blocksNamed(http, "map")) {
    const [source, target] = map.args;
    if (!source || !target || !ADDRESS.test(source)) continue;
    const values = map.directives.map((d) => (d.name === "default" || d.name === "hostnames" ? d.args[0] : d.args[0]) ?? "");
    if (!values.every((v) => ADDRESS.test(v) || /^(\$\d|[0-9a-f:])+$/i.test(v))) continue;
    // Per client for IPv6 means per prefix: some regex entry matching IPv6 text (a colon) maps it to less than the address.
    if (groupingIpv6 && !map.directives.some((d) => /^["']?~/.test(d.name) && d.name.includes(":") && !ADDRESS.test(d.args[0] ?? ""))) continue;
    out.add(target);
  }
  return out;
}

/** Whether viewers may arrive over IPv6 (a distribution with IPv6 on, or a dual-stack load balancer). */
function ipv6Viewers(resources: PolicyResource[]): boolean {
  return (
    ofType(resources, TYPES.distribution).some((d) => [true, "true"].includes(ifKnown(() => d.props.isIpv6Enabled) as never)) ||
    ofType(resources, TYPES.loadBalancer).some((lb) => /^dualstack/.test(String(ifKnown(() => lb.props.ipAddressType) ?? "")))
  );
}

/** Variables a `map` sets to one constant for every request (a pod-wide bound). */
function constants(http: NginxBlock): Set<string> {
  const out = new Set<string>();
  for (const map of blocksNamed(http, "map")) {
    const [, target] = map.args;
    if (target && map.directives.length === 1 && map.directives[0].name === "default" && !/\$/.test(map.directives[0].args[0] ?? "$")) out.add(target);
  }
  return out;
}

/**
 * Keys of limit_req_zone/limit_conn_zone that a client chooses or that are the same for every client.
 * A per-client key is the address or a variable derived from it alone. One exception: a limit_conn zone
 * with a constant key (a pod-wide connection cap) is accepted when every location that uses it also
 * caps each client through an address-keyed limit_conn zone (no client can fill the pod's share alone).
 */
function badLimitKeys(http: NginxBlock, ipv6 = false): string[] {
  // With IPv6 viewers one client holds a whole /64 (often more): a key of the full address lets it rotate past any
  // limit, so the key must group IPv6 addresses by prefix (a map of the address that does).
  const derived = addressDerived(http, ipv6);
  const perClient = (k: string) => (ADDRESS.test(k) && !ipv6) || derived.has(k);
  const zoneKey = new Map<string, string>();
  for (const args of directivesNamed(http, "limit_conn_zone")) {
    const zone = /zone=([^:]+)/.exec(args.find((a) => a.startsWith("zone=")) ?? "")?.[1];
    if (zone) zoneKey.set(zone, args[0] ?? "");
  }
  const constant = constants(http);
  const podCapAccepted = (key: string): boolean => {
    if (!constant.has(key)) return false;
    const zones = [...zoneKey].filter(([, k]) => k === key).map(([z]) => z);
    const users = locationsOf(http).filter((l) => directivesNamed(l, "limit_conn").some((a) => zones.includes(a[0] ?? "")));
    return users.length > 0 && users.every((l) => directivesNamed(l, "limit_conn").some((a) => perClient(zoneKey.get(a[0] ?? "") ?? "")));
  };
  return ["limit_req_zone", "limit_conn_zone"].flatMap((d) =>
    directivesNamed(http, d)
      .map((a) => a[0] ?? "")
      .filter((k) => !perClient(k) && !(d === "limit_conn_zone" && podCapAccepted(k)))
      .map((k) => `${d} ${k}`),
  );
}

/** A single-valued directive's value in the innermost block of `chain` that sets it. */
function inheritedFlag(chain: NginxBlock[], name: string): string | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const own = directivesNamed(chain[i]!, name);
    if (own.length > 0) return own[own.length - 1]?.[0];
  }
  return undefined;
}

/** A limit_req_zone `rate=` argument ("20r/s", "1200r/m") in requests a second, or undefined. */
export function requestsPerSecond(arg: string): number | undefined {
  const m = /^rate=(\d+(?:\.\d+)?)r\/(s|m)$/.exec(arg);
  return m ? Number(m[1]) / (m[2] === "m" ? 60 : 1) : undefined;
}

function locationsOf(b: NginxBlock): NginxBlock[] {
  return b.blocks.flatMap((x) => (x.name === "location" ? [x, ...locationsOf(x)] : locationsOf(x)));
}

export const viewerPolicies: Policies = [
  stackRule({
    name: "edge-viewer-address-chain",
    description:
      `The client address the rate limiters key on is the viewer's: nginx servers take real_ip_header from a header a CloudFront viewer-request function overwrites with event.viewer.ip (never reading a viewer-sent copy), trust it only from narrow set_real_ip_from ranges inside the stack's VPC when the plan declares it (and never with underscores_in_headers on or ignore_invalid_headers off, which let an underscore spelling of the header through), key limit_req/limit_conn zones on $binary_remote_addr/$remote_addr, pass the forwarding headers upstream from that address (every proxying location sets ${HEADERS.forwardedFor} from it, with nginx's proxy_set_header inheritance; no client-sent ${HEADERS.forwardedProto} or Host $http_host; real_ip_header unset is nginx's X-Real-IP; with IPv6 viewers the limit keys group IPv6 by prefix); every behavior reaching a custom origin runs the function and forwards the header; the app's trusted proxy ranges are narrow, inside the stack's VPC when the plan declares it, and set behind nginx; a function that does not set the header (or is unpublished) is reported on the function too; read from its environment as the kubelet builds it (policies/semantics/env.ts).`,
    enforcementLevel: "mandatory",
    judges: [...TYPES.configMap, ...TYPES.distribution, ...TYPES.workload, "aws:cloudfront/function:Function", "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"],
    config: {
      nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding the nginx configuration." },
      trustedProxiesEnv: { type: "string", default: "TRUST_PROXY_CIDRS", description: "App env var listing the proxy ranges whose forwarding headers it trusts." },
    },
    validate: (resources, { config }, report) => {
      const functions = ofType(resources, ["aws:cloudfront/function:Function"]);
      // A function whose code is known only after deployment may set any header: judge the chain then.
      const codeUnknown = functions.some((f) => unknownAt(() => f.props.code));
      const setBy = new Map<PolicyResource, { sets: string[]; reads: string[] }>();
      for (const f of functions) {
        const code = ifKnown(() => f.props.code);
        if (typeof code !== "string") continue;
        const v = viewerHeadersOf(code);
        setBy.set(f, v);
        for (const h of v.reads) report(`CloudFront function "${f.name}" reads the viewer's own ${h} besides setting it: a client-sent value can survive, and nginx would key limits on it.`, f.urn);
        for (const h of v.miscased) report(`CloudFront function "${f.name}" writes the viewer's address under the key "${h}": CloudFront Functions name headers in lower case, so this is a second entry and the viewer's own "${h.toLowerCase()}" passes unchanged; write request.headers["${h.toLowerCase()}"].`, f.urn);
      }
      const headersSet = new Set([...setBy.values()].flatMap((v) => v.sets));

      // nginx: where each server takes the client address from.
      const realIpHeaders = new Set<string>();
      const vpcBlocks = stackVpcBlocks(resources);
      for (const cm of ofType(resources, TYPES.configMap)) {
        const text = ifKnown(() => (cm.props.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]);
        if (typeof text !== "string") continue;
        const root = parseNginx(text);
        const ipv6 = ipv6Viewers(resources);
        // Trust gates (PROXY protocol accepted, X-Forwarded-Proto believed): the trusted ranges lie inside the VPC too.
        for (const http of blocksNamed(root, "http")) {
          for (const g of geoBlocks(http)) {
            const trusting = trustingValues(http, g.variable);
            const beyond = beyondVpc(g.entries.filter((e) => trusting.has(e.value)).map((e) => e.cidr), vpcBlocks);
            if (trusting.size > 0 && beyond.length > 0) report(`nginx (ConfigMap "${cm.name}") geo ${g.source} ${g.variable} trusts ${beyond.join(", ")}, beyond the stack's VPC (${vpcBlocks!.join(", ")}): hosts there pass a gate meant for the load balancers (a PROXY header or forwarded scheme they write themselves).`, cm.urn);
          }
        }
        for (const http of blocksNamed(root, "http")) for (const k of badLimitKeys(http, ipv6)) report(`nginx (ConfigMap "${cm.name}") keys ${k}: a key the client chooses, one shared by every client${ipv6 ? ", or a full IPv6 address (viewers arrive over IPv6: one client rotates through its /64)" : ""}; key on the client address${ipv6 ? " mapped to its IPv6 /64 prefix" : " ($binary_remote_addr)"}.`, cm.urn);
        for (const server of serversOf(root)) {
          const trusted = [...directivesNamed(server, "set_real_ip_from"), ...blocksNamed(root, "http").flatMap((h) => directivesNamed(h, "set_real_ip_from"))].map((a) => a[0]).filter((x): x is string => !!x && x !== "unix:");
          // nginx's real-IP module reads X-Real-IP when real_ip_header is unset: trusting peers without naming the
          // header still takes the client address from a header, one the viewer may have sent.
          const header = directivesNamed(server, "real_ip_header")[0]?.[0] ?? blocksNamed(root, "http").flatMap((h) => directivesNamed(h, "real_ip_header"))[0]?.[0] ?? (trusted.length > 0 ? "X-Real-IP" : undefined);
          const listen = directivesNamed(server, "listen").map((a) => a[0]).join(", ");
          if (trusted.length > 0 && coverage(trusted).broad) report(`nginx server on ${listen} (ConfigMap "${cm.name}") trusts the client address in ${header ?? "X-Real-IP"} from ${trusted.join(", ")}, a broad share of the internet: any client states its own address.`, cm.urn);
          else if (beyondVpc(trusted, vpcBlocks).length > 0) report(`nginx server on ${listen} (ConfigMap "${cm.name}") trusts the client address in ${header ?? "X-Real-IP"} from ${beyondVpc(trusted, vpcBlocks).join(", ")}, beyond the stack's VPC (${vpcBlocks!.join(", ")}): hosts there (peered networks, VPNs) state any client address to the limiters.`, cm.urn);
          if (header === "proxy_protocol" && trusted.length > 0 && !listensOf(server).some((l) => l.proxyProtocol)) {
            report(`nginx server on ${listen} (ConfigMap "${cm.name}") takes the client address from the PROXY protocol, which its listener does not accept (no proxy_protocol on listen): every client keeps the load balancer's or node's address, and the limiters count every viewer as one.`, cm.urn);
          }
          if (header && header !== "proxy_protocol" && trusted.length > 0) {
            realIpHeaders.add(header.toLowerCase());
            // With underscores accepted (or invalid names kept), nginx reads X_Viewer_Address as X-Viewer-Address: a
            // viewer-sent copy under the underscore spelling passes CloudFront's overwrite of the dashed one.
            const http = blocksNamed(root, "http");
            const underscores = inheritedFlag([...http, server], "underscores_in_headers") === "on";
            const keepsInvalid = inheritedFlag([...http, server], "ignore_invalid_headers") === "off";
            if (underscores || keepsInvalid) report(`nginx server on ${listen} (ConfigMap "${cm.name}") takes the client address from ${header} but ${underscores ? "accepts underscores in header names (underscores_in_headers on)" : "keeps invalid header names (ignore_invalid_headers off)"}: a viewer-sent ${header.replace(/-/g, "_")} reaches the same variable, past CloudFront's overwrite.`, cm.urn);
            if (!headersSet.has(header.toLowerCase()) && !codeUnknown) {
              report(`nginx server on ${listen} (ConfigMap "${cm.name}") takes the client address from ${header}, which no CloudFront viewer-request function sets from event.viewer.ip: the limiter keys on a value the client (or a CloudFront edge) chooses.`, cm.urn);
            }
          }
          for (const loc of [server, ...locationsOf(server)]) {
            for (const [name, value] of directivesNamed(loc, "proxy_set_header")) {
              if (/^(x-forwarded-for|x-real-ip)$/i.test(name ?? "") && /\$http_/.test(value ?? "")) report(`nginx server on ${listen} (ConfigMap "${cm.name}") passes ${name} ${value} upstream: the app would see a client-chosen address.`, cm.urn);
            }
          }
          // What each proxied request carries to the app, with nginx's inheritance (a location's own proxy_set_header
          // drops its server's): the client address the app's limiter keys on, the scheme and the host.
          const clientAddress = addressDerived(blocksNamed(root, "http")[0] ?? root);
          for (const { block, chain } of walkBlocks(server, blocksNamed(root, "http"))) {
            if (block.name !== "location" || !block.directives.some((d) => /^proxy_pass$/.test(d.name))) continue;
            const sent = effectiveProxyHeaders(chain);
            const where = `nginx location ${block.args.join(" ")} on ${listen} (ConfigMap "${cm.name}")`;
            const xff = sent.get(APP_HEADERS.forwardedFor);
            if (xff === undefined) report(`${where} does not set ${HEADERS.forwardedFor}: the client's own header reaches the app, which believes it from nginx's address. Set it to $remote_addr.`, cm.urn);
            else if (!/\$http_/.test(xff) && !["$remote_addr", "$proxy_add_x_forwarded_for"].includes(xff) && !clientAddress.has(xff)) report(`${where} sets ${HEADERS.forwardedFor} ${xff}, not the client's address ($remote_addr): the app's limiter keys on it.`, cm.urn);
            const proto = sent.get(APP_HEADERS.forwardedProto);
            if (proto !== undefined && /\$http_/.test(proto)) report(`${where} passes ${HEADERS.forwardedProto} ${proto}: the client's own claim of its scheme reaches the app.`, cm.urn);
            const host = sent.get("host");
            if (host !== undefined && /\$http_host\b/.test(host)) report(`${where} passes Host ${host}: the client's raw Host header (an absolute request line selects the server by another name), where $host is the name nginx matched.`, cm.urn);
          }
        }
      }

      // CloudFront: every behavior to a custom origin runs a function setting the header, and forwards it.
      const policies = ofType(resources, ["aws:cloudfront/originRequestPolicy:OriginRequestPolicy"]);
      for (const d of ofType(resources, TYPES.distribution)) {
        const p = ifKnown(() => JSON.parse(JSON.stringify(d.props)) as Record<string, unknown>);
        if (!p || realIpHeaders.size === 0 || codeUnknown) continue;
        const origins = list(p.origins as { originId?: string; customOriginConfig?: unknown }[]);
        const custom = new Set(origins.filter((o) => o?.customOriginConfig !== undefined).map((o) => o.originId));
        const behaviors = [{ ...((p.defaultCacheBehavior ?? {}) as Record<string, unknown>), pathPattern: "(default)" }, ...list(p.orderedCacheBehaviors as Record<string, unknown>[])];
        for (const b of behaviors) {
          if (!custom.has(b.targetOriginId as string)) continue;
          const where = `Distribution "${d.name}" behavior ${b.pathPattern}`;
          const assoc = list(b.functionAssociations as { eventType?: string; functionArn?: string }[]).filter((a) => a?.eventType === "viewer-request");
          const fns = assoc.map((a) => functions.find((f) => refersTo(a.functionArn, f, ["name", "arn"]) || String(a.functionArn).endsWith(`/${ifKnown(() => f.props.name)}`)));
          // During preview a function's name or ARN may be unknown: which one a behavior runs is then undecided.
          if (fns.some((f) => f === undefined) && functions.some((f) => unknownAt(() => f.props.name) || unknownAt(() => f.props.arn))) continue;
          // A function runs as its LIVE stage, which only publishing updates: unpublished code never runs.
          for (const f of fns) {
            const publish = f ? ifKnown(() => f.props.publish) : undefined;
            if (f && (publish === false || publish === "false")) report(`CloudFront function "${f.name}" runs on ${where} but is not published (publish: false): CloudFront runs its LIVE stage, older code or none, not the code the plan shows.`, f.urn);
          }
          for (const h of realIpHeaders) {
            if (!fns.some((f) => f && setBy.get(f)?.sets.includes(h))) {
              report(`${where} runs no viewer-request function that sets ${h} from the viewer's IP: nginx then keys limits on whatever the client sends as ${h} (or on the load balancer's address).`, d.urn);
              // The function that runs there is what to fix: it sets another header, or none, from the viewer's address.
              for (const f of fns) if (f && setBy.has(f)) report(`CloudFront function "${f.name}" runs on ${where} but does not set ${h} (the header nginx takes the client address from) from event.viewer.ip${setBy.get(f)!.sets.length > 0 ? `; it sets ${setBy.get(f)!.sets.join(", ")}` : ""}: a viewer-sent ${h} reaches nginx.`, f.urn);
            }
            const orp = b.originRequestPolicyId as string | undefined;
            if (orp === undefined || ALL_VIEWER_POLICIES.includes(orp)) continue;
            const policy = policies.find((x) => refersTo(orp, x));
            if (!policy) {
              // Deleted, or another managed policy: neither is shown to forward the header, so nginx may never see it.
              report(`${where} names origin request policy ${orp}, which the stack does not declare and which is not one of AWS's all-viewer policies: nothing shows that ${h} reaches nginx.`, d.urn);
              continue;
            }
            const hc = ifKnown(() => policy.props.headersConfig as { headerBehavior?: string; headers?: { items?: string[] } } | undefined);
            const forwards = /^allViewer/.test(String(hc?.headerBehavior)) || (hc?.headerBehavior === "whitelist" && list(hc.headers?.items).some((x) => String(x).toLowerCase() === h));
            if (!forwards) report(`${where} uses origin request policy "${policy.name}", which does not forward ${h}: nginx sees the load balancer's address for every client.`, policy.urn);
          }
        }
      }

      // The app: whose forwarding headers it believes, read from its environment as the kubelet builds it (the last
      // entry of a name wins, ConfigMap references and envFrom sources resolved). Behind the stack's nginx the app
      // must trust nginx's range: without it every client of an nginx pod shares that pod's address, one limiter key.
      const behindNginx = ofType(resources, TYPES.configMap).some((cm) => typeof ifKnown(() => (cm.props.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]) === "string");
      for (const { workload: w, container: c, env, runsApp } of containerEnvironments(resources)) {
        const entry = env.get(String(config.trustedProxiesEnv));
        if (entry === undefined) {
          if (runsApp && behindNginx && !hasSecretEnvSource(c)) report(`"${w.name}" runs the app (container "${c.name}") without ${config.trustedProxiesEnv}: behind nginx it sees nginx's pod address for every client, so its limiter and per-client WebSocket caps key every client of an nginx pod as one.`, w.urn);
          continue;
        }
        const v = entry.value;
        if (v === undefined) continue;
        const cidrs = v.split(/[\s,]+/).filter(Boolean);
        if (coverage(cidrs).broad || cidrs.some((x) => /^(\*|all|true)$/i.test(x))) report(`"${w.name}" trusts forwarding headers from ${v} (${config.trustedProxiesEnv}${entry.from === "configMap" ? ", from a ConfigMap" : ""}): any client can state its own address to the app's limiter.`, w.urn);
        else if (beyondVpc(cidrs, vpcBlocks).length > 0) report(`"${w.name}" trusts forwarding headers from ${beyondVpc(cidrs, vpcBlocks).join(", ")} (${config.trustedProxiesEnv}), beyond the stack's VPC (${vpcBlocks!.join(", ")}) where nginx runs: hosts there state any client address to the app's limiter.`, w.urn);
      }
    },
  }),
];

export const proxyProtocolPolicies: Policies = [
  stackRule({
    name: "nlb-proxy-protocol-matches-nginx",
    description:
      `A network load balancer's target group (TCP, TLS, UDP, TCP_UDP) to a NodePort that nginx serves sends the PROXY v2 header (proxyProtocolV2) exactly when nginx's listener behind that port expects it (listen … proxy_protocol), followed through the Service's targetPort to the container port. Without the header the listener refuses every connection and the client address the limiter keys on is lost; with it on a plain listener every request is garbage. Its health check over HTTP(S), not a bare TCP/TLS connection nginx accepts whatever the app's state. A plain TCP listener forwards only to nginx listeners that do not treat the request as HTTPS (no \`set … https\`, no ${HEADERS.forwardedProto} https). It does not judge target groups to ports nginx does not serve, nor health checks.`,
    enforcementLevel: "mandatory",
    judges: [...TYPES.targetGroup, ...TYPES.listener],
    config: { nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding the nginx configuration." } },
    validate: (resources, { config }, report) => {
      const hops = nginxBehindNodePorts(resources, String(config.nginxConfKey));
      for (const tg of ofType(resources, TYPES.targetGroup)) {
        const protocol = String(ifKnown(() => tg.props.protocol) ?? "").toUpperCase();
        if (!["TCP", "TLS", "UDP", "TCP_UDP"].includes(protocol) || unknownAt(() => tg.props.proxyProtocolV2)) continue;
        const port = Number(ifKnown(() => tg.props.port));
        const sends = [true, "true"].includes(ifKnown(() => tg.props.proxyProtocolV2) as never);
        // nginx accepts a connection whether or not it reaches an app pod: a TCP (or TLS) check on a port nginx serves
        // keeps a node whose nginx serves nothing in the group.
        const hc = ifKnown(() => tg.props.healthCheck as { enabled?: unknown; protocol?: unknown } | undefined);
        const hcProtocol = String(hc?.protocol ?? "TCP").toUpperCase();
        if (!unknownAt(() => JSON.stringify(tg.props.healthCheck)) && hops.some((h) => h.nodePort === port) && hc?.enabled !== false && !["HTTP", "HTTPS"].includes(hcProtocol)) report(`Target group "${tg.name}" (${protocol} ${port}) checks nginx's NodePort with a ${hcProtocol} connection only: nginx accepts it while it reaches no app pod, so such a node stays in; check /health over HTTP(S).`, tg.urn);
        for (const hop of hops.filter((h) => h.nodePort === port)) {
          const listens = serversOf(hop.conf.root).flatMap((sv) => listensOf(sv)).filter((l) => l.port === hop.port);
          if (listens.length === 0) continue;
          const expects = listens.some((l) => l.proxyProtocol);
          const where = `nginx's listener on ${hop.port} (ConfigMap "${hop.conf.cm.name}") behind NodePort ${port} (Service "${hop.service.name}" → "${hop.workload.name}")`;
          if (expects && !sends) report(`Target group "${tg.name}" (${protocol} ${port}) sends no PROXY v2 header, but ${where} expects one: it refuses every connection, and the client address the limiter keys on is lost. Set proxyProtocolV2: true.`, tg.urn);
          else if (!expects && sends) report(`Target group "${tg.name}" (${protocol} ${port}) sends a PROXY v2 header to ${where}, which does not expect one (no proxy_protocol): nginx reads the header as the request.`, tg.urn);
        }
      }
      // A plain TCP listener hands nginx what the client sent in clear: the server behind it must not tell the app
      // (or the browser, by HSTS) that the request came over HTTPS, as the listener behind the NLB's TLS port does.
      for (const l of ofType(resources, TYPES.listener)) {
        if (String(ifKnown(() => l.props.protocol) ?? "").toUpperCase() !== "TCP") continue;
        const arns = list(ifKnown(() => l.props.defaultActions as { targetGroupArn?: unknown; forward?: { targetGroups?: { arn?: unknown }[] } }[])).flatMap((a) => [a?.targetGroupArn, ...list(a?.forward?.targetGroups).map((g) => g?.arn)]);
        for (const tg of ofType(resources, TYPES.targetGroup).filter((t) => arns.some((a) => refersTo(a, t)))) {
          const port = Number(ifKnown(() => tg.props.port));
          for (const hop of hops.filter((h) => h.nodePort === port)) {
            for (const sv of serversOf(hop.conf.root).filter((x) => listensOf(x).some((li) => li.port === hop.port && !li.ssl))) {
              const claims = walkBlocks(sv).some(({ block }) => directivesNamed(block, "set").some((a) => a[1] === "https") || directivesNamed(block, "proxy_set_header").some((a) => /^x-forwarded-proto$/i.test(a[0] ?? "") && a[1] === "https"));
              if (claims) report(`Listener "${l.name}" (TCP ${String(ifKnown(() => l.props.port))}) passes clients' plain-text connections to target group "${tg.name}" → NodePort ${port} → nginx's listener on ${hop.port} (ConfigMap "${hop.conf.cm.name}"), which treats every request as HTTPS: plain HTTP is served (to the app as https, with HSTS) instead of redirected.`, l.urn);
            }
          }
        }
      }
    },
  }),
];

/** Referrer policies that send the full URL (paths, query strings) to other sites or over plain HTTP. */
const LEAKY_REFERRER = ["unsafe-url", "no-referrer-when-downgrade", "origin-when-cross-origin"];

/** AWS-managed response headers policies that add HSTS, nosniff and frame options (SecurityHeadersPolicy and its CORS variants). */
const MANAGED_SECURITY_HEADERS = ["67f7725c-6f97-4210-82d7-5512b31e9d03", "e61eb60c-9c35-4d20-a928-2b84e02af89c", "eaab4381-ed33-4a86-88ca-d9558dc6cd63"];

export const headerPolicies: Policies = [
  stackRule({
    name: "cloudfront-security-headers",
    description:
      "Every behavior of every distribution adds the security headers: a response headers policy (of the stack, or AWS's SecurityHeadersPolicy; one the stack does not declare fails unless listed in externalResponseHeadersPolicyIds) with HSTS of at least minHstsSeconds including subdomains, with preload (requireHstsPreload) and overriding the origin, nosniff, frame options DENY or SAMEORIGIN, no referrer policy that sends full URLs to other sites (unsafe-url, no-referrer-when-downgrade, origin-when-cross-origin), no CORS that allows credentials from any origin, and no custom response header carrying a secret value or the origin-lock header (sent to every viewer).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.distribution, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"],
    config: {
      minHstsSeconds: { type: "integer", minimum: 0, default: 31536000, description: "Shortest HSTS max-age accepted (one year)." },
      requireHstsPreload: { type: "boolean", default: true, description: "HSTS carries preload (the contract's HSTS does: the domain is on browsers' preload list, whose entry requires it)." },
      externalResponseHeadersPolicyIds: { type: "array", items: { type: "string" }, default: [], description: "Response headers policies outside the stack that are accepted (reviewed elsewhere)." },
    },
    validate: (resources, { config }, report) => {
      const policies = ofType(resources, ["aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"]);
      const min = Number(config.minHstsSeconds);
      const problemsOf = (p: PolicyResource): string[] => {
        const sh = ifKnown(() => JSON.parse(JSON.stringify(p.props.securityHeadersConfig ?? {})) as Record<string, Record<string, unknown> | undefined>);
        if (!sh) return [];
        const out: string[] = [];
        const hsts = sh.strictTransportSecurity;
        if (!hsts) out.push("no HSTS");
        else {
          if (Number(hsts.accessControlMaxAgeSec ?? 0) < min) out.push(`HSTS max-age ${hsts.accessControlMaxAgeSec} (at least ${min})`);
          if (hsts.includeSubdomains !== true) out.push("HSTS without includeSubdomains");
          if (hsts.override !== true) out.push("HSTS not overriding the origin's");
          if (config.requireHstsPreload === true && hsts.preload !== true) out.push("HSTS without preload");
        }
        if (!sh.contentTypeOptions) out.push("no nosniff content-type option");
        if (!sh.frameOptions || !["DENY", "SAMEORIGIN"].includes(String(sh.frameOptions.frameOption))) out.push(`frame options ${sh.frameOptions?.frameOption ?? "unset"}`);
        // A referrer policy that sends the full URL (paths, query strings, tokens in them) to other sites, or over plain HTTP.
        const referrer = String(sh.referrerPolicy?.referrerPolicy ?? "");
        if (["unsafe-url", "no-referrer-when-downgrade", "origin-when-cross-origin"].includes(referrer)) out.push(`referrer policy ${referrer} (sends full URLs to other sites)`);
        // CORS: credentials to any origin lets every site read signed-in responses.
        const cors = ifKnown(() => JSON.parse(JSON.stringify(p.props.corsConfig ?? {})) as { accessControlAllowCredentials?: unknown; accessControlAllowOrigins?: { items?: unknown[] } });
        const origins = list(cors?.accessControlAllowOrigins?.items).map(String);
        if (origins.some((o) => o === "*" || /^https?:\/\/\*$/.test(o)) && (cors?.accessControlAllowCredentials === true || cors?.accessControlAllowCredentials === "true")) out.push("CORS allowing credentials from any origin");
        // Custom response headers go to every viewer: a secret there (the origin-lock value, a token) is public, and
        // with the origin secret anyone reaches the ALB past CloudFront and its WAF.
        const custom = ifKnown(() => JSON.parse(JSON.stringify(p.props.customHeadersConfig ?? {})) as { items?: { header?: unknown; value?: unknown }[] });
        for (const h of list(custom?.items)) {
          const name = String(h?.header ?? "");
          if (masked(h?.value) || name.toLowerCase() === HEADERS.originVerify.toLowerCase()) out.push(`custom response header ${name} carrying ${masked(h?.value) ? "a secret value" : "the origin-lock header"} to every viewer`);
        }
        return out;
      };
      for (const d of ofType(resources, TYPES.distribution)) {
        const p = ifKnown(() => JSON.parse(JSON.stringify(d.props)) as Record<string, unknown>);
        if (!p) continue;
        const behaviors = [{ ...((p.defaultCacheBehavior ?? {}) as Record<string, unknown>), pathPattern: "(default)" }, ...list(p.orderedCacheBehaviors as Record<string, unknown>[])];
        for (const b of behaviors) {
          const id = b.responseHeadersPolicyId as string | undefined;
          const where = `Distribution "${d.name}" behavior ${b.pathPattern}`;
          if (id === undefined || id === "") {
            report(`${where} has no response headers policy: no HSTS, nosniff or frame options on its responses.`, d.urn);
            continue;
          }
          if (MANAGED_SECURITY_HEADERS.includes(id)) continue;
          const policy = policies.find((x) => refersTo(id, x));
          if (!policy) {
            // A policy the stack does not declare (deleted, or another team's): its headers are unknown, and it can change without this stack.
            if (!list(config.externalResponseHeadersPolicyIds as string[]).includes(id)) report(`${where} uses response headers policy ${id}, which is neither declared by this stack nor AWS's SecurityHeadersPolicy: nothing shows it adds HSTS, nosniff or frame options (declare it, or list it in externalResponseHeadersPolicyIds).`, d.urn);
            continue;
          }
          const problems = problemsOf(policy);
          if (problems.length > 0) {
            report(`${where} uses response headers policy "${policy.name}" with ${problems.join(", ")}.`, policy.urn);
            report(`${where} uses response headers policy "${policy.name}" with ${problems.join(", ")}.`, d.urn);
          }
        }
      }
    },
  }),
  stackRule({
    name: "app-websocket-origins",
    description: "The app admits WebSocket upgrades only from its own HTTPS origins: WS_ALLOWED_ORIGINS lists https:// origins, never *, null or plain http (cross-site WebSocket hijacking).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.workload],
    config: { originsEnv: { type: "string", default: "WS_ALLOWED_ORIGINS", description: "App env var listing the origins allowed to open WebSockets." } },
    validate: (resources, { config }, report) => {
      for (const { workload: w, env } of containerEnvironments(resources)) {
        const v = env.get(String(config.originsEnv))?.value;
        if (typeof v !== "string") continue;
        const bad = v.split(/[\s,]+/).filter(Boolean).filter((o) => !/^https:\/\/[a-z0-9.-]+(:\d+)?$/i.test(o));
        if (bad.length > 0) report(`"${w.name}" lets ${bad.join(", ")} open WebSockets (${config.originsEnv}): any page there acts with the visitor's session.`, w.urn);
      }
    },
  }),
  stackRule({
    name: "app-websocket-bounds",
    description:
      "Each app container's WebSocket limits fit the container: WS_MAX_CONNECTIONS × (WS_SEND_BUFFER_BYTES + WS_MAX_MESSAGE_BYTES), the most its echo buffers can hold, stays within maxMemoryShare of its memory limit (beyond it a flood of slow readers gets the pod OOM-killed, every socket on it with it), and WS_MAX_MESSAGES_PER_SECOND at most maxMessagesPerSecond per connection. Read from the environment as the kubelet builds it (the contract's defaults when unset); values known only at run time, and containers without a memory limit (k8s-resources), are not judged.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.workload],
    config: {
      maxMemoryShare: { type: "number", minimum: 0, maximum: 1, default: 0.5, description: "Largest share of the container's memory limit the WebSocket buffers may fill at their caps." },
      maxMessagesPerSecond: { type: "integer", minimum: 1, default: 100, description: "Most WebSocket messages (frames) a connection may send a second." },
    },
    validate: (resources, { config }, report) => {
      for (const { workload: w, container: c, env, runsApp } of containerEnvironments(resources)) {
        if (!runsApp) continue;
        const value = (k: "WS_MAX_CONNECTIONS" | "WS_SEND_BUFFER_BYTES" | "WS_MAX_MESSAGE_BYTES" | "WS_MAX_MESSAGES_PER_SECOND") => {
          const e = env.get(k);
          return e === undefined ? Number(APP_ENV[k].default) : e.value === undefined ? undefined : Number(e.value);
        };
        const rate = value("WS_MAX_MESSAGES_PER_SECOND");
        if (rate !== undefined && rate > Number(config.maxMessagesPerSecond)) report(`"${w.name}" container "${c.name}" lets each WebSocket send ${rate} messages a second (WS_MAX_MESSAGES_PER_SECOND): at most ${Number(config.maxMessagesPerSecond)}; every frame costs the replica CPU.`, w.urn);
        const [conns, buffer, message] = [value("WS_MAX_CONNECTIONS"), value("WS_SEND_BUFFER_BYTES"), value("WS_MAX_MESSAGE_BYTES")];
        const limit = memoryBytes((c as { resources?: { limits?: { memory?: unknown } } }).resources?.limits?.memory);
        if (conns === undefined || buffer === undefined || message === undefined || limit === undefined) continue;
        const worst = conns * (buffer + message);
        if (worst > limit * Number(config.maxMemoryShare)) report(`"${w.name}" container "${c.name}" may hold ${conns} WebSockets × (${buffer} + ${message}) bytes of buffers, ${Math.round(worst / 2 ** 20)} MiB, above ${Number(config.maxMemoryShare)} of its ${Math.round(limit / 2 ** 20)} MiB memory limit: slow readers get the pod OOM-killed.`, w.urn);
      }
    },
  }),
  stackRule({
    name: "app-rate-limit-effective",
    description:
      "The app's own limiter (the one limit shared by every pod, exact in Redis) admits at most maxRequestsPerSecond per client: RATE_LIMIT_MAX over RATE_LIMIT_WINDOW_MS (the contract's defaults when unset), read from the environment as the kubelet builds it (the last entry of a name wins; ConfigMap references and envFrom sources resolved). nginx's limits are per nginx pod; a limit raised until it never bites is no limit. Values known only at run time (Secrets, fields) are not judged.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.workload],
    config: { maxRequestsPerSecond: { type: "number", minimum: 0, default: 100, description: "Highest per-client rate the app's limiter may admit (requests a second)." } },
    validate: (resources, { config }, report) => {
      const max = Number(config.maxRequestsPerSecond);
      for (const { workload: w, container: c, env, runsApp } of containerEnvironments(resources)) {
        if (!runsApp) continue;
        const limit = env.get("RATE_LIMIT_MAX");
        const window = env.get("RATE_LIMIT_WINDOW_MS");
        if ((limit && limit.value === undefined) || (window && window.value === undefined)) continue;
        const n = Number(limit?.value ?? APP_ENV.RATE_LIMIT_MAX.default);
        const seconds = Number(window?.value ?? APP_ENV.RATE_LIMIT_WINDOW_MS.default) / 1000;
        if (!Number.isFinite(n) || !Number.isFinite(seconds) || seconds <= 0) continue; // app-environment-valid reports what the app refuses
        const rate = n / seconds;
        if (rate > max) report(`"${w.name}" container "${c.name}" lets each client make ${n} requests per ${seconds} s (RATE_LIMIT_MAX/RATE_LIMIT_WINDOW_MS${limit?.from === "configMap" || window?.from === "configMap" ? ", from a ConfigMap" : ""}): ${Math.round(rate)} a second, above ${max}: the shared limiter never bites.`, w.urn);
      }
    },
  }),
];

export const nginxPolicies: Policies = [
  stackRule({
    name: "nginx-limits-and-internal-endpoints",
    description:
      "In the stack's nginx.conf, limits are real (no limit_req_dry_run/limit_conn_dry_run on, every limit_req_zone rate at most maxRequestsPerSecond per client, every limit_req burst at most maxBurst, every limit_conn on a per-client zone at most maxConnectionsPerClient) and every location that proxies to an upstream applies a limit_req and a limit_conn on a per-client zone (except the paths the stack's target groups health-check, and config unlimitedPaths), the health-checked paths themselves carry no limit_req/limit_conn (at location, server or http level) and wait for the upstream (proxy_connect_timeout, proxy_read_timeout, nginx's 60 s when unset) no longer than the target groups' health-check timeout, and every location with allow/deny or stub_status admits only narrow ranges and ends with deny all.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.targetGroup, ...TYPES.configMap],
    config: {
      nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding the nginx configuration." },
      unlimitedPaths: { type: "array", items: { type: "string" }, default: [], description: "Exact locations exempt from limit_req besides the paths the stack's target groups health-check." },
      maxRequestsPerSecond: { type: "number", minimum: 0, default: 100, description: "Highest per-client rate a limit_req_zone may allow (requests a second; r/m rates are divided by 60)." },
      maxBurst: { type: "integer", minimum: 0, default: 500, description: "Largest burst a limit_req may allow above its rate." },
      maxConnectionsPerClient: { type: "integer", minimum: 1, default: 1000, description: "Most connections a limit_conn on a per-client zone may let one client hold." },
    },
    validate: (resources, { config }, report) => {
      // The load balancers' health checks come from few addresses at a fixed pace: their paths need no per-client limit.
      const healthPaths = ofType(resources, TYPES.targetGroup).map((tg) => ifKnown(() => (tg.props.healthCheck as { path?: string } | undefined)?.path)).filter((x): x is string => typeof x === "string");
      const unlimited = [...(config.unlimitedPaths as string[]), ...healthPaths];
      if (ofType(resources, TYPES.targetGroup).some((tg) => unknownAt(() => JSON.stringify(tg.props.healthCheck)))) return; // known after deployment
      const hops = nginxBehindNodePorts(resources, String(config.nginxConfKey));
      for (const cm of ofType(resources, TYPES.configMap)) {
        const text = ifKnown(() => (cm.props.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]);
        if (typeof text !== "string") continue;
        const root = parseNginx(text);
        // Connection zones keyed per client (the address or a map of it), not the pod-wide caps with a constant key.
        const connZoneKeys = new Map<string, string>();
        for (const http of blocksNamed(root, "http")) {
          for (const a of directivesNamed(http, "limit_conn_zone")) {
            const zone = /zone=([^:]+)/.exec(a.find((x) => x.startsWith("zone=")) ?? "")?.[1];
            if (zone) connZoneKeys.set(zone, a[0] ?? "");
          }
        }
        const derivedKeys = new Set(blocksNamed(root, "http").flatMap((h) => [...addressDerived(h)]));
        const perClientKey = (k: string) => ADDRESS.test(k) || derivedKeys.has(k) || /^\$(http_|cookie_|arg_)/.test(k);
        // A limit counts only if it limits: a dry run turns it into logging, and a rate or burst can be raised until it never bites.
        for (const { block } of blocksNamed(root, "http").flatMap((h) => walkBlocks(h))) {
          for (const d of ["limit_req_dry_run", "limit_conn_dry_run"]) if (directivesNamed(block, d).some((a) => a[0] === "on")) report(`nginx (ConfigMap "${cm.name}") sets ${d} on in ${block.name} ${block.args.join(" ")}: its limits only log, nothing is refused.`, cm.urn);
          for (const args of directivesNamed(block, "limit_req_zone")) {
            const rate = requestsPerSecond(args.find((a) => a.startsWith("rate=")) ?? "");
            if (rate === undefined || rate > Number(config.maxRequestsPerSecond)) report(`nginx (ConfigMap "${cm.name}") limit_req_zone ${args.join(" ")} allows ${rate === undefined ? "an unreadable rate" : `${rate} requests a second`} per client: at most ${Number(config.maxRequestsPerSecond)}.`, cm.urn);
          }
          for (const args of directivesNamed(block, "limit_conn")) {
            const key = connZoneKeys.get(args[0] ?? "");
            const n = Number(args[1]);
            if (key !== undefined && perClientKey(key) && !(n <= Number(config.maxConnectionsPerClient))) report(`nginx (ConfigMap "${cm.name}") limit_conn ${args.join(" ")} in ${block.name} ${block.args.join(" ")} lets one client hold ${args[1]} connections: at most ${Number(config.maxConnectionsPerClient)}.`, cm.urn);
          }
          for (const args of directivesNamed(block, "limit_req")) {
            const burst = Number(/^burst=(\d+)$/.exec(args.find((a) => a.startsWith("burst=")) ?? "burst=0")?.[1] ?? NaN);
            if (!(burst <= Number(config.maxBurst))) report(`nginx (ConfigMap "${cm.name}") limit_req ${args.join(" ")} in ${block.name} ${block.args.join(" ")} lets a client burst ${args.find((a) => a.startsWith("burst="))} past its rate: at most ${Number(config.maxBurst)}.`, cm.urn);
          }
        }
        const httpLimit = (d: string) => blocksNamed(root, "http").some((h) => directivesNamed(h, d).length > 0);
        // A connection limit counts when its zone is keyed per client (a pod-wide cap alone lets one client fill it).
        const perClientConn = (b: NginxBlock) => directivesNamed(b, "limit_conn").some((a) => perClientKey(connZoneKeys.get(a[0] ?? "") ?? ""));
        const httpConn = blocksNamed(root, "http").some(perClientConn);
        for (const server of serversOf(root)) {
          const serverLimits = { limit_req: httpLimit("limit_req") || directivesNamed(server, "limit_req").length > 0, limit_conn: httpConn || perClientConn(server) };
          const listen = directivesNamed(server, "listen").map((a) => a[0]).join(", ");
          const locations = locationsOf(server);
          const redirectsTo = (b: NginxBlock, name: string) => b.directives.some((d) => (d.name === "error_page" || d.name === "try_files") && d.args.includes(name));
          // A request reaches a named location (`location @x`) only by an internal redirect from another
          // location, after that location's limits: a named one is limited when every location sending
          // requests to it is (or is exempt). One no location names, or named at server level (any
          // location, exempt ones included, may send there), is judged on its own.
          const limitedOrExempt = (directive: "limit_req" | "limit_conn", loc: NginxBlock, seen: ReadonlySet<NginxBlock>): boolean => {
            if (serverLimits[directive] || (directive === "limit_req" ? directivesNamed(loc, "limit_req").length > 0 : perClientConn(loc))) return true;
            if (loc.args[0] === "=" && unlimited.includes(loc.args[loc.args.length - 1])) return true;
            const name = loc.args[0];
            if (loc.args.length !== 1 || !name?.startsWith("@") || seen.has(loc) || redirectsTo(server, name)) return false;
            const senders = locations.filter((l) => l !== loc && redirectsTo(l, name));
            return senders.length > 0 && senders.every((l) => limitedOrExempt(directive, l, new Set([...seen, loc])));
          };
          const http = blocksNamed(root, "http")[0];
          for (const loc of locations) {
            const proxiesHere = loc.directives.some((d) => /^(proxy|grpc|fastcgi|uwsgi)_pass$/.test(d.name));
            // The paths the load balancers check: their probes come from a few addresses every few seconds, so a
            // per-client limit there fails the targets (429) and an upstream wait beyond the check's own timeout
            // turns one hung pod into a failed node instead of a retry on another pod.
            // A target group checks this server when its health-check port reaches nginx on a port the server listens on
            // (followed through the NodePort Service; when the plan shows no such hop, every server with the path counts).
            const serverPorts = listensOf(server).map((l) => l.port);
            const reachesServer = (tg: PolicyResource) => {
              const hc = ifKnown(() => tg.props.healthCheck as { port?: unknown } | undefined);
              const nodePort = hc?.port === undefined || hc.port === "traffic-port" ? Number(ifKnown(() => tg.props.port)) : Number(hc.port);
              const here = hops.filter((h) => h.nodePort === nodePort && h.conf.cm === cm);
              return here.length === 0 || here.some((h) => serverPorts.includes(h.port));
            };
            const checkedBy = ofType(resources, TYPES.targetGroup).filter((tg) => loc.args[0] === "=" && ifKnown(() => (tg.props.healthCheck as { path?: string } | undefined)?.path) === loc.args[loc.args.length - 1] && reachesServer(tg));
            if (proxiesHere && checkedBy.length > 0) {
              const own = ["limit_req", "limit_conn"].filter((d) => directivesNamed(loc, d).length > 0 || directivesNamed(server, d).length > 0 || (http !== undefined && directivesNamed(http, d).length > 0));
              if (own.length > 0) report(`nginx location ${loc.args.join(" ")} on ${listen} (ConfigMap "${cm.name}") applies ${own.join(" and ")} to the path the target groups health-check (${checkedBy.map((t) => t.name).join(", ")}): their probes from a few addresses get 429 and the targets fail.`, cm.urn);
              const timeout = Math.min(...checkedBy.map((tg) => Number(ifKnown(() => (tg.props.healthCheck as { timeout?: unknown } | undefined)?.timeout) ?? 5)));
              const chain = http ? [http, server, loc] : [server, loc];
              for (const d of ["proxy_connect_timeout", "proxy_read_timeout"]) {
                const v = inherited(chain, d)?.[0] ?? "60s";
                const sec = nginxSeconds(v);
                if (sec === undefined || sec > timeout) report(`nginx location ${loc.args.join(" ")} on ${listen} (ConfigMap "${cm.name}") waits ${v} for the app (${d}), beyond the ${timeout} s the target groups give a health check: a hung pod fails the node's check instead of nginx moving on; at most the check's timeout.`, cm.urn);
              }
            }
            if (proxiesHere && !limitedOrExempt("limit_req", loc, new Set())) report(`nginx location ${loc.args.join(" ")} on ${listen} (ConfigMap "${cm.name}") proxies without a limit_req: clients reach the upstream unthrottled.`, cm.urn);
            if (proxiesHere && !limitedOrExempt("limit_conn", loc, new Set())) report(`nginx location ${loc.args.join(" ")} on ${listen} (ConfigMap "${cm.name}") proxies without a per-client limit_conn: one client can hold every connection the worker has.`, cm.urn);
            const acl = loc.directives.filter((d) => d.name === "allow" || d.name === "deny");
            const status = loc.directives.some((d) => d.name === "stub_status");
            if (acl.length === 0 && !status) continue;
            const allowed = acl.filter((d) => d.name === "allow").map((d) => d.args[0]);
            const last = acl[acl.length - 1];
            if (allowed.includes("all") || coverage(allowed.filter((a) => a !== "all")).broad || !last || last.name !== "deny" || last.args[0] !== "all") {
              report(`nginx location ${loc.args.join(" ")} on ${listen} (ConfigMap "${cm.name}") ${status ? "serves stub_status" : "restricts by address"} without ending in "deny all" after narrow allows (${acl.map((d) => `${d.name} ${d.args.join(" ")}`).join("; ") || "none"}).`, cm.urn);
            }
          }
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "nginx-trusted-peers-narrow",
    description:
      `Every \`geo\` of an nginx configuration that decides whom nginx trusts (its value gates a 4xx refusal, such as PROXY protocol accepted only from the load balancer, or selects when a client header such as ${HEADERS.forwardedProto} or ${HEADERS.cloudFrontId} is believed) keys on the connection's peer ($realip_remote_addr when the real-IP module is in use; never a header, PROXY-line or $remote_addr that the real-IP module rewrote) and gives the trusting value only to narrow ranges, never to its default (every address not listed: the internet) and never to a broad share of the internet however it is split. Which value trusts is read from the configuration's own use of the variable (policies/semantics/nginx.ts trustingValues). A geo no such use reads is not judged.`,
    enforcementLevel: "mandatory",
    types: TYPES.configMap,
    config: { nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding an nginx configuration." } },
    validate: (p, { args, config }, report) => {
      const text = ifKnown(() => (p.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]);
      if (typeof text !== "string") return;
      for (const http of blocksNamed(parseNginx(text), "http")) {
        for (const g of geoBlocks(http)) {
          const trusting = trustingValues(http, g.variable);
          if (trusting.size === 0) continue;
          // The peer is $realip_remote_addr once the real-IP module is in use: $remote_addr is then the address a
          // header or the PROXY line claims, and a header/PROXY-line variable is the client's own word.
          const realIp = walkBlocks(http).some(({ block }) => directivesNamed(block, "real_ip_header").length > 0 || directivesNamed(block, "set_real_ip_from").length > 0);
          const claimed = /^\$(http_|proxy_protocol_|arg_|cookie_)/.test(g.source) || (realIp && /^\$(binary_)?remote_addr$/.test(g.source));
          if (claimed) {
            report(`nginx.conf of ConfigMap "${args.name}": geo ${g.source} ${g.variable} decides trust on an address the client states${realIp && /remote_addr/.test(g.source) ? " (with the real-IP module on, $remote_addr is the header's or PROXY line's claim)" : ""}: key it on $realip_remote_addr, the connection's peer.`);
            continue;
          }
          if (trusting.has(g.defaultValue)) {
            report(`nginx.conf of ConfigMap "${args.name}": geo ${g.source} ${g.variable} gives its default (every address not listed: the internet) the value ${JSON.stringify(g.defaultValue)}, which the configuration trusts: any client passes that gate.`);
            continue;
          }
          const trusted = g.entries.filter((e) => trusting.has(e.value)).map((e) => e.cidr);
          if (trusted.length > 0 && coverage(trusted).broad) report(`nginx.conf of ConfigMap "${args.name}": geo ${g.source} ${g.variable} trusts ${trusted.join(", ")}, a broad share of the internet.`);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "nginx-security-headers",
    description:
      `Every nginx location that proxies to an upstream adds the security headers itself (viewers on the NLB reach nginx without CloudFront's response headers policy): ${HEADERS.hsts} (not on a plain-HTTP port whose catch-all redirects to https://, where browsers ignore it) whose every non-empty value (a literal, or each value of the map that sets its variable) has a max-age of at least minHstsSeconds, ${CONTENT_TYPE_OPTIONS} nosniff, and ${FRAME_OPTIONS} DENY or SAMEORIGIN (or a Content-Security-Policy with frame-ancestors), each with "always" (without it nginx leaves them off every 4xx/5xx answer); and none sends a ${REFERRER_POLICY} that leaks full URLs (unsafe-url, no-referrer-when-downgrade, origin-when-cross-origin) or CORS that allows credentials from any origin (* or the reflected $http_origin). Headers follow nginx's inheritance: a location's own add_header drops its server's and http's.`,
    enforcementLevel: "mandatory",
    types: TYPES.configMap,
    config: {
      nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding an nginx configuration." },
      minHstsSeconds: { type: "integer", minimum: 0, default: 31536000, description: "Shortest HSTS max-age accepted (one year)." },
      requireHstsPreload: { type: "boolean", default: true, description: "HSTS carries preload (the contract's HSTS does: the domain is on browsers' preload list, whose entry requires it)." },
    },
    validate: (p, { args, config }, report) => {
      const text = ifKnown(() => (p.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]);
      if (typeof text !== "string") return;
      const min = Number(config.minHstsSeconds);
      for (const http of blocksNamed(parseNginx(text), "http")) {
        const problems = new Map<string, string[]>();
        // Plain-HTTP ports: a server there redirects its catch-all to https:// (HSTS is ignored over plain HTTP, RFC 6797 §8.1).
        const httpPorts = new Set(
          serversOf(parseNginx(text))
            .filter((sv) => sv.blocks.some((l) => l.name === "location" && l.args.length === 1 && l.args[0] === "/" && directivesNamed(l, "return").some((r) => /^30[1278]$/.test(r[0] ?? "") && /^https:\/\//.test(r[1] ?? ""))))
            .flatMap((sv) => listensOf(sv).filter((l) => !l.ssl).map((l) => l.port)),
        );
        for (const { block, chain } of walkBlocks(http)) {
          if (block.name !== "location" || !proxies({ ...block, blocks: block.blocks.filter((b) => b.name !== "location") })) continue;
          const server = chain.find((b) => b.name === "server");
          const plainHttp = server !== undefined && listensOf(server).length > 0 && listensOf(server).every((l) => !l.ssl && httpPorts.has(l.port));
          const headers = effectiveHeaders(chain);
          const value = (name: string) => headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value);
          const missing: string[] = [];
          const hsts = value(HEADERS.hsts).flatMap((v) => possibleValues(http, v));
          const set = hsts.filter((v) => v !== "");
          if (set.length === 0 && !plainHttp) missing.push(`no ${HEADERS.hsts} value`);
          for (const v of set) {
            const age = v === undefined ? undefined : Number(/max-age\s*=\s*"?(\d+)/i.exec(v)?.[1]);
            if (v !== undefined && !(age !== undefined && age >= min)) missing.push(`HSTS ${JSON.stringify(v)} (max-age under ${min})`);
          }
          if (!value(CONTENT_TYPE_OPTIONS).some((v) => v.toLowerCase() === "nosniff")) missing.push(`no ${CONTENT_TYPE_OPTIONS} nosniff`);
          const frames = value(FRAME_OPTIONS).some((v) => /^(DENY|SAMEORIGIN)$/i.test(v)) || value("Content-Security-Policy").some((v) => /frame-ancestors/i.test(v));
          if (!frames) missing.push(`${FRAME_OPTIONS} ${value(FRAME_OPTIONS)[0] ?? "unset"}`);
          // Without `always` nginx adds a header to 200, 201, 204, 206, 301-308 only: every 4xx/5xx answer (the app's
          // error pages included) goes out without it.
          const notAlways = headers.filter((h) => [HEADERS.hsts, CONTENT_TYPE_OPTIONS, FRAME_OPTIONS].some((n) => n.toLowerCase() === h.name.toLowerCase()) && !h.always).map((h) => h.name);
          if (notAlways.length > 0) missing.push(`${notAlways.join(", ")} without "always" (absent from every 4xx/5xx answer)`);
          // The same limits as CloudFront's response headers policy: no referrer policy that sends full URLs to other
          // sites, and no CORS that lets any origin (a literal *, or the request's own Origin reflected) read responses with credentials.
          for (const v of value(REFERRER_POLICY).flatMap((x) => possibleValues(http, x))) {
            const leaky = String(v ?? "").split(/\s*,\s*/).filter((x) => LEAKY_REFERRER.includes(x.toLowerCase()));
            if (leaky.length > 0) missing.push(`${REFERRER_POLICY} ${leaky.join(", ")} (sends full URLs to other sites)`);
          }
          const anyOrigin = value("Access-Control-Allow-Origin").some((v) => v === "*" || /\$http_origin\b/i.test(v) || possibleValues(http, v).some((x) => x === undefined || x === "*" || /\$http_origin\b/i.test(x)));
          const credentials = value("Access-Control-Allow-Credentials").some((v) => possibleValues(http, v).some((x) => x === undefined || /^true$/i.test(x)));
          if (anyOrigin && credentials) missing.push("CORS allowing credentials from any origin (Access-Control-Allow-Origin * or the request's Origin)");
          if (missing.length > 0) {
            const key = missing.join(", ");
            problems.set(key, [...(problems.get(key) ?? []), block.args.join(" ")]);
          }
        }
        for (const [what, where] of problems) report(`nginx.conf of ConfigMap "${args.name}": proxied responses of location${where.length > 1 ? "s" : ""} ${where.slice(0, 4).join(", ")}${where.length > 4 ? ` and ${where.length - 4} more` : ""} carry ${what}.`);
      }
    },
  }),
];
