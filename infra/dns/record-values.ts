import { ConfigError } from "../config/schema";
import { isDnsName } from "../config/validators";

/**
 * Route53 record values, built and checked without the Pulumi runtime. Every error names the record
 * it is about, so a bad config value points straight at the DNS name it would have broken.
 */

/** RFC 1035: one character-string in a TXT record holds at most 255 octets. */
export const MAX_TXT_STRING = 255;
/** The certificate authorities ACM issues from (Amazon's documented CAA values). */
export const AMAZON_CAA_ISSUERS = ["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"] as const;

export type RecordType = "A" | "AAAA" | "CNAME" | "TXT" | "SRV" | "CAA";

/** A record value the config leads to that DNS would refuse: a configuration problem, naming the record. */
export class RecordValueError extends ConfigError {
  constructor(
    readonly record: string,
    message: string,
  ) {
    super([`DNS record ${record}: ${message}`]);
    this.name = "RecordValueError";
  }
}

/** `label.domain`, or the domain itself for "" / "@". */
export function recordFqdn(label: string, domain: string): string {
  const name = label === "" || label === "@" ? domain : `${label}.${domain}`;
  if (!isDnsName(name.replace(/^(_[a-z0-9-]+\.)+/, ""))) throw new RecordValueError(name, "is not a valid DNS name");
  return name;
}

/** A CNAME at the zone apex is illegal (RFC 1034: a CNAME can't coexist with the apex SOA/NS). */
export function checkNotApexCname(record: string, type: RecordType, zone: string): void {
  if (type === "CNAME" && trimDot(record) === trimDot(zone)) {
    throw new RecordValueError(record, `a CNAME cannot sit at the zone apex (${zone}); use an alias A/AAAA record`);
  }
}

/**
 * One TXT value in the form the AWS provider expects. The provider wraps every value in one pair of
 * double quotes, so a value longer than 255 characters is written as `part1""part2` — it reaches
 * Route53 as `"part1""part2"`, one record made of several character-strings (the provider's
 * documented form for DKIM-length values). Quotes and backslashes inside the text are escaped.
 * Split on raw characters before escaping: the limit counts the decoded octets, not the escapes.
 */
