import { BatchedLogDestination, type WriteSync } from "../../app/src/logBuffer";

/** A fake fd: records what reached it; `script` decides what each write call does. */
function fakeFd(script: (call: number, length: number) => number | NodeJS.ErrnoException = (_, n) => n) {
  const written: Buffer[] = [];
  let calls = 0;
  const write: WriteSync = (_fd, buffer, offset, length) => {
    const outcome = script(calls++, length);
    if (typeof outcome !== "number") throw outcome;
    written.push(Buffer.from(buffer.subarray(offset, offset + outcome)));
    return outcome;
  };
  return { write, text: () => Buffer.concat(written).toString(), calls: () => calls };
}

const errno = (code: string) => Object.assign(new Error(code), { code });
const line = (i: number) => `{"n":${i},"pad":"${"x".repeat(80)}"}\n`;

describe("BatchedLogDestination", () => {
  it("holds lines until a batch is full, then writes them in one call, in order", () => {
    const fd = fakeFd();
    const dest = new BatchedLogDestination(1, 1000, 0, fd.write);
    const lines = Array.from({ length: 25 }, (_, i) => line(i));
    for (const l of lines.slice(0, 10)) dest.write(l);
    expect(fd.calls()).toBe(0); // 10 × ~100 chars: below the batch size
    for (const l of lines.slice(10)) dest.write(l);
    expect(fd.calls()).toBeGreaterThanOrEqual(1);
    expect(fd.calls()).toBeLessThan(5);
    expect(dest.pendingLines).toBeGreaterThan(0);
    dest.flushSync();
    expect(dest.pendingLines).toBe(0);
    expect(fd.text()).toBe(lines.join(""));
  });

  it("finishes partial writes and retries EAGAIN (a full non-blocking pipe)", () => {
    const fd = fakeFd((call, length) => (call === 0 ? 7 : call === 1 ? errno("EAGAIN") : length));
    const dest = new BatchedLogDestination(1, 1_000_000, 0, fd.write);
    dest.write(line(1));
    dest.write(line(2));
    dest.flushSync();
    expect(fd.text()).toBe(line(1) + line(2));
    expect(fd.calls()).toBe(3);
  });

  it("drops logs instead of throwing once the reader is gone (EPIPE)", () => {
    const fd = fakeFd(() => errno("EPIPE"));
    const dest = new BatchedLogDestination(1, 1_000_000, 0, fd.write);
    dest.write(line(1));
    expect(() => dest.flushSync()).not.toThrow();
    dest.write(line(2));
    dest.flushSync();
    expect(fd.calls()).toBe(1);
    expect(dest.pendingLines).toBe(0);
  });

  it("flushes on its timer when traffic is too low to fill a batch", async () => {
    const fd = fakeFd();
    const dest = new BatchedLogDestination(1, 1_000_000, 30, fd.write);
    dest.write(line(1));
    expect(fd.text()).toBe("");
    await new Promise((r) => setTimeout(r, 120));
    expect(fd.text()).toBe(line(1));
    dest.end();
  });
});
