/**
 * What an nginx configuration does with what the client sends and with its own resources, judged by effect: which
 * statuses and fields its access log keeps and where the lines go, which client-written text reaches the app in a
 * header, where a redirect can send a browser, how long it holds idle sockets and stale pod addresses, how many times
 * it retries, which TLS groups and features it offers, and whether its connection caps can bite before the worker
 * runs out of connections.
 */
import { Policies } from "@pulumi/policy";
import { APP_ROUTES } from "@edgestack/contract";
import { blocksNamed, directivesNamed, effectiveProxyHeaders, mapValue, type NginxBlock, nginxSeconds, parseNginx, proxies, serversOf, uncheckedClientInput, walkBlocks } from "../semantics/nginx";
import { ifKnown, resourceRule, TYPES } from "./common";
import { nginxBytes } from "./kubernetes";

/** TLS key-exchange groups of at least 128-bit strength (OpenSSL names and aliases, hybrid post-quantum ones included). */
const STRONG_GROUPS = /^(auto|x25519|x448|prime256v1|secp256r1|p-256|secp384r1|p-384|secp521r1|p-521|brainpoolp(256|384|512)r1(tls13)?|ffdhe(2048|3072|4096|6144|8192)|x25519mlkem768|secp256r1mlkem768|secp384r1mlkem1024|mlkem(512|768|1024)|x25519kyber768draft00)$/i;

/** Statuses whose answers the access log must keep (429 may be sampled: a flood must not become a log flood). */
const LOGGED_STATUSES = ["200", "301", "400", "401", "403", "404", "405", "413", "500", "502", "503", "504"];

/** Where a log line is collected from a container: its standard streams or a syslog server. */
const COLLECTED = /^(\/dev\/(stdout|stderr)|\/proc\/self\/fd\/[12]|syslog:.+)$/;

/**
 * The part of a redirect target that decides which site the browser goes to, when text the client wrote can fill it:
 * the authority of an absolute URL, or a leading variable of a relative one ("$arg_next", "/$uri": "//evil.example").
 * Empty when the target stays on a configured origin.
 */
export function clientChosenOrigin(http: NginxBlock, target: string, catchAll = false): string[] {
  // The path variables always start with "/" (nginx keeps only the path of an absolute-form request): they end the authority.
  const absolute = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/]*)/i.exec(target)?.[1]?.replace(/\$\{?(request_uri|uri|document_uri)\b\}?.*$/, "");
  // In a catch-all server (default_server, no or a wildcard server_name) $host is whatever Host the client sent.
  if (absolute !== undefined) return [...(catchAll && /\$\{?host\b/.test(absolute) ? ["$host"] : []), ...uncheckedClientInput(http, absolute)];
  if (/^\/[^/$]/.test(target)) return [];
  const lead = /^\/?(\$\{?\w+\}?)/.exec(target);
  if (!lead) return [];
  return /^\$\{?request_uri\}?$/.test(lead[1]!) ? ["$request_uri"] : uncheckedClientInput(http, lead[1]!);
}

/** A server that answers Host names nobody configured: a default_server, or no, an empty, a wildcard or a regex server_name. */
export function catchAllServer(server: NginxBlock): boolean {
  const names = directivesNamed(server, "server_name").flat();
  return directivesNamed(server, "listen").some((a) => a.includes("default_server") || a.includes("default")) || names.length === 0 || names.some((n) => n === "" || n === "_" || n.includes("*") || n.startsWith("~"));
}

/** The locations a WebSocket upgrade may go through: the contract's WebSocket location and the named ones it hands requests to. */
function websocketLocations(server: NginxBlock, wsPath: string): Set<NginxBlock> {
  const locations = server.blocks.filter((b) => b.name === "location");
  const out = new Set(locations.filter((l) => l.args[0] === "=" && l.args[1] === wsPath));
  let grew = true;
  while (grew) {
    grew = false;
    for (const l of locations) {
      const name = l.args[0] ?? "";
      if (out.has(l) || l.args.length !== 1 || !name.startsWith("@")) continue;
      if ([...out].some((from) => directivesNamed(from, "error_page").some((a) => a.includes(name)))) {
        out.add(l);
        grew = true;
      }
    }
  }
  return out;
}

