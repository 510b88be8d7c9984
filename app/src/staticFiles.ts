import { STATIC_CACHE_CONTROL, type StaticAsset } from "@edgestack/contract";
import type { Handler } from "./http/httpServer";

/** GET /static/:name from memory by hashed name, with an ETag (304 on a match) and the immutable Cache-Control. */
export function staticFileHandler(assets: readonly StaticAsset[]): Handler {
  const byName = new Map(assets.map((a) => [a.name, { asset: a, etag: `"${a.sha256.slice(0, 32)}"` }]));
  return (ex) => {
    const entry = byName.get(ex.params.name ?? "");
    if (entry === undefined) return ex.error(404, "not found");
    const headers = { "cache-control": STATIC_CACHE_CONTROL, etag: entry.etag, "content-type": entry.asset.contentType };
    if (ex.req.headers["if-none-match"] === entry.etag) return ex.send(304, undefined, headers);
    ex.send(200, entry.asset.body, headers);
  };
}
