/**
 * The README stays a short entry page and every reference page is reachable from it: links resolve,
 * and each page under docs/ is linked from the README or from a page the README links.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const README = path.join(ROOT, "README.md");
const README_MAX_BYTES = 15 * 1024;

/** Relative Markdown link targets of a page, resolved to repository paths (anchors dropped). */
function links(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith("#"))
    .map((target) => path.resolve(path.dirname(file), target.split("#")[0]!));
}

function pagesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? pagesUnder(path.join(dir, e.name)) : e.name.endsWith(".md") ? [path.join(dir, e.name)] : []));
}

test(`the README is at most ${README_MAX_BYTES} bytes`, () => {
  expect(fs.statSync(README).size).toBeLessThanOrEqual(README_MAX_BYTES);
});

test("every relative link in the README and docs/ points at an existing file or folder", () => {
  const broken = [README, ...pagesUnder(path.join(ROOT, "docs"))].flatMap((file) =>
    links(file).filter((target) => !fs.existsSync(target)).map((target) => `${path.relative(ROOT, file)} → ${path.relative(ROOT, target)}`),
  );
  expect(broken).toEqual([]);
});

test("every page under docs/ is reachable from the README (directly, or through a linked page or folder)", () => {
  const reached = new Set<string>();
  const queue = [README];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const target of links(file)) {
      const pages = fs.existsSync(target) && fs.statSync(target).isDirectory() ? pagesUnder(target) : [target];
      for (const page of pages) {
        if (reached.has(page) || !page.endsWith(".md") || !fs.existsSync(page)) continue;
        reached.add(page);
        queue.push(page);
      }
    }
  }
  const unreachable = pagesUnder(path.join(ROOT, "docs")).filter((p) => !reached.has(p)).map((p) => path.relative(ROOT, p));
  expect(unreachable).toEqual([]);
});
