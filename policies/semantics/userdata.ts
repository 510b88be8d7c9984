/**
 * Node bootstrap text (launch-template or instance user data) read for what weakens the node it starts: the kubelet
 * settings a nodeadm NodeConfig, a kubelet config file written by a script or bootstrap flags set (anonymous requests,
 * AlwaysAllow authorization, the unauthenticated read-only port, no certificate rotation, no token webhook, TLS older
 * than 1.2 or weak suites), the instance's metadata options loosened at boot, and code fetched over plain
 * HTTP and run. Credentials in user data are policies/semantics/credentials.ts's question.
 */
import { parseAllDocuments } from "yaml";

/**
 * User data as text: base64 (how launch templates and `userDataBase64` carry it) decoded; a value that is not base64
 * (plain text where base64 belongs) is read as given. Undefined when there is none.
 */
export function decodeUserData(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  return /^[A-Za-z0-9+/=\s]+$/.test(value) ? Buffer.from(value, "base64").toString("utf8") : value;
}

/** One part of user data: a MIME part with its content type, or the whole text when it is not multipart. */
export interface UserDataPart {
  contentType: string;
  body: string;
}

/** The parts of a user-data text (MIME multipart as EKS node groups merge it, or one plain script/document). */
export function userDataParts(text: string): UserDataPart[] {
  const boundary = /^content-type:\s*multipart\/[\w-]+;\s*boundary="?([^"\r\n;]+)"?/im.exec(text)?.[1];
  if (!boundary) return [{ contentType: "", body: text }];
  const parts: UserDataPart[] = [];
  for (const chunk of text.split(`--${boundary}`).slice(1)) {
    if (/^--/.test(chunk)) break;
    const split = /\r?\n\r?\n/.exec(chunk);
    const headers = split ? chunk.slice(0, split.index) : "";
    const body = split ? chunk.slice(split.index + split[0].length) : chunk;
    parts.push({ contentType: (/content-type:\s*([^;\r\n]+)/i.exec(headers)?.[1] ?? "").trim().toLowerCase(), body });
  }
  return parts;
}

const isTrue = (v: unknown) => v === true || (typeof v === "string" && v.trim().toLowerCase() === "true");
const isFalse = (v: unknown) => v === false || (typeof v === "string" && v.trim().toLowerCase() === "false");

/** Weak settings of a kubelet configuration object (KubeletConfiguration fields, as nodeadm's spec.kubelet.config). */
function kubeletConfigWeaknesses(config: Record<string, any>): string[] {
  const out: string[] = [];
  if (isTrue(config?.authentication?.anonymous?.enabled)) out.push("the kubelet accepts anonymous requests (authentication.anonymous.enabled)");
  const mode = config?.authorization?.mode;
  if (typeof mode === "string" && /alwaysallow/i.test(mode)) out.push("the kubelet authorizes every request (authorization.mode AlwaysAllow)");
  const port = Number(config?.readOnlyPort);
  if (Number.isFinite(port) && port > 0) out.push(`the kubelet serves its unauthenticated read-only port ${port} (readOnlyPort)`);
  if (isFalse(config?.rotateCertificates)) out.push("the kubelet never rotates its client certificate (rotateCertificates false)");
  if (isFalse(config?.authentication?.webhook?.enabled)) out.push("the kubelet checks no bearer token with the API server (authentication.webhook.enabled false)");
  const tls = config?.tlsMinVersion;
  if (typeof tls === "string" && /^VersionTLS1[01]$/i.test(tls.trim())) out.push(`the kubelet serves TLS older than 1.2 (tlsMinVersion ${tls})`);
  const weakSuites = (Array.isArray(config?.tlsCipherSuites) ? config.tlsCipherSuites : []).map(String).filter((c: string) => WEAK_SUITE.test(c));
  if (weakSuites.length > 0) out.push(`the kubelet offers weak TLS cipher suites (${weakSuites.join(", ")}: CBC, RSA key exchange, 3DES or RC4)`);
  return out;
}

/** TLS cipher suites without forward secrecy or with CBC/3DES/RC4 (Go's names, as the kubelet takes them). */
const WEAK_SUITE = /^TLS_RSA_|_CBC_|3DES|RC4/i;

