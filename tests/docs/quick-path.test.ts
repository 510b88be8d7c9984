import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { reservedDomainOf } from "../../infra/config/guards";
import { isDnsName } from "../../infra/config/validators";

/** Every `config set edgestack:domain …` a page tells the reader to run is a domain a real deploy accepts. */
const docs = join(__dirname, "../../docs");
const pages = ["../README.md", ...readdirSync(docs).filter((f) => f.endsWith(".md"))];
const commands = pages.flatMap((page) =>
  [...readFileSync(join(docs, page), "utf8").matchAll(/config set edgestack:domain ([^\s`]+)/g)].map((m) => ({ page, domain: m[1] })),
);

it("the pages show at least the quick path's domain", () => {
  expect(commands.some((c) => c.page === "running.md")).toBe(true);
});

it.each(commands.map((c) => [c.page, c.domain]))("%s: %s passes the schema and the real-deploy guard", (_page, domain) => {
  if (/^<.*>$/.test(domain)) return expect(domain).toMatch(/^<[a-z-]+>$/); // a placeholder the reader fills in
  expect(isDnsName(domain)).toBe(true);
  expect(reservedDomainOf(domain)).toBeUndefined();
});
