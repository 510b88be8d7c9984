/**
 * `npm run bench:memory`: the limiter's Redis memory per client measured black box, the way a team
 * sizing ElastiCache would see it. The app runs as its own process (app/src/main.ts) with
 * RATE_LIMIT_MAX = L; each client is its own source address (X-Forwarded-For from a trusted
 * proxy) and sends its L requests back to back, 64 clients at a time; the figure is Redis'
 * used_memory delta ÷ clients (clients share bucket hashes), next to the goal 8·L + 400 B. Limits
 * run across the range (allocator size classes jump between them); BENCH_LIMITS=1,10,… picks others.
 */
import * as http from "node:http";
import Redis from "ioredis";
import { runAppMain } from "../../tests/harness/appProcess";
import { freePort } from "../processes/ports";
import { startRedis } from "../processes/redis";

const LIMITS = (process.env.BENCH_LIMITS ?? "1,5,10,20,50,100,166,200,248,300,500,1000,2000").split(",").map(Number);
/** Enough clients that Redis' fixed allocations (client buffers, dict tables) are a small share. */
const clientsFor = (limit: number) => Math.max(40, Math.min(2000, Math.floor(60_000 / limit)));

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function get(port: number, ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/api/hello", agent, headers: { "x-forwarded-for": ip } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function usedMemory(client: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await client.info("memory"))![1]);
}

async function measure(limit: number, redisPort: number, client: Redis): Promise<string> {
  const port = await freePort();
  const app = runAppMain({
    PORT: String(port),
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    RATE_LIMIT_MAX: String(limit),
    RATE_LIMIT_WINDOW_MS: "600000",
    TRUST_PROXY_CIDRS: "127.0.0.1/32",
    LOG_LEVEL: "error",
  });
  try {
    for (let i = 0; ; i++) {
      try {
        await get(port, "192.0.2.1");
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await client.flushall();
    const before = await usedMemory(client);
    const clients = clientsFor(limit);
    let next = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < clients) {
          const c = next++;
          const ip = `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}`;
          for (let h = 0; h < limit; h++) if ((await get(port, ip)) !== 200) refused++;
        }
      }),
    );
    const delta = (await usedMemory(client)) - before;
    const goal = 8 * limit + 400;
    const bytes = delta / clients;
    return `${String(limit).padStart(6)} ${String(clients).padStart(7)} ${bytes.toFixed(0).padStart(9)} ${String(goal).padStart(7)} ${(bytes / goal).toFixed(2).padStart(6)}${refused > 0 ? `  (${refused} refused!)` : ""}`;
  } finally {
    app.proc.kill("SIGTERM");
    await app.exit;
  }
}

async function main(): Promise<void> {
  const redis = await startRedis({});
  const client = new Redis({ host: "127.0.0.1", port: redis.port });
  try {
    console.log("Limiter memory per client, black box (app process, a source address per client, L requests each)");
    console.log(`${"L".padStart(6)} ${"clients".padStart(7)} ${"B/client".padStart(9)} ${"goal".padStart(7)} ${"ratio".padStart(6)}   (B/client: used_memory delta ÷ clients, every client in the groups' bucket hashes; goal 8·L + 400)`);
    for (const limit of LIMITS) console.log(await measure(limit, redis.port, client));
  } finally {
    client.disconnect();
    agent.destroy();
    await redis.stop();
  }
}

void main();
