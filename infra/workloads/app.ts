import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appEnvironment, PORTS, routePath, SECRET_FILE_ENV, type ReleaseTrack } from "@edgestack/contract";
import { appEnvironmentProblems, appShutdownTimeoutMs, clusterAppSettings, wsAllowedOrigins } from "../config/app-environment";
import { ConfigError } from "../config/schema";
import { containerSecurityContext, APP_UID, podSecurityContext } from "./security";
import type { WorkloadSettings } from "./settings";
import { CACHE_CLUSTER_MODE } from "../cache/settings";
import { APP_CANARY_NAME, APP_PORT_NAME } from "../cluster/objects";

/** The port the app listens on (PORT) and its Services' port: nginx's upstream servers are the pods' IPs on it. */
export const APP_PORT = PORTS.app;
export const APP_NAME = "app";
/** The canary Deployment (its headless Service and DNS name live with the other addressed names). */
export { APP_CANARY_NAME } from "../cluster/objects";
/**
 * The app's /metrics port (METRICS_PORT, the contract's PORTS.appMetrics): a container port named "metrics" that no
 * Service lists and nginx never proxies to; only the metrics scraper may connect (network-policies.ts).
 */
export const APP_METRICS_PORT = PORTS.appMetrics;
/** The app's shallow liveness route (the process answers). */
export const APP_LIVENESS_PATH = routePath("liveness");
/** The app's readiness route: 200 while it can serve, 503 from SIGTERM on; independent of Redis. */
export const APP_READINESS_PATH = routePath("readiness");
/** Readiness probe timing (the local data plane's readiness loop plays kubelet with these). */
export const APP_READINESS_PROBE_TIMING = { periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 2, successThreshold: 1 } as const;
/** Key of the Secret entry holding REDIS_URL. */
export const REDIS_URL_KEY = "REDIS_URL";
/** Key of the Secret entry holding the API keys' SHA-256 digests (the app's API_KEY_HASHES). */
export const API_KEY_HASHES_KEY = "API_KEY_HASHES";
/** Where the app's Secrets are mounted (read-only files; the app reads their paths from *_FILE variables). */
export const APP_SECRETS_DIR = "/var/run/secrets/edgestack";
/** The mounted Secret files: REDIS_URL_FILE and API_KEY_HASHES_FILE point at them. */
export const APP_SECRET_FILES = {
  redis: { volume: "redis-url", dir: `${APP_SECRETS_DIR}/redis`, key: REDIS_URL_KEY, variable: SECRET_FILE_ENV.REDIS_URL },
  apiKeys: { volume: "api-key-hashes", dir: `${APP_SECRETS_DIR}/api-keys`, key: API_KEY_HASHES_KEY, variable: SECRET_FILE_ENV.API_KEY_HASHES },
} as const;
type SecretFile = (typeof APP_SECRET_FILES)[keyof typeof APP_SECRET_FILES];
/** Readable by the app's group only (fsGroup); never world-readable. */
const SECRET_FILE_MODE = 0o440;
const secretFileEnv = (f: SecretFile) => ({ name: f.variable, value: `${f.dir}/${f.key}` });
const secretFileMount = (f: SecretFile) => ({ name: f.volume, mountPath: f.dir, readOnly: true });
const secretFileVolume = (f: SecretFile, secretName: string) => ({ name: f.volume, secret: { secretName, items: [{ key: f.key, path: f.key }], defaultMode: SECRET_FILE_MODE } });

/** The Secret the stack creates for apiKeyNames. */
export const API_KEYS_SECRET_NAME = "app-api-keys";

/** The Secret holding API_KEY_HASHES, or undefined when no API keys are configured. */
export function apiKeysSecretName(s: Pick<WorkloadSettings, "apiKeyNames" | "apiKeysSecretName">): string | undefined {
  if (s.apiKeysSecretName !== "") return s.apiKeysSecretName;
  return s.apiKeyNames.length > 0 ? API_KEYS_SECRET_NAME : undefined;
}

export { appShutdownTimeoutMs, wsAllowedOrigins };

export const appLabels = { "app.kubernetes.io/name": APP_NAME, "app.kubernetes.io/part-of": "edgestack", "app.kubernetes.io/component": "api" } as const;
const selector = { "app.kubernetes.io/name": APP_NAME, "app.kubernetes.io/part-of": "edgestack" };
/**
 * The canary's pods: their own name (so the stable Deployment's and Services' selectors, which are
 * immutable or would move traffic, never match them), the app's component (the NetworkPolicies
 * select app pods by it) and the track label.
 */
