import type { Cluster, Redis } from "ioredis";

/**
 * Per-key calls of one Redis script, batched: every call issued in the same event-loop turn goes
 * to Redis as one EVALSHA. The script answers `valuesPerCall` integers per call (3 unless told),
 * in the calls' order, then one for the whole batch (the limiter: one per call, then Redis' clock).
 * Every value of the reply costs Redis a conversion from Lua and a RESP integer, so a script
 * answering per call should pack what the caller needs into as few values as it can.
 *
 * Two ways to pass the calls:
 * - `perKey` (default): KEYS are the calls' keys, ARGV the script's fixed arguments. On a cluster
 *   a script may only touch one slot, so each call is its own script call there.
 * - `grouped`: a call's key names a group (a hash tag: one slot) and its `field` the item inside
 *   it; a batch holds the calls of one group only: KEYS[1] is the group, ARGV the fixed arguments
 *   and then each call's field. Batches are formed per group on one node and on a cluster alike,
 *   so a cluster batches too (each group's slot lives on one master).
 *
 * Per batching lane (one node in `perKey` mode, one group in `grouped` mode) at most two batches
 * are in flight: calls arriving while one waits go as the next batch once they are
 * PIPELINE_MIN_BATCH or more (Redis runs one batch while the app handles the other's replies);
 * fewer wait for a reply and then go together, so under light load the per-call costs (a socket
 * write and read in the app, script dispatch in Redis) are shared by more keys, and under heavy
 * load batches fill up. A full batch goes at once. Redis runs one connection's scripts in the order
 * sent, so calls are answered in the order made, batches in flight together included; a key may
 * repeat within a batch (the script sees it twice, in order).
 *
 * A call waits at most one command timeout (the client's `commandTimeout`), counted from the call,
 * not from its batch's send: a call queued behind a batch in flight to a hung Redis (stopped, not
 * dead: its connection stays up) would otherwise wait for that batch's timeout and then its own.
 * A call past its deadline fails at once, sent or not; a late reply to it is dropped.
 *
 * ioredis custom commands send EVALSHA and, on NOSCRIPT (script cache flushed, failover to a
 * replica that never saw it, restart), resend the script with EVAL, which caches it again.
 */

/** One call: answered with its values and the batch's, or failed with the batch. */
export interface BatchEntry {
  /** `perKey`: the key the script reads; `grouped`: the group (one slot) the call belongs to. */
  readonly key: string;
  /** `grouped` only: the call's item inside its group, passed in ARGV after the fixed arguments. */
  readonly field?: string;
  /** The call's values are `reply[at]` to `reply[at + valuesPerCall - 1]`; `batchValue` is the reply's last. */
  answer(reply: readonly number[], at: number, batchValue: number): void;
  fail(err: unknown): void;
}

/** Bounds one script run (Redis executes scripts single-threaded): under 1 ms for the limiter. */
export const MAX_BATCH = 128;
/** Batches in flight at once in one lane, and the size at which a second one goes without waiting. */
export const MAX_IN_FLIGHT = 2;
export const PIPELINE_MIN_BATCH = 32;

export type BatchMode = "perKey" | "grouped";

type ScriptCommand = (numKeys: number, ...args: (string | number)[]) => Promise<number[]>;

/** A call and the time it must be answered by (ms since the epoch); `settled` once answered or failed. */
interface Call {
  readonly entry: BatchEntry;
  readonly deadline: number;
  settled: boolean;
}

/** Calls batched together: waiting ones and the batches in flight, oldest first. */
interface Lane {
  pending: Call[];
  flushScheduled: boolean;
  readonly sent: Call[][];
}

/** The command timeout of an ioredis client (one node, or a cluster's per-node options); undefined: none. */
export function commandTimeoutOf(redis: Redis | Cluster): number | undefined {
  const options = (redis as { options?: { commandTimeout?: number; redisOptions?: { commandTimeout?: number } } }).options;
  return options?.commandTimeout ?? options?.redisOptions?.commandTimeout;
}

export class BatchedScript {
  private readonly command: ScriptCommand;
  /** perKey on a cluster: every call alone (no lane holds more than one). */
  private readonly oneCallEach: boolean;
  private readonly timeoutMs: number | undefined;
  private readonly lanes = new Map<string, Lane>();
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** Script calls made (for tests and the benchmark). */
  calls = 0;

