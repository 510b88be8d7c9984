import type { route53 } from "@pulumi/aws";
import { Policies, PolicyResource } from "@pulumi/policy";
import { environmentConfig, ifKnown, isProd, list, num, ofType, Props, refersTo, requireKnownInputs, resourceRule, stackRule, TYPES, unknownAt } from "./common";
import { isAllow, statementsOf, values } from "./documents";
import { grantsAction, principalsOf } from "../semantics/iam";
import { isSpf, spfProblem } from "../semantics/spf";
import { AWS_ELASTIC_IPV4, claimableAddress, claimableTarget, CLAIMABLE_SUFFIXES, s3BucketOfHost } from "../semantics/dns-targets";
import { resolver } from "./dns-failover";

type Record_ = Props<route53.RecordArgs>;

/** Route53's public name servers (ns-1536.awsdns-00.co.uk). */
const ROUTE53_NAME_SERVER = /^ns-\d+\.awsdns-\d+\.(com|net|org|co\.uk)$/;

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

const DNSSEC = { signing: "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec", ksk: "aws:route53/keySigningKey:KeySigningKey" } as const;
const DNSSEC_SERVICE = "dnssec-route53.amazonaws.com";

/** Why a KMS key cannot sign a zone for Route53 (undefined when it can): spec, usage, state and who its policy lets sign. */
export function dnssecKeyProblem(key: Record<string, unknown>): string | undefined {
  const spec = key.customerMasterKeySpec ?? key.keySpec ?? "SYMMETRIC_DEFAULT";
  if (spec !== "ECC_NIST_P256") return `its key spec is ${String(spec)}, not ECC_NIST_P256 (the only one Route53 signs with)`;
  if ((key.keyUsage ?? "ENCRYPT_DECRYPT") !== "SIGN_VERIFY") return `its key usage is ${String(key.keyUsage ?? "ENCRYPT_DECRYPT")}, not SIGN_VERIFY`;
  if (key.isEnabled === false) return "it is disabled (isEnabled: false): Route53 cannot sign, and the zone fails validation once its signatures expire";
  const read = statementsOf(key.policy);
  if ("unreadable" in read) return `its policy ${read.unreadable}`;
  const signs = read.statements.some((s) => isAllow(s) && principalsOf(s).services.includes(DNSSEC_SERVICE) && grantsAction(s, "kms:Sign") && grantsAction(s, "kms:GetPublicKey"));
  if (!signs) return `its policy does not let ${DNSSEC_SERVICE} use it (kms:Sign, kms:GetPublicKey)`;
  const denies = read.statements.some((s) => !isAllow(s) && grantsAction(s, "kms:Sign") && (values(s.Principal as never).includes("*") || principalsOf(s).services.includes(DNSSEC_SERVICE)) && (s.Condition === undefined || Object.keys(s.Condition).length === 0));
  if (denies) return `its policy denies kms:Sign to ${DNSSEC_SERVICE}`;
  return undefined;
}


