import pino, { type DestinationStream, type Logger } from "pino";
import type { AppConfig } from "./config";

/** Bytes of log lines gathered before one write to stdout (~15–20 access-log lines). */
export const LOG_BUFFER_BYTES = 4096;
/** A quiet instance still gets its lines out within this time. */
export const LOG_FLUSH_INTERVAL_MS = 1000;

export interface AppLogger {
  readonly logger: Logger;
  /** Waits until every line logged so far has been handed to the kernel. */
  flush(): Promise<void>;
  /** Writes what is still buffered synchronously: for the last moments before process.exit(). */
  flushSync(): void;
}

/**
 * Structured JSON logs on stdout, written asynchronously and in batches: a synchronous write per
 * access-log line was the app's largest per-request cost after the response itself. Lines wait in
 * memory until LOG_BUFFER_BYTES gather or LOG_FLUSH_INTERVAL_MS pass, so they must be flushed
 * before the process exits (main.ts does, on shutdown and on fatal errors; pino also flushes
 * synchronously on the process 'exit' event as a last resort).
 */
export function createLogger(config: Pick<AppConfig, "logLevel" | "instanceId">, destination?: DestinationStream): AppLogger {
  // SonicBoom sets `destroyed` at runtime; its typings leave it out.
  const stdout: (ReturnType<typeof pino.destination> & { destroyed?: boolean }) | undefined =
    destination === undefined
      ? pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS })
      : undefined;
  const logger = pino(
    {
      level: config.logLevel,
      base: { instance: config.instanceId },
      redact: ["req.headers.authorization", 'req.headers["x-api-key"]', "req.headers.cookie"],
    },
    stdout ?? destination,
  );
  return {
    logger,
    flush: () =>
      new Promise<void>((resolve) => {
        if (stdout === undefined || stdout.destroyed === true) return resolve();
        // Resolve on error or a stuck reader too: log lines must not hold a shutdown up
        // (flushSync before exit still writes whatever is left).
        const timer = setTimeout(resolve, 2000);
        timer.unref();
        stdout.flush(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    flushSync: () => {
      if (stdout === undefined || stdout.destroyed === true) return;
      try {
        stdout.flushSync();
      } catch {
        // stdout closed (EPIPE) or not open yet: nothing more can be written anyway.
      }
    },
  };
}
