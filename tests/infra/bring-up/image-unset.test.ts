import { ofType, runStack, StackRun } from "../../harness";

/**
 * A new stack before its first image push: appImage unset. No workload runs an image nothing built;
 * the repository exists for the deploy workflow to push to, and the next step says so. The cluster's
 * own machinery does not wait for the app: the Cluster Autoscaler runs its pinned upstream image, so a
 * new cluster scales its nodes from the first `pulumi up`.
 */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev", config: { "edgestack:appImage": "" } });
});

const kubernetesObjects = (): StackRun["resources"] => run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes");
const ofNodeAutoscaler = (urn: string): boolean => urn.includes("edgestack:cluster:NodeAutoscaler$");

/** Every container image of a Kubernetes workload's pod template. */
function containerImages(r: StackRun["resources"][number]): string[] {
  const pod = (r.inputs as { spec?: { template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } } } }).spec?.template?.spec;
  return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].map((c) => String(c.image));
}

test("no Deployment, Service or target binding of the app without an image", () => {
  // Only the node autoscaler and the deploy role's own RBAC (infra/cluster/access-rules.ts) exist on the cluster yet.
  const others = kubernetesObjects().filter((r) => !ofNodeAutoscaler(r.urn));
  expect(others.map((r) => r.type).sort()).toEqual(["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"]);
  expect(ofType(run, "edgestack:workloads:LoadBalancerTargets")).toEqual([]);
});

test("the Cluster Autoscaler is planned and runs only its pinned upstream image, never the unbuilt app image", () => {
  const deployments = ofType(run, "kubernetes:apps/v1:Deployment");
  expect(deployments.map((d) => d.name)).toEqual(["cluster-autoscaler-deployment"]);
  const images = kubernetesObjects().flatMap(containerImages);
  expect(images.length).toBeGreaterThan(0);
  for (const image of images) expect(image).toMatch(/^registry\.k8s\.io\/autoscaling\/cluster-autoscaler:v\d+\.\d+\.\d+$/);
});

test("the repository and the edge are planned, and the next step names the image to push", () => {
  expect(ofType(run, "aws:ecr/repository:Repository")).toHaveLength(1);
  expect(ofType(run, "aws:cloudfront/distribution:Distribution")).toHaveLength(1);
  expect(run.outputs.pendingSteps).toEqual([expect.stringMatching(/push the app image to the imageRepositoryUrl output .*edgestack:appImage <imageRepositoryUrl>@sha256:<digest>/)]);
  expect(run.outputs.namespace).toBeUndefined();
});
