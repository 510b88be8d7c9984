import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HEADERS, PORTS } from "@edgestack/contract";
import { CLUSTER_FD_LIMIT, NGINX_POD_RESOURCES } from "../nginx/capacity";
import { NGINX_EXIT_SECONDS, NGINX_EXTERNAL_TRAFFIC_POLICY, nginxStopTiming } from "../config/nginx-stop";
import { NGINX_LIVENESS_PATH, NGINX_PORTS, NGINX_STUB_STATUS_PATH, type NginxModel, type NginxPaths } from "../nginx/model";
import { buildNginxModel, NGINX_ALB_TLS_DIR, NGINX_ALB_TLS_FILES, type NginxConfigInput, type NginxSite } from "../nginx/build";
import { clusterDnsIp } from "../network/cidr";
import { APP_CANARY_PODS_DNS_NAME, APP_PODS_DNS_NAME, APP_PODS_SRV_SERVICE } from "../cluster/objects";
import { renderNginxConf } from "../nginx/render";
import { topologySpread } from "./app";
import { contentHash, sha256 } from "./hash";
import { containerSecurityContext, NGINX_UID, podSecurityContext } from "./security";
import type { WorkloadSettings } from "./settings";
import type { Color, StackConfig } from "../config/schema";

export const NGINX_NAME = "nginx";
/** Pod-template annotation carrying the full SHA-256 of nginx.conf: a config change rolls the pods. */
export const NGINX_CONF_CHECKSUM_ANNOTATION = "edgestack.io/nginx-conf-sha256";
/** Where the ConfigMap is mounted; nginx is started with `-c` on the file inside. */
export const NGINX_CONF_DIR = "/etc/nginx/edgestack";
/**
 * The `kubernetes.io/tls` Secret holding the ALB listener's certificate and key (a per-stack
 * self-signed pair: the ALB does not verify target certificates), mounted at NGINX_ALB_TLS_DIR.
 */
export const NGINX_ALB_TLS_SECRET = "nginx-alb-tls";

/** The NGINX Prometheus exporter sidecar's metrics port (its default); in no Service, only the scraper admitted. */
export const NGINX_EXPORTER_PORT = 9113;
export const NGINX_EXPORTER_RESOURCES = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } } as const;

/** The exporter's flags (0.11): stub_status on loopback at `statusPort`, metrics on `listenAddress`. The local data plane runs the same. */
export function nginxExporterArgs(statusPort: number, listenAddress: string): string[] {
  return [`-nginx.scrape-uri=http://127.0.0.1:${statusPort}${NGINX_STUB_STATUS_PATH}`, `-web.listen-address=${listenAddress}`, "-web.telemetry-path=/metrics"];
}

/**
 * The exporter beside nginx: reads stub_status over the pod's loopback (the only address nginx lets
 * read it) and serves nginx_* metrics on NGINX_EXPORTER_PORT. The flags are 0.11's (the version
 * Debian packages and the local data plane runs).
 */
export function nginxExporterContainer(image: string): k8s.types.input.core.v1.Container {
  return {
    name: "nginx-exporter",
    image,
    imagePullPolicy: "IfNotPresent",
    args: nginxExporterArgs(NGINX_PORTS.status, `:${NGINX_EXPORTER_PORT}`),
    ports: [{ name: "metrics", containerPort: NGINX_EXPORTER_PORT, protocol: "TCP" }],
    // The exporter's own process only (its port): an nginx problem must show in nginx_up, not unready the pod twice.
    readinessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    resources: { requests: { ...NGINX_EXPORTER_RESOURCES.requests }, limits: { ...NGINX_EXPORTER_RESOURCES.limits } },
    securityContext: containerSecurityContext(NGINX_UID),
  };
}

export const nginxLabels = { "app.kubernetes.io/name": NGINX_NAME, "app.kubernetes.io/part-of": "edgestack", "app.kubernetes.io/component": "proxy" } as const;
const selector = { "app.kubernetes.io/name": NGINX_NAME, "app.kubernetes.io/part-of": "edgestack" };

