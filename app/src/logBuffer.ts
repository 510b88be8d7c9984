import { writeSync } from "node:fs";

/** fs.writeSync's shape: writes `length` bytes of `buffer` from `offset`, returns bytes written. */
export type WriteSync = (fd: number, buffer: Buffer, offset: number, length: number) => number;

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number) => Atomics.wait(sleepBuffer, 0, 0, ms);

/**
 * A pino destination that gathers log lines in memory and writes them in batches: one write
 * syscall per ~`batchBytes` of lines instead of one per line, and at least every `flushIntervalMs`
 * so a quiet instance's lines still show up promptly.
 *
 * Hand-written because the library options measured slower here: pino.destination (SonicBoom)
 * with minLength re-measures the whole pending buffer (Buffer.byteLength of the joined string) on
 * every line, and its async mode adds a thread-pool hop per batch; on /api/hello both cost more
 * server CPU per request than this (see `npm run bench:app`, docs/app.md).
 *
 * A batch is written synchronously, so a flush is complete when flushSync() returns (nothing in
 * flight at process.exit) and lines keep their order. EAGAIN (non-blocking pipe full) is retried;
 * EPIPE (the reader is gone) drops the logs from then on instead of crashing the server.
 */
export class BatchedLogDestination {
  private parts: string[] = [];
  private pendingChars = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly fd: number,
    readonly batchBytes = 4096,
    flushIntervalMs = 1000,
    private readonly write_: WriteSync = writeSync,
  ) {
    if (flushIntervalMs > 0) {
      this.timer = setInterval(() => this.flushSync(), flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Lines waiting in memory. */
  get pendingLines(): number {
    return this.parts.length;
  }

  /** pino calls this once per log line (the line ends with "\n"). */
  write(line: string): boolean {
    if (this.closed) return true;
    this.parts.push(line);
    // Characters, not bytes: a cheap bound (a non-ASCII line only makes the batch larger).
    this.pendingChars += line.length;
    if (this.pendingChars >= this.batchBytes) this.flushSync();
    return true;
  }

  /** Writes every pending line before returning. Safe to call any time, also right before exit. */
  flushSync(): void {
    if (this.parts.length === 0 || this.closed) return;
    const chunk = Buffer.from(this.parts.length === 1 ? this.parts[0]! : this.parts.join(""));
    this.parts = [];
    this.pendingChars = 0;
    let offset = 0;
    while (offset < chunk.length) {
      try {
        offset += this.write_(this.fd, chunk, offset, chunk.length - offset);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" || code === "EBUSY") {
          sleepSync(1);
          continue;
        }
        // EPIPE/EBADF…: nobody reads our logs any more; serving must go on regardless.
        this.closed = true;
        this.parts = [];
        return;
      }
    }
  }

  /** pino's logger.flush(cb) lands here. */
  flush(cb?: (err?: Error) => void): void {
    this.flushSync();
    cb?.();
  }

  /** Writes what is pending and stops the periodic flush. */
  end(): void {
    this.flushSync();
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
