import { readStackFiles } from "../../../offline/engine/stack-files";
import { input, one, runStack, StackRun } from "../../harness";

/** Dev plan: the stack's ECR repository, and the app Deployment runs the digest from config. */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev" });
});

const repository = () => one(run, "aws:ecr/repository:Repository", "image-repo");

test("one private repository per stack: immutable tags, scan on push, KMS encryption", () => {
  expect(repository().inputs).toMatchObject({
    name: "edgestack-dev/app",
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "KMS" }],
  });
  expect(repository().parent).toBe("image");
  expect(one(run, "edgestack:image:Repository", "image").parent).toBeNull();
});

test("a lifecycle policy keeps the newest tagged images and never touches untagged attestations", () => {
  const policy = JSON.parse(input<string>(one(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "image-lifecycle"), "policy"));
  expect(input(one(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "image-lifecycle"), "repository")).toBe("edgestack-dev/app");
  expect(policy.rules).toEqual([
    expect.objectContaining({ selection: expect.objectContaining({ tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 50 }), action: { type: "expire" } }),
  ]);
});

test("the app Deployment runs appImage from config, a digest in this stack's repository", () => {
  const configured = readStackFiles("dev").config["edgestack:appImage"];
  const deployment = one(run, "kubernetes:apps/v1:Deployment", "workloads-app");
  const image = input<{ image: string }[]>(deployment, "spec.template.spec.containers")[0].image;
  expect(image).toBe(configured);
  expect(image.startsWith(`${run.outputs.imageRepositoryUrl}@sha256:`)).toBe(true);
  expect(image).toMatch(/@sha256:[a-f0-9]{64}$/);
});

test("the repository URL and the deployed image are stack outputs", () => {
  expect(run.outputs.imageRepositoryUrl).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/edgestack-dev/app");
  expect(run.outputs.appImage).toBe(readStackFiles("dev").config["edgestack:appImage"]);
});
