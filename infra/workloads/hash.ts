import { createHash } from "node:crypto";

/** SHA-256 of a text, hex. */
export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * A short content hash for object names (`nginx-conf-<hash>`): 10 hex digits (40 bits) is plenty to
 * tell successive versions of one file apart and keeps names short.
 */
export function contentHash(text: string): string {
  return sha256(text).slice(0, 10);
}
