/**
 * `npx tsx local/bench/redis-outage.ts [--seconds N]`: how the data path answers while Redis is down.
 * 3 replicas behind the local data plane, Redis stopped, /health and /api/hello each polled every
 * 250 ms through nginx (as a load balancer would) for N seconds (default 5), in both fail modes. Prints the status
 * counts and nginx's "no live upstreams" lines; no assertions (tests/e2e/redis-outage.test.ts has them).
 */
import { startDataPlane } from "..";
import { httpGet } from "../load";
import { setTimeout as sleep } from "node:timers/promises";
import { parseCommandLine, UsageError } from "../../scripts/cli/args";


async function measure(failMode: "open" | "closed", seconds: number): Promise<Record<string, unknown>> {
  const plane = await startDataPlane({ replicas: 3, logLevel: "warn", configOverrides: { rateLimitFailMode: failMode, nginxRateLimitPerMinute: 1_000_000, nginxRateLimitBurst: 100_000 } });
  try {
    // Count only what the outage causes (nginx's first resolution races the start-up health poll).
    const logFrom = plane.nginx.readFile("error.log").length;
    await plane.stopRedis();
    const count = (into: Record<string, number>, status: number) => (into[status] = (into[status] ?? 0) + 1);
    const health: Record<string, number> = {};
    const api: Record<string, number> = {};
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const [h, a] = await Promise.all([httpGet(plane.urls.health).catch(() => ({ status: 0 })), httpGet(plane.urls.hello).catch(() => ({ status: 0 }))]);
      count(health, h.status);
      count(api, a.status);
      await sleep(250);
    }
    const noLive = plane.nginx.readFile("error.log").slice(logFrom).split("\n").filter((l) => l.includes("no live upstreams")).length;
    return { failMode, seconds, health, api, noLiveUpstreamsLines: noLive };
  } finally {
    await plane.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseCommandLine(process.argv.slice(2), { seconds: { type: "string", default: "5" } });
  if (!/^\d{1,4}$/.test(values.seconds) || Number(values.seconds) < 1) throw new UsageError(`--seconds ${JSON.stringify(values.seconds)}: must be a whole number of seconds from 1 to 9999`);
  const seconds = Number(values.seconds);
  for (const mode of ["open", "closed"] as const) process.stdout.write(`${JSON.stringify(await measure(mode, seconds))}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
