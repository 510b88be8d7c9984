import { setTimeout as sleep } from "node:timers/promises";
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../offline/engine/stack-files";

export const APP_DIR = path.join(PROJECT_ROOT, "app");
/** The contract package the app imports (@edgestack/contract): built before the app, as in the image. */
export const CONTRACT_DIR = path.join(PROJECT_ROOT, "packages", "contract");
/** The process entry the replicas run (`npm run --workspace app start` runs the same file). */
export const APP_MAIN = path.join(APP_DIR, "dist", "main.js");
const CONTRACT_MAIN = path.join(CONTRACT_DIR, "dist", "index.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** True when app/dist/main.js or the contract's dist is missing or older than a source file or the build config. */
export function appBuildIsStale(): boolean {
  if (!existsSync(APP_MAIN) || !existsSync(CONTRACT_MAIN)) return true;
  const built = Math.min(statSync(APP_MAIN).mtimeMs, statSync(CONTRACT_MAIN).mtimeMs);
  const sources = Math.max(
    newestMtime(path.join(APP_DIR, "src")),
    statSync(path.join(APP_DIR, "tsconfig.build.json")).mtimeMs,
    newestMtime(path.join(CONTRACT_DIR, "src")),
    statSync(path.join(CONTRACT_DIR, "tsconfig.build.json")).mtimeMs,
  );
  return sources > built;
}

/**
 * Builds the app with tsc (what `npm run --workspace app build` runs, without npm's start-up).
 * "if-stale" skips the build when dist is newer than every source; parallel callers (jest workers)
 * serialise on a lock file so two compilers never write dist at once.
 */
export async function buildApp(mode: "always" | "if-stale" = "always", log: (line: string) => void = () => undefined): Promise<void> {
  const lock = path.join(tmpdir(), "edgestack-app-build.lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // A lock older than any build can take was left by a killed process.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > 120_000) rmSync(lock, { force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for another app build (lock ${lock})`, { cause: err });
      await sleep(200);
    }
  }
  try {
    if (mode === "if-stale" && !appBuildIsStale()) return;
    const tsc = require.resolve("typescript/bin/tsc", { paths: [APP_DIR, PROJECT_ROOT] });
    for (const [name, dir] of [["contract", CONTRACT_DIR], ["app", APP_DIR]] as const) {
      log(`building the ${name} (tsc -p ${path.relative(PROJECT_ROOT, dir)}/tsconfig.build.json)…`);
      mkdirSync(path.join(dir, "dist"), { recursive: true });
      const result = spawnSync(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.build.json")], { cwd: dir, encoding: "utf8" });
      if (result.status !== 0) {
        throw new Error(`the ${name} build failed (tsc exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
      }
    }
  } finally {
    rmSync(lock, { force: true });
  }
}