export const canaryLabels = { ...appLabels, "app.kubernetes.io/name": APP_CANARY_NAME, "edgestack.io/track": "canary" } as const;
const canarySelector = { "app.kubernetes.io/name": APP_CANARY_NAME, "app.kubernetes.io/part-of": "edgestack", "edgestack.io/track": "canary" };
/** What every app pod of either track carries (the NetworkPolicies' selector). */
export const anyTrackAppSelector = { "app.kubernetes.io/part-of": "edgestack", "app.kubernetes.io/component": appLabels["app.kubernetes.io/component"] };

/**
 * The app's environment: the contract's appEnvironment of the stack's app settings (the schema
 * checked it at program start with the app's own parser) — everything except REDIS_URL and
 * API_KEY_HASHES (Secrets, mounted as files: REDIS_URL_FILE, API_KEY_HASHES_FILE, so the AUTH token
 * is never in the environment, where /proc/<pid>/environ, crash dumps and child processes see it)
 * and INSTANCE_ID (the pod's name). REDIS_URL is the replication group's
 * configuration endpoint: connect with a cluster client. nginx (a pod in the VPC) is the one proxy the
 * app trusts: it sends X-Forwarded-For as exactly the client address it verified and its own scheme.
 * `trustProxyCidrs` are the VPC's blocks (Vpc.trustedCidrs: an existing VPC's as read from AWS); the
 * environment is checked with the app's own parser again once they are known (a ConfigError naming
 * the keys otherwise), as it was at program start with the configured block.
 */
export function appEnv(s: WorkloadSettings, trustProxyCidrs: pulumi.Input<readonly string[]>): { name: string; value: pulumi.Input<string> }[] {
  const envOf = (cidrs: readonly string[]) => appEnvironment(clusterAppSettings(s, cidrs, CACHE_CLUSTER_MODE));
  if (Array.isArray(trustProxyCidrs)) return Object.entries(envOf(trustProxyCidrs as readonly string[])).map(([name, value]) => ({ name, value: value! }));
  const env = pulumi.output(trustProxyCidrs as pulumi.Input<readonly string[]>).apply((cidrs) => {
    const problems = appEnvironmentProblems(s, cidrs, CACHE_CLUSTER_MODE);
    if (problems.length > 0) throw new ConfigError(problems.map((p) => `with the VPC's blocks as read from AWS (edgestack:vpcId: ${cidrs.join(", ")}): ${p}`));
    return envOf(cidrs);
  });
  // The variables are the same for any blocks; only TRUST_PROXY_CIDRS' value waits on them.
  return Object.keys(envOf([])).map((name) => ({ name, value: env.apply((e) => e[name as keyof typeof e]!) }));
}

/** Spread across zones (hard: an AZ outage must not take every replica) and nodes (soft). */
export function topologySpread(labels: Record<string, string>): k8s.types.input.core.v1.TopologySpreadConstraint[] {
  return [
    { topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: labels }, matchLabelKeys: ["pod-template-hash"] },
    { topologyKey: "kubernetes.io/hostname", maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels }, matchLabelKeys: ["pod-template-hash"] },
  ];
}

/**
 * The app's Deployment spec for a track: stable (appImage, appReplicas, scaled by the HPA) or canary
 * (canaryImage, canaryReplicas, TRACK=canary on every log line). Same env otherwise: the same Redis
 * and key space, so one limiter counts a client's requests across both tracks. `podAnnotations`: the
 * config digest of the Secrets the pods consume (infra/workloads/digest.ts), so a rotation rolls both.
 */
