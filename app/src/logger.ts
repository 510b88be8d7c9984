import pino, { type DestinationStream, type Logger } from "pino";
import type { AppConfig } from "./config";
import { BatchedLogDestination } from "./logBuffer";
import { APP_HEADERS } from "@edgestack/contract";

/** Bytes of log lines gathered before one write to stdout (~15–20 access-log lines). */
export const LOG_BUFFER_BYTES = 4096;
/** A quiet instance still gets its lines out within this time. */
export const LOG_FLUSH_INTERVAL_MS = 1000;

export interface AppLogger {
  readonly logger: Logger;
  /** Writes every line logged so far to stdout (resolves once it is written). */
  flush(): Promise<void>;
  /** The same, synchronously: for the last moments before process.exit(). */
  flushSync(): void;
  /** Appends one ready-made JSON line (with its "\n") to the same stream pino writes to. */
  writeLine(line: string): void;
}

const unflushed = new Set<BatchedLogDestination>();
/** One process 'exit' hook for all destinations (tests create many apps in one process). */
function flushOnExit(destination: BatchedLogDestination): void {
  if (unflushed.size === 0) process.once("exit", () => unflushed.forEach((d) => d.flushSync()));
  unflushed.add(destination);
}

/**
 * Structured JSON logs on stdout, buffered and written in batches: a write syscall per
 * access-log line was the app's largest per-request cost after the response itself. Lines wait in
 * memory until LOG_BUFFER_BYTES gather or LOG_FLUSH_INTERVAL_MS pass, so they must be flushed
 * before the process exits: the graceful shutdown does, main.ts does before every exit (fatal
 * errors included), and a process 'exit' hook catches any other exit path.
 */
export function createLogger(config: Pick<AppConfig, "logLevel" | "instanceId">, destination?: DestinationStream): AppLogger {
  const stdout = destination === undefined ? new BatchedLogDestination(1, LOG_BUFFER_BYTES, LOG_FLUSH_INTERVAL_MS) : undefined;
  if (stdout !== undefined) flushOnExit(stdout);
  const logger = pino(
    {
      level: config.logLevel,
      base: { instance: config.instanceId },
      redact: ["req.headers.authorization", `req.headers["${APP_HEADERS.apiKey}"]`, "req.headers.cookie"],
    },
    stdout ?? destination,
  );
  const flushSync = () => stdout?.flushSync();
  const sink = (stdout ?? destination)!;
  return {
    logger,
    writeLine: (line) => void sink.write(line),
    flush: async () => flushSync(),
    flushSync,
  };
}
