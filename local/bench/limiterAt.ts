import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { SlidingWindowLimiter } from "../../app/src/rateLimit/slidingWindow";

export type LimiterClass = typeof SlidingWindowLimiter;

/** The limiter of another git revision, from a temporary copy of its app/src/rateLimit (BENCH_BEFORE). */
export async function limiterAt(revision: string): Promise<{ Limiter: LimiterClass; dispose: () => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-limiter-"));
  const repo = path.resolve(__dirname, "../..");
  const files = execFileSync("git", ["-C", repo, "ls-tree", "--name-only", `${revision}:app/src/rateLimit`], { encoding: "utf8" }).split("\n").filter((f) => f.endsWith(".ts"));
  for (const file of files) writeFileSync(path.join(dir, file), execFileSync("git", ["-C", repo, "show", `${revision}:app/src/rateLimit/${file}`]));
  const module = (await import(path.join(dir, "slidingWindow.ts"))) as { SlidingWindowLimiter: LimiterClass };
  return { Limiter: module.SlidingWindowLimiter, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