export function appDeploymentSpec(
  s: WorkloadSettings,
  redisSecretName: string,
  trustProxyCidrs: pulumi.Input<readonly string[]>,
  track: ReleaseTrack = "stable",
  podAnnotations?: pulumi.Input<Record<string, string>>,
): k8s.types.input.apps.v1.DeploymentSpec {
  const canary = track === "canary";
  const selector_ = canary ? canarySelector : selector;
  const apiKeys = apiKeysSecretName(s);
  return {
    replicas: canary ? s.canaryReplicas : s.appReplicas,
    selector: { matchLabels: selector_ },
    // Surge first: capacity never drops below the replica count during a rollout.
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    template: {
      metadata: { labels: canary ? { ...canaryLabels } : { ...appLabels }, ...(podAnnotations ? { annotations: podAnnotations } : {}) },
      spec: {
        securityContext: podSecurityContext(APP_UID),
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
        topologySpreadConstraints: topologySpread(selector_),
        containers: [
          {
            name: APP_NAME,
            image: canary ? s.canaryImage : s.appImage,
            imagePullPolicy: "IfNotPresent",
            ports: [
              { name: "http", containerPort: APP_PORT, protocol: "TCP" },
              { name: "metrics", containerPort: APP_METRICS_PORT, protocol: "TCP" },
            ],
            env: [
              ...appEnv(s, trustProxyCidrs),
              ...(canary ? [{ name: "TRACK", value: track }] : []),
              secretFileEnv(APP_SECRET_FILES.redis),
              ...(apiKeys === undefined ? [] : [secretFileEnv(APP_SECRET_FILES.apiKeys)]),
              { name: "INSTANCE_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            ],
            resources: {
              requests: { cpu: s.appCpuRequest, memory: s.appMemoryRequest },
              limits: { cpu: s.appCpuLimit, memory: s.appMemoryLimit },
            },
            // "Can serve": 503 only from SIGTERM on (the pod leaves the headless Service's DNS within a
            // period), never because of Redis (an outage must not empty the Service).
            readinessProbe: { httpGet: { path: APP_READINESS_PATH, port: "http" }, ...APP_READINESS_PROBE_TIMING },
            // Shallow: a Redis outage must not restart every pod.
            livenessProbe: { httpGet: { path: APP_LIVENESS_PATH, port: "http" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
            startupProbe: { httpGet: { path: APP_LIVENESS_PATH, port: "http" }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 },
            securityContext: containerSecurityContext(APP_UID),
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, secretFileMount(APP_SECRET_FILES.redis), ...(apiKeys === undefined ? [] : [secretFileMount(APP_SECRET_FILES.apiKeys)])],
          },
        ],
        volumes: [
          { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
          secretFileVolume(APP_SECRET_FILES.redis, redisSecretName),
          ...(apiKeys === undefined ? [] : [secretFileVolume(APP_SECRET_FILES.apiKeys, apiKeys)]),
        ],
      },
    },
  };
}

/** ClusterIP Service at the fixed address nginx's upstream names (no DNS lookup in nginx.conf). */
export function appServiceSpec(s: Pick<WorkloadSettings, "appClusterIp">): k8s.types.input.core.v1.ServiceSpec {
  return {
    type: "ClusterIP",
    clusterIP: s.appClusterIp,
    selector,
    ports: [{ name: APP_PORT_NAME, port: APP_PORT, targetPort: "http", protocol: "TCP" }],
  };
}

/**
 * Headless Service (no ClusterIP, no kube-proxy): DNS answers with one A record per ready pod, which
 * nginx's `server ... resolve` turns into one upstream server per pod. Not-ready pods are left out
 * (publishNotReadyAddresses false), so readiness decides who gets traffic.
 */
export function appPodsServiceSpec(): k8s.types.input.core.v1.ServiceSpec {
  return {
    type: "ClusterIP",
    clusterIP: "None",
    publishNotReadyAddresses: false,
    selector,
    ports: [{ name: APP_PORT_NAME, port: APP_PORT, targetPort: "http", protocol: "TCP" }],
  };
}

/** The canary's headless Service: nginx's canary upstream (app-canary-pods), ready canary pods only. */
export function appCanaryPodsServiceSpec(): k8s.types.input.core.v1.ServiceSpec {
  return { ...appPodsServiceSpec(), selector: canarySelector };
}

/** One pod at a time may be evicted (node drains, upgrades); works for any replica count. Per track. */
export function appPdbSpec(track: ReleaseTrack = "stable"): k8s.types.input.policy.v1.PodDisruptionBudgetSpec {
  return { maxUnavailable: 1, selector: { matchLabels: track === "canary" ? canarySelector : selector } };
}

export function appHpaSpec(s: WorkloadSettings, deploymentName: string): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
  return {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
    minReplicas: s.appMinReplicas,
    maxReplicas: s.appMaxReplicas,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: s.appTargetCpuPercent } } }],
    // Scale up promptly, scale down slowly: flapping replicas churn connection pools in nginx.
    behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
  };
}
