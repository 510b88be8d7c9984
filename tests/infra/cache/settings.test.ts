import { AUTH_TOKEN_OPTIONS, finalSnapshotName, parameterGroupFamily, RATE_LIMIT_PARAMETERS, redisUrl, replicationGroupId } from "../../../infra/cache/settings";

describe("parameterGroupFamily", () => {
  it.each([
    ["valkey", "8.0", "valkey8"],
    ["valkey", "8.1", "valkey8"],
    ["valkey", "7.2", "valkey7"],
    ["redis", "7.1", "redis7"],
    ["redis", "7.0", "redis7"],
  ] as const)("%s %s → %s", (engine, version, family) => {
    expect(parameterGroupFamily(engine, version)).toBe(family);
  });

  it("refuses Redis before 7 (no transit encryption mode 'required'), naming the key and value", () => {
    expect(() => parameterGroupFamily("redis", "6.2")).toThrow(/^edgestack:cacheEngineVersion: "6\.2" is too old for redis/);
  });

  it("refuses versions the engine does not have", () => {
    expect(() => parameterGroupFamily("valkey", "6.0")).toThrow(/"6\.0" is not a Valkey version/);
    expect(() => parameterGroupFamily("redis", "8.0")).toThrow(/"8\.0" is not a Redis OSS version/);
    expect(() => parameterGroupFamily("redis", "seven")).toThrow(/"seven" is not a major\.minor version/);
  });
});

describe("rate-limit parameters", () => {
  it("evicts keys closest to expiry instead of failing writes, in cluster mode", () => {
    expect(RATE_LIMIT_PARAMETERS).toEqual([
      { name: "maxmemory-policy", value: "volatile-ttl" },
      { name: "lazyfree-lazy-expire", value: "yes" },
      { name: "cluster-enabled", value: "yes" },
    ]);
  });
});

describe("AUTH token options", () => {
  it("stay inside what ElastiCache accepts (16–128 characters, no / \" @ or space)", () => {
    expect(AUTH_TOKEN_OPTIONS.length).toBeGreaterThanOrEqual(32);
    expect(AUTH_TOKEN_OPTIONS.length).toBeLessThanOrEqual(128);
    // No special characters at all: nothing ElastiCache rejects and nothing a URL must escape.
    expect(AUTH_TOKEN_OPTIONS.special).toBe(false);
  });
});

describe("redisUrl", () => {
  it("builds a TLS URL with the token as the default user's password", () => {
    expect(redisUrl("master.x.cache.amazonaws.com", 6379, "A".repeat(32))).toBe(`rediss://:${"A".repeat(32)}@master.x.cache.amazonaws.com:6379`);
  });

  it("percent-encodes a token that would break the URL", () => {
    const url = redisUrl("h.example", 6379, "abc:def@ghi/jkl#mnopqrstuv");
    expect(url).toBe("rediss://:abc%3Adef%40ghi%2Fjkl%23mnopqrstuv@h.example:6379");
    expect(decodeURIComponent(new URL(url).password)).toBe("abc:def@ghi/jkl#mnopqrstuv");
  });

  it("refuses bad hosts, ports and token lengths", () => {
    expect(() => redisUrl("", 6379, "A".repeat(32))).toThrow(/not a host name/);
    expect(() => redisUrl("a@b", 6379, "A".repeat(32))).toThrow(/not a host name/);
    expect(() => redisUrl("h", 0, "A".repeat(32))).toThrow(/not a TCP port/);
    expect(() => redisUrl("h", 6379, "short")).toThrow(/16 to 128/);
  });
});

describe("replicationGroupId / finalSnapshotName", () => {
  it("folds the stack name into ElastiCache's id alphabet", () => {
    expect(replicationGroupId({ stack: "prod", namePrefix: "" })).toBe("edgestack-prod");
    expect(replicationGroupId({ stack: "Team_A..Staging", namePrefix: "" })).toBe("edgestack-team-a-staging");
  });

  it("keeps the id and its final snapshot name within 40 characters", () => {
    const id = replicationGroupId({ stack: "a-very-long-stack-name-that-goes-on-and-on", namePrefix: "" });
    expect(id.length).toBeLessThanOrEqual(34);
    expect(id).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
    expect(id).not.toMatch(/--/);
    expect(finalSnapshotName(id).length).toBeLessThanOrEqual(40);
    expect(finalSnapshotName("edgestack-prod")).toBe("edgestack-prod-final");
  });
});

describe("checkCacheSettings", () => {
  it("throws a ConfigError naming the key for an engine/version pair ElastiCache cannot run", () => {
    const { ConfigError } = jest.requireActual("../../../infra/config/schema");
    const { checkCacheSettings } = jest.requireActual("../../../infra/cache/settings");
    expect(() => checkCacheSettings({ cacheEngine: "redis", cacheEngineVersion: "6.2", cacheNodeType: "cache.t4g.micro" })).toThrow(ConfigError);
    expect(() => checkCacheSettings({ cacheEngine: "redis", cacheEngineVersion: "6.2", cacheNodeType: "cache.t4g.micro" })).toThrow(/edgestack:cacheEngineVersion: "6\.2"/);
    expect(() => checkCacheSettings({ cacheEngine: "valkey", cacheEngineVersion: "8.0", cacheNodeType: "cache.t4g.micro" })).not.toThrow();
    // The CPU alarm's threshold needs the node type's vCPUs: an unknown family is refused by name.
    expect(() => checkCacheSettings({ cacheEngine: "valkey", cacheEngineVersion: "8.0", cacheNodeType: "cache.x9z.large" })).toThrow(/edgestack:cacheNodeType: "cache\.x9z\.large"/);
  });
});
