/**
 * One schema for the app's environment: every stack key the Deployment hands the app is checked at
 * program start with the schema the app parses with (@edgestack/contract), so a value the stack
 * accepts is a value the app starts with, and a value the app would refuse is refused at program start.
 */
import { z } from "zod";
import { APP_DRAIN_SECONDS, APP_ENV } from "@edgestack/contract";
import { loadConfig } from "../../../app/src/config";
import { APP_ENV_SOURCES } from "../../../infra/config/app-environment";
import { fields, parseStackConfig, type FieldName } from "../../../infra/config/schema";
import { readStackFiles } from "../../../offline/engine/stack-files";
import { appEnv } from "../../../infra/workloads/app";
import { configProblems } from "../../harness/config";

const base = readStackFiles("dev").config;
const raw = (over: Record<string, string | number>) => ({ ...base, ...Object.fromEntries(Object.entries(over).map(([k, v]) => [`edgestack:${k}`, String(v)])) });

/** The environment the Deployment hands the app for `over`, as the app reads it (secrets as placeholders). */
function deploymentEnv(over: Record<string, string | number>): Record<string, string> {
  const config = parseStackConfig(raw(over), "dev");
  const env = Object.fromEntries(appEnv(config, [config.vpcCidr]).map((e) => [e.name, e.value]));
  return { ...env, REDIS_URL: "rediss://:token@cache.internal:6379", INSTANCE_ID: "app-0" };
}

/** The bounds of a numeric stack key, read from its schema. */
function bounds(key: FieldName): { min: number; max: number } {
  const schema = fields[key].schema as unknown as z.ZodNumber;
  return { min: schema.minValue!, max: schema.maxValue! };
}

/**
 * Companions that keep the other cross-field rules true while one key sits at a boundary (the
 * timeout chain: deregistration ≤ delay, delay + drain ≤ grace, keep-alive < headers timeout).
 */
const companions: Partial<Record<FieldName, (v: number) => Record<string, number>>> = {
  appShutdownDelaySeconds: (v) => ({ deregistrationDelaySeconds: Math.min(v, 20), terminationGracePeriodSeconds: v + APP_DRAIN_SECONDS + 1 }),
  terminationGracePeriodSeconds: (v) => ({ appShutdownDelaySeconds: Math.max(0, Math.min(20, v - APP_DRAIN_SECONDS)), deregistrationDelaySeconds: Math.max(0, Math.min(20, v - APP_DRAIN_SECONDS)) }),
  appKeepAliveSeconds: (v) => ({ appHeadersTimeoutSeconds: v + 1, nginxUpstreamKeepaliveSeconds: Math.max(1, v - 1) }),
  appHeadersTimeoutSeconds: (v) => ({ appKeepAliveSeconds: Math.min(v - 1, 3600), nginxUpstreamKeepaliveSeconds: Math.max(1, Math.min(v - 1, 3600) - 1) }),
};

const numericKeys = (Object.entries(APP_ENV_SOURCES) as [string, FieldName[]][])
  .flatMap(([, keys]) => keys)
  .filter((k, i, all) => all.indexOf(k) === i && fields[k].type === "integer");

test("the numeric keys feeding the app's environment are the ones the test walks", () => {
  expect(numericKeys.sort()).toEqual(["appHeadersTimeoutSeconds", "appKeepAliveSeconds", "appShutdownDelaySeconds", "rateLimitMax", "rateLimitWindowMs", "sloApiLatencyMs", "sloSiteLatencyMs", "sloWebsocketLatencyMs", "terminationGracePeriodSeconds", "websocketReadTimeoutSeconds", "wsMaxConnectionsPerClient"]);
});

test("the app pings open WebSockets every third of nginx's read timeout on /ws (at its bounds too)", () => {
  for (const seconds of [2, 10, 300]) {
    const env = deploymentEnv({ websocketReadTimeoutSeconds: seconds });
    expect(Number(env.WS_HEARTBEAT_MS)).toBe(Math.floor((seconds * 1000) / 3));
    expect(loadConfig(env).wsHeartbeatMs * 2).toBeLessThan(seconds * 1000);
  }
});

