import { isIP } from "node:net";
import { z } from "zod";
import { isDnsName, parseIpv4Cidr } from "../config/validators";
import { HEADERS, HTTP_METHODS } from "@edgestack/contract";
import { ERROR_LOG_LEVELS, LOAD_BALANCING, type NginxModel } from "./model";

/**
 * Validation of every value that reaches nginx.conf, as a zod schema like the stack config's
 * (infra/config/schema.ts): one line per problem, naming the model field and the offending value.
 * The renderer writes values verbatim, so a value that could end a directive or open a block
 * (`;`, `{`, `}`), start a comment (`#`), quote or escape (`"`, `'`, `\`), interpolate a variable
 * (`$`), split into extra arguments (whitespace) or a new line is refused here — never escaped into
 * something that means otherwise.
 */
export class NginxModelError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid nginx model:\n  ${problems.join("\n  ")}`);
    this.name = "NginxModelError";
  }
}

const show = (value: unknown) => JSON.stringify(value);

/** Characters that break out of a directive argument; whitespace too, except in quoted header values. */
const BREAKERS = [";", "{", "}", "#", '"', "'", "`", "\\", "$"];

function describeChar(c: string): string {
  if (c === "\n") return "a newline";
  if (c === "\r") return "a carriage return";
  if (c === "\t") return "a tab";
  if (c === " ") return "a space";
  const code = c.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).padStart(4, "0").toUpperCase()}`;
  if (code > 0x7e) return `non-ASCII character U+${code.toString(16).padStart(4, "0").toUpperCase()}`;
  return show(c);
}

/** The first character that could break out of a directive, or undefined. */
function breakout(value: string, allowSpace: boolean): string | undefined {
  for (const c of value) {
    const code = c.codePointAt(0)!;
    if (code < 0x20 || code >= 0x7f) return describeChar(c);
    if (c === " " && !allowSpace) return describeChar(c);
    if (BREAKERS.includes(c)) return describeChar(c);
  }
  return undefined;
}

type Check = (value: string) => boolean;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const isIpv4Address: Check = (v) => IPV4.test(v);
export const isIdentifier: Check = (v) => /^[a-z][a-z0-9_]{0,62}$/.test(v);
export const isUpstreamHost: Check = (v) => isIpv4Address(v) || isDnsName(v) || v === "localhost";
/** An SRV name's service prefix for TCP: `_<service>._tcp` (RFC 2782; a Service port's name in the cluster). */
export const isSrvService: Check = (v) => /^_[a-z0-9](?:[a-z0-9-]{0,13}[a-z0-9])?\._tcp$/.test(v);
export const isResolverAddress: Check = (v) => {
  const m = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(v);
  return m !== null && isIpv4Address(m[1]!) && (m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= 65_535));
};
export const isServerName: Check = (v) => v === "_" || v === "localhost" || isDnsName(v) || isIpv4Address(v);
/**
 * An IPv4 CIDR block nginx reads: nginx parses addresses with inet_addr semantics, where
 * 255.255.255.255 is the error value, so `allow`/`set_real_ip_from` refuse it (and only it).
 */
export const isIpv4Cidr: Check = (v) => parseIpv4Cidr(v) !== undefined && !v.startsWith("255.255.255.255/");
/** An IPv6 CIDR block without host bits ("2600:1f18:abcd:ef00::/56"), as AWS reports a VPC's. */
export const isIpv6Cidr: Check = (v) => {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(v);
  if (m === null || isIP(m[1]!) !== 6 || Number(m[2]) > 128) return false;
  const groups = ipv6Groups(m[1]!);
  if (groups === undefined) return false;
  const bits = groups.map((g) => g.toString(2).padStart(16, "0")).join("");
  return !bits.slice(Number(m[2])).includes("1");
};
/** An IPv4 or IPv6 CIDR block without host bits (a VPC's blocks are of either family). */
export const isIpCidr: Check = (v) => isIpv4Cidr(v) || isIpv6Cidr(v);

/** The eight 16-bit groups of an IPv6 address in hex notation (no embedded IPv4). */
function ipv6Groups(address: string): number[] | undefined {
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? groups.map((g) => parseInt(g, 16)) : undefined;
}
/** Absolute file path of plain segments (no `..`, no spaces). */
export const isAbsolutePath: Check = (v) =>
  v.length <= 1024 && /^(\/[A-Za-z0-9._@+-]+)+$/.test(v) && !v.split("/").some((s) => s === "." || s === "..");
/** URI path a location matches: starts with "/", plain characters, no `..`. */
export const isLocationPath: Check = (v) =>
  v.length <= 256 && /^\/[A-Za-z0-9._~/-]*$/.test(v) && !v.split("/").some((s) => s === "..");
export const isHeaderName: Check = (v) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/.test(v);
/** Header values are written double-quoted: printable ASCII, no leading/trailing space. */
export const isHeaderValue: Check = (v) => v.length >= 1 && v.length <= 512 && /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(v);
/** An nginx size: a number with an optional k or m suffix (e.g. 10m, 64k, 1024). */
export const isSize: Check = (v) => /^[1-9]\d{0,5}[km]?$/.test(v);
/** Bytes in an nginx size (validated with isSize). */
export function sizeBytes(v: string): number {
  const unit = v.endsWith("k") ? 1024 : v.endsWith("m") ? 1024 * 1024 : 1;
  return Number.parseInt(v, 10) * unit;
}
/**
 * A shared-memory zone size: nginx refuses zones under 8 pages ("zone is too small"; 32k with 4 KiB
 * pages) and -t allocates them, so they are capped too.
 */
export const isZoneSize: Check = (v) => isSize(v) && sizeBytes(v) >= 32 * 1024 && sizeBytes(v) <= 1024 * 1024 * 1024;
export const isMimeType: Check = (v) => /^[a-z]+\/[a-z0-9][a-z0-9.+-]{0,100}$/.test(v);
export const isFileExtension: Check = (v) => /^[a-z0-9]{1,16}$/.test(v);

const MAX_SECONDS = 86_400 * 7;

/** A problem stated without the value (a list too short, a combination): `path: message`. */
const WHOLE = { whole: true };

/** A string field: no breakout character, then `check`. */
const text = (check: Check, what: string, options: { allowSpace?: boolean } = {}) =>
  z.string({ error: `must be a string (${what})` }).superRefine((v, ctx) => {
    const bad = breakout(v, options.allowSpace ?? false);
    if (bad !== undefined) ctx.addIssue({ code: "custom", message: `contains ${bad}` });
    else if (!check(v)) ctx.addIssue({ code: "custom", message: `is not ${what}` });
  });

const int = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.number({ error: message }).refine((v) => Number.isInteger(v) && v >= min && v <= max, { error: message });
};

const bool = () => z.boolean({ error: "must be true or false" });

const oneOf = <T extends string>(allowed: readonly T[]) =>
  z.custom<T>().superRefine((v, ctx) => {
    if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return;
    const bad = typeof v === "string" ? breakout(v, false) : undefined;
    ctx.addIssue({ code: "custom", message: `${bad !== undefined ? `contains ${bad}; ` : ""}is not one of ${allowed.map(show).join(", ")}` });
  });

const list = <T extends z.ZodType>(item: T, min: number) =>
  z.array(item, { error: "must be a list" }).min(min, { error: `needs at least ${min} entr${min === 1 ? "y" : "ies"}` });

const identifier = (what = "an identifier (a-z, 0-9, _; starting with a letter)") => text(isIdentifier, what);
const cidr = (what = "an IPv4 CIDR block") => text(isIpv4Cidr, what);
const ipCidr = (what = "an IPv4 or IPv6 CIDR block") => text(isIpCidr, what);
const zoneSize = () => text(isZoneSize, "a zone size from 32k to 1024m");
const serverName = () => text(isServerName, "a server name (DNS name, IPv4 address, localhost or _)");
const absolutePath = () => text(isAbsolutePath, "an absolute path of plain segments");
const mimeType = () => text(isMimeType, "a MIME type such as text/css");

const upstreamServer = z.object({
  host: text(isUpstreamHost, "an IPv4 address or DNS name"),
  /** null: the port comes from each SRV record (`service`). */
  port: int(1, 65_535).nullable(),
  /**
   * Discover the servers from SRV records (`server <host> service=<service> resolve`, open-source
   * nginx >= 1.27.3): nginx looks up `<service>.<host>` (e.g. `_http._tcp.app-pods…`: CoreDNS's
   * records of a headless Service's named port), and each record's target address and port is a
   * server; records of the lowest priority are primaries, the others backups. Needs `resolve` and
   * `port: null`. null: `host` is looked up for A records and `port` is the port.
   */
  service: text(isSrvService, "an SRV service prefix _<name>._tcp such as _http._tcp").nullable(),
  weight: int(1, 1000),
  maxFails: int(0, 1000),
  failTimeoutSeconds: int(1, MAX_SECONDS),
  backup: bool(),
  /** Re-resolve the name while running (`server … resolve`, nginx >= 1.27.3). */
  resolve: bool(),
});

const upstream = z
  .object({
    /** Upstream block name (also its shared-memory zone). */
    name: identifier(),
    algorithm: oneOf(LOAD_BALANCING),
    /** Shared-memory zone size so balancing state and failures are shared by all workers. */
    zoneSize: zoneSize(),
    servers: list(upstreamServer, 1),
    /** null: no pooling (`keepalive 0`: a new upstream connection per request; nginx >= 1.29.7 pools by default). */
    keepalive: z
      .object(
        { connections: int(1, 100_000), timeoutSeconds: int(1, MAX_SECONDS), requests: int(1, 10_000_000) },
        { error: "must be null or { connections, timeoutSeconds, requests }" },
      )
      .nullable(),
    /** Required when a server has `resolve`; null otherwise. */
    resolver: z
      .object(
        {
          /** IPv4 addresses, optionally with a port ("172.20.0.10", "127.0.0.1:5353"). */
          addresses: list(text(isResolverAddress, "an IPv4 address, optionally with :port (e.g. 172.20.0.10 or 127.0.0.1:5353)"), 1),
          /** Re-resolve at most this often, whatever the records' TTL (how fast scaling is seen). */
          validSeconds: int(1, 300),
          timeoutSeconds: int(1, 60),
        },
        { error: "must be null or { addresses, validSeconds, timeoutSeconds }" },
      )
      .nullable(),
  })
  .superRefine((u, ctx) => {
    u.servers.forEach((s, i) => {
      // nginx: "service" needs "resolve" and a name without a port (the port is each record's).
      if (s.service !== null && (!s.resolve || s.port !== null)) {
        ctx.addIssue({ code: "custom", path: ["servers", i, "service"], params: WHOLE, message: `${show(s.service)} needs resolve: true and port: null (the port comes from each SRV record)` });
      }
      if (s.service === null && s.port === null) {
        ctx.addIssue({ code: "custom", path: ["servers", i, "port"], params: WHOLE, message: "null needs service (SRV records to take the port from)" });
      }
      if (s.resolve && isIpv4Address(s.host)) {
        ctx.addIssue({ code: "custom", path: ["servers", i, "resolve"], params: WHOLE, message: `true needs a DNS name, not the address ${show(s.host)}` });
      }
    });
    if (u.resolver === null && u.servers.some((s) => s.resolve)) {
      ctx.addIssue({ code: "custom", path: ["resolver"], params: WHOLE, message: "null, but a server has resolve: true (nginx needs a resolver to re-resolve it)" });
    }
    // nginx refuses `backup` with these methods ("balancing method does not support parameter backup").
    if (["ip_hash", "hash", "random", "random_two_least_conn"].includes(u.algorithm as string)) {
      u.servers.forEach((s, i) => {
        if (s.backup) {
          ctx.addIssue({ code: "custom", path: ["servers", i, "backup"], params: WHOLE, message: `true is not allowed with algorithm ${show(u.algorithm)} (nginx supports backup servers only with round_robin, least_conn and cookie_affinity)` });
        }
      });
    }
    if (u.servers.length > 0 && u.servers.every((s) => s.backup)) {
      ctx.addIssue({ code: "custom", path: ["servers"], params: WHOLE, message: "every server is a backup; at least one must be a primary" });
    }
    const seen = new Set<string>();
    u.servers.forEach((s, i) => {
      const key = s.service === null ? `${s.host}:${s.port}` : `${s.service}.${s.host}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["servers", i], params: WHOLE, message: `${show(key)} is listed twice` });
      seen.add(key);
    });
  });

