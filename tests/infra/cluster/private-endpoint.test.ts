import { input, ofType, one, runStack, StackRun } from "../../harness";

/** With no public access CIDRs the EKS API endpoint is private only. */
let run: StackRun;

beforeAll(async () => {
  run = await runStack({ stack: "dev", config: { "edgestack:clusterPublicAccessCidrs": "[]", "edgestack:nodeInstanceType": "m7g.large" } });
});

it("turns the public endpoint off and sets no public CIDRs", () => {
  const cluster = one(run, "aws:eks/cluster:Cluster");
  expect(input(cluster, "vpcConfig.endpointPrivateAccess")).toBe(true);
  expect(input(cluster, "vpcConfig.endpointPublicAccess")).toBe(false);
  expect(input(cluster, "vpcConfig.publicAccessCidrs")).toBeUndefined();
});

it("picks the ARM64 AMI type for a Graviton instance type", () => {
  const nodeGroups = ofType(run, "aws:eks/nodeGroup:NodeGroup");
  expect(nodeGroups.length).toBeGreaterThanOrEqual(2);
  for (const nodeGroup of nodeGroups) {
    expect(input(nodeGroup, "instanceTypes")).toEqual(["m7g.large"]);
    expect(input(nodeGroup, "amiType")).toBe("AL2023_ARM_64_STANDARD");
  }
});
