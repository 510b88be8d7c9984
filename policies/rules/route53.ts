import type { route53 } from "@pulumi/aws";
import { Policies } from "@pulumi/policy";
import { ifKnown, list, num, ofType, Props, resourceRule, stackRule, TYPES } from "./common";

type Record_ = Props<route53.RecordArgs>;

export const normalizeName = (n: unknown) => String(n ?? "").trim().toLowerCase().replace(/\.$/, "");

/**
 * Splits one Route53 TXT value into its character-strings: Terraform/Pulumi take `"a""b"` (an escaped quote pair) as
 * the boundary between strings of one record.
 */
export function txtStrings(value: string): string[] {
  return value.split('""');
}

const byteLength = (s: string) => new TextEncoder().encode(s).length;

const HOSTNAME = /^(\.|([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?)$/i;

/** Why an SRV value ("priority weight port target") is malformed, or undefined when it is fine. */
export function srvValueProblem(value: string): string | undefined {
  const m = /^(\d+) (\d+) (\d+) (\S+)$/.exec(value.trim());
  if (!m) return `"${value}" is not "priority weight port target"`;
  for (const [label, v] of [["priority", m[1]], ["weight", m[2]], ["port", m[3]]] as const) {
    if (Number(v) > 65535) return `${label} ${v} in "${value}" exceeds 65535`;
  }
  if (!HOSTNAME.test(m[4])) return `target "${m[4]}" in "${value}" is not a host name`;
  return undefined;
}

export const route53Policies: Policies = [
  stackRule({
    name: "route53-cname-exclusive",
    description: "A CNAME is never at a zone apex and never shares its name with another record (RFC 1034 §3.6.2).",
    enforcementLevel: "mandatory",
    config: {
      zoneNames: { type: "array", items: { type: "string" }, default: [], description: "Apex names of zones managed outside this stack." },
    },
    validate: (resources, { config }, report) => {
      const records = ofType(resources, TYPES.record);
      const apexes = new Set([
        ...list(config.zoneNames as string[]).map(normalizeName),
        ...ofType(resources, TYPES.zone).map((z) => normalizeName(ifKnown(() => z.props.name))).filter((n) => n !== ""),
      ]);
      for (const r of records) {
        if (String(ifKnown(() => r.props.type)).toUpperCase() !== "CNAME") continue;
        const raw = ifKnown(() => r.props.name);
        if (raw === undefined) continue;
        const name = normalizeName(raw);
        if (name === "" || name === "@" || apexes.has(name)) {
          report(`CNAME record "${r.name}" is at the zone apex (${name || "@"}); use an alias A/AAAA record instead.`, r.urn);
          continue;
        }
        const clash = records.find((o) => o !== r && normalizeName(ifKnown(() => o.props.name)) === name && ifKnown(() => o.props.setIdentifier) === undefined);
        if (clash && ifKnown(() => r.props.setIdentifier) === undefined) {
          report(`CNAME record "${r.name}" (${name}) shares its name with ${String(ifKnown(() => clash.props.type))} record "${clash.name}"; a CNAME must be alone at its name.`, r.urn);
        }
      }
    },
  }),
  resourceRule<Record_>({
    name: "route53-txt-string-length",
    description: 'Every TXT character-string is at most 255 bytes (split longer values with "" between strings).',
    enforcementLevel: "mandatory",
    types: TYPES.record,
    validate: (p, { args }, report) => {
      if (String(p.type).toUpperCase() !== "TXT") return;
      for (const value of list(p.records)) {
        if (typeof value !== "string") continue;
        for (const s of txtStrings(value)) {
          const n = byteLength(s);
          if (n > 255) report(`TXT record "${args.name}" has a ${n}-byte string ("${s.slice(0, 24)}..."); split it into strings of at most 255 bytes.`);
        }
      }
    },
  }),
  resourceRule<Record_>({
    name: "route53-srv-format",
    description: 'SRV records are named _service._proto and their values are "priority weight port target" with 16-bit numbers.',
    enforcementLevel: "mandatory",
    types: TYPES.record,
    validate: (p, { args }, report) => {
      if (String(p.type).toUpperCase() !== "SRV") return;
      if (typeof p.name === "string" && !/^_[a-z0-9-]+\._(tcp|udp|tls)(\.|$)/i.test(p.name)) {
        report(`SRV record "${args.name}" is named "${p.name}"; SRV names start with _service._tcp or _service._udp.`);
      }
      const values = list(p.records);
      if (values.length === 0 && p.records !== undefined) report(`SRV record "${args.name}" has no values.`);
      for (const value of values) {
        if (typeof value !== "string") continue;
        const problem = srvValueProblem(value);
        if (problem) report(`SRV record "${args.name}": ${problem}.`);
      }
    },
  }),
  resourceRule<Record_>({
    name: "route53-ttl-bounds",
    description: "Non-alias records have a TTL within the configured bounds (short enough to move, long enough to cache).",
    enforcementLevel: "advisory",
    types: TYPES.record,
    config: {
      minTtl: { type: "integer", minimum: 0, default: 60, description: "Lowest TTL in seconds." },
      maxTtl: { type: "integer", minimum: 0, default: 86400, description: "Highest TTL in seconds." },
    },
    validate: (p, { args, config }, report) => {
      if (list(p.aliases).length > 0) return;
      const ttl = num(p.ttl);
      const [min, max] = [Number(config.minTtl), Number(config.maxTtl)];
      if (p.ttl === undefined) report(`Record "${args.name}" has no ttl.`);
      else if (ttl === undefined || ttl < min || ttl > max) report(`Record "${args.name}" has ttl ${String(p.ttl)}; expected ${min}..${max} seconds.`);
    },
  }),
];
