/**
 * The policy pack is publishable: `npm pack` of policies/ carries the contract package it imports
 * (bundled), and the tarball installed in an empty folder outside the repository loads its rules.
 * (Only the rules module is loaded: `new PolicyPack` in index.ts starts a gRPC server.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { allPolicies } from "../../policies/rules";

const ROOT = path.resolve(__dirname, "../..");
const work = mkdtempSync(path.join(tmpdir(), "edgestack-policy-pack-"));
const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" } });

afterAll(() => rmSync(work, { recursive: true, force: true }));

test("the packed pack holds no import of a path outside its folder", () => {
  const sources = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? (e.name === "node_modules" ? [] : sources(path.join(dir, e.name))) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
    );
  const outside = sources("policies").flatMap((file) =>
    [...readFileSync(path.join(ROOT, file), "utf8").matchAll(/from "(\.[^"]*)"|require\("(\.[^"]*)"\)/g)]
      .map((m) => m[1] ?? m[2]!)
      .filter((spec) => !path.resolve(ROOT, path.dirname(file), spec).startsWith(path.join(ROOT, "policies") + path.sep))
      .map((spec) => `${file}: ${spec}`),
  );
  expect(outside).toEqual([]);
});

test("the pack declares every dependency of the contract it bundles (npm installs none for a bundled package)", () => {
  const read = (p: string) => JSON.parse(readFileSync(path.join(ROOT, p), "utf8")) as { dependencies?: Record<string, string>; bundleDependencies?: string[] };
  const pack = read("policies/package.json");
  const contract = read("packages/contract/package.json");
  expect(pack.bundleDependencies).toContain("@edgestack/contract");
  for (const [name, range] of Object.entries(contract.dependencies ?? {})) expect({ name, range: pack.dependencies?.[name] }).toEqual({ name, range });
});

test("npm pack of policies/ installs in an empty folder outside the repository and its rules load, with the contract bundled", () => {
  const packed = path.join(work, "packed");
  const consumer = path.join(work, "consumer");
  for (const dir of [packed, consumer]) execFileSync("mkdir", ["-p", dir]);
  const [{ filename, files }] = JSON.parse(npm(["pack", "--json", "--workspace", "policies", "--pack-destination", packed], ROOT)) as { filename: string; files: { path: string }[] }[];
  expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(["node_modules/@edgestack/contract/dist/index.js", "node_modules/@edgestack/contract/package.json"]));
  // The workspace is as it was: the contract resolves through its link again.
  expect(readdirSync(path.join(ROOT, "policies"))).not.toContain("node_modules");

  writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  npm(["install", "--prefer-offline", "--ignore-scripts", "--no-package-lock", path.join(packed, filename!)], consumer);

  // Outside the repository: no path of the checkout can be what resolves.
  expect(realpathSync(consumer).startsWith(realpathSync(ROOT))).toBe(false);
  const tsx = require.resolve("tsx/cjs", { paths: [ROOT] });
  const script = [
    `const rules = require("@edgestack/policies/rules");`,
    `const contract = require.resolve("@edgestack/contract", { paths: [require.resolve("@edgestack/policies/rules")] });`,
    `console.log(JSON.stringify({ names: rules.allPolicies.map((p) => p.name), contract }));`,
  ].join("\n");
  const out = execFileSync(process.execPath, ["--require", tsx, "-e", script], { cwd: consumer, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
  const loaded = JSON.parse(out.trim().split("\n").at(-1)!) as { names: string[]; contract: string };
  expect(loaded.names).toEqual(allPolicies.map((p) => p.name));
  expect(loaded.contract).toBe(path.join(realpathSync(consumer), "node_modules/@edgestack/policies/node_modules/@edgestack/contract/dist/index.js"));
}, 600_000);
