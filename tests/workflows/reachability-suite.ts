import { allows, DEPLOYER_ROLE_NAME, DEPLOYERS_GROUP, parseKubernetesType, resourceOf } from "../../infra/cluster/access-rules";
import { input, one, ofType, runStack, StackRun } from "../harness";
import { clusterJobs, reachabilityProblems } from "./reachability";

/**
 * deploy.yml's jobs for `stack` against that stack's plan: runner, network, endpoint and cluster access.
 * `jobNames` are the jobs that run pulumi on it; each stack has its own test file (they run in parallel).
 */
export function describeReachability(stack: "dev" | "prod", jobNames: string[]): void {
  const other = stack === "dev" ? "prod" : "dev";
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack({ stack });
  });

  it(`every job that runs pulumi on ${stack} runs where the plan lets it reach the API`, () => {
    const jobs = clusterJobs(stack);
    expect(jobs.map(([name]) => name)).toEqual(jobNames);
    for (const [name, job] of jobs) expect({ name, problems: reachabilityProblems(run, job["runs-on"]) }).toEqual({ name, problems: [] });
  });

  it("the check fails without the security-group rule, on the other stack's runner, or from GitHub's hosted runners", () => {
    const label = clusterJobs(stack)[0][1]["runs-on"];
    const withoutRule = { ...run, resources: run.resources.filter((r) => r.name !== "ci-runner-api-from-runner") };
    expect(reachabilityProblems(withoutRule, label)).toEqual([expect.stringMatching(/no ingress rule on the cluster's security group admits/)]);
    expect(reachabilityProblems(run, label.replace(`edgestack-${stack}-`, `edgestack-${other}-`))[0]).toMatch(/the plan has no CodeBuild project named/);
    expect(reachabilityProblems(run, "ubuntu-latest")[0]).toMatch(/no CodeBuild runner and no declared static egress ranges|the endpoint is private/);
  });

  it("the deploy role is mapped to the deployers group (no policy), the preview role to view; the creator gets nothing", () => {
    const cluster = one(run, "aws:eks/cluster:Cluster");
    expect(input(cluster, "accessConfig")).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    const entries = ofType(run, "aws:eks/accessEntry:AccessEntry");
    const deploy = entries.find((e) => input<string>(e, "principalArn").endsWith("-deploy"))!;
    expect(input(deploy, "kubernetesGroups")).toEqual([DEPLOYERS_GROUP]);
    const associations = ofType(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => [input<string>(a, "principalArn"), input<string>(a, "policyArn"), input(a, "accessScope")]);
    expect(associations).toEqual([[`arn:aws:iam::123456789012:role/edgestack-${stack}-preview`, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", { type: "cluster" }]]);
  });

  it("the deployer ClusterRole covers exactly the kinds the plan manages, and nothing cluster-admin", () => {
    const role = one(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "cluster-deployer");
    const rules = input<Parameters<typeof allows>[0]>(role, "rules");
    expect(input(role, "metadata.name")).toBe(DEPLOYER_ROLE_NAME);
    // What the deploy role applies through the workloads' provider (the cluster add-ons and RBAC go through the bootstrap one).
    const managed = run.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:rbac.") && !r.provider?.includes("::cluster-k8s-rbac::"));
    expect(managed.length).toBeGreaterThan(10);
    for (const r of managed) {
      const { apiGroup, kind } = parseKubernetesType(r.type)!;
      for (const verb of ["create", "patch", "delete"]) expect({ kind, verb, allowed: allows(rules, apiGroup, resourceOf(kind), verb) }).toEqual({ kind, verb, allowed: true });
    }
    expect(JSON.stringify(rules)).not.toContain('"*"');
    for (const [group, resource] of [["", "nodes"], ["rbac.authorization.k8s.io", "clusterroles"], ["", "serviceaccounts"], ["apps", "daemonsets"]]) {
      expect(allows(rules, group, resource, "create")).toBe(false);
    }
    const binding = one(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "cluster-deployer");
    expect(input(binding, "subjects")).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: DEPLOYERS_GROUP }]);
  });
}
