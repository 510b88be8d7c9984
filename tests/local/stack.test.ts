import { ConfigError } from "../../infra/config/schema";
import { loadLocalStackConfig, replicaEnv } from "../../local/stack";
import { loadConfig } from "../../app/src/config";

test("the dev stack's own values reach the replica environment", () => {
  const config = loadLocalStackConfig("dev");
  const env = replicaEnv(config, { index: 2, port: 41000, metricsPort: 41001, redisUrl: "redis://127.0.0.1:6390", shutdownDelayMs: 1000, logLevel: "warn" });
  expect(env).toMatchObject({
    PORT: "41000",
    HOST: "127.0.0.1",
    METRICS_PORT: "41001",
    // The histograms get a bucket at each SLO latency threshold of the stack.
    METRICS_LATENCY_THRESHOLDS_MS: [config.sloApiLatencyMs, config.sloSiteLatencyMs, config.sloWebsocketLatencyMs].sort((a, b) => a - b).filter((v, i, a) => a.indexOf(v) === i).join(","),
    REDIS_URL: "redis://127.0.0.1:6390",
    RATE_LIMIT_MAX: String(config.rateLimitMax),
    RATE_LIMIT_WINDOW_MS: String(config.rateLimitWindowMs),
    RATE_LIMIT_FAIL: config.rateLimitFailMode,
    TRUST_PROXY_CIDRS: "127.0.0.2/32",
    KEEPALIVE_TIMEOUT_MS: String(config.appKeepAliveSeconds * 1000),
    HEADERS_TIMEOUT_MS: String(config.appHeadersTimeoutSeconds * 1000),
    SHUTDOWN_DELAY_MS: "1000",
    INSTANCE_ID: "replica-2",
    LOG_LEVEL: "warn",
  });
  // The app accepts it as is (its own validation, including headers > keep-alive and timeout > delay).
  const app = loadConfig(env);
  expect(app).toMatchObject({ port: 41000, metrics: { port: 41001, host: "127.0.0.1" }, host: "127.0.0.1", trustProxyCidrs: ["127.0.0.2/32"], instanceId: "replica-2" });
  expect(app.shutdownTimeoutMs).toBeGreaterThan(app.shutdownDelayMs);
});

test("overrides win over the stack file and are applied last", () => {
  const config = loadLocalStackConfig("dev", { rateLimitMax: 7, nginxLoadBalancing: "round_robin" });
  expect([config.rateLimitMax, config.nginxLoadBalancing]).toEqual([7, "round_robin"]);
  const env = replicaEnv(config, { index: 0, port: 1, metricsPort: 2, redisUrl: "redis://127.0.0.1:1", shutdownDelayMs: 40_000, logLevel: "info", overrides: { WS_HEARTBEAT_MS: "200" } });
  expect(env.RATE_LIMIT_MAX).toBe("7");
  expect(env.WS_HEARTBEAT_MS).toBe("200");
  // A long local delay still leaves the hard stop above it.
  expect(Number(env.SHUTDOWN_TIMEOUT_MS)).toBeGreaterThan(40_000);
});

test("overrides are validated by the stack schema, naming the key and value", () => {
  expect(() => loadLocalStackConfig("dev", { rateLimitMax: 0 })).toThrow(ConfigError);
  expect(() => loadLocalStackConfig("dev", { rateLimitMax: 0 })).toThrow(/edgestack:rateLimitMax: 0/);
  expect(() => loadLocalStackConfig("dev", { nginxLoadBalancing: "fastest" })).toThrow(/edgestack:nginxLoadBalancing: "fastest"/);
  // Cross-field rules too: the timeout chain.
  expect(() => loadLocalStackConfig("dev", { appKeepAliveSeconds: 30 })).toThrow(/nginxUpstreamKeepaliveSeconds \(60\) must be less than edgestack:appKeepAliveSeconds \(30\)/);
  expect(() => loadLocalStackConfig("dev", { notAKey: 1 } as never)).toThrow(/config override "notAKey": is not a stack config key/);
});

test("an unknown stack names the missing file", () => {
  expect(() => loadLocalStackConfig("nope")).toThrow(/Pulumi\.nope\.yaml does not exist/);
});
