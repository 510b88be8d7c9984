import { BlockList, isIP, isIPv4 } from "node:net";

/** CIDR list parsed for BlockList; `problems` holds the entries that are not CIDRs. */
export function parseCidrList(cidrs: readonly string[]): { list: BlockList; problems: string[] } {
  const list = new BlockList();
  const problems: string[] = [];
  for (const cidr of cidrs) {
    const [address = "", bits, ...rest] = cidr.split("/");
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : /^[0-9]{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (family === 0 || rest.length > 0 || !(prefix >= 0 && prefix <= (family === 6 ? 128 : 32))) {
      problems.push(cidr);
      continue;
    }
    list.addSubnet(address, prefix, family === 6 ? "ipv6" : "ipv4");
  }
  return { list, problems };
}

/** Addresses whose verdict TrustedProxies keeps; the cache is emptied when it reaches this size. */
const TRUST_CACHE_ENTRIES = 4096;
/** Longer texts are judged without being cached (no address is this long: IPv6 text is at most 45 characters). */
const TRUST_CACHE_MAX_TEXT = 64;

/** An address as a request presents it, normalized (normalizeIp) and judged. */
export interface AddressVerdict {
  /** normalizeIp of the text. */
  readonly ip: string;
  /** Whether `ip` is an IP address. */
  readonly valid: boolean;
  /** Whether `ip` lies inside one of the CIDRs. */
  readonly trusted: boolean;
}

/**
 * The proxies (socket peers) whose forwarding headers are believed. Verdicts are cached per
 * address text as it arrives (socket peer, X-Forwarded-For entry): BlockList.check costs ~1.5 µs a
 * call (measured on Node 20), and normalizing and validating the text again on every request for
 * the same few proxies and clients is most of what finding the client address costs.
 */
export class TrustedProxies {
  private readonly list: BlockList;
  private readonly verdicts = new Map<string, AddressVerdict>();
  readonly empty: boolean;

  constructor(cidrs: readonly string[]) {
    const parsed = parseCidrList(cidrs);
    if (parsed.problems.length > 0) throw new Error(`not CIDRs: ${parsed.problems.join(", ")}`);
    this.list = parsed.list;
    this.empty = cidrs.length === 0;
  }

  /** Whether a normalized IP address is inside one of the CIDRs. */
  has(address: string): boolean {
    return this.verdict(address).trusted;
  }

  /** The text of an address (a socket peer or one X-Forwarded-For entry, untrimmed) normalized and judged. */
  verdict(text: string): AddressVerdict {
    let verdict = this.verdicts.get(text);
    if (verdict === undefined) {
      const ip = normalizeIp(text);
      const family = isIP(ip);
      verdict = { ip, valid: family !== 0, trusted: !this.empty && family !== 0 && this.list.check(ip, family === 6 ? "ipv6" : "ipv4") };
      if (text.length > TRUST_CACHE_MAX_TEXT) return verdict;
      if (this.verdicts.size >= TRUST_CACHE_ENTRIES) this.verdicts.clear();
      this.verdicts.set(text, verdict);
    }
    return verdict;
  }
}

/** X-Forwarded-For entries looked at, from the right; a longer chain is not ours. */
const MAX_FORWARDED_ENTRIES = 16;

/**
 * The client's address. X-Forwarded-For is read only when the socket peer is a trusted proxy, and
 * then like nginx's real_ip_recursive: from the right, past every trusted address, to the first
 * untrusted one (or the leftmost when all are trusted). Every entry looked at must be an IP
 * address; if one is not (a forged or garbled header), the whole header is ignored and the peer
 * address is the answer, so no client text ever becomes the address (nor a limiter key).
 */
export function clientIp(forwardedFor: string | string[] | undefined, socketAddress: string | undefined, trusted: TrustedProxies): string {
  const peer = trusted.verdict(socketAddress ?? "");
  if (forwardedFor === undefined || !peer.trusted) return peer.ip;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
  let address = peer.ip;
  let end = header.length;
  let seen = 0;
  while (end > 0) {
    const comma = header.lastIndexOf(",", end - 1);
    const entry = trusted.verdict(header.slice(comma + 1, end));
    end = comma;
    if (entry.ip === "") continue;
    if (!entry.valid || ++seen > MAX_FORWARDED_ENTRIES) return peer.ip;
    address = entry.ip;
    if (!entry.trusted) return entry.ip;
  }
  return address;
}

/**
 * The scheme the client used: X-Forwarded-Proto only from a trusted peer and only when it is
 * exactly http or https; otherwise the connection's own (this server speaks plain HTTP, or TLS).
 */
export function forwardedProto(header: string | string[] | undefined, socketAddress: string | undefined, trusted: TrustedProxies, encrypted: boolean): "http" | "https" {
  const own = encrypted ? "https" : "http";
  if (typeof header !== "string" || !trusted.verdict(socketAddress ?? "").trusted) return own;
  const value = header.trim().toLowerCase();
  return value === "https" || value === "http" ? value : own;
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
 * The rate-limit identity of a request: a known API key's bucket (see apiKeys.ts: only a key the
 * app knows gets one), otherwise the client address, IPv6 grouped by /64 because one host usually
 * owns a whole /64 and could otherwise rotate addresses to escape its limit.
 */
export function rateLimitIdentity(knownKeyId: string | undefined, ip: string): string {
  if (knownKeyId !== undefined) return `key:${knownKeyId}`;
  // IPv4 (no colon) skips the IPv6 parse: this runs on every rate-limited request.
  const groups = ip.includes(":") ? ipv6Groups(ip) : undefined;
  if (groups !== undefined) {
    return `ip6:${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
  }
  return `ip:${ip}`;
}