export const nginxEffectPolicies: Policies = [
  resourceRule<Record<string, unknown>>({
    name: "nginx-conf-effects",
    description:
      "An nginx configuration a ConfigMap holds (key `nginxConfKey`), judged by what it does. Access log: every access_log line goes to a stream the platform collects (/dev/stdout, /dev/stderr, syslog), a JSON-shaped log_format escapes as JSON (escape=json; never escape=none), every format in use records the client address ($remote_addr), the status and a time, and an access_log `if=` condition keeps every status but the sampled 429 (its map evaluated per status). Proxied requests: no header sent upstream carries client-written text unchecked ($http_*, $arg_*, $cookie_*, the URI, or a map that passes them through under a key that is not an anchored explicit character set, policies/semantics/nginx.ts uncheckedClientInput); Upgrade from the client only in the contract's WebSocket location and the named locations it hands requests to (elsewhere h2c smuggling reaches the app past nginx's rules). Redirects (return 30x, rewrite redirect/permanent, add_header Location): no target whose origin a client variable fills, absolute or protocol-relative ($host counts as the client's in a catch-all server: default_server, or no, empty, wildcard or regex server_name). Error log: every error_log goes to stderr or syslog. Bounds: keepalive_timeout at most maxKeepalive, client_header_buffer_size at most maxHeaderBuffer, resolver valid= at most maxResolverValid (the pods' addresses re-read every few seconds), proxy_next_upstream_tries and proxy_next_upstream_timeout never 0 (unbounded), proxy_next_upstream never counting the app's deliberate http_503/http_429 as failures (they feed max_fails), every port a named server listens on has a catch-all default_server (no server_name, or an empty/`_` one), every pod-wide limit_conn (a zone keyed on a constant) below worker_connections × maxPodConnectionShare, worker_connections within worker_rlimit_nofile. TLS: no ssl_early_data (replayable requests), no key-exchange group under 128-bit strength (ssl_ecdh_curve, ssl_conf_command Curves/Groups). No ssi on (the app's output parsed for include commands). The pod's memory against worker_connections is not judged here.",
    enforcementLevel: "mandatory",
    types: TYPES.configMap,
    config: {
      nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding an nginx configuration." },
      maxKeepalive: { type: "string", default: "300s", description: "Longest keepalive_timeout accepted (nginx time syntax): above the load balancers' idle timeout, never hours of idle sockets." },
      maxHeaderBuffer: { type: "string", default: "64k", description: "Largest client_header_buffer_size accepted (nginx size syntax)." },
      maxResolverValid: { type: "string", default: "30s", description: "Longest time nginx may keep a resolved upstream address (resolver valid=): a pod's address is reused by another pod after it goes." },
      maxPodConnectionShare: { type: "number", minimum: 0, maximum: 1, default: 0.75, description: "Largest share of worker_connections a pod-wide limit_conn may allow (the rest stays for HTTP and health checks)." },
      wsPath: { type: "string", default: APP_ROUTES.websocket.path, description: "Exact location of the app's WebSocket endpoint (the only one that passes the client's Upgrade)." },
    },
    validate: (p, { args, config }, report) => {
      const text = ifKnown(() => (p.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]);
      if (typeof text !== "string") return;
      const root = parseNginx(text);
      const conf = `nginx.conf of ConfigMap "${args.name}"`;
      const where = (b: NginxBlock) => `${b.name} ${b.args.join(" ")}`.trim();
      const maxKeepalive = nginxSeconds(String(config.maxKeepalive)) ?? 300;
      const maxHeader = nginxBytes(String(config.maxHeaderBuffer)) ?? 64 * 1024;
      const maxValid = nginxSeconds(String(config.maxResolverValid)) ?? 30;

      const workerConnections = Number(directivesNamed(blocksNamed(root, "events")[0] ?? root, "worker_connections").at(-1)?.[0] ?? 512);
      const rlimit = directivesNamed(root, "worker_rlimit_nofile").at(-1)?.[0];
      if (rlimit !== undefined && workerConnections > Number(rlimit)) report(`${conf} allows ${workerConnections} worker_connections with worker_rlimit_nofile ${rlimit}: the worker runs out of descriptors before its connection limit, and every limit sized from it never bites.`);

      for (const [target] of directivesNamed(root, "error_log")) {
        if (target && !/^(off|\/dev\/null|stderr)$/.test(target) && !COLLECTED.test(target)) report(`${conf} writes its error log to ${target}: a file in the pod is never collected and is lost with the pod; log to /dev/stderr.`);
      }
      // Every port a named server listens on has a catch-all default server of its own: without one nginx hands a
      // request with any Host to the first server on the port, the site's, and on to the app.
      const byPort = new Map<number, { named: boolean; defaultCatchAll: boolean }>();
      for (const server of serversOf(root)) {
        const names = directivesNamed(server, "server_name").flat();
        const named = names.some((n) => n !== "" && n !== "_" && n !== '""' && !n.startsWith("~") && !n.includes("*"));
        for (const a of directivesNamed(server, "listen")) {
          const port = Number(/(\d+)$/.exec(a[0] ?? "")?.[1] ?? 80);
          const e = byPort.get(port) ?? { named: false, defaultCatchAll: false };
          if (named) e.named = true;
          if (a.includes("default_server") && !named) e.defaultCatchAll = true;
          byPort.set(port, e);
        }
      }
      for (const [port, e] of byPort) if (e.named && !e.defaultCatchAll) report(`${conf} has no catch-all default_server on port ${port}: a request naming any Host reaches the first server listening there (the site's) and the app.`);
      for (const http of blocksNamed(root, "http")) {
        // Pod-wide connection caps: a zone keyed on a constant (a literal, or a map whose only value is one).
        const constant = (key: string) => !key.includes("$") || blocksNamed(http, "map").some((m) => m.args[1] === key && m.directives.length === 1 && m.directives[0]!.name === "default" && !/\$/.test(m.directives[0]!.args[0] ?? "$"));
        const podZones = new Set(directivesNamed(http, "limit_conn_zone").filter((a) => constant(a[0] ?? "$")).map((a) => /zone=([^:]+)/.exec(a.find((x) => x.startsWith("zone=")) ?? "")?.[1]));
        const formats = new Map(directivesNamed(http, "log_format").map((a) => [a[0] ?? "", a.slice(1)]));
        for (const [name, rest] of formats) {
          const escape = /^escape=(\w+)$/.exec(rest[0] ?? "")?.[1];
          const body = rest.filter((x) => !/^escape=/.test(x)).join("");
          if (escape === "none") report(`${conf} writes log_format ${name} with escape=none: a client's quotes and line breaks forge log lines.`);
          else if (/^\s*\{/.test(body) && escape !== "json") report(`${conf} writes JSON-shaped log_format ${name} with ${escape ? `escape=${escape}` : "nginx's default escaping"}: a client's quote becomes \\x22, the line is no longer JSON, and the log pipeline drops that request.`);
        }
        for (const { block, chain } of walkBlocks(http)) {
          const loc = where(block);
          for (const a of directivesNamed(block, "access_log")) {
            const [target, format, ...opts] = a;
            if (!target || /^(off|\/dev\/null)$/.test(target)) continue; // judged by nginx-conf-hardened
            if (!COLLECTED.test(target)) report(`${conf} writes its access log to ${target} (in ${loc}): a file in the pod is never collected and is lost with the pod; log to /dev/stdout.`);
            const fields = format === undefined || format === "combined" ? "$remote_addr $status $time_local" : formats.get(format)?.join(" ");
            const needed: [string, RegExp][] = [["$remote_addr", /\$remote_addr\b/], ["$status", /\$status\b/], ["a time", /\$(time_iso8601|time_local|msec)\b/]];
            const missing = fields === undefined ? [] : needed.filter(([, re]) => !re.test(fields)).map(([n]) => n);
            if (missing.length > 0) report(`${conf} logs requests (in ${loc}) with format ${format ?? "combined"}, which records no ${missing.join(", no ")}: a line must say who, what answer and when.`);
            const cond = opts.find((o) => o.startsWith("if="))?.slice(3);
            if (cond) {
              const dropped = LOGGED_STATUSES.filter((st) => {
                const v = /^\$\w+$/.test(cond) ? mapValue(http, cond, st) : cond;
                return v !== undefined && (v === "" || v === "0");
              });
              if (dropped.length > 0) report(`${conf} leaves ${dropped.join(", ")} answers out of the access log (access_log if=${cond} in ${loc}): only refusals (429) may be sampled.`);
            }
          }
          for (const [target] of directivesNamed(block, "error_log")) {
            if (target && !/^(off|\/dev\/null|stderr)$/.test(target) && !COLLECTED.test(target)) report(`${conf} writes its error log to ${target} (in ${loc}): a file in the pod is never collected and is lost with the pod; log to /dev/stderr.`);
          }
          for (const [t] of directivesNamed(block, "keepalive_timeout")) {
            const sec = nginxSeconds(t ?? "");
            if (sec === undefined || sec > maxKeepalive) report(`${conf} keeps idle client connections ${t} (keepalive_timeout in ${loc}): at most ${String(config.maxKeepalive)}; idle sockets hold worker connections.`);
          }
          for (const [size] of directivesNamed(block, "client_header_buffer_size")) {
            const bytes = nginxBytes(size ?? "");
            if (bytes === undefined || bytes > maxHeader) report(`${conf} gives every connection a ${size} header buffer (client_header_buffer_size in ${loc}): at most ${String(config.maxHeaderBuffer)}.`);
          }
          for (const a of directivesNamed(block, "resolver")) {
            const valid = a.find((x) => x.startsWith("valid="));
            const sec = valid ? nginxSeconds(valid.slice(6)) : undefined;
            if (valid && (sec === undefined || sec > maxValid)) report(`${conf} keeps resolved upstream addresses ${valid.slice(6)} (resolver ${valid} in ${loc}): a departed pod's address, reused by another pod, keeps receiving requests; at most ${String(config.maxResolverValid)}.`);
          }
          // What counts as a failed attempt also counts toward max_fails: the app's deliberate answers (a draining pod's
          // 503, the fail-closed limiter's 503 + Retry-After, a 429) would mark every pod down during a Redis outage.
          for (const a of directivesNamed(block, "proxy_next_upstream")) {
            const deliberate = a.filter((x) => x === "http_503" || x === "http_429");
            if (deliberate.length > 0) report(`${conf} treats the app's ${deliberate.join(" and ")} as a failed attempt (proxy_next_upstream in ${loc}): a dependency outage answered deliberately (fail-closed limiter, draining pods) marks every pod down and becomes a full outage.`);
          }
          for (const [n] of directivesNamed(block, "proxy_next_upstream_tries")) if (n === "0") report(`${conf} retries a failed request without a limit (proxy_next_upstream_tries 0 in ${loc}): one request becomes a retry storm over every pod.`);
          for (const [t] of directivesNamed(block, "proxy_next_upstream_timeout")) if (nginxSeconds(t ?? "") === 0) report(`${conf} retries a failed request for ever (proxy_next_upstream_timeout ${t} in ${loc}: 0 is no limit).`);
          for (const [on] of directivesNamed(block, "ssl_early_data")) if (on === "on") report(`${conf} accepts TLS 1.3 early data (ssl_early_data on in ${loc}): a request sent as 0-RTT data can be replayed by anyone who captured it.`);
          for (const [on] of directivesNamed(block, "ssi")) if (on === "on") report(`${conf} parses the app's responses for server-side includes (ssi on in ${loc}): text a user stored in a page becomes an include nginx runs (internal requests, other files).`);
          const groups = [...directivesNamed(block, "ssl_ecdh_curve").map((a) => a[0] ?? ""), ...directivesNamed(block, "ssl_conf_command").filter((a) => /^(Curves|Groups)$/i.test(a[0] ?? "")).map((a) => a[1] ?? "")];
          for (const g of groups) {
            const weak = g.split(/[:,\s/]+/).map((x) => x.replace(/^[?*]/, "")).filter((x) => x !== "" && !STRONG_GROUPS.test(x));
            if (weak.length > 0) report(`${conf} offers key-exchange groups ${weak.join(", ")} (in ${loc}): under 128-bit strength or unknown; use X25519, P-256, P-384 (or a hybrid).`);
          }
          for (const a of directivesNamed(block, "limit_conn")) {
            if (!podZones.has(a[0]) || !(Number(a[1]) > workerConnections * Number(config.maxPodConnectionShare))) continue;
            report(`${conf} caps zone ${a[0]} (one key for the pod) at ${a[1]} connections in ${loc}, above ${Number(config.maxPodConnectionShare)} of the worker's ${workerConnections}: the cap never bites before the worker runs out, and HTTP and health checks lose their share.`);
          }
          // Redirect targets: the browser goes wherever a client variable points.
          const targets = [
            ...directivesNamed(block, "return").filter((x) => /^30[1278]$/.test(x[0] ?? "")).map((x) => ({ what: `return ${x[0]}`, value: x[1] ?? "" })),
            ...directivesNamed(block, "rewrite").filter((x) => ["redirect", "permanent"].includes(x[2] ?? "") || /^(https?:)?\/\//.test(x[1] ?? "")).map((x) => ({ what: "rewrite", value: x[1] ?? "" })),
            ...directivesNamed(block, "add_header").filter((x) => /^location$/i.test(x[0] ?? "")).map((x) => ({ what: "add_header Location", value: x[1] ?? "" })),
          ];
          const inServer = chain.find((b) => b.name === "server");
          for (const t of targets) {
            const chosen = clientChosenOrigin(http, t.value, inServer !== undefined && catchAllServer(inServer));
            if (chosen.length > 0) report(`${conf} redirects to ${t.value} (${t.what} in ${loc}), whose origin ${chosen.join(", ")} fills: the client picks the site the browser goes to (an open redirect).`);
          }
          // What a proxied request carries upstream, with nginx's inheritance.
          if (block.name === "location" && proxies({ ...block, blocks: block.blocks.filter((b) => b.name !== "location") })) {
            const server = chain.find((b) => b.name === "server");
            const ws = server ? websocketLocations(server, String(config.wsPath)) : new Set<NginxBlock>();
            for (const [name, value] of effectiveProxyHeaders(chain)) {
              if (name === "upgrade" && !ws.has(block) && /\$http_upgrade\b/.test(value)) {
                report(`${conf} passes the client's Upgrade header to the app from ${loc}, which is not the WebSocket location (${String(config.wsPath)}): an h2c upgrade tunnels requests past nginx's locations, limits and method gates.`);
                continue;
              }
              if (name === "upgrade" || name === "connection") continue;
              const unchecked = uncheckedClientInput(http, value);
              if (unchecked.length > 0) report(`${conf} sends ${name} ${value} upstream from ${loc}: it carries ${unchecked.join(", ")} as the client wrote it (no anchored format check), so a client sets what the app and its logs take as nginx's word.`);
            }
          }
        }
      }
    },
  }),
];
