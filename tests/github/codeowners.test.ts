/**
 * CODEOWNERS covers everything that decides a gate's verdict or the PR comment's content. The list
 * is derived, not written down: every repository file reachable by static import from the policy
 * runner (offline/policy/cli.ts) and the plan and diff commands (offline/plan/*.ts), plus what
 * installs and runs them. A new module the gate imports fails here until it is owned.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";

const root = join(__dirname, "../..");

/** Repository files reachable from `entries` by relative import or require, or through a workspace package (other node_modules excluded). */
export function importGraph(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(root, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.(ts|js|mjs|cjs)$/.test(file)) continue;
    for (const { fileName } of ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles) {
      // A workspace package (packages/<name>, imported as @edgestack/<name>) is repository code too.
      const workspace = /^@edgestack\/([\w-]+)(?:\/(.+))?$/.exec(fileName);
      if (!fileName.startsWith(".") && !workspace) continue;
      const base = workspace ? join(root, "packages", workspace[1], "src", workspace[2] ?? "index") : resolve(dirname(file), fileName);
      const found = [base, `${base}.ts`, `${base}.js`, `${base}.json`, join(base, "index.ts")].find((c) => existsSync(c) && statSync(c).isFile());
      if (!found) throw new Error(`${relative(root, file)} imports ${fileName}, which does not resolve`);
      queue.push(found);
    }
  }
  return [...seen].map((f) => relative(root, f)).sort();
}

/** CODEOWNERS rules as GitHub reads them (the last matching pattern wins; no owners = unowned). */
function owners(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean)
    .map((l) => {
      const [pattern, ...who] = l.split(/\s+/);
      const anchored = pattern.startsWith("/") ? pattern.slice(1) : `**/${pattern}`;
      const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      const body = anchored
        .split("**/")
        .map((part) => part.split("*").map(escape).join("[^/]*"))
        .join("(?:.*/)?");
      const re = new RegExp(`^${body.endsWith("/") ? `${body}.*` : `${body}(?:/.*)?`}$`);
      return { re, owned: who.length > 0 };
    });
  return (path) => rules.reduce((owned, r) => (r.re.test(path) ? r.owned : owned), false);
}

const owned = owners(readFileSync(join(root, ".github/CODEOWNERS"), "utf8"));
const planEntries = readdirSync(join(root, "offline/plan")).filter((f) => f.endsWith(".ts")).map((f) => `offline/plan/${f}`);
// The deploy's refusal of changes only a bootstrap run can apply decides a gate too (deploy.yml).
const gate = importGraph(["offline/policy/cli.ts", ...planEntries, "ops/deploy/bootstrap-check.ts"]);
const lockFiles = readdirSync(root).filter((f) => /^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml)$/.test(f));
const workflows = readdirSync(join(root, ".github/workflows")).map((f) => `.github/workflows/${f}`);
const installsAndRuns = ["package.json", ...lockFiles, "app/package.json", "policies/package.json", "scripts/setup.sh", ".ci/run", "tsconfig.json", "eslint.config.mjs", "jest.config.js", ".github/CODEOWNERS", ...workflows];

it("the import graph reaches the engine, the plan renderer, the policy rules and the contract", () => {
  for (const file of ["offline/engine/engine.ts", "offline/plan/render-diff.ts", "offline/policy/runner.ts", "policies/rules/index.ts", "infra/config/schema.ts"]) expect(gate).toContain(file);
  expect(gate.some((f) => /contract/.test(f))).toBe(true);
});

it.each([...gate, ...installsAndRuns])("%s is owned", (file) => {
  expect(existsSync(join(root, file))).toBe(true);
  expect(owned(file)).toBe(true);
});

it("the matcher can say no: app code and tests are not owned, and a pattern without owners unowns", () => {
  expect(owned("app/src/server.ts")).toBe(false);
  expect(owned("tests/index.test.ts")).toBe(false);
  expect(owners("/offline/ @team\n/offline/plan/\n")("offline/plan/diff.ts")).toBe(false);
  expect(owners("*.ts @team\n")("deep/dir/x.ts")).toBe(true);
});
