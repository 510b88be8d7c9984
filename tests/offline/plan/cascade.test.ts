/**
 * What `pulumi up` would do, on realistic changes to the real prod stack: a replaced resource gets a
 * new id, so everything taking that id in a replace-on input is replaced too, transitively; replacing
 * a protected or fixed-name resource, or moving a VPC-bound one to a new VPC, is shown as failing.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { diffCounts, diffPlans, parsePlan, PlanDiff, PlanResource } from "../../../offline/plan/diff";
import { renderMarkdown, renderText } from "../../../offline/plan/render-diff";

const root = path.resolve(__dirname, "../../..");
const run = promisify(execFile);
let dir: string;

async function plan(stack: string, config: Record<string, unknown> = {}): Promise<PlanResource[]> {
  const doc = parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8"));
  Object.assign(doc.config, config);
  const file = path.join(dir, `Pulumi.${stack}-${Object.keys(config).join("-").replace(/:/g, "_") || "base"}.yaml`);
  fs.writeFileSync(file, stringify(doc));
  const { stdout } = await run("npm", ["run", "--silent", "plan", "--", "--stack", stack, "--stack-file", file, "--json"], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return parsePlan(JSON.parse(stdout), `${stack} plan`);
}

let base: PlanResource[];
let cidr: PlanDiff;
let service: PlanDiff;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cascade-"));
  const [b, c, s] = await Promise.all([
    plan("prod"),
    plan("prod", { "edgestack:vpcCidr": "10.30.0.0/16" }),
    plan("prod", { "edgestack:serviceCidr": "172.21.0.0/16", "edgestack:appClusterIp": "172.21.0.80" }),
  ]);
  base = b;
  cidr = diffPlans(b, c);
  service = diffPlans(b, s);
}, 240_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const replaced = (diff: PlanDiff, type: string) => diff.updates.filter((u) => u.replace && u.type === type).map((u) => u.name);

describe("prod vpcCidr 10.20.0.0/16 → 10.30.0.0/16", () => {
  it("replaces the VPC and, through its new id, everything created in it", () => {
    expect(diffCounts(cidr).replaced).toBeGreaterThanOrEqual(30);
    expect(replaced(cidr, "aws:ec2/vpc:Vpc")).toEqual(["network-vpc"]);
    expect(replaced(cidr, "aws:ec2/subnet:Subnet")).toHaveLength(6);
    expect(replaced(cidr, "aws:ec2/securityGroup:SecurityGroup").sort()).toEqual(["alb-sg", "alerting-prometheus-scraper", "cache-sg", "ci-runner-sg", "cluster-api-endpoints-sg", "cluster-cluster-sg", "cluster-node-sg", "nlb-sg"]);
    expect(replaced(cidr, "aws:lb/targetGroup:TargetGroup")).toHaveLength(3);
    expect(replaced(cidr, "aws:ec2/natGateway:NatGateway")).toHaveLength(3);
    expect(replaced(cidr, "aws:ec2/routeTable:RouteTable")).toHaveLength(4);
    expect(replaced(cidr, "aws:eks/nodeGroup:NodeGroup").sort()).toEqual(["cluster-nodes-zone1", "cluster-nodes-zone2", "cluster-nodes-zone3"]);
    // Transitive: a rule of a replaced security group is replaced because the group is.
    const rule = cidr.updates.find((u) => u.name === "cache-from-nodes")!;
    expect(rule.replace).toMatchObject({ causes: ["securityGroupId"], via: ["cache-sg"] });
  });

  it("names the replaced resource behind each cascaded replacement", () => {
    const text = renderText(cidr);
    expect(text).toContain("± aws:ec2/securityGroup:SecurityGroup cache-sg  (replace: forced by vpcId (network-vpc is replaced))");
    expect(text).toMatch(/± aws:eks\/nodeGroup:NodeGroup cluster-nodes-zone1 {2}\(replace: forced by subnetIds \(network-private-0 is replaced\)\)/);
    expect(text).toMatch(/\+ subnetIds: "subnet-[0-9a-f]+" \(new id: network-private-0 is replaced\)/);
  });

  it("shows the protected cache and the cluster failing to move to the new VPC, with DATA LOSS", () => {
    const cache = cidr.updates.find((u) => u.name === "cache-group")!;
    expect(cache.vpcMove).toEqual({ via: ["network-vpc"], dataLoss: true });
    expect(cidr.updates.find((u) => u.name === "cluster-eks")!.vpcMove).toMatchObject({ dataLoss: true });
    const md = renderMarkdown([{ stack: "prod", diff: cidr }]);
    expect(md).toMatch(/<b>cache-group<\/b> — ❌ WILL FAIL: this update moves it to another VPC \(network-vpc is replaced\).*DATA LOSS/);
    expect(md.split("\n")[2]).toMatch(/^\*\*Plan `prod`\*\* \+0 ~\d+ ±\d+ −0 \(\d+ unchanged\) · ❌ \d+ will fail · ⚠️ \d+ with data loss/);
  });
});

describe("prod serviceCidr change (replaces the cluster)", () => {
  it("shows the protected, fixed-name cluster's replacement as failing, with DATA LOSS", () => {
    const cluster = service.updates.find((u) => u.name === "cluster-eks")!;
    expect(cluster.replace).toMatchObject({ causes: ["kubernetesNetworkConfig.serviceIpv4Cidr"], protected: true, nameCollision: "name=edgestack-prod", dataLoss: true, deleteBeforeReplace: false });
    expect(renderText(service)).toMatch(/cluster-eks {2}\(replace: .*❌ WILL FAIL: protected.*❌ WILL FAIL: fixed name name=edgestack-prod.*DATA LOSS/);
  });

  it("replaces the Kubernetes providers (new cluster) and with them every object they manage", () => {
    // cluster-k8s deploys the workloads; cluster-k8s-rbac (the bring-up identity) installs the deployer's RBAC
    expect(replaced(service, "pulumi:providers:kubernetes").sort()).toEqual(["cluster-k8s", "cluster-k8s-rbac"]);
    const objects = base.filter((r) => r.type.startsWith("kubernetes:"));
    expect(objects.length).toBeGreaterThan(5);
    for (const r of objects) expect({ r: r.name, type: r.type, replaced: service.updates.some((u) => u.type === r.type && u.name === r.name && u.replace) }).toEqual({ r: r.name, type: r.type, replaced: true });
  });
});
