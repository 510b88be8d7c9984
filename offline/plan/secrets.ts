/**
 * Fingerprints of secret values, so the plan diff can show that a secret changed (`changed [secret]`)
 * without showing either value.
 *
 * Two modes, and never an unkeyed hash of a real secret:
 * - keyed: HMAC-SHA-256 under a key only CI holds (`EDGESTACK_PLAN_SECRET_KEY`, a CI secret of the
 *   credentialed job). Without the key a fingerprint cannot be tested against guesses. Required
 *   whenever the plan is made from real secret values (`npm run plan -- --secrets-from FILE`).
 * - stand-in: the offline plan of a pull request (forks have no key) holds no real secret: each
 *   `secure:` stack value is replaced by a stand-in derived from its ciphertext (which the stack file
 *   publishes anyway), generated passwords by a stand-in derived from the generator's inputs, and
 *   every other secret is derived from those and from plain inputs. Its fingerprint is a plain
 *   digest of public data: rotating a `secure:` value (new ciphertext) or changing what feeds a
 *   secret changes it; nothing about the real value is in it.
 * Base and head must be made in the same mode (and with the same key) to be compared; a digest of
 * the other mode never equals one of this, so a mix shows every secret as changed rather than hiding one.
 */
import { createHash, createHmac } from "node:crypto";

export type SecretMode = { kind: "keyed"; key: string } | { kind: "stand-in" };

/** The environment variable holding the fingerprint key (a CI secret). */
export const SECRET_KEY_ENV = "EDGESTACK_PLAN_SECRET_KEY";

/** JSON with object keys sorted, so equal values fingerprint equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

export function fingerprint(value: unknown, mode: SecretMode): string {
  if (mode.kind === "keyed") return `hmac-sha256:${createHmac("sha256", mode.key).update(canonical(value)).digest("hex").slice(0, 32)}`;
  return `stand-in:${createHash("sha256").update(canonical(value)).digest("hex").slice(0, 32)}`;
}

/**
 * The mode for a plan: keyed when the key is set; stand-in when every secret value is an offline
 * stand-in; refused when real secret values would be fingerprinted without a key.
 */
export function secretMode(options: { realSecrets: boolean; env?: Record<string, string | undefined> }): SecretMode {
  const key = (options.env ?? process.env)[SECRET_KEY_ENV];
  if (key) {
    if (key.length < 32) throw new Error(`${SECRET_KEY_ENV} is too short to key secret fingerprints: use at least 32 random characters (a CI secret)`);
    return { kind: "keyed", key };
  }
  if (options.realSecrets) {
    throw new Error(`refusing to fingerprint real secret values without a key: set ${SECRET_KEY_ENV} (a CI secret of at least 32 random characters); an unkeyed digest of a secret could be tested against guesses`);
  }
  return { kind: "stand-in" };
}
