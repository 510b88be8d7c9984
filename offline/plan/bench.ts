import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * `npm run bench:plan`: wall time of the plan per stack, run exactly as the `plan` npm script runs
 * it, against the baseline of starting the same node + TypeScript loader on an empty script,
 * measured in this run. Goal: the whole stack's plan under 3 s on the 2-core machine as it grows.
 */
const root = path.resolve(__dirname, "..", "..");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const scripts = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts as Record<string, string>;
// "ENV=value node -r loader offline/plan/cli.ts" → the environment and the node arguments before the script.
const match = /^((?:\w+=\S+ )*)node ((?:-r \S+ )*)offline\/plan\/cli\.ts$/.exec(scripts.plan);
if (!match) throw new Error(`cannot read the plan script's runner from package.json: ${scripts.plan}`);
const env = { ...process.env, ...Object.fromEntries(match[1].trim().split(/\s+/).filter(Boolean).map((kv) => kv.split("="))) };
const loader = match[2].trim().split(/\s+/).filter(Boolean);

function time(args: string[]): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...loader, ...args], { cwd: root, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const baseline = stats(Array.from({ length: runs }, () => time(["-e", "0"]).ms));
console.log(`plan benchmark: ${runs} runs each, node ${process.version}, runner: ${match[1]}node ${loader.join(" ")}`);
console.log(`baseline (same runner, empty script): median ${fmt(baseline.median)}`);
for (const stack of ["dev", "prod"]) {
  let count = 0;
  const samples = Array.from({ length: runs }, () => {
    const { ms, stdout } = time(["offline/plan/cli.ts", "--stack", stack, "--json"]);
    count = (JSON.parse(stdout) as { resources: unknown[] }).resources.length;
    return ms;
  });
  const s = stats(samples);
  const verdict = s.median < 3000 ? "within" : "OVER";
  console.log(
    `plan --stack ${stack}: ${count} resources, median ${fmt(s.median)} (min ${fmt(s.min)}, max ${fmt(s.max)}), ` +
      `${(s.median / baseline.median).toFixed(1)}x baseline, ${verdict} the 3 s goal`,
  );
}