/** The green tier's name (Deployment, Service, PDB, pod name label) with nginxBlueGreen. */
export const NGINX_GREEN_NAME = "nginx-green";

/**
 * One nginx tier: blue is the original `nginx` (its objects, labels and selector unchanged), green
 * the second tier of a blue/green deployment. Their pod labels differ in `app.kubernetes.io/name`,
 * so neither Deployment, Service nor PDB selects the other's pods.
 */
export interface NginxTier {
  color: Color;
  /** Name of its Deployment, Service and PDB, and its pods' `app.kubernetes.io/name`. */
  name: string;
  image: string;
  replicas: number;
  nodePorts: Pick<WorkloadSettings, "nginxHttpNodePort" | "nginxProxyProtocolNodePort" | "nginxProxyProtocolHttpNodePort">;
}

/** The tiers the settings ask for: blue alone, or blue and green with nginxBlueGreen. */
export function nginxTiers(s: Pick<WorkloadSettings, "nginxImage" | "nginxReplicas" | "nginxHttpNodePort" | "nginxProxyProtocolNodePort" | "nginxProxyProtocolHttpNodePort" | "nginxBlueGreen" | "nginxGreenImage" | "nginxGreenReplicas" | "nginxGreenHttpNodePort" | "nginxGreenProxyProtocolNodePort" | "nginxGreenProxyProtocolHttpNodePort">): NginxTier[] {
  const blue: NginxTier = {
    color: "blue",
    name: NGINX_NAME,
    image: s.nginxImage,
    replicas: s.nginxReplicas,
    nodePorts: { nginxHttpNodePort: s.nginxHttpNodePort, nginxProxyProtocolNodePort: s.nginxProxyProtocolNodePort, nginxProxyProtocolHttpNodePort: s.nginxProxyProtocolHttpNodePort },
  };
  if (!s.nginxBlueGreen) return [blue];
  const green: NginxTier = {
    color: "green",
    name: NGINX_GREEN_NAME,
    image: s.nginxGreenImage || s.nginxImage,
    replicas: s.nginxGreenReplicas,
    nodePorts: { nginxHttpNodePort: s.nginxGreenHttpNodePort, nginxProxyProtocolNodePort: s.nginxGreenProxyProtocolNodePort, nginxProxyProtocolHttpNodePort: s.nginxGreenProxyProtocolHttpNodePort },
  };
  const bluePorts = nginxServicePorts(blue.nodePorts).map((p) => p.nodePort);
  for (const p of nginxServicePorts(green.nodePorts)) if (bluePorts.includes(p.nodePort)) throw new Error(`green nginx NodePort ${p.nodePort} (${p.name}) is one of blue's`);
  return [blue, green];
}

/** A tier's pod labels: blue's are `nginxLabels`; green's name them nginx-green. */
export function nginxTierLabels(tier: Pick<NginxTier, "name">): Record<string, string> {
  return { ...nginxLabels, "app.kubernetes.io/name": tier.name };
}

function tierSelector(tier?: Pick<NginxTier, "name">): Record<string, string> {
  return tier ? { ...selector, "app.kubernetes.io/name": tier.name } : selector;
}

/**
 * nginx's own footprint (not in the stack config): it is I/O bound and small; the limits are what its
 * connection capacity is sized from (infra/nginx/capacity.ts).
 */
export const NGINX_RESOURCES = NGINX_POD_RESOURCES;

/** ConfigMap name carrying the content hash: a changed nginx.conf is a new object and a new rollout. */
export function nginxConfigMapName(conf: string): string {
  return `nginx-conf-${contentHash(conf)}`;
}

export interface NginxServicePort {
  name: string;
  /** Service port = container port. */
  port: number;
  targetPort: string;
  nodePort: number;
  protocol: "TCP";
}

