import { Policies } from "@pulumi/policy";
import { ifKnown, judge, list, masked, resourceRule, settingsRule, stackRule, unknownAt } from "./common";
import { credentialName, literalCredential } from "../semantics/credentials";

/** ECR's WILDCARD repository filter (`*` any run of characters), as registry scanning rules match names. */
const wildcardMatches = (filter: string, name: string) => new RegExp(`^${filter.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(name);

/**
 * Resource types whose security is a handful of declared settings, each judged by its effect with the provider's
 * default for an unset value (`settingsRule`): image repositories, log groups, certificates.
 */
export const settingsPolicies: Policies = [
  settingsRule({
    name: "ecr-repository-hardened",
    description: "ECR repositories keep tags immutable (a deployed tag cannot be re-pointed), scan images on push and encrypt with KMS.",
    enforcementLevel: "mandatory",
    types: ["aws:ecr/repository:Repository"],
    requirements: [
      { path: "imageTagMutability", judge: judge.oneOf(["IMMUTABLE"], "MUTABLE") },
      { path: "imageScanningConfiguration.scanOnPush", judge: judge.oneOf([true], false) },
      { path: "encryptionConfigurations.encryptionType", judge: judge.oneOf(["KMS"], "AES256") },
    ],
  }),
  stackRule({
    name: "ecr-registry-scanning-covers-repositories",
    description:
      "A registry scanning configuration (aws:ecr/registryScanningConfiguration), which replaces every repository's own scanOnPush once set, scans every repository of the stack on push or continuously: a rule with scanFrequency SCAN_ON_PUSH or CONTINUOUS_SCAN whose WILDCARD filter matches the repository's name. Without such a configuration each repository's scanOnPush is judged by ecr-repository-hardened.",
    enforcementLevel: "mandatory",
    judges: ["aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"],
    validate: (resources, _ctx, report) => {
      const repos = resources.filter((r) => r.type === "aws:ecr/repository:Repository").map((r) => ifKnown(() => r.props.name) ?? r.name);
      for (const c of resources.filter((r) => r.type === "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")) {
        if (unknownAt(() => JSON.stringify(c.props.rules))) continue;
        const rules = list(ifKnown(() => c.props.rules as { scanFrequency?: unknown; repositoryFilters?: { filter?: unknown; filterType?: unknown }[] }[]));
        const scanned = (repo: string) => rules.some((r) => ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"].includes(String(r?.scanFrequency)) && list(r?.repositoryFilters).some((f) => String(f?.filterType ?? "WILDCARD") === "WILDCARD" && wildcardMatches(String(f?.filter ?? ""), repo)));
        const missed = repos.map(String).filter((repo) => !scanned(repo));
        if (missed.length > 0 || rules.length === 0) report(`Registry scanning configuration "${c.name}" (which overrides each repository's scanOnPush) scans ${missed.length > 0 ? `none of ${missed.join(", ")}` : "no repository"} on push or continuously: add a SCAN_ON_PUSH or CONTINUOUS_SCAN rule whose filter matches them.`, c.urn);
      }
    },
  }),
  settingsRule({
    name: "log-group-retention",
    description: "CloudWatch log groups expire their events (retentionInDays set; unset or 0 keeps them forever).",
    enforcementLevel: "mandatory",
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    requirements: [{ path: "retentionInDays", judge: judge.atLeast(1) }],
  }),
  settingsRule({
    name: "acm-certificate-hardened",
    description: "ACM certificates name exact hosts (no wildcard, which any host of the zone could present), are validated through DNS (not e-mail, which any reader of the domain's admin mailboxes can approve), stay in certificate-transparency logs (so a mis-issued certificate is seen), are not exportable (options.export ENABLED lets anyone with acm:ExportCertificate take the private key out of ACM, to serve the names from anywhere), are issued by ACM on a key of at least RSA-2048 or ECDSA P-256 (keyAlgorithm), never imported (a privateKey input passes the key through the program, its state and plan, and ACM never renews it) unless allowImported. It does not judge private CA certificates' CA.",
    enforcementLevel: "mandatory",
    types: ["aws:acm/certificate:Certificate"],
    config: {
      allowWildcards: { type: "boolean", default: false, description: "Accept wildcard names (*.example.com)." },
      allowImported: { type: "boolean", default: false, description: "Accept imported certificates (privateKey and certificateBody inputs)." },
    },
    requirements: [
      // RSA below 2048 bits is factorable in practice; ACM's default is RSA_2048.
      { path: "keyAlgorithm", judge: judge.oneOf(["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"], "RSA_2048") },
      { path: "privateKey", judge: (v, _p, config) => (v === undefined || v === null || v === "" || config.allowImported === true ? undefined : "is set: the certificate is imported, its private key passes through the program, its state and plan, and ACM never renews it; request it from ACM with DNS validation (or set allowImported)") },
      { path: "domainName", judge: (v, p, config) => wildcardNames([v, ...list(p.subjectAlternativeNames as unknown[])], config) },
      { path: "options.certificateTransparencyLoggingPreference", judge: judge.oneOf(["ENABLED"], "ENABLED") },
      // An exportable public certificate's private key leaves ACM with one API call; ACM keeps it otherwise.
      { path: "options.export", judge: judge.oneOf(["DISABLED"], "DISABLED") },
      // E-mail validation lets whoever reads admin@/webmaster@ of the domain approve issuance and renewals; DNS validation renews by itself.
      { path: "validationMethod", judge: judge.oneOf(["DNS"], "DNS") },
    ],
  }),
  resourceRule<Record<string, unknown>>({
    name: "ssm-parameter-secrets-secure",
    description:
      "An SSM parameter that holds a credential is a SecureString (KMS-encrypted, readable only with kms:Decrypt): one whose value is a Pulumi secret, looks like a credential (policies/semantics/credentials.ts), or whose name's last segment says it holds one (…/redis-auth-token, …/db-password) is not a String or StringList, which anyone with ssm:GetParameter reads in clear. It does not judge who may read the parameter.",
    enforcementLevel: "mandatory",
    types: ["aws:ssm/parameter:Parameter"],
    validate: (p, { args }, report) => {
      // Type, name or value known only after deployment: judged then.
      if (unknownAt(() => p.type) || unknownAt(() => p.name)) return;
      const type = String(p.type ?? "String");
      if (type === "SecureString") return;
      const name = String(ifKnown(() => p.name) ?? args.name);
      const last = name.split("/").filter((x) => x !== "").pop() ?? name;
      const value = ifKnown(() => p.value ?? p.insecureValue);
      const why = masked(value) ? "a secret value" : (literalCredential(last, value) ?? (credentialName(last) ? `a credential (its name says so)` : undefined));
      if (why) report(`SSM parameter "${args.name}" (${name}) keeps ${why} as a plain ${type}: make it a SecureString.`);
    },
  }),
];

function wildcardNames(names: unknown[], config: Record<string, unknown>): string | undefined {
  if (config.allowWildcards === true) return undefined;
  const wild = names.filter((n): n is string => typeof n === "string" && n.includes("*"));
  return wild.length === 0 ? undefined : `(or a subject alternative name) is a wildcard (${wild.join(", ")}); list the exact hosts`;
}
