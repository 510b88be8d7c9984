import { gracefulShutdown } from "../../app/src/shutdown";

describe("gracefulShutdown", () => {
  it("goes unhealthy first, waits the delay, then closes the server, then Redis, then flushes the logs", async () => {
    const events: string[] = [];
    let releaseServer!: () => void;
    const serverClosed = new Promise<void>((resolve) => (releaseServer = resolve));
    const done = gracefulShutdown(
      {
        markDraining: () => events.push("draining"),
        sleep: async (ms) => {
          events.push(`sleep ${ms}`);
        },
        closeServer: async () => {
          events.push("close server");
          await serverClosed; // in-flight requests still running
          events.push("server closed");
        },
        closeRedis: async () => {
          events.push("close redis");
        },
        flushLogs: async () => {
          events.push("flush logs");
        },
      },
      2500,
    );
    await new Promise((r) => setImmediate(r));
    // Redis must stay open while the server still drains requests that use the limiter.
    expect(events).toEqual(["draining", "sleep 2500", "close server"]);
    releaseServer();
    await done;
    expect(events).toEqual(["draining", "sleep 2500", "close server", "server closed", "close redis", "flush logs"]);
  });

  it("skips the wait when the delay is 0", async () => {
    const events: string[] = [];
    await gracefulShutdown(
      {
        markDraining: () => events.push("draining"),
        sleep: async () => {
          events.push("sleep");
        },
        closeServer: async () => {
          events.push("close server");
        },
        closeRedis: async () => {
          events.push("close redis");
        },
        flushLogs: async () => {
          events.push("flush logs");
        },
      },
      0,
    );
    expect(events).toEqual(["draining", "close server", "close redis", "flush logs"]);
  });
});
