import { BlockCache } from "../../../app/src/rateLimit/blockCache";

describe("BlockCache", () => {
  it("blocks until the given time and then forgets the key", () => {
    const cache = new BlockCache();
    cache.block("k", 1000);
    expect(cache.remainingMs("k", 400)).toBe(600);
    expect(cache.remainingMs("k", 1000)).toBe(0);
    expect(cache.size).toBe(0);
    expect(cache.remainingMs("other", 0)).toBe(0);
  });

  it("stays within its size bound, dropping the oldest entry", () => {
    const cache = new BlockCache(2);
    cache.block("a", 100);
    cache.block("b", 100);
    cache.block("c", 100);
    expect(cache.size).toBe(2);
    expect(cache.remainingMs("a", 0)).toBe(0);
    expect(cache.remainingMs("c", 0)).toBe(100);
  });
});
