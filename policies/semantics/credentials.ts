/**
 * Credentials written as literal values: what a value looks like (AWS keys, private keys, tokens of
 * well-known services, a password inside a URL) and what a name says it holds (…PASSWORD, …SECRET,
 * …TOKEN, …API_KEY…). Rules use it wherever a resource keeps plain configuration that anyone who can
 * read the resource (or the pod, or the build) sees: container environments, ConfigMaps, CodeBuild
 * environment variables, user data.
 */

/** Values that are credentials whatever their name. */
export const CREDENTIAL_VALUES: readonly (readonly [RegExp, string])[] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/aws_secret_access_key|AWS_SECRET_ACCESS_KEY/, "an AWS secret access key"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/, "a GitHub token"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:[^\s/@]+@/i, "a password inside a URL"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}/, "a signed bearer token (JWT)"],
];

/**
 * Names that say the value is a credential: a word of the name (split at `_`, `-`, `.` and case changes) is
 * PASSWORD/PASSWD/PWD/SECRET/TOKEN/CREDENTIAL(S), or the name holds API KEY, ACCESS KEY, SECRET KEY, PRIVATE KEY
 * or AUTH KEY. A name that ends in FILE, PATH, DIR, NAME, ARN, ID or REF points at a credential (a mounted file,
 * a secret's name) rather than holding one.
 */
export function credentialName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[_.\-\s]+/)
    .filter((w) => w !== "");
  if (words.length === 0) return false;
  if (["FILE", "PATH", "DIR", "NAME", "ARN", "ID", "REF"].includes(words[words.length - 1])) return false;
  if (words.some((w) => ["PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN", "CREDENTIAL", "CREDENTIALS", "PASSPHRASE"].includes(w))) return true;
  const joined = words.join("_");
  return /(^|_)(API|ACCESS|SECRET|PRIVATE|AUTH|SIGNING|ENCRYPTION)_?KEYS?($|_)/.test(joined) || /(^|_)APIKEYS?($|_)/.test(joined);
}

/** Why a literal name/value pair exposes a credential, or undefined. Empty values and placeholders expose nothing. */
export function literalCredential(name: string, value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  for (const [re, what] of CREDENTIAL_VALUES) if (re.test(value)) return what;
  // A value that is only a reference (a path, an ARN, a ${…} or $(…) substitution) holds nothing itself.
  if (/^(\/|arn:|\$\{|\$\()/.test(value.trim())) return undefined;
  if (credentialName(name)) return `a literal value for ${name}`;
  return undefined;
}

/**
 * Every place inside a structured value (a resource's inputs) where a string holds a credential by its value alone,
 * as [dotted path, what]: a source URL with a token in it, a build spec with a key, whatever field carries it.
 * `skip` names top-level paths judged elsewhere (by name and value).
 */
export function credentialValuesIn(value: unknown, skip: readonly string[] = [], path = ""): [string, string][] {
  if (skip.includes(path)) return [];
  if (typeof value === "string") {
    const hit = CREDENTIAL_VALUES.find(([re]) => re.test(value));
    return hit ? [[path || "(value)", hit[1]]] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => credentialValuesIn(v, skip, `${path}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => credentialValuesIn(v, skip, path ? `${path}.${k}` : k));
  return [];
}

/**
 * A credential inside a configuration file's text (YAML, JSON, INI, .env, a kubeconfig): by value anywhere, or by the
 * name of a `key: value` / `key = value` / `"key": "value"` entry (credentialName), or undefined.
 */
export function credentialInText(text: string): string | undefined {
  for (const [re, what] of CREDENTIAL_VALUES) if (re.test(text)) return what;
  for (const m of text.matchAll(/(?:^|[{,])[\t ]*-?[\t ]*["']?([A-Za-z][\w.-]*)["']?[\t ]*[:=][\t ]*["']?([^"'\s#,}]+)/gm)) {
    // A placeholder (the plan's [secret] mask, <…>, a ${…}/$(…) substitution, ***) holds nothing itself.
    if (/^[[<$*]/.test(m[2]!)) continue;
    // A number or a switch is a setting about a credential (a token's lifetime, a password policy), never one.
    if (/^(\d+(\.\d+)?[a-z]{0,2}|true|false|yes|no|on|off|null|none)$/i.test(m[2]!)) continue;
    const what = literalCredential(m[1]!, m[2]!);
    if (what) return what;
  }
  return undefined;
}
