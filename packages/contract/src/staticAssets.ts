import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { APP_ROUTES, STATIC_CACHE_CONTROL } from "./http";

/**
 * The one definition of what `/static/` serves: app/static's files under content-hashed names, each
 * with its Content-Type, cached for a year as immutable. The app serves these (through nginx, see
 * app/src/staticFiles.ts), the stack uploads exactly these to the bucket CloudFront's `/static/*`
 * behavior reads (infra/cdn/static-assets.ts). The prefix and the Cache-Control are the HTTP
 * contract's (./http.ts). HTML refers to an asset by its source file name through `staticUrl`.
 */

/** `/static/`: the prefix of the app's static route. */
export const STATIC_PATH_PREFIX = APP_ROUTES.staticFile.path.slice(0, APP_ROUTES.staticFile.path.indexOf(":"));
export { STATIC_CACHE_CONTROL };

/** Content types by extension; a file of any other type in app/static is refused, not served untyped. */
export const STATIC_CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
};

/** Hex digits of the content's SHA-256 in a hashed name: 48 bits, no collision among a site's assets. */
const HASH_LENGTH = 12;

export interface StaticAsset {
  /** The file's name in app/static (what HTML refers to). */
  file: string;
  /** `<stem>.<hash><ext>`: the name it is served under. */
  name: string;
  /** The URL path: `/static/<name>`. */
  urlPath: string;
  /** The object key in the static bucket (the URL path without its leading slash). */
  key: string;
  contentType: string;
  /** Full SHA-256 of the content, hex (integrity, ETag). */
  sha256: string;
  body: Buffer;
}

/** `logo.svg` with content C → `logo.<first 12 hex of sha256(C)>.svg`. */
export function hashedName(file: string, body: Buffer): string {
  const ext = path.extname(file);
  const stem = file.slice(0, file.length - ext.length);
  return `${stem}.${createHash("sha256").update(body).digest("hex").slice(0, HASH_LENGTH)}${ext}`;
}

/** The assets of a directory, sorted by file name. A missing directory has none. */
export function readStaticAssets(dir: string): StaticAsset[] {
  let files: string[];
  try {
    files = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return files.map((file) => {
    const contentType = STATIC_CONTENT_TYPES[path.extname(file).toLowerCase()];
    if (contentType === undefined) {
      throw new Error(`${path.join(dir, file)}: no Content-Type for "${path.extname(file)}" files; add it to STATIC_CONTENT_TYPES (@edgestack/contract, staticAssets.ts)`);
    }
    const body = readFileSync(path.join(dir, file));
    const name = hashedName(file, body);
    const urlPath = `${STATIC_PATH_PREFIX}${name}`;
    return { file, name, urlPath, key: urlPath.slice(1), contentType, sha256: createHash("sha256").update(body).digest("hex"), body };
  });
}

/** The URL path HTML uses for a source file; throws for a file that is not an asset. */
export function staticUrl(assets: readonly StaticAsset[], file: string): string {
  const asset = assets.find((a) => a.file === file);
  if (asset === undefined) throw new Error(`no static asset ${JSON.stringify(file)} (have: ${assets.map((a) => a.file).join(", ") || "none"})`);
  return asset.urlPath;
}
