import { newVpcNginxModel } from "../../harness/nginx";
import { checkPlacement, stackPlacement } from "../../../infra/capacity/stack";
import { ConfigError, parseStackConfig, type StackConfig } from "../../../infra/config/schema";
import { readStackFiles } from "../../../offline/engine/stack-files";
import { renderNginxConf } from "../../../infra/nginx";

function stack(name: "dev" | "prod", overrides: Record<string, string> = {}): StackConfig {
  return parseStackConfig({ ...readStackFiles(name).config, ...overrides }, name);
}
function conf(c: StackConfig) {
  const model = newVpcNginxModel(c);
  return { text: renderNginxConf(model), workerShutdownTimeoutSeconds: model.workerShutdownTimeoutSeconds };
}
function problems(c: StackConfig): string[] {
  try {
    checkPlacement(c, conf(c));
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
}

describe("the stacks' placement at peak", () => {
  it.each(["dev", "prod"] as const)("%s: every Deployment's maximum plus surge fits the most nodes per zone", (name) => {
    expect(problems(stack(name))).toEqual([]);
  });

  it("counts the app at the HPA's maximum plus its surge, spread over the zones, from the declared pod spec", () => {
    const c = stack("prod");
    const placement = stackPlacement(c, conf(c))!;
    const app = placement.workloads.find((w) => w.name === "Deployment app")!;
    expect(app).toMatchObject({ pods: c.appMaxReplicas + 1, zoneSpread: true, cpuMillis: 250 });
    expect(placement.nodes).toMatchObject({ instanceType: "m6i.large", zones: 3, maxNodesPerZone: 3 });
    expect(placement.workloads.map((w) => w.name)).toEqual(
      expect.arrayContaining(["Deployment nginx", "Deployment cluster-autoscaler", "Deployment coredns", "Deployment metrics-server"]),
    );
  });

  it("counts the EKS add-ons' pods the stack installs: Container Insights' agents on every node only when it is on", () => {
    const on = stackPlacement(stack("prod"), conf(stack("prod")))!;
    const off = stackPlacement(stack("prod", { "edgestack:containerInsights": "false" }), conf(stack("prod")))!;
    expect(on.daemonSets.map((d) => d.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^DaemonSet cloudwatch-agent/), expect.stringMatching(/^DaemonSet fluent-bit/), expect.stringMatching(/^DaemonSet kube-proxy/)]));
    expect(off.daemonSets.map((d) => d.name).join()).not.toMatch(/cloudwatch-agent|fluent-bit/);
    expect(off.daemonSets.map((d) => d.name).join()).toMatch(/aws-node/);
  });

  it("counts every nginx tier at its own replicas, the exporter sidecar in each pod, and both autoscaler replicas", () => {
    const c = stack("prod", { "edgestack:nginxBlueGreen": "true", "edgestack:albBlueWeight": "50", "edgestack:albGreenWeight": "50", "edgestack:nginxGreenReplicas": "3" });
    const placement = stackPlacement(c, conf(c))!;
    const byName = new Map(placement.workloads.map((w) => [w.name, w]));
    expect(byName.get("Deployment nginx-green")?.pods).toBe(3 + 1);
    expect(byName.get("Deployment nginx")?.pods).toBeGreaterThanOrEqual(c.nginxReplicas);
    expect(byName.get("Deployment cluster-autoscaler")?.pods).toBeGreaterThanOrEqual(2);
    const single = stackPlacement(stack("prod"), conf(stack("prod")))!;
    const nginxAlone = single.workloads.find((w) => w.name === "Deployment nginx")!;
    // The exporter sidecar's requests are part of each nginx pod's.
    expect(byName.get("Deployment nginx-green")?.cpuMillis).toBe(nginxAlone.cpuMillis);
    expect(nginxAlone.cpuMillis).toBeGreaterThan(0);
  });

  it("refuses a prod stack whose HPA maximum outgrows its nodes, naming the keys to change", () => {
    const found = problems(stack("prod", { "edgestack:appMaxReplicas": "60" }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^node capacity: at peak the fullest of 3 zones must hold 21 × Deployment app/);
    expect(found[0]).toMatch(/edgestack:nodeMaxSize/);
    // The same replicas fit once the node groups may grow.
    expect(problems(stack("prod", { "edgestack:appMaxReplicas": "60", "edgestack:nodeMaxSize": "30" }))).toEqual([]);
  });

  it("refuses a pod request larger than a node", () => {
    const found = problems(stack("dev", { "edgestack:appCpuRequest": "3", "edgestack:appCpuLimit": "3" }));
    expect(found).toEqual([expect.stringMatching(/Deployment app: one pod requests 3000m CPU .* more than a node of t3\.medium/)]);
  });

  it("names the key when the instance type is unknown to it", () => {
    expect(problems(stack("dev", { "edgestack:nodeInstanceType": "x2idn.large" }))).toEqual([expect.stringMatching(/^edgestack:nodeInstanceType: "x2idn\.large"/)]);
  });

  it("does not judge an existing cluster's nodes", () => {
    const c = { ...stack("dev"), existingKubeconfig: "apiVersion: v1", appMaxReplicas: 200 };
    expect(stackPlacement(c, conf(stack("dev")))).toBeUndefined();
  });
});
