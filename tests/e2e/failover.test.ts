/**
 * Replica loss under load, through nginx: a crash (SIGKILL) and a graceful stop (SIGTERM) of one
 * replica while autocannon keeps 20 keep-alive connections busy must cost zero client requests —
 * nginx retries idempotent GETs on another upstream (proxy_next_upstream) and the app drains.
 */
import { replicaLogTails, startDataPlane, type DataPlane } from "../../tools/local";
import { runLoad, UNREACHABLE_LIMITS, type LoadResult } from "../../tools/local/load";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let plane: DataPlane;

beforeAll(async () => {
  plane = await startDataPlane({
    replicas: 3,
    logLevel: "warn",
    configOverrides: { ...UNREACHABLE_LIMITS.configOverrides },
    appEnv: { ...UNREACHABLE_LIMITS.appEnv },
    shutdownDelayMs: 500,
  });
});

afterAll(async () => {
  await plane?.stop();
});

function expectNoFailures(result: LoadResult): void {
  if (result.errors + result.timeouts + result.failedResponses > 0) {
    // The replicas' last log lines and nginx's error log explain a failure; print them with it.
    console.error(`${JSON.stringify(result)}\n${replicaLogTails(plane)}\n--- nginx error.log\n${plane.nginx.readFile("error.log").slice(-3000)}`);
  }
  // Every response a 200 (no 502/503/504 from nginx), no connection errors, no client timeouts.
  expect({ statuses: result.statuses, errors: result.errors, timeouts: result.timeouts }).toEqual({
    statuses: { "200": result.responses },
    errors: 0,
    timeouts: 0,
  });
  // The run was a real load run, not a handful of requests.
  expect(result.responses).toBeGreaterThan(500);
}

test("SIGKILL of one replica during a load run: zero failed client requests", async () => {
  let exit: Awaited<ReturnType<DataPlane["replicas"][number]["kill"]>> | undefined;
  const result = await runLoad({
    url: plane.urls.hello,
    connections: 20,
    durationMs: 3000,
    during: async () => {
      await sleep(1000);
      exit = await plane.replicas[1]!.kill();
    },
  });
  expect(exit?.signal).toBe("SIGKILL");
  expect(plane.replicas[1]!.running).toBe(false);
  expectNoFailures(result);
});

test("SIGTERM of one replica during a load run: zero failed client requests, the replica exits 0", async () => {
  let exit: Awaited<ReturnType<DataPlane["replicas"][number]["terminate"]>> | undefined;
  const result = await runLoad({
    url: plane.urls.hello,
    connections: 20,
    durationMs: 3500,
    during: async () => {
      await sleep(800);
      exit = await plane.replicas[2]!.terminate();
    },
  });
  expect(exit).toEqual({ code: 0, signal: null });
  expectNoFailures(result);
});
