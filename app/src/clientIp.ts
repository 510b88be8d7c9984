import { createHash } from "node:crypto";
import { isIP, isIPv4 } from "node:net";

/**
 * The client's address as seen through `trustedHops` proxies we operate (CloudFront, ALB, nginx…).
 *
 * Each proxy appends the address it received the connection from to X-Forwarded-For, so the
 * chain `XFF entries + socket address` is only trustworthy from the right: the last `trustedHops`
 * entries were written by our proxies, everything further left may be forged by the client. The
 * answer is the entry `trustedHops` steps from the right; with 0 hops it is the socket address.
 * If the chain is shorter (the request skipped a proxy), the leftmost known entry is used.
 *
 * Hand-written because it is tiny and must be exactly this rule (proxy-addr pulls in Express'
 * trust-function machinery for the same result).
 */
export function clientIp(forwardedFor: string | string[] | undefined, socketAddress: string | undefined, trustedHops: number): string {
  const socket = normalizeIp(socketAddress ?? "");
  if (trustedHops <= 0 || forwardedFor === undefined) return socket;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
  // Walk the entries from the right (the socket address is hop 0), skipping empty ones; this runs
  // on every request, so it scans instead of splitting the header into arrays.
  let hopsLeft = trustedHops;
  let leftmost: string | undefined;
  let end = header.length;
  while (end > 0) {
    const comma = header.lastIndexOf(",", end - 1);
    const entry = header.slice(comma + 1, end).trim();
    end = comma;
    if (entry === "") continue;
    leftmost = entry;
    if (--hopsLeft === 0) return normalizeIp(entry);
  }
  // Fewer entries than trusted hops: the leftmost one we have (or the socket when there is none).
  return leftmost === undefined ? socket : normalizeIp(leftmost);
}

/** Strips the IPv4-mapped IPv6 prefix and lower-cases; anything else is returned trimmed. */
export function normalizeIp(address: string): string {
  const value = address.trim().toLowerCase();
  if (value.startsWith("::ffff:") && isIPv4(value.slice(7))) return value.slice(7);
  return value;
}

/**
 * Expands an IPv6 address into its eight 16-bit groups (handles `::` and a dotted IPv4 tail).
 * Returns undefined for anything that is not IPv6.
 */
export function ipv6Groups(address: string): number[] | undefined {
  const value = address.split("%")[0]!;
  if (isIP(value) !== 6) return undefined;
  let text = value;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const octets = tail.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const missing = 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(rest === undefined ? 0 : missing).fill("0"), ...right];
  return groups.map((g) => parseInt(g, 16));
}

/**
 * The rate-limit identity of a request. An API key (hashed: secrets never reach Redis or logs)
 * wins over the address; IPv6 clients are grouped by /64 because one host usually owns a whole
 * /64 and could otherwise rotate addresses to escape its limit.
 */
export function rateLimitIdentity(apiKey: string | undefined, ip: string): string {
  if (apiKey !== undefined && apiKey !== "") {
    return `key:${createHash("sha256").update(apiKey).digest("base64url").slice(0, 27)}`;
  }
  // IPv4 (no colon) skips the IPv6 parse: this runs on every rate-limited request.
  const groups = ip.includes(":") ? ipv6Groups(ip) : undefined;
  if (groups !== undefined) {
    return `ip6:${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
  }
  return `ip:${ip}`;
}
