/**
 * Bounds for per-request log lines, so a flood of requests cannot become a flood of log lines
 * (disk, log shipping and its bill). Two pieces:
 *
 * - LineBudget: at most `linesPerSecond` per-request lines in any one-second slot; the lines over
 *   the budget are dropped and counted, and the next line written after the slot says how many
 *   ("log lines suppressed"), so the loss is visible.
 * - RefusalCounter: refusals (429, 401) are never logged one by one; they are counted per key
 *   class (ip, ip6, key, malformed-key) and written as one summary line per interval when any
 *   happened.
 */

/** Per-request lines (access log, failed requests) allowed per second per replica. */
export const REQUEST_LOG_LINES_PER_SECOND = 100;
/** Interval of the refusal summary line. */
export const REFUSAL_SUMMARY_INTERVAL_MS = 10_000;

export class LineBudget {
  private slot = -1;
  private used = 0;
  private suppressed = 0;

  constructor(
    private readonly linesPerSecond: number,
    /** Writes one line (with its "\n"). */
    private readonly write: (line: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Writes `line` if the current second still has budget; otherwise counts it as suppressed. */
  offer(line: string | (() => string)): void {
    if (this.take()) this.write(typeof line === "string" ? line : line());
  }

  /** Takes one line of budget (for a line written elsewhere, e.g. through pino); false: drop it. */
  take(): boolean {
    const now = this.clock();
    const slot = Math.floor(now / 1000);
    if (slot !== this.slot) {
      this.slot = slot;
      this.used = 0;
      if (this.suppressed > 0) {
        this.write(`{"level":40,"time":${now},"suppressed":${this.suppressed},"msg":"log lines suppressed"}\n`);
        this.suppressed = 0;
      }
    }
    if (this.used >= this.linesPerSecond) {
      this.suppressed++;
      return false;
    }
    this.used++;
    return true;
  }

  /** Lines dropped since the last "suppressed" line. */
  get pendingSuppressed(): number {
    return this.suppressed;
  }
}

export type RefusalClass = "ip" | "ip6" | "key" | "malformed-key";

export class RefusalCounter {
  private counts = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly report: (counts: Record<string, number>, intervalMs: number) => void,
    private readonly intervalMs = REFUSAL_SUMMARY_INTERVAL_MS,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  /** One refusal: `status` 429 or 401, `keyClass` what the bucket was keyed by. */
  count(status: number, keyClass: RefusalClass): void {
    const name = `${status}:${keyClass}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  /** Reports and resets the counts (no line when nothing was refused). */
  flush(): void {
    if (this.counts.size === 0) return;
    const counts = Object.fromEntries(this.counts);
    this.counts = new Map();
    this.report(counts, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
