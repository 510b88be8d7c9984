import { input, ofType, runStack, StackRun } from "../../harness";
import { EXISTING_PRIVATE_SUBNETS, EXISTING_PUBLIC_SUBNETS, EXISTING_VPC_ID, existingVpcRun } from "./existing-vpc";

/** The existing VPC as AWS describes it: a primary block, a secondary one (from 100.64.0.0/10) and an IPv6 /56. */
const PRIMARY = "10.20.0.0/16";
const SECONDARY = "100.64.0.0/16";
const IPV6 = "2600:1f18:abcd:ef00::/56";
const BLOCKS = [PRIMARY, SECONDARY, IPV6];

let run: StackRun;
beforeAll(async () => {
  run = await runStack(
    existingVpcRun({
      // The lookup's primary block: a configured vpcCidr must be it (the secondary and IPv6 blocks need no config).
      vpcCidr: PRIMARY,
      primary: PRIMARY,
      associations: [
        { cidrBlock: PRIMARY, state: "associated" },
        { cidrBlock: SECONDARY, state: "associated" },
        // Being removed: no longer the VPC's.
        { cidrBlock: "100.65.0.0/16", state: "disassociating" },
      ],
      ipv6: IPV6,
    }),
  );
}, 180_000);

/** The nginx.conf the pods mount (blue's one ConfigMap). */
function nginxConf(): string {
  const maps = ofType(run, "kubernetes:core/v1:ConfigMap").filter((m) => typeof input(m, "data")?.["nginx.conf" as never] === "string");
  expect(maps).toHaveLength(1);
  return input<Record<string, string>>(maps[0]!, "data")["nginx.conf"]!;
}

describe("network (existing VPC)", () => {
  it("creates no network resources and passes the given ids through", () => {
    for (const type of ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway", "aws:ec2/internetGateway:InternetGateway"]) {
      expect(ofType(run, type)).toEqual([]);
    }
    expect(run.outputs.vpcId).toBe(EXISTING_VPC_ID);
    expect(run.outputs.publicSubnetIds).toEqual(EXISTING_PUBLIC_SUBNETS);
    expect(run.outputs.privateSubnetIds).toEqual(EXISTING_PRIVATE_SUBNETS);
  });
});

describe("every consumer of the VPC's address space takes the blocks read from AWS", () => {
  it("nginx trusts each block for the client address and the liveness probe, and nothing else", () => {
    const conf = nginxConf();
    // Every server of the three traffic listeners (ALB HTTP, NLB TLS, NLB HTTP) trusts every block.
    const realIp = [...conf.matchAll(/set_real_ip_from (\S+);/g)].map((m) => m[1]);
    expect(new Set(realIp)).toEqual(new Set(BLOCKS));
    const servers = realIp.filter((b) => b === PRIMARY).length;
    expect(servers).toBeGreaterThanOrEqual(3);
    for (const block of BLOCKS) expect(realIp.filter((b) => b === block)).toHaveLength(servers);
    // The status listener's liveness location: loopback and every block (the kubelet probes from its node).
    const allowed = [...conf.matchAll(/allow (\S+);/g)].map((m) => m[1]);
    for (const block of BLOCKS) expect(allowed).toContain(block);
    expect(conf).not.toContain("100.65.0.0/16");
    expect(conf).not.toContain("10.10.0.0/16");
  });

  it("the app trusts exactly the VPC's blocks as proxies (TRUST_PROXY_CIDRS)", () => {
    const deployments = ofType(run, "kubernetes:apps/v1:Deployment").filter((d) => d.name.endsWith("-app") || d.name.endsWith("-app-canary"));
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      const env = input<{ name: string; value: string }[]>(d, "spec.template.spec.containers[0].env");
      expect(env.find((e) => e.name === "TRUST_PROXY_CIDRS")?.value).toBe(BLOCKS.join(","));
    }
  });

  it("the load balancers reach the nginx NodePorts in every block: one rule per block and port, IPv6 as cidrIpv6", () => {
    const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => /-to-nginx/.test(r.name));
    const ports = [...new Set(egress.map((r) => input<number>(r, "fromPort")))];
    expect(ports.length).toBeGreaterThanOrEqual(3);
    for (const port of ports) {
      for (const owner of ["alb", "nlb"]) {
        const rules = egress.filter((r) => input<number>(r, "fromPort") === port && r.name.startsWith(`${owner}-`));
        if (rules.length === 0) continue;
        expect(rules.map((r) => input<string | undefined>(r, "cidrIpv4") ?? input<string>(r, "cidrIpv6")).sort()).toEqual([...BLOCKS].sort());
        expect(rules.find((r) => input(r, "cidrIpv6") === IPV6)).toBeDefined();
      }
    }
    expect(egress.some((r) => r.name.startsWith("alb-"))).toBe(true);
    expect(egress.some((r) => r.name.startsWith("nlb-"))).toBe(true);
  });

  it("the NetworkPolicies admit every block", () => {
    const policies = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    const peers = JSON.stringify(policies.map((p) => input(p, "spec")));
    for (const block of BLOCKS) expect(peers).toContain(`"cidr":"${block}"`);
    expect(peers).not.toContain("100.65.0.0/16");
  });
});
