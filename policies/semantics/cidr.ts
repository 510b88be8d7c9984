/**
 * Address sets from CIDR lists, judged by what they cover rather than how they are spelled: `0.0.0.0/1` +
 * `128.0.0.0/1`, `0::/0`, `2000::/3` and `::ffff:0.0.0.0/96` (IPv4-mapped) all open the world.
 */

export type Family = 4 | 6;

/** A closed range of addresses of one family, as integers. */
export interface Range {
  family: Family;
  start: bigint;
  end: bigint;
}

const V4_BITS = 32n;
const V6_BITS = 128n;

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

function parseV6(text: string): bigint | undefined {
  let s = text.toLowerCase();
  const zone = s.indexOf("%");
  if (zone !== -1) s = s.slice(0, zone);
  // A trailing dotted IPv4 (`::ffff:1.2.3.4`) is two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const v4 = parseV4(dotted[1]);
    if (v4 === undefined) return undefined;
    s = s.slice(0, -dotted[1].length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

const V4_MAPPED = { start: 0xffff00000000n, end: 0xffffffffffffn };

/**
 * The range a CIDR (or a bare address) names, or undefined when it is not one. IPv4-mapped IPv6 prefixes
 * (`::ffff:0:0/96` and narrower) are returned as the IPv4 range they stand for.
 */
export function parseCidr(text: string): Range | undefined {
  const t = String(text).trim();
  const slash = t.lastIndexOf("/");
  const addr = slash === -1 ? t : t.slice(0, slash);
  const lenText = slash === -1 ? undefined : t.slice(slash + 1);
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return undefined;
  const v4 = addr.includes(":") ? undefined : parseV4(addr);
  const family: Family | undefined = v4 !== undefined ? 4 : addr.includes(":") ? 6 : undefined;
  if (family === undefined) return undefined;
  const value = family === 4 ? v4 : parseV6(addr);
  if (value === undefined) return undefined;
  const bits = family === 4 ? V4_BITS : V6_BITS;
  const len = lenText === undefined ? bits : BigInt(Number(lenText));
  if (len > bits) return undefined;
  const hostBits = bits - len;
  const start = (value >> hostBits) << hostBits;
  const end = start + (1n << hostBits) - 1n;
  if (family === 6 && start >= V4_MAPPED.start && end <= V4_MAPPED.end) return { family: 4, start: start - V4_MAPPED.start, end: end - V4_MAPPED.start };
  return { family, start, end };
}

/** Sorted, merged ranges. */
export function merge(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...ranges].sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && r.start <= last.end + 1n) {
      if (r.end > last.end) last.end = r.end;
    } else out.push({ ...r });
  }
  return out;
}

/** Addresses of `a` that `b` leaves out (b subtracted from a). */
export function subtract(a: Range[], b: Range[]): Range[] {
  let out = merge(a);
  for (const cut of merge(b)) {
    const next: Range[] = [];
    for (const r of out) {
      if (r.family !== cut.family || cut.end < r.start || cut.start > r.end) {
        next.push(r);
        continue;
      }
      if (cut.start > r.start) next.push({ family: r.family, start: r.start, end: cut.start - 1n });
      if (cut.end < r.end) next.push({ family: r.family, start: cut.end + 1n, end: r.end });
    }
    out = next;
  }
  return out;
}

export const intersect = (a: Range[], b: Range[]): Range[] => subtract(a, subtract(a, b));
const size = (rs: Range[]) => rs.reduce((n, r) => n + (r.end - r.start + 1n), 0n);
/** The ranges of CIDRs; an IPv6 range that spans IPv4-mapped addresses also yields those as IPv4. */
const ranges = (cidrs: string[]): Range[] =>
  cidrs.flatMap((c) => {
    const r = parseCidr(c);
    if (!r) return [];
    if (r.family === 6 && r.start <= V4_MAPPED.end && r.end >= V4_MAPPED.start) {
      const start = r.start > V4_MAPPED.start ? r.start : V4_MAPPED.start;
      const end = r.end < V4_MAPPED.end ? r.end : V4_MAPPED.end;
      return [r, { family: 4 as const, start: start - V4_MAPPED.start, end: end - V4_MAPPED.start }];
    }
    return [r];
  });

