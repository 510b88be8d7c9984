import { digestReference, imageRepositoryName, lifecyclePolicy } from "../../../infra/image/settings";

test("repository names are valid ECR names for any stack name", () => {
  const ecrName = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
  for (const stack of ["dev", "prod", "Feature_X", "team/pr-12", "--"]) {
    const name = imageRepositoryName({ stack, namePrefix: "" });
    expect({ stack, name, valid: ecrName.test(name) && name.length >= 2 && name.length <= 256 }).toEqual({ stack, name, valid: true });
  }
  expect(imageRepositoryName({ stack: "Feature_X", namePrefix: "" })).toBe("edgestack-feature_x/app");
  expect(imageRepositoryName({ stack: "Feature_X", namePrefix: "team-a-web" })).toBe("team-a-web/app");
});

test("the lifecycle policy is valid JSON with one expire rule on tagged images", () => {
  const policy = JSON.parse(lifecyclePolicy(7));
  expect(policy.rules).toHaveLength(1);
  expect(policy.rules[0].selection).toEqual({ tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 7 });
});

test("a digest reference needs a sha256 digest", () => {
  const digest = `sha256:${"ab".repeat(32)}`;
  expect(digestReference("1.dkr.ecr.eu-west-1.amazonaws.com/x/app", digest)).toBe(`1.dkr.ecr.eu-west-1.amazonaws.com/x/app@${digest}`);
  expect(() => digestReference("r", "sha256:xyz")).toThrow(/is not sha256:<64 hex>/);
  expect(() => digestReference("r", "latest")).toThrow(/is not sha256/);
});