/**
 * The NodePorts the load balancers target, each mapped to its nginx listener:
 * ALB → HTTPS (TLS to nginx, X-Forwarded-For), NLB 443 (TLS terminated at the NLB) → PROXY protocol "https",
 * NLB 80 → PROXY protocol plain (redirects to https). The status port is in no Service.
 */
export function nginxServicePorts(s: Pick<WorkloadSettings, "nginxHttpNodePort" | "nginxProxyProtocolNodePort" | "nginxProxyProtocolHttpNodePort">): NginxServicePort[] {
  const n = NGINX_SERVICE_PORT_NAMES;
  return [
    { name: n.alb, port: NGINX_PORTS.http, targetPort: n.alb, nodePort: s.nginxHttpNodePort, protocol: "TCP" },
    { name: n.nlbTls, port: NGINX_PORTS.proxyProtocolHttps, targetPort: n.nlbTls, nodePort: s.nginxProxyProtocolNodePort, protocol: "TCP" },
    { name: n.nlbHttp, port: NGINX_PORTS.proxyProtocolHttp, targetPort: n.nlbHttp, nodePort: s.nginxProxyProtocolHttpNodePort, protocol: "TCP" },
  ];
}

/** The nginx Service's (and container's) port names: what TargetGroupBindings name. */
export const NGINX_SERVICE_PORT_NAMES = { alb: "alb-https", nlbTls: "pp-https", nlbHttp: "pp-http" } as const;

/** preStop pause: the native sleep action where the cluster has it (1.30+), else the image's sleep. */
export function preStopSleep(kubernetesVersion: string, seconds: number): k8s.types.input.core.v1.LifecycleHandler {
  const minor = Number(/^1\.(\d+)$/.exec(kubernetesVersion)?.[1] ?? NaN);
  if (!Number.isInteger(minor)) throw new Error(`edgestack:kubernetesVersion: ${JSON.stringify(kubernetesVersion)} is not a 1.x version`);
  return minor >= 30 ? { sleep: { seconds } } : { exec: { command: ["sleep", String(seconds)] } };
}

/**
 * The rendered nginx.conf and the one model value the pod spec depends on. The text is an input:
 * it carries the VPC's address blocks, which for an existing VPC are known only after the lookup.
 */
export interface NginxConf {
  text: pulumi.Input<string>;
  /** The model's worker_shutdown_timeout (seconds; independent of the VPC's blocks). */
  workerShutdownTimeoutSeconds: number;
}

/** Paths of the nginxinc/nginx-unprivileged image: /tmp is its writable emptyDir (read-only root filesystem). */
const CLUSTER_PATHS: NginxPaths = {
  pid: "/tmp/nginx.pid",
  errorLog: "/dev/stderr",
  accessLog: "/dev/stdout",
  clientBodyTemp: "/tmp/client_temp",
  proxyTemp: "/tmp/proxy_temp",
  fastcgiTemp: "/tmp/fastcgi_temp",
  uwsgiTemp: "/tmp/uwsgi_temp",
  scgiTemp: "/tmp/scgi_temp",
};

/** The stack keys the pods' nginx model is built from: the model's own and where the cluster puts the app. */
export type ClusterNginxConfig = NginxConfigInput & Pick<StackConfig, "serviceCidr" | "appClusterIp">;

/**
 * Where the pods' nginx runs: every listener on NGINX_PORTS (all addresses), the app pods through
 * their headless Services' DNS names and the cluster DNS, the app's ClusterIP as the fallback (what
 * kube-proxy makes of it reaches a ready pod), the image's paths, a buffered access log. Traffic
 * arrives through NodePorts, which SNAT the peer to a node address, so `trustedCidrs` (the VPC's
 * blocks, Vpc.trustedCidrs) are trusted for the client address and allowed to the liveness endpoint.
 * On the ALB path the viewer's address comes from the header CloudFront's function sets (the ALB
 * appends the CloudFront edge's address to X-Forwarded-For; see render.ts for why it is trustworthy).
 */
