/**
 * nginx rendering knows no Kubernetes objects and no local data plane: infra/nginx imports only the
 * config layer, the quantity parser and the contract; where nginx runs (ports, paths, upstream names,
 * trusted peers) is the caller's NginxSite (infra/workloads/nginx.ts, local/nginx-site.ts), so the
 * builder has no branch on the mode.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const NGINX_DIR = path.join(__dirname, "../../../infra/nginx");
const ALLOWED = [path.join(NGINX_DIR, "../config"), path.join(NGINX_DIR, "../workloads/quantities")];

it("infra/nginx imports no cluster, workloads or local code", () => {
  const offending: string[] = [];
  for (const file of readdirSync(NGINX_DIR).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(path.join(NGINX_DIR, file), "utf8");
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = path.resolve(NGINX_DIR, fileName);
      if (path.dirname(target) === NGINX_DIR) continue;
      if (!ALLOWED.some((allowed) => target === allowed || target.startsWith(`${allowed}/`))) offending.push(`infra/nginx/${file} imports ${fileName}`);
    }
  }
  expect(offending).toEqual([]);
});

it("the model builder does not branch on where nginx runs", () => {
  const text = readFileSync(path.join(NGINX_DIR, "build.ts"), "utf8");
  expect(text).not.toMatch(/mode\s*===|===\s*"local"|===\s*"cluster"|\blocal\s*\?/);
});
