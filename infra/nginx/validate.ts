import { isDnsName, parseIpv4Cidr } from "../config/validators";
import {
  ERROR_LOG_LEVELS,
  LOAD_BALANCING,
  type NginxListen,
  type NginxLocation,
  type NginxModel,
  type NginxRealIp,
  type NginxServer,
  type NginxUpstream,
} from "./model";

/**
 * Validation of every value that reaches nginx.conf. The renderer writes values verbatim, so a value
 * that could end a directive or open a block (`;`, `{`, `}`), start a comment (`#`), quote or escape
 * (`"`, `'`, `\`), interpolate a variable (`$`), split into extra arguments (whitespace) or a new line
 * is refused here, with the model field named — never escaped into something that means otherwise.
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
export const isResolverAddress: Check = (v) => {
  const m = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(v);
  return m !== null && isIpv4Address(m[1]!) && (m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= 65_535));
};
export const isServerName: Check = (v) => v === "_" || v === "localhost" || isDnsName(v) || isIpv4Address(v);
export const isIpv4Cidr: Check = (v) => parseIpv4Cidr(v) !== undefined;
/** Absolute file path of plain segments (no `..`, no spaces). */
export const isAbsolutePath: Check = (v) =>
  v.length <= 1024 && /^(\/[A-Za-z0-9._@+-]+)+$/.test(v) && !v.split("/").some((s) => s === "." || s === "..");
/** URI path a location matches: starts with "/", plain characters, no `..`. */
export const isLocationPath: Check = (v) =>
  v.length <= 256 && /^\/[A-Za-z0-9._~\/-]*$/.test(v) && !v.split("/").some((s) => s === "..");
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

/** Collects problems with a common field-path prefix. */
class Problems {
  readonly list: string[] = [];

  string(path: string, value: unknown, check: Check, what: string, options: { allowSpace?: boolean } = {}): void {
    if (typeof value !== "string") {
      this.list.push(`${path}: ${show(value)} must be a string (${what})`);
      return;
    }
    const bad = breakout(value, options.allowSpace ?? false);
    if (bad !== undefined) {
      this.list.push(`${path}: ${show(value)} contains ${bad}`);
      return;
    }
    if (!check(value)) this.list.push(`${path}: ${show(value)} is not ${what}`);
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): void {
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      const bad = typeof value === "string" ? breakout(value, false) : undefined;
      const why = bad !== undefined ? `contains ${bad}; ` : "";
      this.list.push(`${path}: ${show(value)} ${why}is not one of ${allowed.map(show).join(", ")}`);
    }
  }

  integer(path: string, value: unknown, min: number, max: number): void {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.list.push(`${path}: ${show(value)} must be a whole number from ${min} to ${max}`);
    }
  }

  boolean(path: string, value: unknown): void {
    if (typeof value !== "boolean") this.list.push(`${path}: ${show(value)} must be true or false`);
  }

  each<T>(path: string, value: unknown, min: number, each: (item: T, itemPath: string) => void): void {
    if (!Array.isArray(value)) {
      this.list.push(`${path}: ${show(value)} must be a list`);
      return;
    }
    if (value.length < min) this.list.push(`${path}: needs at least ${min} entr${min === 1 ? "y" : "ies"}`);
    value.forEach((item, i) => each(item as T, `${path}[${i}]`));
  }

  add(problem: string): void {
    this.list.push(problem);
  }
}

const MAX_SECONDS = 86_400 * 7;

