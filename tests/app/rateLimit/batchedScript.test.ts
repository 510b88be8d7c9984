import { setTimeout as sleep } from "node:timers/promises";
import { BatchedScript, MAX_BATCH, PIPELINE_MIN_BATCH, type BatchEntry } from "../../../app/src/rateLimit/batchedScript";
import { privateRedis, stallRedis } from "../../harness/redis";

// Per key: its INCR result, its position in the batch, the batch's size; then the batch's INCR
// of a counter of script runs (which batch this was, in Redis' order).
const COUNTING_LUA = `
local out = {}
for i = 1, #KEYS do
  out[#out + 1] = redis.call('INCR', KEYS[i])
  out[#out + 1] = i
  out[#out + 1] = #KEYS
end
out[#out + 1] = redis.call('INCR', ARGV[1])
return out
`;

const fixture = privateRedis();
let counter = 0;

interface Answer {
  value: number;
  position: number;
  batchSize: number;
  run: number;
}

/** A fresh script (its own run counter) and a call that resolves with the key's answer. */
function counting(): { script: BatchedScript; call: (key: string) => Promise<Answer> } {
  const runs = `runs:${counter++}`;
  const script = new BatchedScript(fixture.client, "edgestackBatchTest", COUNTING_LUA, [runs]);
  const call = (key: string) =>
    new Promise<Answer>((resolve, reject) => {
      const entry: BatchEntry = { key, answer: (reply, at, run) => resolve({ value: reply[at]!, position: reply[at + 1]!, batchSize: reply[at + 2]!, run }), fail: reject };
      script.run(entry);
    });
  return { script, call };
}

describe("BatchedScript", () => {
  it("sends the calls of one event-loop turn as one script call, answering each key in order", async () => {
    const { script, call } = counting();
    const key = `k:${counter++}`;
    const answers = await Promise.all([call(key), call(`other:${counter++}`), call(key)]);
    expect(script.calls).toBe(1);
    expect(answers.map((a) => [a.value, a.position, a.batchSize])).toEqual([
      [1, 1, 3],
      [1, 2, 3],
      [2, 3, 3],
    ]);
  });

  it("sends fewer than PIPELINE_MIN_BATCH calls made while a batch is in flight as one batch after its reply", async () => {
    const { script, call } = counting();
    const done = await stallRedis(fixture.server.url, 0.3);
    const answers = [call(`k:${counter++}`)];
    for (let i = 1; i < PIPELINE_MIN_BATCH; i++) {
      await sleep(2); // each in a later loop turn
      answers.push(call(`k:${counter++}`));
    }
    const callsWhileStalled = script.calls;
    const settled = await Promise.all(answers);
    await done();
    expect(callsWhileStalled).toBe(1);
    expect(script.calls).toBe(2);
    expect(settled.slice(1).every((a) => a.run === 2 && a.batchSize === PIPELINE_MIN_BATCH - 1)).toBe(true);
  });

  it("sends a second batch at once when PIPELINE_MIN_BATCH calls wait, never a third, and Redis runs them in the order made", async () => {
    const { script, call } = counting();
    const key = `k:${counter++}`;
    const done = await stallRedis(fixture.server.url, 0.3);
    const answers: Promise<Answer>[] = [];
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) answers.push(call(key));
      await sleep(10);
    };
    await burst(1);
    await burst(PIPELINE_MIN_BATCH);
    const callsWithOneWaiting = script.calls;
    await burst(PIPELINE_MIN_BATCH);
    await burst(3);
    const callsWhileStalled = script.calls;
    const settled = await Promise.all(answers);
    await done();
    expect([callsWithOneWaiting, callsWhileStalled, script.calls]).toEqual([2, 2, 3]);
    // One key through three batches, two of them in flight together: INCR saw every call in order.
    expect(settled.map((a) => a.value)).toEqual(settled.map((_, i) => i + 1));
    expect(settled.map((a) => a.run)).toEqual(settled.map((_, i) => (i === 0 ? 1 : i <= PIPELINE_MIN_BATCH ? 2 : 3)));
  });

  it("sends a full batch of MAX_BATCH at once, whatever is in flight", async () => {
    const { script, call } = counting();
    const done = await stallRedis(fixture.server.url, 0.3);
    const answers = Array.from({ length: 3 * MAX_BATCH + 1 }, () => call(`k:${counter++}`));
    const callsWhileStalled = script.calls;
    const settled = await Promise.all(answers);
    await done();
    expect(callsWhileStalled).toBe(3);
    expect(Math.max(...settled.map((a) => a.batchSize))).toBe(MAX_BATCH);
    expect(script.calls).toBe(4);
  });

  it("fails every call of a batch whose script call fails, and goes on with the next", async () => {
    const failing = new BatchedScript(fixture.client, "edgestackBatchFail", "return redis.error_reply('boom')", []);
    const fail = (key: string) => new Promise<void>((resolve, reject) => failing.run({ key, answer: () => resolve(), fail: reject }));
    const results = await Promise.allSettled([fail("a"), fail("b")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/boom/);
    const { call } = counting();
    await expect(call(`k:${counter++}`)).resolves.toMatchObject({ value: 1 });
  });

  it("answers each call from its own slice of the reply when the script answers one value per call", async () => {
    // One value per call: the call's position times 10, then the batch's size.
    const lua = `
local out = {}
for i = 3, #ARGV do out[i - 2] = (i - 2) * 10 end
out[#out + 1] = #ARGV - 2
return out
`;
    const script = new BatchedScript(fixture.client, "edgestackBatchOneValue", lua, ["a", "b"], "grouped", 1);
    const call = (field: string) =>
      new Promise<number[]>((resolve, reject) => script.run({ key: `one${counter}:{g}`, field, answer: (reply, at, size) => resolve([reply[at]!, size, reply.length]), fail: reject }));
    counter++;
    const answers = await Promise.all([call("f1"), call("f2"), call("f3")]);
    expect(script.calls).toBe(1);
    expect(answers).toEqual([
      [10, 3, 4],
      [20, 3, 4],
      [30, 3, 4],
    ]);
  });

  it("grouped: batches each group's calls apart, its key once and the calls' fields in order", async () => {
    // Per call: INCR of group:field, its position, the batch's size; then the script runs so far.
    const lua = `
local out = {}
for i = 3, #ARGV do
  out[#out + 1] = redis.call('INCR', KEYS[1] .. ':' .. ARGV[i])
  out[#out + 1] = i - 2
  out[#out + 1] = #ARGV - 2
end
out[#out + 1] = redis.call('INCR', KEYS[1] .. ':runs')
return out
`;
    const script = new BatchedScript(fixture.client, "edgestackBatchGrouped", lua, ["a", "b"], "grouped");
    const prefix = `grp${counter++}`;
    const call = (group: string, field: string) =>
      new Promise<number[]>((resolve, reject) => script.run({ key: `${prefix}:{${group}}`, field, answer: (reply, at, runs) => resolve([reply[at]!, reply[at + 1]!, reply[at + 2]!, runs]), fail: reject }));
    const answers = await Promise.all([call("x", "f1"), call("y", "f1"), call("x", "f2"), call("x", "f1")]);
    expect(script.calls).toBe(2);
    expect(answers).toEqual([
      [1, 1, 3, 1],
      [1, 1, 1, 1],
      [1, 2, 3, 1],
      [2, 3, 3, 1],
    ]);
  });
});