const listen = z.object({ address: text(isIpv4Address, "an IPv4 address"), port: int(1, 65_535), proxyProtocol: bool() });

const realIp = z
  .object({
    /**
     * Where the client address comes from when the peer is trusted: "proxy_protocol", or the name of a
     * request header (X-Forwarded-For from a load balancer; X-Viewer-Address, set by CloudFront's
     * viewer-request function, on the cluster's ALB listener).
     */
    header: text((v) => v === "proxy_protocol" || isHeaderName(v), `"proxy_protocol" or an HTTP header name`),
    /**
     * real_ip_recursive: walk a list header (X-Forwarded-For) from the right past trusted addresses.
     * Off for a header that holds exactly one address and for PROXY protocol.
     */
    recursive: bool(),
    /** Peers allowed to state the client address; any other peer's header is ignored. */
    trustedCidrs: list(ipCidr("an IPv4 or IPv6 CIDR block without host bits (e.g. 10.0.0.0/16)"), 1),
  })
  .superRefine((r, ctx) => {
    if (r.header === "proxy_protocol" && r.recursive) {
      ctx.addIssue({ code: "custom", path: ["recursive"], params: WHOLE, message: `true means nothing with "proxy_protocol" (one address); set it false` });
    }
  })
  .nullable();

const location = z
  .object({
    path: text(isLocationPath, "a URI path starting with / (letters, digits, . _ ~ / -)"),
    match: oneOf(["exact", "prefix"] as const),
    /** Name of the upstream to proxy to. */
    upstream: identifier("an upstream name"),
    /**
     * Upstream a request goes to once when `upstream` has no server left for it (nginx's own 502 "no
     * live upstreams": every server marked failed, or a retry after the resolved set changed, which nginx
     * never retries on the new set). One attempt, never for non-idempotent methods; null: the 502 stands.
     */
    fallbackUpstream: identifier("an upstream name").nullable(),
    /** Pass Upgrade/Connection through (WebSocket). */
    websocket: bool(),
    /** Apply limit_req and limit_conn. */
    rateLimited: bool(),
    accessLog: bool(),
    connectTimeoutSeconds: int(1, 75),
    readTimeoutSeconds: int(1, MAX_SECONDS),
    sendTimeoutSeconds: int(1, MAX_SECONDS),
    /** Long-lived, versioned assets: `expires` + `Cache-Control: public, immutable` (upstream's hidden). */
    immutableCacheSeconds: int(1, 315_360_000).nullable(),
    /**
     * Cache-Control for successful GET/HEAD answers whose upstream sent none (HTML: max-age plus
     * stale-while-revalidate / stale-if-error); an upstream Cache-Control passes unchanged. null: untouched.
     */
    defaultCacheControl: text(isHeaderValue, "a header value (printable ASCII)", { allowSpace: true }).nullable(),
    /**
     * Exactly the methods the location passes on (its route's, from the contract); any other is
     * answered 405 with these as `Allow`.
     */
    methods: z
      .array(z.enum(HTTP_METHODS), { error: `must be a list of ${HTTP_METHODS.join(", ")}` })
      .min(1, { error: "must list at least one method" })
      .refine((m) => new Set(m).size === m.length, { error: "lists a method twice" }),
  })
  .superRefine((l, ctx) => {
    if (l.defaultCacheControl !== null && l.immutableCacheSeconds !== null) {
      ctx.addIssue({ code: "custom", path: ["defaultCacheControl"], params: WHOLE, message: "not allowed with immutableCacheSeconds (which sets Cache-Control itself)" });
    }
  });