export function clusterNginxSite(config: ClusterNginxConfig, trustedCidrs: readonly string[]): NginxSite {
  const dns = (name: string) => ({ kind: "dns" as const, name, port: PORTS.app, srvService: APP_PODS_SRV_SERVICE, resolver: clusterDnsIp(config.serviceCidr) });
  return {
    mode: "cluster",
    address: "0.0.0.0",
    ports: { ...NGINX_PORTS },
    extraServerNames: [],
    // The ALB's listener speaks TLS with the mounted nginx-alb-tls Secret.
    albTls: { ...NGINX_ALB_TLS_FILES },
    httpRealIp: { header: HEADERS.viewerAddress, recursive: false, trustedCidrs: [...trustedCidrs] },
    proxyProtocolTrustedCidrs: [...trustedCidrs],
    livenessAllow: ["127.0.0.1/32", ...trustedCidrs],
    stable: dns(APP_PODS_DNS_NAME),
    ...(config.canaryImage === "" ? {} : { canary: dns(APP_CANARY_PODS_DNS_NAME) }),
    fallback: { kind: "address", host: config.appClusterIp, port: PORTS.app },
    paths: { ...CLUSTER_PATHS },
    fdLimit: CLUSTER_FD_LIMIT,
    errorLogLevel: "warn",
    accessLogBuffer: { sizeKb: 64, flushSeconds: 1 },
    exposeUpstreamAddress: false,
    upstreamBindAddress: null,
  };
}

/** The pods' nginx model (buildNginxModel at clusterNginxSite). */
export function clusterNginxModel(config: ClusterNginxConfig, trustedCidrs: readonly string[]): NginxModel {
  return buildNginxModel(config, clusterNginxSite(config, trustedCidrs));
}

/** clusterNginxModel rendered (and validated: renderNginxConf throws on a bad value). */
export function renderClusterNginxConf(config: ClusterNginxConfig, trustedCidrs: readonly string[]): { text: string; workerShutdownTimeoutSeconds: number } {
  const model = clusterNginxModel(config, trustedCidrs);
  return { text: renderNginxConf(model), workerShutdownTimeoutSeconds: model.workerShutdownTimeoutSeconds };
}

/**
 * The nginx.conf the pods run: `checked` (rendered from the config at program start, which
 * validated it) rendered again once the VPC's blocks are known (an existing VPC's are read from
 * AWS; a new VPC's are its configured block, known at once). The drain timing is the config's alone.
 */
export function deployedNginxConf(config: ClusterNginxConfig, checked: Pick<NginxConf, "workerShutdownTimeoutSeconds">, trustedCidrs: pulumi.Input<string[]>): NginxConf {
  return { text: pulumi.output(trustedCidrs).apply((cidrs) => renderClusterNginxConf(config, cidrs).text), workerShutdownTimeoutSeconds: checked.workerShutdownTimeoutSeconds };
}

