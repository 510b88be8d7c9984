import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { hashedName, readStaticAssets, STATIC_CACHE_CONTROL, staticUrl } from "@edgestack/contract";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "edgestack-static-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("names carry the content's hash: same content same name, changed content new name", () => {
  expect(hashedName("app.css", Buffer.from("a{}"))).toBe(hashedName("app.css", Buffer.from("a{}")));
  expect(hashedName("app.css", Buffer.from("a{}"))).not.toBe(hashedName("app.css", Buffer.from("b{}")));
  expect(hashedName("app.min.css", Buffer.from("x"))).toMatch(/^app\.min\.[0-9a-f]{12}\.css$/);
});

test("a directory's files become typed assets with keys under static/", () => {
  writeFileSync(path.join(dir, "app.css"), "body{}");
  writeFileSync(path.join(dir, "app.js"), "1");
  writeFileSync(path.join(dir, ".DS_Store"), "");
  const assets = readStaticAssets(dir);
  expect(assets.map((a) => [a.file, a.contentType])).toEqual([
    ["app.css", "text/css; charset=utf-8"],
    ["app.js", "text/javascript; charset=utf-8"],
  ]);
  for (const a of assets) {
    expect(a.urlPath).toBe(`/static/${a.name}`);
    expect(a.key).toBe(`static/${a.name}`);
  }
  expect(staticUrl(assets, "app.css")).toBe(assets[0].urlPath);
  expect(() => staticUrl(assets, "nope.css")).toThrow(/no static asset "nope.css" \(have: app.css, app.js\)/);
  expect(STATIC_CACHE_CONTROL).toBe("public, max-age=31536000, immutable");
});

test("a file of unknown type is refused, naming it; a missing directory has no assets", () => {
  writeFileSync(path.join(dir, "notes.xyz"), "?");
  expect(() => readStaticAssets(dir)).toThrow(/notes\.xyz: no Content-Type for "\.xyz" files; add it to STATIC_CONTENT_TYPES/);
  expect(readStaticAssets(path.join(dir, "missing"))).toEqual([]);
});
