import { newVpcNginxModel } from "../../harness/nginx";
import { renderNginxConf } from "../../../infra/nginx";
import { parseStackConfig } from "../../../infra/config/schema";
import { readStackFiles } from "../../../offline/engine/stack-files";
import { CapturedResource, input, isSecretInput, ofType, one, runStack, StackRun, toPlan } from "../../harness";
import { SCRAPE_JOBS } from "../../../infra/observability/scrape";
import { outputsOf } from "../observability/coverage";

/** The prod stack's Kubernetes workloads and their load-balancer wiring, as registered. */
let run: StackRun;
const deployment = (name: string) => one(run, "kubernetes:apps/v1:Deployment", `workloads-${name}`);
const podSpec = (d: CapturedResource) => input<Record<string, any>>(d, "spec.template.spec");

beforeAll(async () => {
  run = await runStack({ stack: "prod" });
});

describe("namespace", () => {
  it("is `edgestack`, enforcing the restricted Pod Security Standard, and holds every namespaced object", () => {
    const ns = one(run, "kubernetes:core/v1:Namespace", "workloads-namespace");
    expect(input(ns, "metadata.name")).toBe("edgestack");
    expect(input(ns, "metadata.labels")).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
    // The workloads' objects (the cluster's own add-ons, such as the node autoscaler, live in kube-system).
    const workloads = run.resources.filter((x) => x.type.startsWith("kubernetes:") && x.type !== "kubernetes:core/v1:Namespace" && x.parent !== "cluster-autoscaler" && !x.type.startsWith("kubernetes:rbac.authorization.k8s.io/"));
    expect(workloads.length).toBeGreaterThan(5);
    for (const r of workloads) {
      expect([r.name, input(r, "metadata.namespace")]).toEqual([r.name, "edgestack"]);
    }
    expect(run.outputs.namespace).toBe("edgestack");
  });
});

