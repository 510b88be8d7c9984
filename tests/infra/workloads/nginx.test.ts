import { parseStackConfig } from "../../../infra/config/schema";
import { configProblems } from "../../harness/config";
import { NGINX_LIVENESS_PATH, NGINX_PORTS } from "../../../infra/nginx";
import {
  NGINX_CONF_CHECKSUM_ANNOTATION,
  nginxConfigMapName,
  nginxDeploymentSpec,
  nginxPdbSpec,
  nginxServicePorts,
  nginxServiceSpec,
  nginxTiers,
  NGINX_EXPORTER_PORT,
  preStopSleep,
} from "../../../infra/workloads/nginx";
import { sha256 } from "../../../infra/workloads/hash";
import { ENDPOINT_PROPAGATION_SECONDS, NGINX_EXIT_SECONDS, nginxStopTiming } from "../../../infra/config/nginx-stop";

const config = parseStackConfig({ "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "example.com", "edgestack:nginxReplicas": "3" }, "test");
const conf = { text: "events {}\nhttp {}\n", workerShutdownTimeoutSeconds: 20 };
const build = (c = conf, version = "1.33") => nginxDeploymentSpec(config, c, nginxConfigMapName(c.text), version) as any;

describe("nginxServicePorts", () => {
  it("maps each fixed NodePort to its nginx listener", () => {
    expect(nginxServicePorts(config)).toEqual([
      { name: "alb-https", port: NGINX_PORTS.http, targetPort: "alb-https", nodePort: 30080, protocol: "TCP" },
      { name: "pp-https", port: NGINX_PORTS.proxyProtocolHttps, targetPort: "pp-https", nodePort: 30081, protocol: "TCP" },
      { name: "pp-http", port: NGINX_PORTS.proxyProtocolHttp, targetPort: "pp-http", nodePort: 30082, protocol: "TCP" },
    ]);
  });

  it("takes NodePorts the schema checked: in the NodePort range and distinct, refused at program start naming the key", () => {
    const base = { "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "example.com" };
    expect(configProblems({ ...base, "edgestack:nginxHttpNodePort": "8080" })).toEqual([expect.stringMatching(/^edgestack:nginxHttpNodePort: 8080 must be at least 30000/)]);
    expect(configProblems({ ...base, "edgestack:nginxGreenProxyProtocolNodePort": "32768" })).toEqual([expect.stringMatching(/^edgestack:nginxGreenProxyProtocolNodePort: 32768 must be at most 32767/)]);
    expect(configProblems({ ...base, "edgestack:nginxProxyProtocolHttpNodePort": "30081" })).toEqual(["edgestack:nginxProxyProtocolHttpNodePort (30081) must differ from edgestack:nginxProxyProtocolNodePort (30081)"]);
  });

  it("is what the NodePort Service exposes, with the Cluster traffic policy and no LoadBalancer type", () => {
    const service = nginxServiceSpec(config) as any;
    expect(service.type).toBe("NodePort");
    expect(service.externalTrafficPolicy).toBe("Cluster");
    expect(service.ports.map((p: { nodePort: number }) => p.nodePort)).toEqual([30080, 30081, 30082]);
    expect(service.ports.map((p: { port: number }) => p.port)).not.toContain(NGINX_PORTS.status);
  });
});

describe("config rollout", () => {
  it("names the ConfigMap after the content, so a change is a new ConfigMap", () => {
    expect(nginxConfigMapName(conf.text)).toMatch(/^nginx-conf-[0-9a-f]{10}$/);
    expect(nginxConfigMapName(conf.text)).toBe(nginxConfigMapName(`${conf.text}`));
    expect(nginxConfigMapName(`${conf.text}# changed\n`)).not.toBe(nginxConfigMapName(conf.text));
  });

  it("mounts that ConfigMap and stamps the full checksum on the pod template", () => {
    const spec = build();
    expect(spec.template.metadata.annotations[NGINX_CONF_CHECKSUM_ANNOTATION]).toBe(sha256(conf.text));
    expect(spec.template.spec.volumes[0].configMap.name).toBe(nginxConfigMapName(conf.text));
    const other = build({ ...conf, text: "events {}\nhttp { }\n" });
    expect(other.template.metadata.annotations[NGINX_CONF_CHECKSUM_ANNOTATION]).not.toBe(spec.template.metadata.annotations[NGINX_CONF_CHECKSUM_ANNOTATION]);
    expect(other.template.spec.volumes[0].configMap.name).not.toBe(spec.template.spec.volumes[0].configMap.name);
  });

  it("starts nginx on the mounted file, bypassing the image's entrypoint scripts", () => {
    const container = build().template.spec.containers[0];
    expect(container.command).toEqual(["nginx", "-c", "/etc/nginx/edgestack/nginx.conf", "-g", "daemon off;"]);
    expect(container.volumeMounts).toEqual([
      { name: "conf", mountPath: "/etc/nginx/edgestack", readOnly: true },
      { name: "alb-tls", mountPath: "/etc/nginx/edgestack-tls", readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
    ]);
  });
});

describe("nginxDeploymentSpec", () => {
  const spec = build();
  const container = spec.template.spec.containers[0];

  it("runs the configured unprivileged image and replicas, hardened, with requests and limits", () => {
    expect(spec.replicas).toBe(3);
    expect(container.image).toBe(config.nginxImage);
    expect(spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10101, runAsGroup: 10101, fsGroup: 10101 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
  });

  it("probes nginx itself on the internal status port", () => {
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      expect(probe.httpGet).toEqual({ path: NGINX_LIVENESS_PATH, port: "status" });
    }
    expect(container.ports).toContainEqual({ name: "status", containerPort: NGINX_PORTS.status, protocol: "TCP" });
  });

  it("pauses before stopping so kube-proxy drops the pod first, within the grace period", () => {
    expect(container.lifecycle.preStop).toEqual({ sleep: { seconds: ENDPOINT_PROPAGATION_SECONDS } });
    expect(build(conf, "1.29").template.spec.containers[0].lifecycle.preStop).toEqual({ exec: { command: ["sleep", String(ENDPOINT_PROPAGATION_SECONDS)] } });
  });

  it("has a PDB selecting its pods", () => {
    expect(nginxPdbSpec()).toEqual({ maxUnavailable: 1, selector: { matchLabels: spec.selector.matchLabels } });
  });
});

describe("nginxStopTiming / preStopSleep", () => {
  const facts = { terminationGracePeriodSeconds: 45, appShutdownDelaySeconds: 20, healthCheckIntervalSeconds: 15, healthCheckTimeoutSeconds: 5, unhealthyThreshold: 3 };
  it("Cluster policy: pauses until kube-proxy has dropped the pod (the target groups send to nodes, never to the pod), then the app's drain", () => {
    expect(nginxStopTiming(facts, "Cluster")).toMatchObject({ preStopSeconds: ENDPOINT_PROPAGATION_SECONDS, workerShutdownTimeoutSeconds: 20, problems: [] });
    // Health-check timing does not enter: the nodes stay healthy while one pod stops.
    expect(nginxStopTiming({ ...facts, healthCheckIntervalSeconds: 300, unhealthyThreshold: 10 }, "Cluster").preStopSeconds).toBe(ENDPOINT_PROPAGATION_SECONDS);
  });

  it("Local policy: pauses until the target groups have seen the node fail its health checks", () => {
    // Two intervals plus the third check's timeout after the endpoints change.
    expect(nginxStopTiming(facts, "Local").preStopSeconds).toBe(ENDPOINT_PROPAGATION_SECONDS + 2 * 15 + 5);
    // The drain gets what the grace period leaves: 45 - 40 - 1.
    expect(nginxStopTiming(facts, "Local").workerShutdownTimeoutSeconds).toBe(4);
  });

  it("shortens nginx's drain, never the pause, and refuses a grace period with no room for both", () => {
    expect(nginxStopTiming({ ...facts, terminationGracePeriodSeconds: 25 }).workerShutdownTimeoutSeconds).toBe(25 - ENDPOINT_PROPAGATION_SECONDS - NGINX_EXIT_SECONDS);
    const tight = nginxStopTiming({ ...facts, terminationGracePeriodSeconds: ENDPOINT_PROPAGATION_SECONDS + 1, appShutdownDelaySeconds: 0 });
    expect(tight.preStopSeconds).toBe(ENDPOINT_PROPAGATION_SECONDS);
    expect(tight.problems).toEqual([expect.stringMatching(/^edgestack:terminationGracePeriodSeconds \(6\) must be at least 7: .*kube-proxy/)]);
  });

  it("blue's and green's Deployments pause alike (one derivation for every tier)", () => {
    const both = { ...config, nginxBlueGreen: true, nginxGreenReplicas: 2 };
    const [blue, green] = nginxTiers(both);
    for (const tier of [blue!, green!]) {
      const spec = nginxDeploymentSpec(both, conf, nginxConfigMapName(conf.text), "1.33", tier) as any;
      expect(spec.template.spec.containers[0].lifecycle.preStop).toEqual({ sleep: { seconds: ENDPOINT_PROPAGATION_SECONDS } });
    }
  });

  it("a Deployment whose nginx drain does not fit after the pause is refused", () => {
    expect(() => build({ ...conf, workerShutdownTimeoutSeconds: 40 })).toThrow(/preStop 5 s \+ worker_shutdown_timeout 40 s \+ 1 s to exit exceed edgestack:terminationGracePeriodSeconds \(45\)/);
  });

  it("uses the native sleep action from Kubernetes 1.30", () => {
    expect(preStopSleep("1.30", 3)).toEqual({ sleep: { seconds: 3 } });
    expect(preStopSleep("1.28", 3)).toEqual({ exec: { command: ["sleep", "3"] } });
    expect(() => preStopSleep("2.0", 3)).toThrow(/edgestack:kubernetesVersion/);
  });

});

describe("the NGINX Prometheus exporter sidecar", () => {
  const spec = build();
  const exporter = spec.template.spec.containers.find((c: { name: string }) => c.name === "nginx-exporter");

  it("runs beside nginx, reading stub_status on the pod's loopback (the only address nginx lets read it)", () => {
    expect(spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(["nginx", "nginx-exporter"]);
    expect(exporter.image).toBe(config.nginxExporterImage);
    expect(exporter.image).toMatch(/:0\.11\.0$/);
    expect(exporter.args).toContain(`-nginx.scrape-uri=http://127.0.0.1:${NGINX_PORTS.status}/nginx_status`);
    expect(exporter.ports).toEqual([{ name: "metrics", containerPort: NGINX_EXPORTER_PORT, protocol: "TCP" }]);
    expect(exporter.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(exporter.resources.limits).toEqual({ cpu: "100m", memory: "32Mi" });
  });

  it("is in no Service", () => {
    for (const p of nginxServiceSpec(config).ports as { port: number; targetPort: unknown }[]) {
      expect([p.port, p.targetPort]).not.toContain(NGINX_EXPORTER_PORT);
      expect(p.targetPort).not.toBe("metrics");
    }
  });
});