/** A tier's Deployment spec; blue's (the default) from the plain nginx* settings. `podAnnotations` join the config checksum. */
export function nginxDeploymentSpec(
  s: WorkloadSettings,
  conf: NginxConf,
  configMapName: pulumi.Input<string>,
  kubernetesVersion: string,
  tier: NginxTier = nginxTiers(s)[0],
  podAnnotations?: pulumi.Input<Record<string, string>>,
): k8s.types.input.apps.v1.DeploymentSpec {
  // Until every sender has stopped (stop.ts); the model's worker_shutdown_timeout must fit after it.
  const preStop = nginxStopTiming(s).preStopSeconds;
  if (preStop + conf.workerShutdownTimeoutSeconds + NGINX_EXIT_SECONDS > s.terminationGracePeriodSeconds) {
    throw new Error(
      `nginx ${tier.color}: preStop ${preStop} s + worker_shutdown_timeout ${conf.workerShutdownTimeoutSeconds} s + ${NGINX_EXIT_SECONDS} s to exit exceed edgestack:terminationGracePeriodSeconds (${s.terminationGracePeriodSeconds}): the kubelet would kill nginx mid-drain`,
    );
  }
  const ports = nginxServicePorts(tier.nodePorts);
  const status = { httpGet: { path: NGINX_LIVENESS_PATH, port: "status" } };
  const podSelector = tierSelector(tier);
  return {
    replicas: tier.replicas,
    selector: { matchLabels: podSelector },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    template: {
      metadata: {
        labels: nginxTierLabels(tier),
        annotations:
          podAnnotations === undefined && typeof conf.text === "string"
            ? { [NGINX_CONF_CHECKSUM_ANNOTATION]: sha256(conf.text) }
            : pulumi.all([conf.text, podAnnotations ?? {}]).apply(([text, extra]) => ({ [NGINX_CONF_CHECKSUM_ANNOTATION]: sha256(text), ...extra })),
      },
      spec: {
        securityContext: podSecurityContext(NGINX_UID),
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
        topologySpreadConstraints: topologySpread(podSelector),
        containers: [
          {
            name: NGINX_NAME,
            image: tier.image,
            imagePullPolicy: "IfNotPresent",
            // Bypasses the image's entrypoint scripts (they rewrite files under /etc/nginx, which is read-only here).
            command: ["nginx", "-c", `${NGINX_CONF_DIR}/nginx.conf`, "-g", "daemon off;"],
            ports: [...ports.map((p) => ({ name: p.targetPort, containerPort: p.port, protocol: "TCP" })), { name: "status", containerPort: NGINX_PORTS.status, protocol: "TCP" }],
            resources: { requests: { ...NGINX_RESOURCES.requests }, limits: { ...NGINX_RESOURCES.limits } },
            // nginx's own health on the internal status port: readiness must not follow the app,
            // or an app problem would empty every NodePort at once.
            readinessProbe: { ...status, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
            livenessProbe: { ...status, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
            startupProbe: { ...status, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 30 },
            ...(preStop > 0 ? { lifecycle: { preStop: preStopSleep(kubernetesVersion, preStop) } } : {}),
            securityContext: containerSecurityContext(NGINX_UID),
            volumeMounts: [
              { name: "conf", mountPath: NGINX_CONF_DIR, readOnly: true },
              { name: "alb-tls", mountPath: NGINX_ALB_TLS_DIR, readOnly: true },
              { name: "tmp", mountPath: "/tmp" },
            ],
          },
          nginxExporterContainer(s.nginxExporterImage),
        ],
        volumes: [
          { name: "conf", configMap: { name: configMapName, items: [{ key: "nginx.conf", path: "nginx.conf" }] } },
          // Owner-and-group read only; the pod's fsGroup is nginx's group, so the master reads the key and nobody else does.
          { name: "alb-tls", secret: { secretName: NGINX_ALB_TLS_SECRET, defaultMode: 0o440 } },
          // pid file and temp paths (the model points them under /tmp).
          { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
        ],
      },
    },
  };
}

/** NodePort Service with fixed ports; `Cluster` policy so every node answers on every port. */
export function nginxServiceSpec(s: WorkloadSettings, tier: NginxTier = nginxTiers(s)[0]): k8s.types.input.core.v1.ServiceSpec {
  return {
    type: "NodePort",
    externalTrafficPolicy: NGINX_EXTERNAL_TRAFFIC_POLICY,
    selector: tierSelector(tier),
    ports: nginxServicePorts(tier.nodePorts).map((p) => ({ ...p })),
  };
}

export function nginxPdbSpec(tier?: Pick<NginxTier, "name">): k8s.types.input.policy.v1.PodDisruptionBudgetSpec {
  return { maxUnavailable: 1, selector: { matchLabels: tierSelector(tier) } };
}