describe.each(["app", "nginx"])("%s Deployment", (name) => {
  it("has readiness, liveness and startup probes", () => {
    const container = podSpec(deployment(name)).containers[0];
    expect(container.readinessProbe.httpGet.path).toMatch(/^\//);
    expect(container.livenessProbe.httpGet.path).toMatch(/^\//);
    expect(container.startupProbe).toBeDefined();
  });

  it("has CPU and memory requests and limits", () => {
    const { requests, limits } = podSpec(deployment(name)).containers[0].resources;
    for (const r of [requests, limits]) expect(Object.keys(r).sort()).toEqual(["cpu", "memory"]);
  });

  it("runs non-root with a numeric uid, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp", () => {
    const spec = podSpec(deployment(name));
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(spec.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
    const sc = spec.containers[0].securityContext;
    expect(sc).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(spec.volumes).toContainEqual(expect.objectContaining({ name: "tmp", emptyDir: expect.any(Object) }));
  });

  it("spreads across zones, has ≥ 2 replicas in prod and a pinned image", () => {
    const d = deployment(name);
    expect(input<number>(d, "spec.replicas")).toBeGreaterThanOrEqual(2);
    expect(podSpec(d).topologySpreadConstraints[0].topologyKey).toBe("topology.kubernetes.io/zone");
    expect(podSpec(d).containers[0].image).toMatch(/:[\w.-]+$/);
    expect(podSpec(d).containers[0].image).not.toMatch(/:latest$/);
    expect(podSpec(d).terminationGracePeriodSeconds).toBe(45);
  });

  it("is covered by a PodDisruptionBudget selecting its pods", () => {
    const pdb = one(run, "kubernetes:policy/v1:PodDisruptionBudget", `workloads-${name}`);
    const labels = input<Record<string, string>>(deployment(name), "spec.template.metadata.labels");
    for (const [k, v] of Object.entries(input<Record<string, string>>(pdb, "spec.selector.matchLabels"))) expect(labels[k]).toBe(v);
    expect(input(pdb, "spec.maxUnavailable")).toBe(1);
  });
});

describe("app", () => {
  it("runs the configured image with REDIS_URL from the Secret's mounted file and the configured env", () => {
    const container = podSpec(deployment("app")).containers[0];
    expect(container.image).toBe(readStackFiles("prod").config["edgestack:appImage"]);
    expect(container.image).toMatch(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/edgestack-prod\/app@sha256:[a-f0-9]{64}$/);
    expect(container.resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } });
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.REDIS_URL_FILE).toBe("/var/run/secrets/edgestack/redis/REDIS_URL");
    expect(podSpec(deployment("app")).volumes).toContainEqual({ name: "redis-url", secret: { secretName: "app-redis", items: [{ key: "REDIS_URL", path: "REDIS_URL" }], defaultMode: 0o440 } });
    expect(env.RATE_LIMIT_MAX).toBe("300");
    expect(env.TRUST_PROXY_CIDRS).toBe("10.20.0.0/16"); // Pulumi.prod.yaml vpcCidr
    const secret = one(run, "kubernetes:core/v1:Secret", "workloads-app-redis");
    expect(input(secret, "metadata.name")).toBe("app-redis");
    expect(isSecretInput(secret, "stringData")).toBe(true);
  });

  it("has a ClusterIP Service on the fixed address, and a headless Service whose DNS name nginx resolves to the pods", () => {
    const service = one(run, "kubernetes:core/v1:Service", "workloads-app");
    expect(input(service, "spec.type")).toBe("ClusterIP");
    expect(input(service, "spec.clusterIP")).toBe("172.20.0.80");
    expect(input(service, "spec.ports")).toEqual([{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);
    const pods = one(run, "kubernetes:core/v1:Service", "workloads-app-pods");
    expect(input(pods, "metadata.name")).toBe("app-pods");
    expect(input(pods, "metadata.namespace")).toBe("edgestack");
    expect(input(pods, "spec.clusterIP")).toBe("None");
    expect(input(pods, "spec.publishNotReadyAddresses")).toBe(false);
    expect(input(pods, "spec.selector")).toEqual(input(service, "spec.selector"));
    expect(input(pods, "spec.ports")).toEqual([{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);
    const conf = input<Record<string, string>>(one(run, "kubernetes:core/v1:ConfigMap"), "data")["nginx.conf"];
    // The pods' name, re-resolved through the cluster DNS (10th address of serviceCidr 172.20.0.0/16).
    expect(conf).toMatch(/server app-pods\.edgestack\.svc\.cluster\.local:8080 [^;]* resolve;/);
    expect(conf).toContain("resolver 172.20.0.10 valid=1s ipv6=off;");
    // The ClusterIP only as the fallback (a request the pods' upstream has no live pod for), never among the pods.
    expect(/upstream app \{[^}]*\}/.exec(conf)![0]).not.toMatch(/server 172\.20\.0\.80/);
    expect(/upstream app_fallback \{[^}]*\}/.exec(conf)![0]).toMatch(/server 172\.20\.0\.80:8080 weight=1 max_fails=0 /);
    // And it is in the plan, next to the ClusterIP Service.
    expect(toPlan(run.resources).filter((r) => r.type === "kubernetes:core/v1:Service").map((r) => r.name)).toEqual(
      expect.arrayContaining(["workloads-app", "workloads-app-pods"]),
    );
  });

  it("is scaled by an autoscaling/v2 HPA within the configured bounds", () => {
    const hpa = one(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
    expect(input(hpa, "spec.scaleTargetRef")).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: input(deployment("app"), "metadata.name") });
    expect([input(hpa, "spec.minReplicas"), input(hpa, "spec.maxReplicas")]).toEqual([3, 12]);
    expect(input(hpa, "spec.metrics[0].resource.target.averageUtilization")).toBe(70);
  });
});

describe("nginx", () => {
  const configMap = () => one(run, "kubernetes:core/v1:ConfigMap");
  const conf = () => input<Record<string, string>>(configMap(), "data")["nginx.conf"];

  it("gets exactly the renderer's cluster-mode nginx.conf for this stack, in a content-named immutable ConfigMap", () => {
    const files = readStackFiles("prod");
    const config = parseStackConfig(files.config, "prod");
    expect(conf()).toBe(renderNginxConf(newVpcNginxModel(config)));
    expect(input(configMap(), "immutable")).toBe(true);
    const name = input<string>(configMap(), "metadata.name");
    expect(name).toMatch(/^nginx-conf-[0-9a-f]{10}$/);
    const spec = podSpec(deployment("nginx"));
    expect(spec.volumes).toContainEqual({ name: "conf", configMap: { name, items: [{ key: "nginx.conf", path: "nginx.conf" }] } });
  });

  it("serves the ALB over TLS from a per-stack self-signed pair: a Pulumi-secret kubernetes.io/tls Secret mounted read-only, in the pods' config digest", () => {
    expect(conf()).toMatch(/listen 0\.0\.0\.0:8080 ssl;\s+ssl_certificate \/etc\/nginx\/edgestack-tls\/tls\.crt;\s+ssl_certificate_key \/etc\/nginx\/edgestack-tls\/tls\.key;/);
    const secret = one(run, "kubernetes:core/v1:Secret", "workloads-nginx-alb-tls");
    expect(input(secret, "type")).toBe("kubernetes.io/tls");
    expect(input(secret, "metadata.name")).toBe("nginx-alb-tls");
    expect(Object.keys(input<Record<string, string>>(secret, "stringData")).sort()).toEqual(["tls.crt", "tls.key"]);
    expect(isSecretInput(secret, "stringData")).toBe(true);
    const key = one(run, "tls:index/privateKey:PrivateKey");
    expect(key.inputs).toMatchObject({ algorithm: "RSA", rsaBits: 2048 });
    const cert = one(run, "tls:index/selfSignedCert:SelfSignedCert");
    expect(cert.inputs).toMatchObject({ validityPeriodHours: 8760, earlyRenewalHours: 720, allowedUses: ["digital_signature", "key_encipherment", "server_auth"] });
    const spec = podSpec(deployment("nginx"));
    expect(spec.volumes).toContainEqual({ name: "alb-tls", secret: { secretName: "nginx-alb-tls", defaultMode: 0o440 } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: "alb-tls", mountPath: "/etc/nginx/edgestack-tls", readOnly: true });
  });

  it("has a NodePort Service with the fixed NodePorts, Cluster traffic policy", () => {
    const service = one(run, "kubernetes:core/v1:Service", "workloads-nginx");
    expect(input(service, "spec.type")).toBe("NodePort");
    expect(input(service, "spec.externalTrafficPolicy")).toBe("Cluster");
    const ports = input<{ name: string; port: number; nodePort: number; targetPort: string }[]>(service, "spec.ports");
    expect(ports.map((p) => [p.name, p.nodePort])).toEqual([
      ["alb-https", 30080],
      ["pp-https", 30081],
      ["pp-http", 30082],
    ]);
    // Each Service port reaches an nginx container port that the rendered config listens on.
    const containerPorts = podSpec(deployment("nginx")).containers[0].ports as { name: string; containerPort: number }[];
    for (const p of ports) {
      const target = containerPorts.find((c) => c.name === p.targetPort)!;
      expect(target.containerPort).toBe(p.port);
      expect(conf()).toMatch(new RegExp(`listen 0\\.0\\.0\\.0:${target.containerPort}\\b`));
    }
  });

  it("has no Service of type LoadBalancer anywhere", () => {
    for (const s of ofType(run, "kubernetes:core/v1:Service")) expect(input(s, "spec.type")).not.toBe("LoadBalancer");
  });
});

describe("load-balancer targets", () => {
  const tgArnOf = (tg: CapturedResource) => new RegExp(`:targetgroup/${String(tg.inputs.name ?? tg.name).slice(0, 32)}/`);

  it("attaches every zone's node group auto scaling group to every edge target group", () => {
    const nodeGroups = ofType(run, "aws:eks/nodeGroup:NodeGroup");
    expect(nodeGroups).toHaveLength(3);
    const attachments = ofType(run, "aws:autoscaling/attachment:Attachment");
    const targetGroups = ofType(run, "aws:lb/targetGroup:TargetGroup");
    expect(attachments).toHaveLength(targetGroups.length * nodeGroups.length);
    for (const tg of targetGroups) {
      const groups = attachments.filter((a) => tgArnOf(tg).test(input<string>(a, "lbTargetGroupArn"))).map((a) => input<string>(a, "autoscalingGroupName"));
      expect(groups.map((g) => nodeGroups.findIndex((n) => g.startsWith(`eks-${n.name}-`))).sort()).toEqual([0, 1, 2]);
    }
  });

  it("opens on the node security group exactly the target and health-check NodePorts, each from its load balancer's security group", () => {
    const nodeSg = input<string[]>(one(run, "aws:ec2/launchTemplate:LaunchTemplate"), "vpcSecurityGroupIds")[0];
    const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.parent === "lb-targets");
    expect(rules.every((r) => input(r, "securityGroupId") === nodeSg)).toBe(true);
    const lbSg = (lbParent: string) => {
      // The LB's own group is the one its component's rules are attached to.
      const owned = ofType(run, "aws:ec2/securityGroup:SecurityGroup").filter((g) => g.parent === lbParent);
      expect(owned).toHaveLength(1);
      const onIt = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").find((r) => r.parent === lbParent)!;
      return input<string>(onIt, "securityGroupId");
    };
    const seen = rules.map((r) => [input(r, "referencedSecurityGroupId"), input(r, "fromPort"), input(r, "toPort"), input(r, "cidrIpv4"), input(r, "cidrIpv6")]);
    expect(seen.sort()).toEqual(
      [
        [lbSg("alb"), 30080, 30080, undefined, undefined],
        [lbSg("nlb"), 30080, 30080, undefined, undefined],
        [lbSg("nlb"), 30081, 30081, undefined, undefined],
        [lbSg("nlb"), 30082, 30082, undefined, undefined],
      ].sort(),
    );
    // Every other rule on the nodes admits only the cluster itself (control plane, other nodes), and
    // the managed Prometheus scraper's group on the two metrics ports alone.
    const clusterSg = input<string[]>(one(run, "aws:eks/cluster:Cluster"), "vpcConfig.securityGroupIds")[0];
    const scraperSg = ofType(run, "aws:ec2/securityGroup:SecurityGroup").filter((g) => g.name === "alerting-prometheus-scraper").map((g) => outputsOf(run, g).id);
    const others = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => input(r, "securityGroupId") === nodeSg && r.parent !== "lb-targets");
    expect(others.length).toBeGreaterThan(0);
    for (const r of others) {
      if (scraperSg.includes(input(r, "referencedSecurityGroupId"))) expect([SCRAPE_JOBS.app.port, SCRAPE_JOBS.nginx.port]).toContain(input(r, "fromPort"));
      else expect([nodeSg, clusterSg]).toContain(input(r, "referencedSecurityGroupId"));
    }
  });
});

describe("stack outputs", () => {
  it("export cluster name, kubeconfig (secret), Redis endpoint and port, namespace", () => {
    expect(run.outputs).toMatchObject({ clusterName: "edgestack-prod", redisPort: 6379, namespace: "edgestack" });
    expect(run.outputs.redisEndpoint).toEqual(expect.stringMatching(/cache\.amazonaws\.com$/));
    expect(run.secretOutputs).toContain("kubeconfig");
    for (const plain of ["clusterName", "redisEndpoint", "redisPort", "namespace"]) expect(run.secretOutputs).not.toContain(plain);
  });
});
