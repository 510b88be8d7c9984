import type { Redis } from "ioredis";
import { createRedisClient } from "../../app/src/redis";
import { ready, startRedis, type RedisProcess } from "../../local/processes/redis";

/**
 * A private redis-server and one ready client for the tests of one file: started in beforeAll,
 * stopped in afterAll. Read `server` and `client` inside the tests, once beforeAll has run.
 */
export function privateRedis(commandTimeoutMs = 2000): { readonly server: RedisProcess; readonly client: Redis } {
  let server: RedisProcess | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis();
    client = await ready(createRedisClient(server.url, commandTimeoutMs));
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.dispose();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("privateRedis: read before beforeAll ran");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get client() {
      return started(client);
    },
  };
}

/**
 * Makes the Redis at `url` answer nothing for `seconds` (DEBUG SLEEP on a connection of its own);
 * resolves once the sleep has begun, with a function that waits for its end.
 */
export async function stallRedis(url: string, seconds: number): Promise<() => Promise<void>> {
  const sleeper = await ready(createRedisClient(url, 1000 * seconds + 5000));
  const stalled = sleeper.call("DEBUG", "SLEEP", String(seconds));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return async () => {
    await stalled;
    sleeper.disconnect();
  };
}
