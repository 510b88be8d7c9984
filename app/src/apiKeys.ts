import { createHash, timingSafeEqual } from "node:crypto";
import { APP_HEADERS } from "@edgestack/contract";

/**
 * API keys that can only narrow, never widen, a client's budget.
 *
 * A key is *known* when the SHA-256 of the presented value is one of API_KEY_HASHES (the app never
 * holds the keys themselves; the stack's Kubernetes Secret carries only their digests). A known key
 * gets its own rate-limit bucket; a well-formed unknown key counts as no key (the client address
 * is the bucket), so random keys buy nothing; a malformed one is answered 401.
 */

/** Request header carrying the key. */
export const API_KEY_HEADER = APP_HEADERS.apiKey;
/** What a key looks like: 20 to 128 URL-safe characters (the stack generates 40 alphanumerics). */
export const API_KEY_PATTERN = /^[A-Za-z0-9_-]{20,128}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** The digest stored for a key: SHA-256, lower-case hex. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Validates a list of hex digests (any case); returns them lower-cased and de-duplicated. */
export function parseApiKeyHashes(values: readonly string[]): { hashes: string[]; problems: string[] } {
  const hashes = new Set<string>();
  const problems: string[] = [];
  for (const value of values) {
    const hash = value.toLowerCase();
    if (HASH_PATTERN.test(hash)) hashes.add(hash);
    else problems.push(value);
  }
  return { hashes: [...hashes], problems };
}

export type ApiKeyVerdict =
  /** No key sent, or a well-formed key that is not known: limited by client address. */
  | { kind: "anonymous"; presented: boolean }
  /** Not a key at all (wrong characters or length, or the header sent twice): 401. */
  | { kind: "malformed" }
  /** A known key; `id` (a digest prefix) names its bucket without revealing the key. */
  | { kind: "known"; id: string };

export class ApiKeyRegistry {
  private readonly digests: Buffer[];

  constructor(hashes: readonly string[]) {
    this.digests = parseApiKeyHashes(hashes).hashes.map((h) => Buffer.from(h, "hex"));
  }

  get size(): number {
    return this.digests.length;
  }

  /** Classifies the X-API-Key header of one request (node joins a repeated header with ", "). */
  classify(header: string | string[] | undefined): ApiKeyVerdict {
    if (header === undefined || header === "") return { kind: "anonymous", presented: false };
    if (typeof header !== "string" || !API_KEY_PATTERN.test(header)) return { kind: "malformed" };
    const digest = createHash("sha256").update(header, "utf8").digest();
    // Every stored digest is compared, in constant time each, whether or not one matched already.
    let match = -1;
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(digest, this.digests[i]!) && match === -1) match = i;
    }
    if (match === -1) return { kind: "anonymous", presented: true };
    return { kind: "known", id: this.digests[match]!.toString("hex").slice(0, 16) };
  }
}
