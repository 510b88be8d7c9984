import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { networkPolicySpecs } from "../../../infra/workloads/network-policies";
import { clusterScrapeConfig, localScrapeConfigs, managedScraperRuns, renderScrapeConfig, SCRAPE_JOBS, scraperRbac } from "../../../infra/observability/scrape";
import { observabilityTool } from "../../../local/processes/observability-tools";

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), "edgestack-scrape-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const promtoolCheckConfig = (config: Record<string, unknown>) => {
  const file = path.join(dir, `prometheus-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, typeof config === "string" ? config : stringify(config));
  return spawnSync(observabilityTool("promtool"), ["check", "config", "--syntax-only", file], { encoding: "utf8" });
};

describe("one scrape definition", () => {
  const cluster = clusterScrapeConfig({ interval: "30s", externalLabels: { cluster: "edge-prod" } });
  const local = localScrapeConfigs({ appTargetsFile: "/tmp/targets.json", nginxExporter: "127.0.0.1:9113" });

  it("gives the cluster and the local Prometheus the same jobs, paths and scheme", () => {
    const shape = (jobs: Record<string, unknown>[]) => jobs.map((j) => [j.job_name, j.metrics_path, j.scheme]);
    expect(shape(cluster.scrape_configs as Record<string, unknown>[])).toEqual(shape(local));
    expect(shape(local).map(([name]) => name)).toEqual([SCRAPE_JOBS.app.name, SCRAPE_JOBS.nginx.name]);
    const result = promtoolCheckConfig({ global: { scrape_interval: "5s" }, scrape_configs: local });
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
  });

  it("keeps each cluster job to its pods' labels and named port, in the workloads' namespace (promtool checks the rest)", () => {
    const app = (cluster.scrape_configs as any[])[0];
    expect(app.kubernetes_sd_configs).toEqual([{ role: "pod", namespaces: { names: ["edgestack"] } }]);
    expect(app.relabel_configs[0]).toEqual({
      action: "keep",
      source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_part_of", "__meta_kubernetes_pod_label_app_kubernetes_io_component"],
      separator: ";",
      regex: "edgestack;api",
    });
    expect(app.relabel_configs[1].regex).toBe(`metrics;${SCRAPE_JOBS.app.port}`);
    // Debian builds Prometheus without Kubernetes discovery: promtool checks everything else (globals,
    // relabelling, paths) with the discovery swapped for an empty static list.
    const withoutKubernetesDiscovery = {
      ...cluster,
      scrape_configs: (cluster.scrape_configs as Record<string, unknown>[]).map(({ kubernetes_sd_configs: _sd, ...job }) => ({ ...job, static_configs: [{ targets: [] }] })),
    };
    const result = promtoolCheckConfig(withoutKubernetesDiscovery);
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
    expect(renderScrapeConfig(cluster)).toContain("external_labels:");
  });

  it("derives the scraper's RBAC from the discovery: pods in the named namespaces; cluster-wide discovery is refused", () => {
    expect(scraperRbac(cluster)).toEqual([{ namespace: "edgestack", rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }] }]);
    const endpoints = { scrape_configs: [{ job_name: "x", kubernetes_sd_configs: [{ role: "endpoints", namespaces: { names: ["a", "b"] } }] }] };
    expect(scraperRbac(endpoints).map((r) => [r.namespace, r.rules[0].resources])).toEqual([
      ["a", ["endpoints", "pods", "services"]],
      ["b", ["endpoints", "pods", "services"]],
    ]);
    expect(() => scraperRbac({ scrape_configs: [{ job_name: "all", kubernetes_sd_configs: [{ role: "pod" }] }] })).toThrow(/every namespace/);
    expect(() => scraperRbac({ scrape_configs: [{ job_name: "nodes", kubernetes_sd_configs: [{ role: "node" }] }] })).toThrow(/cluster-wide/);
  });
});

describe("the metrics ports' NetworkPolicies", () => {
  const inputs = { vpcCidrs: ["10.0.0.0/16"], privateSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20"], redisPort: 6379 };
  const peersOf = (name: string, managedScraper: boolean) => (networkPolicySpecs({ ...inputs, managedScraper }).find((p) => p.name === name)!.spec.ingress as { from: unknown[] }[])[0].from;
  it("admit the managed scraper's ENIs (the private subnets) only when it runs", () => {
    for (const name of ["app-metrics-from-scraper", "nginx-exporter-from-scraper"]) {
      expect(JSON.stringify(peersOf(name, false))).not.toContain("ipBlock");
      expect(peersOf(name, true)).toEqual(expect.arrayContaining(inputs.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } }))));
      expect(JSON.stringify(peersOf(name, true))).not.toContain(inputs.vpcCidrs[0]);
    }
    expect(managedScraperRuns({ isProd: true, managedPrometheus: false, existingKubeconfig: "" })).toBe(true);
    expect(managedScraperRuns({ isProd: false, managedPrometheus: false, existingKubeconfig: "" })).toBe(false);
    expect(managedScraperRuns({ isProd: true, managedPrometheus: true, existingKubeconfig: "apiVersion: v1" })).toBe(false);
  });
});
