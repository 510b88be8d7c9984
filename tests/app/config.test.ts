import { ConfigError, loadConfig } from "../../app/src/config";

describe("loadConfig", () => {
  it("applies safe defaults and derives headersTimeout above keepAliveTimeout", () => {
    const config = loadConfig({ INSTANCE_ID: "a" });
    expect(config).toMatchObject({
      port: 8080,
      redisUrl: "redis://127.0.0.1:6379",
      redisCluster: false,
      rateLimit: { max: 100, windowMs: 60000, fail: "open" },
      trustProxyCidrs: [],
      apiKeyHashes: [],
      websocket: { allowedOrigins: [], maxConnections: 1000, maxMessageBytes: 16384, maxMessagesPerSecond: 50, sendBufferBytes: 65536 },
      keepAliveTimeoutMs: 65000,
      headersTimeoutMs: 66000,
      instanceId: "a",
      accessLog: "errors",
    });
  });

  it("reads every documented variable", () => {
    const config = loadConfig({
      PORT: "3000",
      REDIS_URL: "rediss://:s3cret@cache.example:6380",
      REDIS_CLUSTER: "true",
      RATE_LIMIT_MAX: "5",
      RATE_LIMIT_WINDOW_MS: "1000",
      RATE_LIMIT_FAIL: "closed",
      TRUST_PROXY_CIDRS: "10.0.0.0/16, 127.0.0.1/32",
      API_KEY_HASHES: "A".repeat(64),
      WS_ALLOWED_ORIGINS: "https://example.com,https://www.example.com",
      WS_MAX_CONNECTIONS: "10",
      WS_MAX_MESSAGE_BYTES: "1024",
      WS_MAX_MESSAGES_PER_SECOND: "5",
      WS_SEND_BUFFER_BYTES: "4096",
      SHUTDOWN_DELAY_MS: "15000",
      KEEPALIVE_TIMEOUT_MS: "75000",
      LOG_LEVEL: "warn",
      ACCESS_LOG: "all",
    });
    expect(config).toMatchObject({
      port: 3000,
      redisUrl: "rediss://:s3cret@cache.example:6380",
      redisCluster: true,
      rateLimit: { max: 5, windowMs: 1000, fail: "closed" },
      trustProxyCidrs: ["10.0.0.0/16", "127.0.0.1/32"],
      apiKeyHashes: ["a".repeat(64)],
      websocket: { allowedOrigins: ["https://example.com", "https://www.example.com"], maxConnections: 10, maxMessageBytes: 1024, maxMessagesPerSecond: 5, sendBufferBytes: 4096 },
      shutdownDelayMs: 15000,
      keepAliveTimeoutMs: 75000,
      headersTimeoutMs: 76000,
      logLevel: "warn",
      accessLog: "all",
    });
    expect(config.instanceId.length).toBeGreaterThan(0);
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ PORT: "", RATE_LIMIT_MAX: "  " })).toMatchObject({ port: 8080, rateLimit: { max: 100 } });
  });

  it.each([
    ["PORT", "70000"],
    ["PORT", "eighty"],
    ["RATE_LIMIT_MAX", "0"],
    ["RATE_LIMIT_MAX", "1.5"],
    ["RATE_LIMIT_WINDOW_MS", "-1"],
    ["RATE_LIMIT_FAIL", "maybe"],
    ["RATE_LIMIT_MAX", "1e3"],
    ["RATE_LIMIT_MAX", "0x10"],
    ["RATE_LIMIT_MAX", "+5"],
    ["RATE_LIMIT_MAX", "1_000"],
    ["PORT", "8080.0"],
    ["HOST", "not-a-host"],
    ["HOST", "localhost"],
    ["TRUST_PROXY_CIDRS", "10.0.0.0/33"],
    ["TRUST_PROXY_CIDRS", "10.0.0.0/16,everyone"],
    ["API_KEY_HASHES", "not-a-digest"],
    ["WS_ALLOWED_ORIGINS", "*"],
    ["WS_ALLOWED_ORIGINS", "https://example.com/path"],
    ["WS_MAX_CONNECTIONS", "0"],
    ["WS_SEND_BUFFER_BYTES", "10"],
    ["KEEPALIVE_TIMEOUT_MS", "10"],
    ["LOG_LEVEL", "loud"],
    ["ACCESS_LOG", "some"],
    ["REDIS_CLUSTER", "yes"],
    ["REDIS_URL", "http://cache:6379"],
  ])("rejects %s=%s naming the variable and value", (key, value) => {
    let error: unknown;
    try {
      loadConfig({ [key]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`${key}=`);
    if (key !== "REDIS_URL" && key !== "API_KEY_HASHES") expect(message).toContain(JSON.stringify(value));
  });

  it("never echoes the Redis URL (it carries the password)", () => {
    expect(() => loadConfig({ REDIS_URL: "mysql://:hunter2@db" })).toThrow(/REDIS_URL=<redacted>/);
    expect(() => loadConfig({ REDIS_URL: "mysql://:hunter2@db" })).not.toThrow(/hunter2/);
  });

  it("rejects a headersTimeout that is not above keepAliveTimeout", () => {
    expect(() => loadConfig({ KEEPALIVE_TIMEOUT_MS: "65000", HEADERS_TIMEOUT_MS: "60000" })).toThrow(/HEADERS_TIMEOUT_MS=.*must be above KEEPALIVE_TIMEOUT_MS/);
  });

  it("shows an unset variable's default in a cross-field error, never `undefined`", () => {
    let message = "";
    try {
      loadConfig({ SHUTDOWN_DELAY_MS: "40000" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('SHUTDOWN_TIMEOUT_MS="30000" (default): must be above SHUTDOWN_DELAY_MS (40000)');
    expect(message).not.toContain("undefined");
    expect(() => loadConfig({ WS_MAX_MESSAGE_BYTES: "100000" })).toThrow(/WS_SEND_BUFFER_BYTES="65536" \(default\): must be at least WS_MAX_MESSAGE_BYTES \(100000\)/);
  });

  it("accepts plain decimal digits only", () => {
    expect(loadConfig({ RATE_LIMIT_MAX: "1000", PORT: "0" })).toMatchObject({ rateLimit: { max: 1000 }, port: 0 });
  });

  it("reports every problem at once", () => {
    expect(() => loadConfig({ PORT: "x", RATE_LIMIT_FAIL: "y" })).toThrow(/PORT=[\s\S]*RATE_LIMIT_FAIL=/);
  });

  it("reads secrets from the files *_FILE names (a mounted Secret), trailing newline dropped, never both ways", () => {
    const hash = "a".repeat(64);
    const files: Record<string, string> = { "/run/s/REDIS_URL": "rediss://:t0ken@cache.example:6379\n", "/run/s/API_KEY_HASHES": `${hash}\n` };
    const read = (p: string) => {
      if (!(p in files)) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
      return files[p];
    };
    const config = loadConfig({ REDIS_URL_FILE: "/run/s/REDIS_URL", API_KEY_HASHES_FILE: "/run/s/API_KEY_HASHES" }, read);
    expect(config.redisUrl).toBe("rediss://:t0ken@cache.example:6379");
    expect(config.apiKeyHashes).toEqual([hash]);
    expect(() => loadConfig({ REDIS_URL: "redis://a:6379", REDIS_URL_FILE: "/run/s/REDIS_URL" }, read)).toThrow(/REDIS_URL_FILE="\/run\/s\/REDIS_URL": set REDIS_URL or REDIS_URL_FILE, not both/);
    expect(() => loadConfig({ REDIS_URL_FILE: "/run/s/missing" }, read)).toThrow(/REDIS_URL_FILE="\/run\/s\/missing": can't be read \(ENOENT\)/);
    expect(() => loadConfig({ REDIS_URL_FILE: "relative/REDIS_URL" }, read)).toThrow(/REDIS_URL_FILE=.*must be an absolute path/);
    // A bad value read from a file is redacted like the variable itself.
    files["/run/s/bad"] = "mysql://:hunter2@db";
    expect(() => loadConfig({ REDIS_URL_FILE: "/run/s/bad" }, read)).toThrow(/REDIS_URL=<redacted>/);
    expect(() => loadConfig({ REDIS_URL_FILE: "/run/s/bad" }, read)).not.toThrow(/hunter2/);
  });
});