  /** `name`: the ioredis command the script is defined as (once per client). */
  constructor(
    redis: Redis | Cluster,
    name: string,
    lua: string,
    private readonly args: readonly (string | number)[],
    private readonly mode: BatchMode = "perKey",
    private readonly valuesPerCall = 3,
  ) {
    this.oneCallEach = mode === "perKey" && (redis as { isCluster?: boolean }).isCluster === true;
    this.timeoutMs = commandTimeoutOf(redis);
    if (!(name in redis)) redis.defineCommand(name, { lua });
    const command = (redis as unknown as Record<string, ScriptCommand>)[name]!;
    this.command = command.bind(redis);
  }

  run(entry: BatchEntry): void {
    const call: Call = { entry, deadline: this.timeoutMs === undefined ? Infinity : Date.now() + this.timeoutMs, settled: false };
    if (this.oneCallEach) {
      const lane: Lane = { pending: [], flushScheduled: false, sent: [] };
      this.lanes.set(`\0${this.calls}`, lane);
      this.send(lane, [call], `\0${this.calls}`);
      if (this.deadlineTimer === undefined) this.armDeadline();
      return;
    }
    const id = this.mode === "grouped" ? entry.key : "";
    let lane = this.lanes.get(id);
    if (lane === undefined) {
      lane = { pending: [], flushScheduled: false, sent: [] };
      this.lanes.set(id, lane);
    }
    lane.pending.push(call);
    if (this.deadlineTimer === undefined) this.armDeadline();
    if (lane.pending.length >= MAX_BATCH) this.flush(id, lane);
    else if (!lane.flushScheduled) {
      lane.flushScheduled = true;
      const scheduled = lane;
      // After the I/O callbacks of this loop turn: every request parsed in it joins the batch.
      setImmediate(() => this.flush(id, scheduled));
    }
  }

  private flush(id: string, lane: Lane): void {
    lane.flushScheduled = false;
    const batch = lane.pending;
    if (batch.length === 0) return;
    const inFlight = lane.sent.length;
    if (batch.length < MAX_BATCH && inFlight > 0 && (inFlight >= MAX_IN_FLIGHT || batch.length < PIPELINE_MIN_BATCH)) return;
    lane.pending = [];
    this.send(lane, batch, id);
  }

  private send(lane: Lane, batch: Call[], id: string): void {
    this.calls++;
    lane.sent.push(batch);
    const settled = () => {
      lane.sent.splice(lane.sent.indexOf(batch), 1);
      if (lane.pending.length > 0) {
        if (!lane.flushScheduled) this.flush(id, lane);
      } else if (lane.sent.length === 0 && !lane.flushScheduled) {
        this.lanes.delete(id);
      }
    };
    let reply: Promise<number[]>;
    if (this.mode === "grouped") {
      const fields = batch.map((call) => call.entry.field ?? "");
      reply = this.command(1, batch[0]!.entry.key, ...this.args, ...fields);
    } else {
      const keys = batch.map((call) => call.entry.key);
      reply = this.command(keys.length, ...keys, ...this.args);
    }
    reply.then(
      (values) => {
        const batchValue = values[values.length - 1]!;
        for (let i = 0; i < batch.length; i++) {
          const call = batch[i]!;
          if (call.settled) continue;
          call.settled = true;
          call.entry.answer(values, this.valuesPerCall * i, batchValue);
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

  /** One timer for the earliest deadline of any call still waiting (calls arrive in deadline order per lane). */
  private armDeadline(): void {
    let earliest = Infinity;
    for (const lane of this.lanes.values()) {
      for (const batch of lane.sent) for (const call of batch) if (!call.settled) { earliest = Math.min(earliest, call.deadline); break; }
      if (lane.pending.length > 0) earliest = Math.min(earliest, lane.pending[0]!.deadline);
    }
    if (earliest === Infinity) return;
    this.deadlineTimer = setTimeout(() => this.expire(), Math.max(0, earliest - Date.now()));
    this.deadlineTimer.unref();
  }

  /** Fails every call past its deadline, sent or still waiting for a batch. */
  private expire(): void {
    this.deadlineTimer = undefined;
    const now = Date.now();
    const timedOut = new Error(`Redis did not answer within ${this.timeoutMs} ms (command timeout)`);
    for (const lane of this.lanes.values()) {
      for (const batch of lane.sent) {
        for (const call of batch) {
          if (call.settled || call.deadline > now) continue;
          call.settled = true;
          call.entry.fail(timedOut);
        }
      }
      let expired = 0;
      while (expired < lane.pending.length && lane.pending[expired]!.deadline <= now) expired++;
      for (const call of lane.pending.splice(0, expired)) {
        call.settled = true;
        call.entry.fail(timedOut);
      }
    }
    this.armDeadline();
  }
}
