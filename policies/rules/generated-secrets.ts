/**
 * Secrets and keys the stack generates itself: a RandomPassword is an auth token or an HMAC key (origin lock, config
 * digests, the cache's AUTH), a tls PrivateKey and SelfSignedCert terminate TLS inside the stack. Their strength is a
 * setting of the resource, so a shorter password or a smaller key weakens what they protect.
 */
import { Policies } from "@pulumi/policy";
import { num, resourceRule } from "./common";

const PASSWORD = "random:index/randomPassword:RandomPassword";
const PRIVATE_KEY = "tls:index/privateKey:PrivateKey";
const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";

/** Least entropy of a generated secret, in bits. */
export const MIN_SECRET_BITS = 128;
/** The random provider's default special characters. */
const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

const on = (v: unknown, unset: boolean) => (v === undefined || v === null ? unset : v === true || v === "true");

/** The entropy of a RandomPassword's value in bits (length × log2 of its alphabet), from its inputs and the provider's defaults. */
export function passwordBits(p: Record<string, unknown>): number {
  const length = num(p.length) ?? 0;
  const special = typeof p.overrideSpecial === "string" ? new Set(p.overrideSpecial).size : DEFAULT_SPECIAL.length;
  const alphabet = (on(p.upper, true) ? 26 : 0) + (on(p.lower, true) ? 26 : 0) + (on(p.numeric ?? p.number, true) ? 10 : 0) + (on(p.special, true) ? special : 0);
  return alphabet <= 1 ? 0 : length * Math.log2(alphabet);
}

/** Why a tls key is weak, or undefined. */
export function keyProblem(p: Record<string, unknown>): string | undefined {
  const algorithm = String(p.algorithm ?? "");
  if (algorithm === "RSA") {
    const bits = num(p.rsaBits) ?? 2048;
    return bits >= 2048 ? undefined : `is RSA with ${bits} bits (at least 2048)`;
  }
  if (algorithm === "ECDSA") {
    const curve = String(p.ecdsaCurve ?? "P224");
    return ["P256", "P384", "P521"].includes(curve) ? undefined : `is ECDSA on curve ${curve} (P256, P384 or P521)`;
  }
  if (algorithm === "ED25519") return undefined;
  return `has algorithm ${algorithm || "unset"} (RSA ≥ 2048, ECDSA P256+ or ED25519)`;
}

/** Longest validity of a self-signed serving certificate: the CA/Browser Forum's 398 days. */
const MAX_VALIDITY_HOURS = 398 * 24;

export const generatedSecretPolicies: Policies = [
  resourceRule<Record<string, unknown>>({
    name: "generated-secrets-strong",
    description: `Every RandomPassword has at least ${MIN_SECRET_BITS} bits of entropy (length × log2 of the characters it may use, the provider's defaults for unset classes), every tls PrivateKey is RSA ≥ 2048 bits, ECDSA P256/P384/P521 or ED25519, and every SelfSignedCert is a serving certificate (not a CA: no isCaCertificate, no cert_signing or crl_signing) valid at most 398 days. It does not judge where the values are used.`,
    enforcementLevel: "mandatory",
    types: [PASSWORD, PRIVATE_KEY, SELF_SIGNED],
    validate: (p, { args }, report) => {
      if (args.type === PASSWORD) {
        const bits = passwordBits(p);
        if (bits < MIN_SECRET_BITS) report(`RandomPassword "${args.name}" has ${Math.floor(bits)} bits of entropy (length ${String(p.length)}); it must have at least ${MIN_SECRET_BITS}: make it longer or allow more character classes.`);
        return;
      }
      if (args.type === PRIVATE_KEY) {
        const problem = keyProblem(p);
        if (problem) report(`PrivateKey "${args.name}" ${problem}.`);
        return;
      }
      const uses = (Array.isArray(p.allowedUses) ? p.allowedUses : []).map(String);
      const signing = uses.filter((u) => u === "cert_signing" || u === "crl_signing");
      if (p.isCaCertificate === true || p.isCaCertificate === "true" || signing.length > 0) report(`SelfSignedCert "${args.name}" is a CA (${signing.length > 0 ? `allowed uses ${signing.join(", ")}` : "isCaCertificate"}): whoever holds its key can mint certificates anything trusting it accepts; make it a serving certificate.`);
      const hours = num(p.validityPeriodHours);
      if (hours === undefined || hours > MAX_VALIDITY_HOURS) report(`SelfSignedCert "${args.name}" is valid for ${hours === undefined ? "an unset period" : `${hours} hours`}; at most ${MAX_VALIDITY_HOURS} (398 days), renewed by earlyRenewalHours.`);
    },
  }),
];