/** Weak kubelet command-line flags anywhere in the text (bootstrap.sh --kubelet-extra-args, nodeadm flags, systemd drop-ins). */
const FLAG_WEAKNESSES: [RegExp, string][] = [
  [/--anonymous-auth(?:=|\s+)["']?true\b/i, "the kubelet accepts anonymous requests (--anonymous-auth=true)"],
  [/--authorization-mode(?:=|\s+)["']?[\w,]*AlwaysAllow/i, "the kubelet authorizes every request (--authorization-mode=AlwaysAllow)"],
  [/--read-only-port(?:=|\s+)["']?0*[1-9]\d*/i, "the kubelet serves its unauthenticated read-only port (--read-only-port)"],
  [/--rotate-certificates(?:=|\s+)["']?false\b/i, "the kubelet never rotates its client certificate (--rotate-certificates=false)"],
  // A kubelet config file written as JSON by a script.
  [/"readOnlyPort"\s*:\s*0*[1-9]\d*/, "the kubelet serves its unauthenticated read-only port (readOnlyPort in a kubelet config file)"],
  [/"anonymous"\s*:\s*\{\s*"enabled"\s*:\s*true/, "the kubelet accepts anonymous requests (authentication.anonymous.enabled in a kubelet config file)"],
  [/"mode"\s*:\s*"AlwaysAllow"/, "the kubelet authorizes every request (authorization.mode AlwaysAllow in a kubelet config file)"],
  [/--tls-min-version(?:=|\s+)["']?VersionTLS1[01]\b/i, "the kubelet serves TLS older than 1.2 (--tls-min-version)"],
  // The instance's metadata options rewritten at boot, past what the launch template states (ec2-imdsv2 reads that).
  [/modify-instance-metadata-options\b[^\n]*--http-tokens(?:=|\s+)["']?optional\b/i, "the node turns IMDS tokens optional at boot (modify-instance-metadata-options --http-tokens optional: IMDSv1 back)"],
  [/modify-instance-metadata-options\b[^\n]*--http-put-response-hop-limit(?:=|\s+)["']?0*([2-9]|\d{2,})\b/i, "the node raises its IMDS hop limit at boot (modify-instance-metadata-options --http-put-response-hop-limit > 1: pods reach the node role)"],
  [/ModifyInstanceMetadataOptions\b[^\n]*HttpTokens[^\n]*optional/i, "the node turns IMDS tokens optional at boot (ModifyInstanceMetadataOptions HttpTokens optional)"],
];

/** Addresses a node may fetch from over plain HTTP (the instance metadata service, the node itself). */
const LOCAL_HTTP = /^http:\/\/(169\.254\.\d+\.\d+|\[fd00:ec2::254\]|localhost|127\.\d+\.\d+\.\d+)([:/]|$)/i;

/** Commands that fetch code over plain HTTP and run or install it (anyone on the path can replace it). */
function plainHttpCode(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const urls = [...line.matchAll(/\bhttp:\/\/[^\s"'|;)]+/gi)].map((m) => m[0]).filter((u) => !LOCAL_HTTP.test(u));
    if (urls.length === 0) continue;
    const runs = /\|\s*(sudo\s+)?(\S*\/)?(ba|z|da|k)?sh\b|\|\s*(sudo\s+)?(\S*\/)?python\d?\b|(ba|z)?sh\s+<\(|source\s+<\(|\.\s+<\(/.test(line);
    const installs = /\b(rpm\s+-[a-z]*[iU]|yum\s+(-y\s+)?(local)?install|dnf\s+(-y\s+)?install|pip3?\s+install|npm\s+install|apt(-get)?\s+(-y\s+)?install|docker\s+pull|ctr\s+.*pull)\b/i.test(line);
    if (runs || installs) out.push(`runs or installs code fetched over plain HTTP (${urls[0]})`);
  }
  return out;
}

/** What in a node's user data weakens the node (empty: nothing found). */
export function bootstrapWeaknesses(text: string): string[] {
  const found = new Set<string>();
  for (const part of userDataParts(text)) {
    const looksLikeNodeConfig = part.contentType === "application/node.eks.aws" || /^\s*kind:\s*NodeConfig\b/m.test(part.body);
    if (looksLikeNodeConfig) {
      for (const doc of parseAllDocuments(part.body)) {
        const value = doc.errors.length === 0 ? (doc.toJS() as Record<string, any> | null) : null;
        const kubelet = value?.spec?.kubelet;
        if (!kubelet) continue;
        for (const w of kubeletConfigWeaknesses(kubelet.config ?? {})) found.add(w);
        for (const flag of Array.isArray(kubelet.flags) ? kubelet.flags : []) for (const [re, why] of FLAG_WEAKNESSES) if (re.test(String(flag))) found.add(why);
      }
    }
    for (const [re, why] of FLAG_WEAKNESSES) if (re.test(part.body)) found.add(why);
    for (const w of plainHttpCode(part.body)) found.add(w);
  }
  return [...found];
}
