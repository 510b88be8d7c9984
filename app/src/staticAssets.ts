import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { Handler } from "./http/httpServer";
import { STATIC_CACHE_CONTROL } from "./routes";

export interface StaticAsset {
  body: Buffer;
  type: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".svg": "image/svg+xml",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** Loads app/static once: a handful of small versioned files, served from memory. */
export function loadStaticAssets(dir: string): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  for (const name of names) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(path.join(dir, name));
    assets.set(name, { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` });
  }
  return assets;
}

/** GET /static/:name from memory, with an ETag (304 on a match) and the one-year immutable Cache-Control. */
export function staticFileHandler(assets: Map<string, StaticAsset>): Handler {
  return (ex) => {
    const asset = assets.get(ex.params.name ?? "");
    if (asset === undefined) return ex.json(404, { error: "not found", requestId: ex.id });
    const headers = { "cache-control": STATIC_CACHE_CONTROL, etag: asset.etag, "content-type": asset.type };
    if (ex.req.headers["if-none-match"] === asset.etag) return ex.send(304, undefined, headers);
    ex.send(200, asset.body, headers);
  };
}
