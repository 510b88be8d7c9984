import { ofType, runStack, StackRun } from "../../harness";

/**
 * A new stack before its first image push: appImage unset. No workload runs an image nothing built;
 * the repository exists for the deploy workflow to push to, and the next step says so.
 */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev", config: { "edgestack:appImage": "" } });
});

test("no Deployment, Service or target binding without an image", () => {
  // Only the deploy role's own RBAC (infra/cluster/access-rules.ts) exists on the cluster yet.
  const k8s = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
  expect(k8s.map((r) => r.type).sort()).toEqual(["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"]);
  expect(ofType(run, "edgestack:workloads:LoadBalancerTargets")).toEqual([]);
});

test("the repository and the edge are planned, and the next step names the image to push", () => {
  expect(ofType(run, "aws:ecr/repository:Repository")).toHaveLength(1);
  expect(ofType(run, "aws:cloudfront/distribution:Distribution")).toHaveLength(1);
  expect(run.outputs.pendingSteps).toEqual([expect.stringMatching(/push the app image to the imageRepositoryUrl output .*edgestack:appImage <imageRepositoryUrl>@sha256:<digest>/)]);
  expect(run.outputs.namespace).toBeUndefined();
});
