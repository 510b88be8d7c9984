/**
 * In-process app servers against one real Redis per test file: registers the file's hooks (Redis
 * started once, flushed before each test, restarted after a test that stopped it; every app started
 * by a test shut down after it) and returns `start`, which builds an app from environment overrides
 * and listens on free loopback ports.
 */
import { Redis } from "ioredis";
import { loadConfig } from "../../app/src/config";
import { createApp, type App, type AppDependencies } from "../../app/src/server";
import { startRedis, type RedisProcess } from "../../local/processes/redis";
import { waitUntil } from "./wait";

export interface StartedApp {
  app: App;
  base: string;
  port: number;
  /** The metrics listener's base URL (`metrics: true`). */
  metricsBase: string;
}

export interface AppServers {
  /** The file's Redis (stop, kill, restart it in a test; the hooks bring it back). */
  readonly redis: RedisProcess;
  /** An app on 127.0.0.1 with the test defaults and `env` over them; with `metrics`, its metrics port too. */
  start(env?: Record<string, string>, options?: { deps?: AppDependencies; metrics?: boolean }): Promise<StartedApp>;
  /** Shut down after the test like the started ones (an app a test built itself). */
  track(app: App): App;
}

/** The defaults every in-process test app starts with (quiet, no shutdown delay, a short Redis timeout). */
export const TEST_APP_ENV = { PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", SHUTDOWN_DELAY_MS: "0", INSTANCE_ID: "test-1", REDIS_COMMAND_TIMEOUT_MS: "300" } as const;

export function useAppServers(): AppServers {
  let redis: RedisProcess | undefined;
  const apps: App[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  beforeEach(async () => {
    // Every test starts from empty limiter state (they share one Redis and the 127.0.0.1 key).
    const admin = new Redis(redis!.url);
    await admin.flushall();
    admin.disconnect();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.shutdown()));
    if (redis && !redis.running) await redis.restart();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  const track = (app: App) => (apps.push(app), app);
  return {
    get redis() {
      if (!redis) throw new Error("useAppServers: Redis is started in beforeAll; use it inside a test");
      return redis;
    },
    track,
    async start(env = {}, options = {}) {
      const config = loadConfig({ ...TEST_APP_ENV, REDIS_URL: redis!.url, ...(options.metrics ? { METRICS_PORT: "0" } : {}), ...env });
      const app = track(createApp(config, options.deps ?? {}));
      const port = await app.listen();
      const metricsPort = options.metrics ? await app.listenMetrics() : null;
      await waitUntil(() => app.redis.status === "ready", 5000);
      return { app, base: `http://127.0.0.1:${port}`, port, metricsBase: metricsPort === null ? "" : `http://127.0.0.1:${metricsPort}` };
    },
  };
}
