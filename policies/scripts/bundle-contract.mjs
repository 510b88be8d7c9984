// The pack carries the contract package it imports (@edgestack/contract, a bundled dependency):
// `prepack` places the contract's own packed form (its build, see its prepack) in
// policies/node_modules/@edgestack/contract, where npm pack picks bundled dependencies up;
// `postpack` removes it again, so the workspace resolves the contract through its link as before.
// npm installs no dependency of a bundled package: the pack declares the contract's own (zod).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const policies = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const contract = path.resolve(policies, "..", "packages", "contract");
const target = path.join(policies, "node_modules", "@edgestack", "contract");

rmSync(target, { recursive: true, force: true });
if (process.argv[2] === "remove") {
  // The scope folder too, when nothing else is in it.
  for (const dir of [path.dirname(target), path.join(policies, "node_modules")]) {
    try {
      rmdirSync(dir);
    } catch {
      break;
    }
  }
  process.exit(0);
}

const work = mkdtempSync(path.join(tmpdir(), "edgestack-contract-pack-"));
try {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];
  const [command, ...prefix] = npm;
  const out = execFileSync(command, [...prefix, "pack", "--json", "--pack-destination", work], { cwd: contract, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const [{ filename }] = JSON.parse(out);
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", path.join(work, filename), "-C", target, "--strip-components=1"]);
} finally {
  rmSync(work, { recursive: true, force: true });
}