function checkUpstream(p: Problems, u: NginxUpstream, at: string): void {
  p.string(`${at}.name`, u.name, isIdentifier, "an identifier (a-z, 0-9, _; starting with a letter)");
  p.oneOf(`${at}.algorithm`, u.algorithm, LOAD_BALANCING);
  p.string(`${at}.zoneSize`, u.zoneSize, isZoneSize, "a zone size from 32k to 1024m");
  p.each<NginxUpstream["servers"][number]>(`${at}.servers`, u.servers, 1, (s, sp) => {
    p.string(`${sp}.host`, s.host, isUpstreamHost, "an IPv4 address or DNS name");
    p.integer(`${sp}.port`, s.port, 1, 65_535);
    p.integer(`${sp}.weight`, s.weight, 1, 1000);
    p.integer(`${sp}.maxFails`, s.maxFails, 0, 1000);
    p.integer(`${sp}.failTimeoutSeconds`, s.failTimeoutSeconds, 1, MAX_SECONDS);
    p.boolean(`${sp}.backup`, s.backup);
    p.boolean(`${sp}.resolve`, s.resolve);
    if (s.resolve === true && typeof s.host === "string" && isIpv4Address(s.host)) {
      p.add(`${sp}.resolve: true needs a DNS name, not the address ${show(s.host)}`);
    }
  });
  const resolving = Array.isArray(u.servers) && u.servers.some((s) => s.resolve === true);
  if (u.resolver === null || u.resolver === undefined) {
    if (resolving) p.add(`${at}.resolver: null, but a server has resolve: true (nginx needs a resolver to re-resolve it)`);
  } else if (typeof u.resolver !== "object") {
    p.add(`${at}.resolver: ${show(u.resolver)} must be null or { addresses, validSeconds, timeoutSeconds }`);
  } else {
    p.each<string>(`${at}.resolver.addresses`, u.resolver.addresses, 1, (a, ap) =>
      p.string(ap, a, isResolverAddress, "an IPv4 address, optionally with :port (e.g. 172.20.0.10 or 127.0.0.1:5353)"),
    );
    p.integer(`${at}.resolver.validSeconds`, u.resolver.validSeconds, 1, 300);
    p.integer(`${at}.resolver.timeoutSeconds`, u.resolver.timeoutSeconds, 1, 60);
  }
  if (Array.isArray(u.servers)) {
    // nginx refuses `backup` with these methods ("balancing method does not support parameter backup").
    if (["ip_hash", "hash", "random_two_least_conn"].includes(u.algorithm)) {
      u.servers.forEach((s, i) => {
        if (s.backup === true) {
          p.add(`${at}.servers[${i}].backup: true is not allowed with algorithm ${show(u.algorithm)} (nginx supports backup servers only with round_robin and least_conn)`);
        }
      });
    }
    if (u.servers.length > 0 && u.servers.every((s) => s.backup === true)) {
      p.add(`${at}.servers: every server is a backup; at least one must be a primary`);
    }
    const seen = new Set<string>();
    u.servers.forEach((s, i) => {
      const key = `${s.host}:${s.port}`;
      if (seen.has(key)) p.add(`${at}.servers[${i}]: ${show(key)} is listed twice`);
      seen.add(key);
    });
  }
  if (u.keepalive !== null) {
    if (typeof u.keepalive !== "object" || u.keepalive === undefined) {
      p.add(`${at}.keepalive: ${show(u.keepalive)} must be null or { connections, timeoutSeconds, requests }`);
    } else {
      p.integer(`${at}.keepalive.connections`, u.keepalive.connections, 1, 100_000);
      p.integer(`${at}.keepalive.timeoutSeconds`, u.keepalive.timeoutSeconds, 1, MAX_SECONDS);
      p.integer(`${at}.keepalive.requests`, u.keepalive.requests, 1, 10_000_000);
    }
  }
}

function checkListen(p: Problems, l: NginxListen, at: string): void {
  p.string(`${at}.address`, l.address, isIpv4Address, "an IPv4 address");
  p.integer(`${at}.port`, l.port, 1, 65_535);
  p.boolean(`${at}.proxyProtocol`, l.proxyProtocol);
}

function checkRealIp(p: Problems, r: NginxRealIp | null, at: string): void {
  if (r === null) return;
  p.string(`${at}.header`, r.header, (v) => v === "proxy_protocol" || isHeaderName(v), `"proxy_protocol" or an HTTP header name`);
  p.boolean(`${at}.recursive`, r.recursive);
  if (r.header === "proxy_protocol" && r.recursive === true) p.add(`${at}.recursive: true means nothing with "proxy_protocol" (one address); set it false`);
  p.each<string>(`${at}.trustedCidrs`, r.trustedCidrs, 1, (c, cp) =>
    p.string(cp, c, isIpv4Cidr, "an IPv4 CIDR block without host bits (e.g. 10.0.0.0/16)"),
  );
}