/** Why a listener's real-IP source cannot work: "proxy_protocol" needs a PROXY protocol listener. */
function proxyProtocolSourceProblem(s: { realIp: { header: string } | null; listen: { proxyProtocol: boolean } }, at: string): string | undefined {
  if (s.realIp?.header === "proxy_protocol" && !s.listen.proxyProtocol) return `"proxy_protocol" needs ${at}.listen.proxyProtocol true`;
  return undefined;
}

/** OpenSSL cipher names (TLS 1.2 suites; TLS 1.3's are fixed by OpenSSL). */
export const isCipherName: Check = (v) => /^[A-Z0-9][A-Z0-9-]{2,63}$/.test(v);
/** An absolute file path nginx reads (certificate, key). */
export const isFilePath: Check = (v) => /^\/[A-Za-z0-9._/-]+$/.test(v) && !v.split("/").includes("..");

/**
 * TLS on a listener (the ALB's hop to nginx): the certificate and key files, the protocols (1.2 and
 * 1.3 only) and the TLS 1.2 ciphers. null: plain TCP (only where the peer terminates TLS before us).
 */
const listenerTls = z
  .object({
    certificate: text(isFilePath, "an absolute file path"),
    certificateKey: text(isFilePath, "an absolute file path"),
    protocols: z
      .array(z.enum(["TLSv1.2", "TLSv1.3"]), { error: 'must be a list of "TLSv1.2", "TLSv1.3"' })
      .min(1, { error: "must list at least one protocol" })
      .refine((p) => new Set(p).size === p.length, { error: "lists a protocol twice" }),
    ciphers: list(text(isCipherName, "an OpenSSL cipher name (e.g. ECDHE-RSA-AES128-GCM-SHA256)"), 1),
  })
  .nullable();