export const route53Policies: Policies = [
  stackRule({
    name: "route53-dnssec-prod",
    description:
      "In prod, the hosted zone the stack writes its records into (created or looked up) is signed with DNSSEC: a HostedZoneDnsSec for it with signingStatus SIGNING, and an ACTIVE key-signing key for it whose KMS key (declared in the stack) is ECC_NIST_P256 / SIGN_VERIFY, enabled, and lets dnssec-route53.amazonaws.com sign (iam-no-public-principal judges its source conditions); where the stack writes the zone's NS delegation into a parent zone, it writes the zone's DS record there too.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.record, ...TYPES.zone, ...TYPES.kmsKey, DNSSEC.signing, DNSSEC.ksk],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const records = ofType(resources, TYPES.record);
      const zones = ofType(resources, TYPES.zone);
      const signings = ofType(resources, [DNSSEC.signing]);
      const ksks = ofType(resources, [DNSSEC.ksk]);
      const keys = ofType(resources, TYPES.kmsKey);
      // The zones in use: every created zone, and the zone ids the records name.
      const zoneIds = new Map<string, { name: string; urn: string; prodOf: PolicyResource }>();
      for (const z of zones) {
        const id = ifKnown(() => z.props.zoneId as string) ?? ifKnown(() => z.props.id as string);
        if (typeof id === "string") zoneIds.set(id, { name: normalizeName(ifKnown(() => z.props.name)), urn: z.urn, prodOf: z });
      }
      const childNames = new Set(records.filter((r) => ifKnown(() => r.props.type) === "NS").map((r) => normalizeName(ifKnown(() => r.props.name))));
      for (const r of records) {
        const id = ifKnown(() => r.props.zoneId as string);
        const name = normalizeName(ifKnown(() => r.props.name));
        // NS delegations (to this zone from its parent, or to child zones) live in other zones than the records'.
        if (typeof id !== "string" || ifKnown(() => r.props.type) === "NS" || ifKnown(() => r.props.type) === "DS" || zoneIds.has(id)) continue;
        if ([...childNames].some((c) => name === c)) continue;
        zoneIds.set(id, { name: "", urn: r.urn, prodOf: r });
      }
      // Unknown during preview (ids of resources not yet created): never a violation, decided at update.
      const undecided = (rs: PolicyResource[], ...keys: string[]) => rs.some((r) => keys.some((k) => unknownAt(() => (r.props as Record<string, unknown>)[k])));
      for (const [id, z] of zoneIds) {
        if (!isProd(config, z.prodOf)) continue;
        if (undecided(signings, "hostedZoneId", "signingStatus") || undecided(ksks, "hostedZoneId", "status", "keyManagementServiceArn")) continue;
        const where = z.name ? `zone "${z.name}" (${id})` : `zone ${id} (the records' zone)`;
        const signing = signings.filter((x) => ifKnown(() => x.props.hostedZoneId) === id);
        if (signing.length === 0) {
          const orphan = ksks.find((k) => ifKnown(() => k.props.hostedZoneId) === id);
          report(`The prod ${where} is not signed with DNSSEC${orphan ? ` (key-signing key "${orphan.name}" exists, but no HostedZoneDnsSec turns signing on)` : ""}: add an aws.route53.HostedZoneDnsSec with a key-signing key (dnssecSigning).`, orphan?.urn ?? z.urn);
          continue;
        }
        for (const x of signing) {
          const status = ifKnown(() => x.props.signingStatus) ?? "SIGNING";
          if (status !== "SIGNING") report(`DNSSEC of the prod ${where} has signingStatus ${String(status)}: the zone is not signed.`, x.urn);
        }
        const mine = ksks.filter((k) => ifKnown(() => k.props.hostedZoneId) === id);
        const active = mine.filter((k) => (ifKnown(() => k.props.status) ?? "ACTIVE") === "ACTIVE");
        if (active.length === 0) {
          report(`The prod ${where} has no ACTIVE key-signing key${mine.length ? ` (${mine.map((k) => `"${k.name}" is ${String(ifKnown(() => k.props.status))}`).join(", ")})` : ""}: Route53 cannot sign it.`, (mine[0] ?? signing[0]).urn);
          continue;
        }
        for (const k of active) {
          const ref = ifKnown(() => k.props.keyManagementServiceArn);
          const key = keys.find((x) => refersTo(ref, x, ["arn"]));
          if (!key) {
            report(`Key-signing key "${k.name}" of the prod ${where} uses KMS key ${String(ref)}, which the stack does not declare, so it can't be checked.`, k.urn);
            continue;
          }
          const problem = ifKnown(() => dnssecKeyProblem(JSON.parse(JSON.stringify(key.props)) as Record<string, unknown>));
          if (problem) report(`KMS key "${key.name}" of key-signing key "${k.name}" (prod ${where}) cannot sign the zone: ${problem}.`, key.urn);
        }
        // Where the stack delegates this zone from a parent, the parent carries the DS record too.
        if (z.name) {
          const delegations = records.filter((r) => ifKnown(() => r.props.type) === "NS" && normalizeName(ifKnown(() => r.props.name)) === z.name && ifKnown(() => r.props.zoneId) !== id);
          if (undecided(records, "type", "name", "zoneId")) continue;
          for (const d of delegations) {
            const parent = ifKnown(() => d.props.zoneId);
            const ds = records.some((r) => ifKnown(() => r.props.type) === "DS" && normalizeName(ifKnown(() => r.props.name)) === z.name && ifKnown(() => r.props.zoneId) === parent);
            if (!ds) report(`The prod ${where} is delegated from zone ${String(parent)} ("${d.name}") without its DS record there: resolvers never validate its signatures.`, d.urn);
          }
        }
      }
    },
  }),
  stackRule({
    name: "route53-caa-restricts-issuance",
    description:
      "Every name the stack points at an endpoint (A, AAAA, CNAME) is covered by a CAA record set of the stack at that name or its closest ancestor that has one (how a CA looks it up, RFC 8659): at least one `issue` entry, every `issue` and `issuewild` entry naming a CA in `allowedIssuers` (default: Amazon's, which issues the stack's ACM certificates) or `;` (none). Wildcard certificates are refused like acm-certificate-hardened refuses them: every CAA set of the stack has an `issuewild` entry (without one its `issue` CAs may issue wildcards too), and each names `;` or a CA in `wildcardIssuers` (default none). Without it any CA may issue a certificate for the service's names. Does not judge CAA records outside the stack or a CNAME target's own CAA.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.record],
    config: {
      allowedIssuers: { type: "array", items: { type: "string" }, default: ["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"], description: "Issuer domains a CAA issue/issuewild entry may name." },
      wildcardIssuers: { type: "array", items: { type: "string" }, default: [], description: "Issuer domains a CAA issuewild entry may name (default none: issuewild \";\", no wildcard certificates)." },
    },
    validate: (resources, { config }, report) => {
      const records = ofType(resources, TYPES.record);
      const typeOf = (r: PolicyResource) => String(ifKnown(() => r.props.type) ?? "").toUpperCase();
      const caa = new Map<string, PolicyResource>();
      for (const r of records.filter((x) => typeOf(x) === "CAA")) {
        const name = ifKnown(() => r.props.name);
        if (name !== undefined) caa.set(normalizeName(name), r);
      }
      // A record whose type or name is not known yet (preview) may be the CAA set that covers a name.
      const undecided = records.some((r) => ifKnown(() => r.props.type) === undefined || ifKnown(() => r.props.name) === undefined);
      const allowed = new Set((config.allowedIssuers as string[]).map((i) => i.toLowerCase()));
      const wildcard = new Set(list(config.wildcardIssuers as string[]).map((i) => i.toLowerCase()));
      const judged = new Set<PolicyResource>();
      for (const r of records.filter((x) => ["A", "AAAA", "CNAME"].includes(typeOf(x)))) {
        const raw = ifKnown(() => r.props.name);
        if (raw === undefined) continue;
        const labels = normalizeName(raw).split(".");
        const covering = labels.map((_, i) => caa.get(labels.slice(i).join("."))).find((x) => x !== undefined);
        if (!covering) {
          if (undecided) continue;
          report(`${typeOf(r)} record "${r.name}" (${normalizeName(raw)}) has no CAA record of the stack at its name or above: any certificate authority may issue for it; add CAA issue entries for the CAs you use.`, r.urn);
          continue;
        }
        judgeCaa(covering);
      }
      // Every CAA set of the stack is judged, not only those covering an address record: a CAA at a name without one
      // still decides who may issue for it and every name below it.
      for (const c of caa.values()) judgeCaa(c);
      function judgeCaa(covering: PolicyResource): void {
        if (judged.has(covering)) return;
        judged.add(covering);
        const values = ifKnown(() => list(covering.props.records as string[] | undefined));
        if (values === undefined) return;
        const entries = values.map((v) => /^\s*(\d+)\s+(\S+)\s+"?([^"]*)"?\s*$/.exec(String(v))).map((m, i) => (m ? { tag: m[2].toLowerCase(), issuer: m[3].split(";")[0].trim().toLowerCase(), raw: values[i] } : { tag: "?", issuer: "", raw: values[i] }));
        if (!entries.some((e) => e.tag === "issue")) report(`CAA record "${covering.name}" has no issue entry: without one, any CA may issue non-wildcard certificates.`, covering.urn);
        for (const e of entries.filter((x) => x.tag === "issue" || x.tag === "issuewild")) {
          if (e.issuer !== "" && !allowed.has(e.issuer)) report(`CAA record "${covering.name}" lets ${e.issuer} issue (${String(e.raw)}), a CA outside allowedIssuers (${[...allowed].join(", ")}).`, covering.urn);
          else if (e.tag === "issuewild" && e.issuer !== "" && !wildcard.has(e.issuer)) report(`CAA record "${covering.name}" lets ${e.issuer} issue wildcard certificates (${String(e.raw)}): any host of the zone could then present one for every name; write issuewild ";" (or list the CA in wildcardIssuers).`, covering.urn);
        }
        // Without an issuewild entry a CA named by issue may issue wildcard certificates too (RFC 8659 §4.3).
        const issuers = entries.filter((x) => x.tag === "issue" && x.issuer !== "").map((x) => x.issuer);
        if (!entries.some((e) => e.tag === "issuewild") && issuers.some((i) => !wildcard.has(i))) report(`CAA record "${covering.name}" has no issuewild entry, so ${[...new Set(issuers)].join(", ")} may also issue wildcard certificates; add 0 issuewild ";".`, covering.urn);
      }
    },
  }),
  stackRule({
    name: "route53-targets-owned",
    description:
      "A record of the stack (a CNAME's value, an alias's target, an A record's address) that points at something any AWS customer can claim (a CloudFront distribution's *.cloudfront.net name, an S3 bucket endpoint, an Elastic Beanstalk CNAME, a suffix in claimableSuffixes, an address of AWS's Elastic IP blocks or claimableAddressRanges) points at a resource the plan declares: the distribution whose domain it is, the bucket it names, an address the stack holds. One the plan lacks is another account's or gone, and whoever creates it serves the record's name (subdomain takeover). Every stack, not only prod. It does not judge names of other providers unless configured, nor whether a declared target serves the record's name.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.record, ...TYPES.distribution, ...TYPES.bucket],
    config: {
      claimableSuffixes: { type: "array", items: { type: "string" }, default: [], description: "More DNS suffixes whose names any customer of a provider can claim (e.g. github.io), judged like *.cloudfront.net; a record may point there only at a target listed in ownedTargets." },
      ownedTargets: { type: "array", items: { type: "string" }, default: [], description: "Claimable names or addresses outside the plan that the team holds (a bucket, site or Elastic IP of another stack)." },
      claimableAddressRanges: { type: "array", items: { type: "string" }, default: [], description: "More IPv4 blocks a cloud allocates to any customer, judged like AWS's Elastic IP blocks." },
    },
    validate: (resources, { config }, report) => {
      const suffixes = [...CLAIMABLE_SUFFIXES, ...list(config.claimableSuffixes as string[]).map((x) => ({ suffix: normalizeName(x).replace(/^\*?\./, ""), provider: `a name under ${normalizeName(x)}` }))];
      const owned = new Set(list(config.ownedTargets as string[]).map(normalizeName));
      const resolve = resolver(resources);
      const buckets = ofType(resources, TYPES.bucket);
      const blocks = [...AWS_ELASTIC_IPV4, ...list(config.claimableAddressRanges as string[])];
      // The public addresses the stack holds (Elastic IPs, and any resource's public address output).
      let held: Set<string> | undefined;
      const heldAddresses = () => {
        held ??= new Set(resources.flatMap((x) => ["publicIp", "publicIpAddress", "ipAddress"].map((k) => ifKnown(() => (x.props as Record<string, unknown>)[k])).filter((v): v is string => typeof v === "string")));
        return held;
      };
      for (const r of ofType(resources, TYPES.record)) {
        const p = r.props as Record_;
        const type = String(ifKnown(() => p.type) ?? "").toUpperCase();
        if (type === "A") {
          for (const v of list(ifKnown(() => p.records) as string[] | undefined)) {
            const address = String(v).trim();
            if (!claimableAddress(address, blocks) || owned.has(address) || heldAddresses().has(address)) continue;
            // An Elastic IP whose address is not known yet (preview) may be this one: reading it raises the unknown-value error.
            requireKnownInputs(ofType(resources, ["aws:ec2/eip:Eip"]));
            report(`Record "${r.name}" (${normalizeName(ifKnown(() => p.name))} A) names ${address}, an address of AWS's Elastic IP blocks that the stack does not hold: released or another account's, it goes to whoever allocates it next; point the record at a resource of the stack, or list the address in ownedTargets if the team holds it elsewhere.`, r.urn);
          }
        }
        const targets = [...(type === "CNAME" ? list(ifKnown(() => p.records) as string[] | undefined) : []), ...list(ifKnown(() => p.aliases) as { name?: unknown }[] | undefined).map((a) => a?.name)];
        for (const t of targets) {
          if (typeof t !== "string") continue;
          const host = normalizeName(t);
          const kind = /^s3-website[.-]/.test(host) ? "an S3 website bucket" : claimableTarget(host, suffixes);
          if (kind === undefined || owned.has(host)) continue;
          // An alias to S3's regional website endpoint serves the bucket named as the record.
          const bucket = /^s3-website[.-]/.test(host) ? normalizeName(p.name) : s3BucketOfHost(host);
          const declared = bucket !== undefined ? buckets.some((b) => refersTo(bucket, b, ["bucket"])) : resolve(host).length > 0;
          // A bucket whose name is not known yet (preview) may be the one: reading it raises the unknown-value error.
          if (!declared && bucket !== undefined) requireKnownInputs(buckets);
          if (!declared) report(`Record "${r.name}" (${normalizeName(ifKnown(() => p.name))} ${type}) points at ${host}, ${kind} the stack does not declare: whoever creates it (or holds it now) serves this name; point it at a resource of the stack, or list the name in ownedTargets if the team holds it elsewhere.`, r.urn);
        }
      }
    },
  }),
  resourceRule<Record_>({
    name: "route53-delegation-to-route53",
    description:
      "An NS record that delegates a subdomain names only Route53's name servers (ns-N.awsdns-NN.com/.net/.org/.co.uk) or ones listed in delegationNameServers: a subdomain handed to other name servers is answered by whoever holds those servers or their domain (lapsed or parked domains are bought to take such names over), and the stack's DNSSEC, CAA and health checks do not reach it. It does not judge whether the Route53 zone behind the servers is the stack's own.",
    enforcementLevel: "mandatory",
    types: TYPES.record,
    config: { delegationNameServers: { type: "array", items: { type: "string" }, default: [], description: "Name servers outside Route53 that subdomains may be delegated to." } },
    validate: (p, { args, config }, report) => {
      if (String(p.type ?? "").toUpperCase() !== "NS" || unknownAt(() => p.records)) return;
      const allowed = new Set(list(config.delegationNameServers as string[]).map(normalizeName));
      const foreign = list(p.records as unknown[]).map(normalizeName).filter((ns) => !ROUTE53_NAME_SERVER.test(ns) && !allowed.has(ns));
      if (foreign.length > 0) report(`NS record "${args.name}" delegates ${String(p.name)} to ${foreign.join(", ")}, which are not Route53's name servers: whoever controls them (or buys their lapsed domain) answers for the name; delegate to a Route53 zone, or list them in delegationNameServers.`);
    },
  }),
  stackRule({
    name: "route53-cname-exclusive",
    description: "A CNAME is never at a zone apex and never shares its name with another record (RFC 1034 §3.6.2).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.record, ...TYPES.zone],
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
    name: "route53-spf-restricts-senders",
    description:
      "An SPF policy the stack publishes (a TXT value starting v=spf1, its strings joined) rejects or soft-fails unlisted senders: no +all, bare all or ?all, an all mechanism or a redirect at its end, no ip4/ip6 range covering a broad share of the internet (policies/semantics/spf.ts); one SPF policy per name (two are a permanent error, which receivers treat as none). It does not judge DMARC or DKIM records, nor what the included domains authorise.",
    enforcementLevel: "mandatory",
    types: TYPES.record,
    validate: (p, { args }, report) => {
      if (String(p.type ?? "").toUpperCase() !== "TXT" || unknownAt(() => p.records)) return;
      const spf = list(p.records as unknown[])
        .filter((v): v is string => typeof v === "string")
        .map((v) => txtStrings(v).join(""))
        .filter(isSpf);
      if (spf.length > 1) report(`TXT record "${args.name}" publishes ${spf.length} SPF policies for ${String(p.name)}: receivers treat that as a permanent error (no policy at all); merge them into one.`);
      for (const v of spf) {
        const problem = spfProblem(v);
        if (problem) report(`SPF policy of "${args.name}" (${String(p.name)}: "${v}"): ${problem}; anyone could send mail as the domain.`);
      }
    },
  }),
  resourceRule<Record_>({
    name: "route53-ds-digest-strong",
    description:
      "A DS record the stack publishes (a delegated zone's chain of trust) uses a SHA-256 or SHA-384 digest (digest type 2 or 4) of a key whose algorithm is not deprecated (not RSAMD5, DSA, RSASHA1 or their NSEC3 variants, nor ECC-GOST: RFC 8624), and is well formed (key tag, algorithm, digest type, hex digest of the type's length). A SHA-1 digest can be forged. It does not judge the child zone's keys.",
    enforcementLevel: "mandatory",
    types: TYPES.record,
    validate: (p, { args }, report) => {
      if (String(p.type ?? "").toUpperCase() !== "DS" || unknownAt(() => p.records)) return;
      for (const v of list(p.records as unknown[])) {
        const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+([0-9a-f\s]+)$/i.exec(String(v));
        if (!m) {
          report(`DS record "${args.name}" has "${String(v)}", not "<key tag> <algorithm> <digest type> <hex digest>".`);
          continue;
        }
        const [algorithm, digestType, digest] = [Number(m[2]), Number(m[3]), m[4].replace(/\s/g, "")];
        const length = { 2: 64, 4: 96 }[digestType];
        if (length === undefined) report(`DS record "${args.name}" (${String(p.name)}) has digest type ${digestType}${digestType === 1 ? " (SHA-1, which can be forged)" : ""}: use 2 (SHA-256) or 4 (SHA-384).`);
        else if (digest.length !== length) report(`DS record "${args.name}" (${String(p.name)}) has a ${digest.length}-digit digest, not the ${length} of digest type ${digestType}.`);
        if ([1, 3, 5, 6, 7, 12].includes(algorithm)) report(`DS record "${args.name}" (${String(p.name)}) names key algorithm ${algorithm}, deprecated for signing (RFC 8624): use 13 (ECDSA P-256) or 8 (RSA/SHA-256).`);
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
