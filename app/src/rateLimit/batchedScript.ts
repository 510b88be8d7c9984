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
 * full batch goes at once. A call waits at most two command timeouts. Redis runs one connection's
 * scripts in the order sent, so calls are answered in the order made, batches in flight together
 * included; a key may repeat within a batch (the script sees it twice, in order).
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

export class BatchedScript {
  private readonly command: ScriptCommand;
  private readonly isCluster: boolean;
  private pending: BatchEntry[] = [];
  private flushScheduled = false;
  private inFlight = 0;
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
    if (!(name in redis)) redis.defineCommand(name, { lua });
    const command = (redis as unknown as Record<string, ScriptCommand>)[name]!;
    this.command = command.bind(redis);
  }

  run(entry: BatchEntry): void {
    this.pending.push(entry);
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
      for (const entry of batch) this.send([entry]);
    } else {
      this.send(batch);
    }
  }

  private send(batch: BatchEntry[]): void {
    this.calls++;
    this.inFlight++;
    const settled = () => {
      this.inFlight--;
      if (this.pending.length > 0 && !this.flushScheduled) this.flush();
    };
    const keys = batch.map((entry) => entry.key);
    this.command(keys.length, ...keys, ...this.args).then(
      (reply) => {
        const batchValue = reply[reply.length - 1]!;
        for (let i = 0; i < batch.length; i++) batch[i]!.answer(reply[3 * i]!, reply[3 * i + 1]!, reply[3 * i + 2]!, batchValue);
        settled();
      },
      (err: unknown) => {
        for (const entry of batch) entry.fail(err);
        settled();
      },
    );
  }
}