const proxyServer = z.object({
  role: z.literal("proxy"),
  /** Identifier used in comments (e.g. "alb_https"). */
  name: identifier(),
  listen,
  tls: listenerTls,
  serverNames: list(serverName(), 1),
  realIp,
  /**
   * X-Forwarded-Proto sent to the app: "header" takes http/https from the load balancer's
   * X-Forwarded-Proto (anything else falls back to the connection's scheme); "https" is fixed.
   */
  forwardedProto: oneOf(["header", "https"] as const),
  locations: list(location, 1),
});

const redirectServer = z.object({
  role: z.literal("redirect_https"),
  name: identifier(),
  listen,
  serverNames: list(serverName(), 1),
  realIp,
  /** Passed through to the upstream so load-balancer health checks on this port succeed. */
  health: location,
});

const statusServer = z.object({
  role: z.literal("status"),
  name: identifier(),
  listen,
  stubStatusPath: text(isLocationPath, "a URI path starting with /"),
  stubStatusAllow: list(cidr(), 1),
  livenessPath: text(isLocationPath, "a URI path starting with /"),
  livenessAllow: list(ipCidr(), 1),
});

const server = z.discriminatedUnion("role", [proxyServer, redirectServer, statusServer], {
  error: `is not one of ${["proxy", "redirect_https", "status"].map(show).join(", ")}`,
});

