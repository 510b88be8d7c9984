import { NGINX_PORTS } from "../../../infra/nginx/model";
import { APP_METRICS_PORT, APP_PORT } from "../../../infra/workloads/app";
import { NGINX_EXPORTER_PORT } from "../../../infra/workloads/nginx";
import { CLUSTER_DNS_PEER, METRICS_SCRAPER_PEER, networkPolicySpecs } from "../../../infra/workloads/network-policies";
import { input, ofType, runStack, StackRun } from "../../harness";

const inputs = { vpcCidrs: ["10.20.0.0/16"], privateSubnetCidrs: ["10.20.96.0/19", "10.20.128.0/19"], redisPort: 6379 };
const byName = Object.fromEntries(networkPolicySpecs(inputs).map((p) => [p.name, p.spec]));
const nginx = { matchLabels: { "app.kubernetes.io/name": "nginx", "app.kubernetes.io/part-of": "edgestack" } };
// Every app pod of either track (stable and canary share the component label, not the name).
const app = { matchLabels: { "app.kubernetes.io/part-of": "edgestack", "app.kubernetes.io/component": "api" } };
const tcp = (port: number) => ({ protocol: "TCP", port });

describe("networkPolicySpecs", () => {
  it("denies all ingress and egress for every pod first", () => {
    expect(networkPolicySpecs(inputs)[0]).toEqual({ name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
  });

  it("allows exactly the design's flows", () => {
    expect(Object.keys(byName).sort()).toEqual(["app-from-nginx", "app-metrics-from-scraper", "app-to-redis", "default-deny", "dns", "nginx-exporter-from-scraper", "nginx-from-vpc", "nginx-to-app"]);
    expect(byName["nginx-from-vpc"]).toEqual({
      podSelector: nginx,
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [NGINX_PORTS.http, NGINX_PORTS.proxyProtocolHttps, NGINX_PORTS.proxyProtocolHttp, NGINX_PORTS.status].map(tcp) }],
    });
    expect(byName["nginx-to-app"]).toEqual({ podSelector: nginx, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: app }], ports: [tcp(APP_PORT)] }] });
    expect(byName["app-from-nginx"].ingress).toEqual([
      { from: [{ podSelector: nginx }], ports: [tcp(APP_PORT)] },
      { from: inputs.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(APP_PORT)] },
    ]);
    expect(byName["app-to-redis"]).toEqual({ podSelector: app, policyTypes: ["Egress"], egress: [{ to: inputs.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(6379)] }] });
    expect(byName.dns).toEqual({ podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [CLUSTER_DNS_PEER], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] }] });
  });

  it("admits nginx's traffic from every block of the VPC (secondary IPv4 and IPv6 blocks too)", () => {
    const blocks = ["10.20.0.0/16", "100.64.0.0/16", "2600:1f18:abcd:1200::/56"];
    const policies = Object.fromEntries(networkPolicySpecs({ ...inputs, vpcCidrs: blocks, extraNginxTiers: ["nginx-green"] }).map((p) => [p.name, p.spec]));
    for (const name of ["nginx-from-vpc", "nginx-green-from-vpc"]) expect(policies[name].ingress).toEqual([expect.objectContaining({ from: blocks.map((cidr) => ({ ipBlock: { cidr } })) })]);
  });

  it("admits only the metrics scraper on the app's metrics port, and no other rule opens it", () => {
    expect(byName["app-metrics-from-scraper"]).toEqual({ podSelector: app, policyTypes: ["Ingress"], ingress: [{ from: [METRICS_SCRAPER_PEER], ports: [tcp(APP_METRICS_PORT)] }] });
    expect(byName["nginx-exporter-from-scraper"]).toEqual({ podSelector: nginx, policyTypes: ["Ingress"], ingress: [{ from: [METRICS_SCRAPER_PEER], ports: [tcp(NGINX_EXPORTER_PORT)] }] });
    expect(METRICS_SCRAPER_PEER.podSelector.matchLabels).toEqual({ "edgestack.io/metrics-scraper": "true" });
    // A named namespace (the API server's label): a pod label alone could be carried in any namespace.
    expect(METRICS_SCRAPER_PEER.namespaceSelector.matchLabels).toEqual({ "kubernetes.io/metadata.name": "monitoring" });
    type Rule = { ports?: { port: number }[] };
    for (const [name, spec] of Object.entries(byName) as [string, { ingress?: Rule[] }][]) {
      if (name.endsWith("-from-scraper")) continue;
      for (const rule of spec.ingress ?? []) expect((rule.ports ?? []).map((p) => p.port)).not.toEqual(expect.arrayContaining([APP_METRICS_PORT]));
      for (const rule of spec.ingress ?? []) expect((rule.ports ?? []).map((p) => p.port)).not.toContain(NGINX_EXPORTER_PORT);
    }
  });

  it("never admits every peer: each rule names its peers and ports", () => {
    type Rule = { from?: unknown[]; to?: unknown[]; ports?: unknown[] };
    for (const spec of Object.values(byName) as { ingress?: Rule[]; egress?: Rule[] }[]) {
      for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
        expect((rule.from ?? rule.to ?? []).length).toBeGreaterThan(0);
        expect((rule.ports ?? []).length).toBeGreaterThan(0);
      }
    }
  });
});

describe("the dev stack's NetworkPolicies", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack({ stack: "dev" });
  });

  it("puts them in the edgestack namespace with the VPC's and private subnets' CIDRs", () => {
    // The workloads' policies (the node autoscaler's own live in its namespace: tests/infra/cluster/autoscaler.test.ts).
    const policies = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((p) => input(p, "metadata.namespace") === "edgestack");
    expect(policies.map((p) => input(p, "metadata.name")).sort()).toEqual(["app-from-nginx", "app-metrics-from-scraper", "app-to-redis", "default-deny", "dns", "nginx-exporter-from-scraper", "nginx-from-vpc", "nginx-to-app"]);
    for (const p of policies) expect(input(p, "metadata.namespace")).toBe("edgestack");
    const vpc = ofType(run, "aws:ec2/vpc:Vpc")[0];
    const privateCidrs = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private")).map((s) => input<string>(s, "cidrBlock"));
    const nginxFromVpc = policies.find((p) => input(p, "metadata.name") === "nginx-from-vpc")!;
    // Every block of the VPC: its IPv4 block and the IPv6 block AWS assigned it.
    expect(input(nginxFromVpc, "spec.ingress")).toEqual([expect.objectContaining({ from: [{ ipBlock: { cidr: input(vpc, "cidrBlock") } }, { ipBlock: { cidr: expect.stringMatching(/::\/56$/) } }] })]);
    const redis = policies.find((p) => input(p, "metadata.name") === "app-to-redis")!;
    expect(input(redis, "spec.egress")).toEqual([{ to: privateCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(6379)] }]);
  });

  it("enables the VPC CNI's network policy agent on the cluster it creates", () => {
    const addon = ofType(run, "aws:eks/addon:Addon").find((a) => input(a, "addonName") === "vpc-cni")!;
    expect(addon.inputs).toMatchObject({ addonName: "vpc-cni", clusterName: input(ofType(run, "aws:eks/cluster:Cluster")[0], "name") });
    expect(JSON.parse(input<string>(addon, "configurationValues"))).toEqual({ enableNetworkPolicy: "true" });
  });
});
