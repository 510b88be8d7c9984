import { parseStackConfig } from "../../../infra/config/schema";
import { APP_ENV, routePath } from "@edgestack/contract";
import { APP_METRICS_PORT, APP_PORT, appDeploymentSpec, appEnv, appHpaSpec, appPdbSpec, appPodsServiceSpec, appServiceSpec, appShutdownTimeoutMs } from "../../../infra/workloads/app";
import { latencyThresholdsMs, sloSpec } from "../../../infra/config/slo";
import { loadConfig } from "../../../app/src/config";

const config = parseStackConfig(
  {
    "aws:region": "eu-west-1",
    "edgestack:domain": "example.com",
    "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy",
    "edgestack:rateLimitMax": "250",
    "edgestack:rateLimitWindowMs": "30000",
    "edgestack:rateLimitFailMode": "closed",
    "edgestack:appShutdownDelaySeconds": "25",
    "edgestack:terminationGracePeriodSeconds": "50",
  },
  "test",
);
// The spec is plain data; read it as such.
const spec = appDeploymentSpec(config, "app-redis", [config.vpcCidr]) as any;
const container = spec.template.spec.containers[0];

describe("appEnv", () => {
  const env = Object.fromEntries(appEnv(config, [config.vpcCidr]).map((e) => [e.name, e.value]));

  it("sets the app's variables from the stack config", () => {
    expect(env).toEqual({
      PORT: "8080",
      RATE_LIMIT_MAX: "250",
      RATE_LIMIT_WINDOW_MS: "30000",
      RATE_LIMIT_FAIL: "closed",
      REDIS_CLUSTER: "true",
      TRUST_PROXY_CIDRS: config.vpcCidr,
      WS_ALLOWED_ORIGINS: `https://${config.domain},https://${config.wwwSubdomain}.${config.domain}`,
      WS_MAX_CONNECTIONS_PER_CLIENT: String(config.wsMaxConnectionsPerClient),
      // A third of nginx's read timeout on /ws (websocketReadTimeoutSeconds 10).
      WS_HEARTBEAT_MS: "3333",
      SHUTDOWN_DELAY_MS: "25000",
      SHUTDOWN_TIMEOUT_MS: "49500",
      KEEPALIVE_TIMEOUT_MS: String(config.appKeepAliveSeconds * 1000),
      HEADERS_TIMEOUT_MS: String(config.appHeadersTimeoutSeconds * 1000),
      METRICS_PORT: "9464",
      METRICS_LATENCY_THRESHOLDS_MS: "300,1000",
    });
  });

  it("is accepted by the app's own environment validation", () => {
    const app = loadConfig({ ...env, REDIS_URL: "rediss://:token@master.example.cache.amazonaws.com:6379" });
    expect(app.port).toBe(APP_PORT);
    expect(app.keepAliveTimeoutMs).toBe(config.appKeepAliveSeconds * 1000);
    expect(app.headersTimeoutMs).toBeGreaterThan(app.keepAliveTimeoutMs);
    expect(app.shutdownDelayMs).toBe(25_000);
    expect(app.shutdownTimeoutMs).toBeGreaterThan(app.shutdownDelayMs);
    expect(app.trustProxyCidrs).toEqual([config.vpcCidr]);
    expect(app.websocket.allowedOrigins).toEqual([`https://${config.domain}`, `https://${config.wwwSubdomain}.${config.domain}`]);
    expect(app.redisCluster).toBe(true);
    expect(app.metrics).toEqual({ port: APP_METRICS_PORT, host: "0.0.0.0", latencyThresholdsMs: [300, 1000] });
  });

  it("uses the app's own default metrics port and SLO thresholds as its defaults", () => {
    const defaults = loadConfig({});
    expect(defaults.metrics?.port).toBe(APP_METRICS_PORT);
    expect(defaults.metrics?.latencyThresholdsMs).toEqual(latencyThresholdsMs(sloSpec(parseStackConfig({ "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "example.com" }, "dev"))));
  });
});

describe("appShutdownTimeoutMs", () => {
  it("stays inside the grace period and above the app's 1 s minimum", () => {
    expect(appShutdownTimeoutMs({ terminationGracePeriodSeconds: 45 })).toBe(44_500);
    expect(appShutdownTimeoutMs({ terminationGracePeriodSeconds: 1 })).toBe(1000);
  });
});

describe("appDeploymentSpec", () => {
  it("runs the configured image and replicas with requests and limits", () => {
    expect(spec.replicas).toBe(config.appReplicas);
    expect(container.image).toBe(config.appImage);
    expect(container.resources).toEqual({
      requests: { cpu: config.appCpuRequest, memory: config.appMemoryRequest },
      limits: { cpu: config.appCpuLimit, memory: config.appMemoryLimit },
    });
  });

  it("probes /readyz (can serve, independent of Redis) for readiness, /livez for liveness and startup", () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: routePath("readiness"), port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: routePath("liveness"), port: "http" });
    expect(container.startupProbe.httpGet).toEqual({ path: routePath("liveness"), port: "http" });
    // The metrics port is the container's only other port; the Services below list "http" alone.
    expect(container.ports).toEqual([
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "metrics", containerPort: APP_METRICS_PORT, protocol: "TCP" },
    ]);
  });

  it("reads REDIS_URL from the Secret's mounted file, never from a literal or the environment", () => {
    expect(container.env.find((e: { name: string }) => e.name === "REDIS_URL")).toBeUndefined();
    expect(container.env.find((e: { name: string }) => e.name === "REDIS_URL_FILE")).toEqual({ name: "REDIS_URL_FILE", value: "/var/run/secrets/edgestack/redis/REDIS_URL" });
    expect(container.volumeMounts).toContainEqual({ name: "redis-url", mountPath: "/var/run/secrets/edgestack/redis", readOnly: true });
    expect(spec.template.spec.volumes).toContainEqual({ name: "redis-url", secret: { secretName: "app-redis", items: [{ key: "REDIS_URL", path: "REDIS_URL" }], defaultMode: 0o440 } });
  });

  it("outlives its shutdown delay and spreads across zones and nodes", () => {
    expect(spec.template.spec.terminationGracePeriodSeconds).toBe(50);
    expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(config.appShutdownDelaySeconds);
    const keys = spec.template.spec.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey);
    expect(keys).toEqual(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
  });

  it("is hardened and writes only to an emptyDir /tmp", () => {
    expect(spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.capabilities).toEqual({ drop: ["ALL"] });
    // The only writable mount is /tmp; the Secret's is read-only.
    expect(container.volumeMounts.filter((m: { readOnly?: boolean }) => m.readOnly !== true)).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(spec.template.spec.volumes[0]).toEqual({ name: "tmp", emptyDir: { sizeLimit: "64Mi" } });
  });

  it("selects exactly the pods its template labels", () => {
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) expect(spec.template.metadata.labels[k]).toBe(v);
  });
});