export function txtRecordValue(record: string, text: string): string {
  if (text.length === 0) throw new RecordValueError(record, "TXT value is empty");
  const bad = [...text].find((c) => c < " " || c > "~");
  if (bad !== undefined) {
    throw new RecordValueError(record, `TXT value ${JSON.stringify(text.slice(0, 40))} contains ${JSON.stringify(bad)}; only printable ASCII is allowed`);
  }
  return splitTxt(text)
    .map((part) => part.replace(/[\\"]/g, (c) => `\\${c}`))
    .join('""');
}

/** The 255-character pieces of a TXT text. */
export function splitTxt(text: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += MAX_TXT_STRING) parts.push(text.slice(i, i + MAX_TXT_STRING));
  return parts;
}

/** Reads a provider TXT value back into its character-strings (the inverse of txtRecordValue). */
export function txtStrings(value: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\") current += value[++i] ?? "";
    else if (c === '"' && value[i + 1] === '"') {
      parts.push(current);
      current = "";
      i++;
    } else current += c;
  }
  parts.push(current);
  return parts;
}

export interface SrvTarget {
  priority: number;
  weight: number;
  port: number;
  /** The host answering the service (fully qualified; a trailing dot is added). */
  target: string;
}

/** `"<priority> <weight> <port> <target>."` (RFC 2782), range-checked. */
export function srvRecordValue(record: string, srv: SrvTarget): string {
  const checks: [keyof SrvTarget, number, number][] = [
    ["priority", 0, 65_535],
    ["weight", 0, 65_535],
    ["port", 1, 65_535],
  ];
  for (const [key, min, max] of checks) {
    const v = srv[key] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw new RecordValueError(record, `SRV ${key} ${v} is outside ${min}..${max}`);
  }
  if (!/^_[a-z0-9-]{1,62}\._(tcp|udp|tls)\./.test(record)) {
    throw new RecordValueError(record, "an SRV name must look like _<service>._tcp.<domain>");
  }
  const target = trimDot(srv.target);
  if (!isDnsName(target)) throw new RecordValueError(record, `SRV target ${JSON.stringify(srv.target)} is not a DNS name`);
  return `${srv.priority} ${srv.weight} ${srv.port} ${target}.`;
}

/** Parses an SRV value; undefined when it is not one (used by tests and as a self-check). */
export function parseSrvValue(value: string): SrvTarget | undefined {
  const m = /^(\d+) (\d+) (\d+) ([a-z0-9.-]+\.)$/.exec(value);
  return m ? { priority: Number(m[1]), weight: Number(m[2]), port: Number(m[3]), target: m[4] } : undefined;
}

/**
 * CAA values that let only Amazon's CAs issue for the domain (ACM), forbid wildcard certificates
 * (we issue none) and optionally name an incident-report address.
 */
export function caaRecordValues(record: string, options: { forbidWildcards?: boolean; iodef?: string } = {}): string[] {
  const values = AMAZON_CAA_ISSUERS.map((ca) => `0 issue "${ca}"`);
  if (options.forbidWildcards ?? true) values.push('0 issuewild ";"');
  if (options.iodef !== undefined) {
    if (!/^(mailto:[^\s"@]+@[^\s"@]+|https:\/\/[^\s"]+)$/.test(options.iodef)) {
      throw new RecordValueError(record, `CAA iodef ${JSON.stringify(options.iodef)} must be a mailto: or https: URL`);
    }
    values.push(`0 iodef "${options.iodef}"`);
  }
  return values;
}

const trimDot = (name: string) => name.replace(/\.$/, "");

/** Which load balancer or distribution an alias record points at; `secondary` is the failover target from config. */
export type AliasTarget = "cdn" | "alb" | "nlb" | "secondary";

/** CloudFront's alias hosted zone id: the one alias target Route53 cannot evaluate the health of. */
export const CLOUDFRONT_ALIAS_ZONE_ID = "Z2FDTNDATAQYW2";

/** The Route53 health checks a PRIMARY failover record carries: the site through CloudFront, the layer-4 path through the NLB. */
export type HealthCheckTarget = "site" | "edge";

/** The failover half of a record: which role, and (PRIMARY) the health check that decides it. */
export interface FailoverSpec {
  role: "PRIMARY" | "SECONDARY";
  setIdentifier: string;
  healthCheck?: HealthCheckTarget;
}

/** One Route53 record set: plain values with a TTL, or an alias. */
export interface RecordSpec {
  /** Stable logical-name suffix, e.g. "apex-a". */
  key: string;
  name: string;
  type: RecordType;
  ttl?: number;
  records?: string[];
  alias?: AliasTarget;
  /** Alias only: Route53 answers only while the target reports healthy (never for CloudFront). */
  evaluateTargetHealth?: boolean;
  failover?: FailoverSpec;
}

export interface DnsPlanInput {
  domain: string;
  wwwSubdomain: string;
  originSubdomain: string;
  edgeSubdomain: string;
  ttlSeconds: number;
  spfRecord: string;
  verificationTokens: string[];
  srv: { service: string; priority: number; weight: number; port: number };
  /** The load balancers are dual-stack (AAAA aliases make sense). CloudFront always serves IPv6. */
  loadBalancersIpv6: boolean;
  /** DNS failover: apex and edge as PRIMARY/SECONDARY pairs, load-balancer aliases evaluate target health. */
  failover?: { secondaryZoneId: string };
}

/**
 * Every record the Dns component creates (certificate-validation CNAMEs come with the certificates),
 * each value built and checked here; throws on the first bad one, naming it.
 */
export function planDnsRecords(p: DnsPlanInput): RecordSpec[] {
  const apex = recordFqdn("", p.domain);
  const www = recordFqdn(p.wwwSubdomain, p.domain);
  const origin = recordFqdn(p.originSubdomain, p.domain);
  const edge = recordFqdn(p.edgeSubdomain, p.domain);
  const srvName = recordFqdn(`_${p.srv.service}._tcp`, p.domain);
  const names = new Map<string, string>();
  for (const [label, name] of [["wwwSubdomain", www], ["originSubdomain", origin], ["edgeSubdomain", edge]] as const) {
    if (names.has(name)) throw new RecordValueError(name, `${label} repeats ${names.get(name)}; each name needs its own label`);
    names.set(name, label);
  }

  const failover = p.failover;
  // Load balancers report their targets' health to Route53; CloudFront does not (AWS refuses it).
  const evaluates = (alias: AliasTarget) => failover !== undefined && (alias === "alb" || alias === "nlb" || (alias === "secondary" && failover.secondaryZoneId !== CLOUDFRONT_ALIAS_ZONE_ID));
  const aliases = (key: string, name: string, alias: AliasTarget, ipv6: boolean, check?: HealthCheckTarget): RecordSpec[] =>
    (ipv6 ? (["A", "AAAA"] as const) : (["A"] as const)).flatMap((type): RecordSpec[] => {
      const base: RecordSpec = { key: `${key}-${type.toLowerCase()}`, name, type, alias, ...(failover ? { evaluateTargetHealth: evaluates(alias) } : {}) };
      if (!failover || !check) return [base];
      return [
        { ...base, failover: { role: "PRIMARY", setIdentifier: `${key}-primary`, healthCheck: check } },
        {
          key: `${key}-${type.toLowerCase()}-secondary`,
          name,
          type,
          alias: "secondary",
          evaluateTargetHealth: evaluates("secondary"),
          failover: { role: "SECONDARY", setIdentifier: `${key}-secondary` },
        },
      ];
    });
  const ttl = p.ttlSeconds;
  const txt = [...new Set([p.spfRecord, ...p.verificationTokens])].map((t) => txtRecordValue(apex, t));
  const specs: RecordSpec[] = [
    ...aliases("apex", apex, "cdn", true, "site"),
    { key: "www-cname", name: www, type: "CNAME", ttl, records: [apex] },
    ...aliases("origin", origin, "alb", p.loadBalancersIpv6),
    ...aliases("edge", edge, "nlb", p.loadBalancersIpv6, "edge"),
    { key: "apex-txt", name: apex, type: "TXT", ttl, records: txt },
    {
      key: "srv",
      name: srvName,
      type: "SRV",
      ttl: p.ttlSeconds,
      records: [srvRecordValue(srvName, { priority: p.srv.priority, weight: p.srv.weight, port: p.srv.port, target: edge })],
    },
    { key: "apex-caa", name: apex, type: "CAA", ttl, records: caaRecordValues(apex) },
  ];
  for (const s of specs) checkNotApexCname(s.name, s.type, apex);
  return specs;
}