/** Addresses that are not on the public internet: private, shared, loopback, link-local, multicast, reserved. */
const NON_PUBLIC_V4 = ranges(["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3"]);
/** The public IPv4 space: everything else. */
export const PUBLIC_V4 = subtract(ranges(["0.0.0.0/0"]), NON_PUBLIC_V4);
/** The public IPv6 space: global unicast (2000::/3) minus documentation. */
export const PUBLIC_V6 = subtract(ranges(["2000::/3"]), ranges(["2001:db8::/32"]));

/**
 * The node's credential endpoints, reachable from every pod that can reach the node's link-local addresses: the
 * instance metadata service (169.254.169.254, fd00:ec2::254), the EKS Pod Identity agent (169.254.170.23,
 * fd00:ec2::23, which hands out any associated role's credentials) and the container credentials endpoint
 * (169.254.170.2).
 */
export const METADATA_ADDRESSES = ranges(["169.254.169.254/32", "fd00:ec2::254/128", "169.254.170.23/32", "fd00:ec2::23/128", "169.254.170.2/32"]);
/** How the pack names METADATA_ADDRESSES in its messages. */
export const METADATA_ADDRESSES_TEXT = "the instance metadata service or the Pod Identity agent (169.254.169.254, 169.254.170.23, 169.254.170.2, fd00:ec2::254, fd00:ec2::23)";

export interface Coverage {
  /** Public IPv4 addresses covered, and the share of the public IPv4 space that is. */
  publicV4: bigint;
  publicV4Share: number;
  publicV6: bigint;
  publicV6Share: number;
  /** Every public IPv4 address, or every public IPv6 address, is covered. */
  world: boolean;
  /** More public addresses than the threshold prefix holds (default: more than a /8 of IPv4, a /32 of IPv6). */
  broad: boolean;
  /** Entries that are not CIDRs (counted as covering nothing; rules report them). */
  invalid: string[];
}

export interface CoverageOptions {
  /** Broad above this many IPv4 addresses (a /8 by default). */
  maxV4Prefix?: number;
  maxV6Prefix?: number;
}

/** What a list of CIDRs (minus `except`) covers of the public address space, whatever their spelling. */
export function coverage(cidrs: string[], except: string[] = [], opts: CoverageOptions = {}): Coverage {
  const invalid = cidrs.filter((c) => parseCidr(c) === undefined);
  const set = subtract(ranges(cidrs), ranges(except));
  const v4 = size(intersect(set, PUBLIC_V4));
  const v6 = size(intersect(set, PUBLIC_V6));
  const v4Total = size(PUBLIC_V4);
  const v6Total = size(PUBLIC_V6);
  const maxV4 = 1n << (32n - BigInt(opts.maxV4Prefix ?? 8));
  const maxV6 = 1n << (128n - BigInt(opts.maxV6Prefix ?? 32));
  const world = v4 === v4Total || v6 === v6Total;
  return {
    publicV4: v4,
    publicV4Share: Number((v4 * 1_000_000n) / v4Total) / 1_000_000,
    publicV6: v6,
    publicV6Share: Number((v6 * 1_000_000n) / v6Total) / 1_000_000,
    world,
    broad: world || v4 > maxV4 || v6 > maxV6,
    invalid,
  };
}

/** True when the CIDRs (minus `except`) include any address of `targets`. */
export function reaches(cidrs: string[], targets: Range[], except: string[] = []): boolean {
  return intersect(subtract(ranges(cidrs), ranges(except)), targets).length > 0;
}

/** True when every address of `inner` lies in `outer`. */
export function within(inner: string[], outer: string[]): boolean {
  return subtract(ranges(inner), ranges(outer)).length === 0;
}

/** A short description of a coverage, for messages. */
export function describeCoverage(c: Coverage): string {
  if (c.world) return "the whole public internet";
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 4 : 1)}%`;
  const parts = [c.publicV4 > 0n ? `${pct(c.publicV4Share)} of public IPv4` : "", c.publicV6 > 0n ? `${pct(c.publicV6Share)} of public IPv6` : ""].filter(Boolean);
  return parts.join(" and ") || "no public addresses";
}