describe("Service, PDB and HPA", () => {
  it("puts the Service on the fixed ClusterIP nginx's upstream names", () => {
    const service = appServiceSpec(config) as any;
    expect(service).toMatchObject({ type: "ClusterIP", clusterIP: config.appClusterIp, ports: [{ port: 8080, targetPort: "http" }] });
    expect(service.selector).toEqual(spec.selector.matchLabels);
  });

  it("never exposes the metrics port through a Service (nginx's upstream and the ClusterIP carry http only)", () => {
    expect(APP_METRICS_PORT).toBe(APP_ENV.METRICS_PORT.default);
    for (const service of [appServiceSpec(config), appPodsServiceSpec()] as any[]) {
      expect(service.ports.map((p: { name: string; port: number; targetPort: unknown }) => [p.name, p.port, p.targetPort])).toEqual([["http", APP_PORT, "http"]]);
    }
  });

  it("lets one pod go at a time, whatever the replica count", () => {
    expect(appPdbSpec()).toEqual({ maxUnavailable: 1, selector: { matchLabels: spec.selector.matchLabels } });
  });

  it("scales the Deployment on CPU within the configured bounds", () => {
    const hpa = appHpaSpec(config, "app") as any;
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "app" });
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([config.appMinReplicas, config.appMaxReplicas]);
    expect(hpa.metrics[0].resource).toEqual({ name: "cpu", target: { type: "Utilization", averageUtilization: config.appTargetCpuPercent } });
  });
});