const header = z.object({
  name: text(isHeaderName, "an HTTP header name"),
  value: text(isHeaderValue, "a header value (printable ASCII)", { allowSpace: true }),
});

const PATH_KEYS = ["pid", "errorLog", "accessLog", "clientBodyTemp", "proxyTemp", "fastcgiTemp", "uwsgiTemp", "scgiTemp"] as const;

/** The nginx model as a zod schema: field checks, then the combinations nginx would refuse. */
export const nginxModelSchema = z
  .object({
    /** Where the file runs: "cluster" (ConfigMap) or "local" (test prefix / local data plane). */
    mode: oneOf(["cluster", "local"] as const),
    /** Stack the model was built from (comment only). */
    stack: text((v) => /^[A-Za-z0-9._-]{1,100}$/.test(v), "a stack name"),
    workerProcesses: z.union([z.literal("auto"), int(1, 256)], { error: `must be "auto" or a whole number from 1 to 256` }),
    workerConnections: int(16, 1_000_000),
    /** Descriptors each worker may open (`worker_rlimit_nofile`): its connections plus listeners and logs. */
    workerRlimitNofile: int(64, 1_048_576),
    /** How long a graceful shutdown waits for open connections (WebSockets) before closing them. */
    workerShutdownTimeoutSeconds: int(1, MAX_SECONDS),
    errorLogLevel: oneOf(ERROR_LOG_LEVELS),
    paths: z.object({
      pid: absolutePath(),
      errorLog: absolutePath(),
      /** null: access log off. */
      accessLog: absolutePath().nullable(),
      clientBodyTemp: absolutePath(),
      proxyTemp: absolutePath(),
      fastcgiTemp: absolutePath(),
      uwsgiTemp: absolutePath(),
      scgiTemp: absolutePath(),
    }),
    /**
     * Buffer access-log lines in memory and write them in blocks: one write per `sizeKb` or
     * `flushSeconds` instead of a write syscall per request, a large share of nginx's per-request
     * CPU. null writes each line at once (tests that read the log right away).
     */
    accessLogBuffer: z.object({ sizeKb: int(4, 1024), flushSeconds: int(1, 60) }).nullable(),
    clientKeepaliveSeconds: int(1, MAX_SECONDS),
    /** Requests one client connection may carry before nginx closes it (a load balancer's pooled connections open anew, TLS handshake included). */
    clientKeepaliveRequests: int(1, 1_000_000),
    clientMaxBodySize: text(isSize, "a size such as 1m"),
    /** Inline `types {}` so the file needs no mime.types include. */
    mimeTypes: list(z.object({ type: mimeType(), extensions: list(text(isFileExtension, "a file extension (a-z, 0-9)"), 1) }), 0),
    gzip: z.object({
      enabled: bool(),
      minLength: int(0, 10_000_000),
      compLevel: int(1, 9),
      // nginx always compresses text/html and warns about it being listed again.
      types: list(mimeType().refine((t) => t !== "text/html", { error: `is always compressed; leave it out` }), 0),
    }),
    rateLimit: z.object({
      requestZone: identifier("an identifier"),
      requestZoneSize: zoneSize(),
      requestsPerMinute: int(1, 60_000_000),
      burst: int(0, 10_000_000),
      connectionZone: identifier("an identifier"),
      connectionZoneSize: zoneSize(),
      connectionsPerIp: int(1, 65_535),
      /** Answer for rejected requests (429 Too Many Requests). */
      status: int(400, 599),
    }),
    webSockets: z.object({
      clientZone: identifier("an identifier"),
      perClient: int(1, 65_535),
      podZone: identifier("an identifier"),
      perPod: int(1, 1_000_000),
      zoneSize: zoneSize(),
    }),
    retry: z.object({
      /** proxy_next_upstream_tries: attempts across servers (idempotent requests only). */
      tries: int(1, 100),
      /** proxy_next_upstream_timeout of the first phase (attempts that failed fast: refused, reset, 502/504 answers). */
      timeoutSeconds: int(1, MAX_SECONDS),
      /**
       * After an attempt timed out (a hung pod: its socket accepts, nothing answers), the request gets one
       * more phase on the pods with short attempts: each at most `attemptTimeoutMs` (connect and read), new
       * attempts started within `budgetMs`. Without it a second hung pod would cost a second full read
       * timeout; with it a request costs at most one timeout plus budgetMs + attemptTimeoutMs.
       */
      afterTimeout: z.object({ budgetMs: int(1, MAX_SECONDS * 1000), attemptTimeoutMs: int(1, MAX_SECONDS * 1000) }),
    }),
    /** Added to every response (with `always`). */
    securityHeaders: list(
      header.superRefine((h, ctx) => {
        if (h.name.toLowerCase() === HEADERS.hsts.toLowerCase()) {
          ctx.addIssue({ code: "custom", path: ["name"], params: WHOLE, message: "set HSTS through nginx.hsts so it is only sent over https" });
        }
      }),
      0,
    ),
    /** Sent only on https (per listener: fixed https, or the load balancer said https). */
    hsts: z.object({ maxAgeSeconds: int(0, 315_360_000), includeSubDomains: bool(), preload: bool() }).nullable(),
    /** Adds `X-Upstream: $upstream_addr` to responses (local only: it leaks internal addresses). */
    exposeUpstreamAddress: bool(),
    /**
     * Source address of nginx's connections to the upstreams (`proxy_bind`); null: the kernel picks.
     * Locally 127.0.0.2, so the replicas can trust nginx's address without trusting a client on 127.0.0.1.
     */
    upstreamBindAddress: text(isIpv4Address, "an IPv4 address").nullable(),
    upstreams: list(upstream, 1),
    /** null: one track (stable), every location proxies to its own upstream. */
    canary: z
      .object(
        {
          /** Upstream of the canary pods (the locations' own upstream is the stable track). */
          upstream: identifier(),
          /** Percent (0–100) of unforced requests sent to the canary. */
          weightPercent: int(0, 100),
          /** Request header forcing a track (e.g. X-Canary). */
          header: text(isHeaderName, "an HTTP header name"),
          // Read as $cookie_<name>: a '-' would end the variable name.
          cookie: text((v) => /^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(v), "a cookie name of letters, digits and '_'"),
        },
        { error: "must be null or { upstream, weightPercent, header, cookie }" },
      )
      .nullable(),
    servers: list(server, 1),
  })
  .superRefine((m, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, params: WHOLE, message });
    // nginx refuses one directory for two temp paths, and a log file cannot be a temp directory.
    const seenPaths = new Map<string, string>();
    for (const key of PATH_KEYS) {
      const value = m.paths[key];
      if (value === null || value.startsWith("/dev/")) continue;
      const other = seenPaths.get(value);
      if (other !== undefined) problem(["paths", key], `${show(value)} is also nginx.paths.${other}`);
      else seenPaths.set(value, key);
    }
    const r = m.rateLimit;
    if (r.requestZone === r.connectionZone) problem(["rateLimit", "connectionZone"], `${show(r.connectionZone)} must differ from requestZone`);
    const ws = m.webSockets;
    const zoneNames = [r.requestZone, r.connectionZone];
    if (zoneNames.includes(ws.clientZone)) problem(["webSockets", "clientZone"], `${show(ws.clientZone)} must differ from the rate-limit zones`);
    zoneNames.push(ws.clientZone);
    if (zoneNames.includes(ws.podZone)) problem(["webSockets", "podZone"], `${show(ws.podZone)} must differ from the other zones`);
    zoneNames.push(ws.podZone);
    if (ws.perClient > ws.perPod) problem(["webSockets", "perClient"], `${ws.perClient} is above webSockets.perPod (${ws.perPod})`);
    // Each WebSocket is two connections (client and upstream) in one worker.
    if (m.workerProcesses !== "auto" && ws.perPod * 2 > m.workerProcesses * m.workerConnections) {
      problem(["webSockets", "perPod"], `${ws.perPod} WebSockets need ${ws.perPod * 2} connections, more than workerProcesses × workerConnections`);
    }
    if (m.workerRlimitNofile < m.workerConnections) problem(["workerRlimitNofile"], `${m.workerRlimitNofile} is below workerConnections (${m.workerConnections}): a worker could not open its connections`);

    const upstreamNames = new Set<string>();
    m.upstreams.forEach((u, i) => {
      if (upstreamNames.has(u.name)) problem(["upstreams", i, "name"], `${show(u.name)} is declared twice`);
      upstreamNames.add(u.name);
      if (zoneNames.includes(u.name)) {
        problem(["upstreams", i, "name"], `${show(u.name)} clashes with a rate-limit zone name (zones share one namespace)`);
      }
    });
    const checkUpstreamName = (l: { upstream: string; fallbackUpstream: string | null }, path: (string | number)[]) => {
      if (!upstreamNames.has(l.upstream)) problem([...path, "upstream"], `${show(l.upstream)} names no upstream in nginx.upstreams`);
      if (l.fallbackUpstream !== null && !upstreamNames.has(l.fallbackUpstream)) problem([...path, "fallbackUpstream"], `${show(l.fallbackUpstream)} names no upstream in nginx.upstreams`);
      if (l.fallbackUpstream === l.upstream) problem([...path, "fallbackUpstream"], `${show(l.fallbackUpstream)} is the location's own upstream (a fallback must be another one)`);
    };

    if (m.canary !== null) {
      const canary = m.canary;
      if (!upstreamNames.has(canary.upstream)) problem(["canary", "upstream"], `${show(canary.upstream)} names no upstream in nginx.upstreams`);
      const stable = new Set(m.servers.flatMap((s) => (s.role === "proxy" ? s.locations.map((l) => l.upstream) : s.role === "redirect_https" ? [s.health.upstream] : [])));
      if (stable.has(canary.upstream)) problem(["canary", "upstream"], `${show(canary.upstream)} is a location's own (stable) upstream; the canary needs its own`);
      if (stable.size > 1) problem(["canary"], `one stable upstream is split; the locations name ${[...stable].map(show).join(", ")}`);
    }

    const sourceProblem = (s: Parameters<typeof proxyProtocolSourceProblem>[0], at: string, i: number) => {
      const why = proxyProtocolSourceProblem(s, at);
      if (why !== undefined) problem(["servers", i, "realIp", "header"], why);
    };
    if (!m.servers.some((s) => s.role === "proxy")) problem(["servers"], "needs at least one proxy listener");
    const ports = new Map<number, number>();
    const names = new Set<string>();
    m.servers.forEach((s, i) => {
      const at = `nginx.servers[${i}]`;
      if (ports.has(s.listen.port)) problem(["servers", i, "listen", "port"], `${s.listen.port} is already used by servers[${ports.get(s.listen.port)}]`);
      ports.set(s.listen.port, i);
      if (names.has(s.name)) problem(["servers", i, "name"], `${show(s.name)} is declared twice`);
      names.add(s.name);
      switch (s.role) {
        case "proxy": {
          const seen = new Set<string>();
          s.locations.forEach((l, j) => {
            const key = `${l.match} ${l.path}`;
            if (seen.has(key)) problem(["servers", i, "locations", j], `${l.match} location ${show(l.path)} is declared twice`);
            seen.add(key);
            checkUpstreamName(l, ["servers", i, "locations", j]);
          });
          if (!s.locations.some((l) => l.match === "prefix" && l.path === "/")) problem(["servers", i, "locations"], `needs a prefix location "/" so every request has a handler`);
          // In the cluster a listener without PROXY protocol is the ALB's target: its hop is TLS.
          if (m.mode === "cluster" && !s.listen.proxyProtocol && s.tls === null) problem(["servers", i, "tls"], "null: the ALB's hop to nginx must be TLS in the cluster (give the certificate, key, protocols and ciphers)");
          sourceProblem(s, at, i);
          break;
        }
        case "redirect_https":
          checkUpstreamName(s.health, ["servers", i, "health"]);
          if (s.health.match === "prefix" && s.health.path === "/") problem(["servers", i, "health", "path"], `prefix "/" is the redirect itself; use the health check path`);
          sourceProblem(s, at, i);
          break;
        case "status":
          if (s.stubStatusPath === s.livenessPath) problem(["servers", i, "livenessPath"], `${show(s.livenessPath)} is also the stub_status path`);
          if (s.listen.proxyProtocol) problem(["servers", i, "listen", "proxyProtocol"], "the status listener is internal and takes no PROXY protocol");
          break;
      }
    });
  });

/** `nginx.servers[0].locations[2].path` for a zod issue path. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, p) => (typeof p === "number" ? `${at}[${p}]` : `${at}.${String(p)}`), "nginx");
}

/** Every problem with the model (empty when it may be rendered). */
export function nginxModelProblems(model: NginxModel): string[] {
  const result = nginxModelSchema.safeParse(model);
  if (result.success) return [];
  const lines = result.error.issues.map((issue) => {
    const whole = (issue.code === "custom" && (issue.params as { whole?: boolean } | undefined)?.whole === true) || (issue.code === "too_small" && issue.origin === "array");
    if (whole) return `${fieldPath(issue.path)}: ${issue.message}`;
    const value = issue.path.reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown> | undefined)?.[p], model);
    return `${fieldPath(issue.path)}: ${show(value)} ${issue.message}`;
  });
  return [...new Set(lines)];
}

/** Throws NginxModelError listing every problem; returns the model unchanged when valid. */
export function validateNginxModel(model: NginxModel): NginxModel {
  const problems = nginxModelProblems(model);
  if (problems.length > 0) throw new NginxModelError(problems);
  return model;
}
