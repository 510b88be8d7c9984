import type { Cluster, Redis } from "ioredis";

/**
 * Per-key calls of one Redis script, batched: every call issued in the same event-loop turn goes
 * to Redis as one EVALSHA (the keys, then the script's fixed arguments). The script answers three
 * integers per key, in the keys' order, then one for the whole batch (the limiter: Redis' clock).
 *
 * On one node at most two batches are in flight: calls arriving while one waits go as the next
 * batch once they are PIPELINE_MIN_BATCH or more (Redis runs one batch while the app handles the
 * other's replies); fewer wait for a reply and then go together, so under light load the per-call
 * costs (a socket write and read in the app, script dispatch in Redis) are shared by more keys. A
 * full batch goes at once. Redis runs one connection's
 * scripts in the order sent, so calls are answered in the order made, batches in flight together
 * included; a key may repeat within a batch (the script sees it twice, in order).
 *
 * A call waits at most one command timeout (the client's `commandTimeout`), counted from the call,
 * not from its batch's send: a call queued behind a batch in flight to a hung Redis (stopped, not
 * dead: its connection stays up) would otherwise wait for that batch's timeout and then its own.
 * A call past its deadline fails at once, sent or not; a late reply to it is dropped.
 *
 * Cluster: a script may only touch keys of one hash slot, so each call is its own script call
 * (no slot computed here).
 *
 * ioredis custom commands send EVALSHA and, on NOSCRIPT (script cache flushed, failover to a
 * replica that never saw it, restart), resend the script with EVAL, which caches it again.
 */

/** One key's call: answered with its three integers and the batch's, or failed with the batch. */
export interface BatchEntry {
  readonly key: string;
  answer(first: number, second: number, third: number, batchValue: number): void;
  fail(err: unknown): void;
}

/** Bounds one script run (Redis executes scripts single-threaded): under 1 ms for the limiter. */
export const MAX_BATCH = 128;
/** Batches in flight at once on one node, and the size at which a second one goes without waiting. */
export const MAX_IN_FLIGHT = 2;
export const PIPELINE_MIN_BATCH = 32;

type ScriptCommand = (numKeys: number, ...args: (string | number)[]) => Promise<number[]>;

/** A call and the time it must be answered by (ms since the epoch); `settled` once answered or failed. */
interface Call {
  readonly entry: BatchEntry;
  readonly deadline: number;
  settled: boolean;
}

/** The command timeout of an ioredis client (one node, or a cluster's per-node options); undefined: none. */
export function commandTimeoutOf(redis: Redis | Cluster): number | undefined {
  const options = (redis as { options?: { commandTimeout?: number; redisOptions?: { commandTimeout?: number } } }).options;
  return options?.commandTimeout ?? options?.redisOptions?.commandTimeout;
}

export class BatchedScript {
  private readonly command: ScriptCommand;
  private readonly isCluster: boolean;
  private readonly timeoutMs: number | undefined;
  private pending: Call[] = [];
  private flushScheduled = false;
  private inFlight = 0;
  /** Batches sent and not yet answered, oldest first. */
  private readonly sent: Call[][] = [];
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** Script calls made (for tests and the benchmark). */
  calls = 0;

  /** `name`: the ioredis command the script is defined as (once per client). */
  constructor(
    redis: Redis | Cluster,
    name: string,
    lua: string,
    private readonly args: readonly (string | number)[],
  ) {
    this.isCluster = (redis as { isCluster?: boolean }).isCluster === true;
    this.timeoutMs = commandTimeoutOf(redis);
    if (!(name in redis)) redis.defineCommand(name, { lua });
    const command = (redis as unknown as Record<string, ScriptCommand>)[name]!;
    this.command = command.bind(redis);
  }

  run(entry: BatchEntry): void {
    this.pending.push({ entry, deadline: this.timeoutMs === undefined ? Infinity : Date.now() + this.timeoutMs, settled: false });
    if (this.deadlineTimer === undefined) this.armDeadline();
    if (this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // After the I/O callbacks of this loop turn: every request parsed in it joins the batch.
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    if (!this.isCluster && batch.length < MAX_BATCH && this.inFlight > 0 && (this.inFlight >= MAX_IN_FLIGHT || batch.length < PIPELINE_MIN_BATCH)) return;
    this.pending = [];
    if (this.isCluster) {
      for (const call of batch) this.send([call]);
    } else {
      this.send(batch);
    }
  }

  private send(batch: Call[]): void {
    this.calls++;
    this.inFlight++;
    this.sent.push(batch);
    const settled = () => {
      this.inFlight--;
      this.sent.splice(this.sent.indexOf(batch), 1);
      if (this.pending.length > 0 && !this.flushScheduled) this.flush();
    };
    const keys = batch.map((call) => call.entry.key);
    this.command(keys.length, ...keys, ...this.args).then(
      (reply) => {
        const batchValue = reply[reply.length - 1]!;
        for (let i = 0; i < batch.length; i++) {
          const call = batch[i]!;
          if (call.settled) continue;
          call.settled = true;
          call.entry.answer(reply[3 * i]!, reply[3 * i + 1]!, reply[3 * i + 2]!, batchValue);
        }
        settled();
      },
      (err: unknown) => {
        for (const call of batch) {
          if (call.settled) continue;
          call.settled = true;
          call.entry.fail(err);
        }
        settled();
      },
    );
  }

  /** One timer for the earliest deadline of any call still waiting (calls arrive in deadline order). */
  private armDeadline(): void {
    let earliest = Infinity;
    for (const batch of this.sent) for (const call of batch) if (!call.settled) { earliest = Math.min(earliest, call.deadline); break; }
    if (this.pending.length > 0) earliest = Math.min(earliest, this.pending[0]!.deadline);
    if (earliest === Infinity) return;
    this.deadlineTimer = setTimeout(() => this.expire(), Math.max(0, earliest - Date.now()));
    this.deadlineTimer.unref();
  }

  /** Fails every call past its deadline, sent or still waiting for a batch. */
  private expire(): void {
    this.deadlineTimer = undefined;
    const now = Date.now();
    const timedOut = new Error(`Redis did not answer within ${this.timeoutMs} ms (command timeout)`);
    const late = (call: Call) => !call.settled && call.deadline <= now;
    for (const batch of this.sent) {
      for (const call of batch) {
        if (!late(call)) continue;
        call.settled = true;
        call.entry.fail(timedOut);
      }
    }
    let expired = 0;
    while (expired < this.pending.length && this.pending[expired]!.deadline <= now) expired++;
    if (expired > 0) {
      for (const call of this.pending.splice(0, expired)) {
        call.settled = true;
        call.entry.fail(timedOut);
      }
    }
    this.armDeadline();
  }
}