test.each(numericKeys)("%s: every boundary value the stack schema accepts gives an environment the app's parser accepts", (key) => {
  const { min, max } = bounds(key);
  const accepted: number[] = [];
  for (const value of [min, min + 1, min + 2, max - 1, max]) {
    const { [key]: _own, ...others } = companions[key]?.(value) ?? {};
    const over = { ...others, [key]: value };
    // Whatever the stack accepts (a minimum may be unreachable through another key's rule) ...
    try {
      parseStackConfig(raw(over), "dev");
    } catch {
      continue;
    }
    // ... the app starts with: what the Deployment hands it passes the app's own parser.
    expect(() => loadConfig(deploymentEnv(over))).not.toThrow();
    accepted.push(value);
  }
  // The walk reached the top of the range (the app's ceilings are the maxima) and the bottom.
  expect(accepted).toEqual(expect.arrayContaining([max - 1, max]));
  expect(Math.min(...accepted)).toBeLessThanOrEqual(min + 2);
});

test.each([
  ["rateLimitFailMode", ["open", "closed"]],
  ["vpcCidr", ["10.0.0.0/16", "192.168.250.0/24"]],
  ["wsAllowedOrigins", ['["https://a.example.com"]', '["http://localhost:3000","https://b.example.org:8443"]', "[]"]],
] as const)("%s: each accepted value gives an environment the app's parser accepts", (key, values) => {
  for (const value of values) expect(() => loadConfig(deploymentEnv({ [key]: value }))).not.toThrow();
});

test("the stack's bounds for the app's keys are the app's own", () => {
  expect(bounds("rateLimitMax")).toEqual({ min: APP_ENV.RATE_LIMIT_MAX.min, max: APP_ENV.RATE_LIMIT_MAX.max });
  expect(bounds("rateLimitWindowMs")).toEqual({ min: APP_ENV.RATE_LIMIT_WINDOW_MS.min, max: APP_ENV.RATE_LIMIT_WINDOW_MS.max });
  expect(bounds("appShutdownDelaySeconds").max * 1000).toBe(APP_ENV.SHUTDOWN_DELAY_MS.max);
  expect(fields.rateLimitMax.default).toBe(APP_ENV.RATE_LIMIT_MAX.default);
});

test("a shutdown delay the app would refuse is refused at program start (grace 900, delay 600)", () => {
  const problems = configProblems(raw({ terminationGracePeriodSeconds: 900, appShutdownDelaySeconds: 600 }));
  expect(problems.join("\n")).toContain("edgestack:appShutdownDelaySeconds: 600 must be at most 300");
});

test("a grace period with no room for nginx's preStop pause, its drain and its exit is refused at program start", () => {
  const problems = configProblems(raw({ terminationGracePeriodSeconds: 6, appShutdownDelaySeconds: 1, deregistrationDelaySeconds: 0 }));
  expect(problems.join("\n")).toMatch(/edgestack:terminationGracePeriodSeconds \(6\) must be at least 7: an nginx pod pauses 5 s before it stops \(kube-proxy/);
  expect(() => parseStackConfig(raw({ terminationGracePeriodSeconds: 7, appShutdownDelaySeconds: 1, deregistrationDelaySeconds: 0 }), "dev")).not.toThrow();
});

test("a grace period that leaves the app no time to drain after its delay is refused, naming both keys", () => {
  const problems = configProblems(raw({ terminationGracePeriodSeconds: 22, appShutdownDelaySeconds: 20 }));
  expect(problems).toContain(
    `edgestack:terminationGracePeriodSeconds (22) must be at least edgestack:appShutdownDelaySeconds (20) + ${APP_DRAIN_SECONDS} s: after its shutdown delay the app needs time to finish in-flight requests before the kubelet kills it`,
  );
});

test("an environment the app would refuse is reported at program start with the stack keys it comes from", () => {
  // An origin the stack's pattern lets through but the app's origin check refuses (a trailing dot host is not its own origin).
  const problems = configProblems(raw({ wsAllowedOrigins: '["https://example.com:443"]' }));
  expect(problems.join("\n")).toMatch(/edgestack:wsAllowedOrigins \(\["https:\/\/example.com:443"\]\).*the app would refuse its environment: WS_ALLOWED_ORIGINS="https:\/\/example.com:443"/);
});