function checkLocation(p: Problems, l: NginxLocation, at: string, upstreams: Set<string>): void {
  p.string(`${at}.path`, l.path, isLocationPath, "a URI path starting with / (letters, digits, . _ ~ / -)");
  p.oneOf(`${at}.match`, l.match, ["exact", "prefix"] as const);
  p.string(`${at}.upstream`, l.upstream, isIdentifier, "an upstream name");
  if (typeof l.upstream === "string" && isIdentifier(l.upstream) && !upstreams.has(l.upstream)) {
    p.add(`${at}.upstream: ${show(l.upstream)} names no upstream in nginx.upstreams`);
  }
  p.boolean(`${at}.websocket`, l.websocket);
  p.boolean(`${at}.rateLimited`, l.rateLimited);
  p.boolean(`${at}.accessLog`, l.accessLog);
  p.integer(`${at}.connectTimeoutSeconds`, l.connectTimeoutSeconds, 1, 75);
  p.integer(`${at}.readTimeoutSeconds`, l.readTimeoutSeconds, 1, MAX_SECONDS);
  p.integer(`${at}.sendTimeoutSeconds`, l.sendTimeoutSeconds, 1, MAX_SECONDS);
  if (l.immutableCacheSeconds !== null) p.integer(`${at}.immutableCacheSeconds`, l.immutableCacheSeconds, 1, 315_360_000);
  if (l.defaultCacheControl !== null) {
    p.string(`${at}.defaultCacheControl`, l.defaultCacheControl, isHeaderValue, "a header value (printable ASCII)", { allowSpace: true });
    if (l.immutableCacheSeconds !== null) p.add(`${at}.defaultCacheControl: not allowed with immutableCacheSeconds (which sets Cache-Control itself)`);
  }
}

function checkServer(p: Problems, s: NginxServer, at: string, upstreams: Set<string>): void {
  p.oneOf(`${at}.role`, s.role, ["proxy", "redirect_https", "status"] as const);
  p.string(`${at}.name`, s.name, isIdentifier, "an identifier (a-z, 0-9, _; starting with a letter)");
  checkListen(p, s.listen, `${at}.listen`);
  switch (s.role) {
    case "proxy": {
      p.each<string>(`${at}.serverNames`, s.serverNames, 1, (n, np) => p.string(np, n, isServerName, "a server name (DNS name, IPv4 address, localhost or _)"));
      checkRealIp(p, s.realIp, `${at}.realIp`);
      p.oneOf(`${at}.forwardedProto`, s.forwardedProto, ["header", "https"] as const);
      p.each<NginxLocation>(`${at}.locations`, s.locations, 1, (l, lp) => checkLocation(p, l, lp, upstreams));
      if (Array.isArray(s.locations)) {
        const seen = new Set<string>();
        s.locations.forEach((l, i) => {
          const key = `${l.match} ${l.path}`;
          if (seen.has(key)) p.add(`${at}.locations[${i}]: ${l.match} location ${show(l.path)} is declared twice`);
          seen.add(key);
        });
        if (!s.locations.some((l) => l.match === "prefix" && l.path === "/")) {
          p.add(`${at}.locations: needs a prefix location "/" so every request has a handler`);
        }
      }
      if (s.realIp !== null && s.realIp?.header === "proxy_protocol" && s.listen?.proxyProtocol !== true) {
        p.add(`${at}.realIp.header: "proxy_protocol" needs ${at}.listen.proxyProtocol true`);
      }
      break;
    }
    case "redirect_https":
      p.each<string>(`${at}.serverNames`, s.serverNames, 1, (n, np) => p.string(np, n, isServerName, "a server name (DNS name, IPv4 address, localhost or _)"));
      checkRealIp(p, s.realIp, `${at}.realIp`);
      checkLocation(p, s.health, `${at}.health`, upstreams);
      if (s.health?.match === "prefix" && s.health.path === "/") p.add(`${at}.health.path: prefix "/" is the redirect itself; use the health check path`);
      if (s.realIp !== null && s.realIp?.header === "proxy_protocol" && s.listen?.proxyProtocol !== true) {
        p.add(`${at}.realIp.header: "proxy_protocol" needs ${at}.listen.proxyProtocol true`);
      }
      break;
    case "status":
      p.string(`${at}.stubStatusPath`, s.stubStatusPath, isLocationPath, "a URI path starting with /");
      p.string(`${at}.livenessPath`, s.livenessPath, isLocationPath, "a URI path starting with /");
      if (s.stubStatusPath === s.livenessPath) p.add(`${at}.livenessPath: ${show(s.livenessPath)} is also the stub_status path`);
      p.each<string>(`${at}.stubStatusAllow`, s.stubStatusAllow, 1, (c, cp) => p.string(cp, c, isIpv4Cidr, "an IPv4 CIDR block"));
      p.each<string>(`${at}.livenessAllow`, s.livenessAllow, 1, (c, cp) => p.string(cp, c, isIpv4Cidr, "an IPv4 CIDR block"));
      if (s.listen?.proxyProtocol === true) p.add(`${at}.listen.proxyProtocol: the status listener is internal and takes no PROXY protocol`);
      break;
  }
}

/** Every problem with the model (empty when it may be rendered). */
export function nginxModelProblems(model: NginxModel): string[] {
  const p = new Problems();
  const n = "nginx";
  p.oneOf(`${n}.mode`, model.mode, ["cluster", "local"] as const);
  p.string(`${n}.stack`, model.stack, (v) => /^[A-Za-z0-9._-]{1,100}$/.test(v), "a stack name");
  if (model.workerProcesses !== "auto") p.integer(`${n}.workerProcesses`, model.workerProcesses, 1, 256);
  p.integer(`${n}.workerConnections`, model.workerConnections, 16, 1_000_000);
  p.integer(`${n}.workerShutdownTimeoutSeconds`, model.workerShutdownTimeoutSeconds, 1, MAX_SECONDS);
  p.oneOf(`${n}.errorLogLevel`, model.errorLogLevel, ERROR_LOG_LEVELS);

  const paths = model.paths ?? ({} as NginxModel["paths"]);
  for (const key of ["pid", "errorLog", "clientBodyTemp", "proxyTemp", "fastcgiTemp", "uwsgiTemp", "scgiTemp"] as const) {
    p.string(`${n}.paths.${key}`, paths[key], isAbsolutePath, "an absolute path of plain segments");
  }
  if (paths.accessLog !== null) p.string(`${n}.paths.accessLog`, paths.accessLog, isAbsolutePath, "an absolute path of plain segments");
  if (model.accessLogBuffer !== null) {
    p.integer(`${n}.accessLogBuffer.sizeKb`, model.accessLogBuffer?.sizeKb, 4, 1024);
    p.integer(`${n}.accessLogBuffer.flushSeconds`, model.accessLogBuffer?.flushSeconds, 1, 60);
  }
  // nginx refuses one directory for two temp paths, and a log file cannot be a temp directory.
  const seenPaths = new Map<string, string>();
  for (const key of ["pid", "errorLog", "accessLog", "clientBodyTemp", "proxyTemp", "fastcgiTemp", "uwsgiTemp", "scgiTemp"] as const) {
    const value = paths[key];
    if (typeof value !== "string" || value.startsWith("/dev/")) continue;
    const other = seenPaths.get(value);
    if (other !== undefined) p.add(`${n}.paths.${key}: ${show(value)} is also nginx.paths.${other}`);
    else seenPaths.set(value, key);
  }

  p.integer(`${n}.clientKeepaliveSeconds`, model.clientKeepaliveSeconds, 1, MAX_SECONDS);
  p.string(`${n}.clientMaxBodySize`, model.clientMaxBodySize, isSize, "a size such as 1m");

  p.each<NginxModel["mimeTypes"][number]>(`${n}.mimeTypes`, model.mimeTypes, 0, (m, mp) => {
    p.string(`${mp}.type`, m.type, isMimeType, "a MIME type such as text/css");
    p.each<string>(`${mp}.extensions`, m.extensions, 1, (e, ep) => p.string(ep, e, isFileExtension, "a file extension (a-z, 0-9)"));
  });

  p.boolean(`${n}.gzip.enabled`, model.gzip.enabled);
  p.integer(`${n}.gzip.minLength`, model.gzip.minLength, 0, 10_000_000);
  p.integer(`${n}.gzip.compLevel`, model.gzip.compLevel, 1, 9);
  p.each<string>(`${n}.gzip.types`, model.gzip.types, 0, (t, tp) => {
    p.string(tp, t, isMimeType, "a MIME type such as text/css");
    // nginx always compresses text/html and warns about it being listed again.
    if (t === "text/html") p.add(`${tp}: "text/html" is always compressed; leave it out`);
  });

  const r = model.rateLimit;
  p.string(`${n}.rateLimit.requestZone`, r.requestZone, isIdentifier, "an identifier");
  p.string(`${n}.rateLimit.requestZoneSize`, r.requestZoneSize, isZoneSize, "a zone size from 32k to 1024m");
  p.integer(`${n}.rateLimit.requestsPerMinute`, r.requestsPerMinute, 1, 60_000_000);
  p.integer(`${n}.rateLimit.burst`, r.burst, 0, 10_000_000);
  p.string(`${n}.rateLimit.connectionZone`, r.connectionZone, isIdentifier, "an identifier");
  p.string(`${n}.rateLimit.connectionZoneSize`, r.connectionZoneSize, isZoneSize, "a zone size from 32k to 1024m");
  p.integer(`${n}.rateLimit.connectionsPerIp`, r.connectionsPerIp, 1, 65_535);
  p.integer(`${n}.rateLimit.status`, r.status, 400, 599);
  if (r.requestZone === r.connectionZone) p.add(`${n}.rateLimit.connectionZone: ${show(r.connectionZone)} must differ from requestZone`);

  p.integer(`${n}.retry.tries`, model.retry.tries, 1, 100);
  p.integer(`${n}.retry.timeoutSeconds`, model.retry.timeoutSeconds, 1, MAX_SECONDS);

  p.each<NginxModel["securityHeaders"][number]>(`${n}.securityHeaders`, model.securityHeaders, 0, (h, hp) => {
    p.string(`${hp}.name`, h.name, isHeaderName, "an HTTP header name");
    p.string(`${hp}.value`, h.value, isHeaderValue, "a header value (printable ASCII)", { allowSpace: true });
    if (typeof h.name === "string" && /^strict-transport-security$/i.test(h.name)) {
      p.add(`${hp}.name: set HSTS through nginx.hsts so it is only sent over https`);
    }
  });
  if (model.hsts !== null) {
    p.integer(`${n}.hsts.maxAgeSeconds`, model.hsts.maxAgeSeconds, 0, 315_360_000);
    p.boolean(`${n}.hsts.includeSubDomains`, model.hsts.includeSubDomains);
  }
  p.boolean(`${n}.exposeUpstreamAddress`, model.exposeUpstreamAddress);

  p.each<NginxUpstream>(`${n}.upstreams`, model.upstreams, 1, (u, up) => checkUpstream(p, u, up));
  const upstreamNames = new Set<string>();
  if (Array.isArray(model.upstreams)) {
    model.upstreams.forEach((u, i) => {
      if (upstreamNames.has(u.name)) p.add(`${n}.upstreams[${i}].name: ${show(u.name)} is declared twice`);
      upstreamNames.add(u.name);
      if (u.name === r.requestZone || u.name === r.connectionZone) {
        p.add(`${n}.upstreams[${i}].name: ${show(u.name)} clashes with a rate-limit zone name (zones share one namespace)`);
      }
    });
  }

  p.each<NginxServer>(`${n}.servers`, model.servers, 1, (s, sp) => checkServer(p, s, sp, upstreamNames));
  if (Array.isArray(model.servers)) {
    if (!model.servers.some((s) => s.role === "proxy")) p.add(`${n}.servers: needs at least one proxy listener`);
    const ports = new Map<number, number>();
    const names = new Set<string>();
    model.servers.forEach((s, i) => {
      const port = s.listen?.port;
      if (ports.has(port)) p.add(`${n}.servers[${i}].listen.port: ${port} is already used by servers[${ports.get(port)}]`);
      ports.set(port, i);
      if (names.has(s.name)) p.add(`${n}.servers[${i}].name: ${show(s.name)} is declared twice`);
      names.add(s.name);
    });
  }
  return p.list;
}

/** Throws NginxModelError listing every problem; returns the model unchanged when valid. */
export function validateNginxModel(model: NginxModel): NginxModel {
  const problems = nginxModelProblems(model);
  if (problems.length > 0) throw new NginxModelError(problems);
  return model;
}
