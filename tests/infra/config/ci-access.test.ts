import { checkClusterSettings, clusterSettingsProblems } from "../../../infra/cluster/settings";
import { ConfigError, parseStackConfig } from "../../../infra/config/schema";
import { configProblems as problems } from "../../harness/config";

/** Config that decides who reaches the cluster API, and from where, is refused when it cannot work. */
const base = { "aws:region": "eu-west-1", "edgestack:domain": "shop.acme.io", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy" };
const codebuild = {
  ...base,
  "edgestack:ciRunner": "codebuild",
  "edgestack:ciRepository": "acme/edgestack",
  "edgestack:ciCodeConnectionArn": "arn:aws:codeconnections:eu-west-1:123456789012:connection/4f1c2a9e-7b3d-4e8a-9c61-2d5f0b7a8e13",
};

it("a new cluster needs a deploy role (the creator gets no admin); a program that creates none need not name one", () => {
  const { "edgestack:ciDeployRoleArn": _role, ...without } = base;
  const config = parseStackConfig(without, "dev");
  expect(clusterSettingsProblems(config)).toEqual([expect.stringMatching(/^edgestack:ciDeployRoleArn: is required for a cluster the stack creates/)]);
  expect(() => checkClusterSettings(config)).toThrow(ConfigError);
  expect(clusterSettingsProblems(parseStackConfig(base, "dev"))).toEqual([]);
  expect(problems({ ...base, "edgestack:ciDeployRoleArn": "edgestack-deploy" })[0]).toMatch(/^edgestack:ciDeployRoleArn: "edgestack-deploy" is not an IAM role ARN/);
});

it("CI roles stay apart: the preview role is not the deploy role, and neither is a cluster admin", () => {
  expect(problems({ ...base, "edgestack:ciPreviewRoleArn": base["edgestack:ciDeployRoleArn"] })[0]).toMatch(/the preview role must be a separate, read-only role/);
  expect(problems({ ...base, "edgestack:clusterAdminRoleArns": JSON.stringify([base["edgestack:ciDeployRoleArn"]]) })[0]).toMatch(/is a CI role; CI never gets cluster admin/);
});

it("a CodeBuild runner needs its repository and connection, and a cluster the stack owns", () => {
  expect(parseStackConfig(codebuild, "dev").ciRunner).toBe("codebuild");
  expect(problems({ ...codebuild, "edgestack:ciRepository": "" })).toEqual([expect.stringMatching(/^edgestack:ciRepository: is required with edgestack:ciRunner "codebuild"/)]);
  const { "edgestack:ciDeployRoleArn": _role, ...existing } = codebuild;
  expect(problems({ ...existing, "edgestack:existingKubeconfig": "apiVersion: v1", "edgestack:existingNodeSecurityGroupId": "sg-0123456789abcdef0" })).toContainEqual(
    expect.stringMatching(/^edgestack:ciRunner: "codebuild" needs a cluster the stack creates/),
  );
});

it("static-egress runners must be inside the public endpoint's ranges, and the endpoint must be public", () => {
  const egress = { ...base, "edgestack:ciRunner": "static-egress", "edgestack:clusterPublicAccessCidrs": '["198.51.100.0/24"]' };
  expect(parseStackConfig({ ...egress, "edgestack:ciRunnerEgressCidrs": '["198.51.100.16/28"]' }, "dev").ciRunnerEgressCidrs).toEqual(["198.51.100.16/28"]);
  expect(problems({ ...egress, "edgestack:ciRunnerEgressCidrs": '["203.0.113.8/29"]' })).toEqual([
    'edgestack:ciRunnerEgressCidrs: "203.0.113.8/29" is not inside edgestack:clusterPublicAccessCidrs (["198.51.100.0/24"]): the runner could not reach the API endpoint',
  ]);
  expect(problems({ ...egress, "edgestack:ciRunnerEgressCidrs": '["198.51.100.0/23"]' })[0]).toMatch(/is not inside edgestack:clusterPublicAccessCidrs/);
  expect(problems({ ...egress, "edgestack:clusterPublicAccessCidrs": "[]", "edgestack:ciRunnerEgressCidrs": '["198.51.100.16/28"]' })).toContainEqual(
    expect.stringMatching(/^edgestack:ciRunner: "static-egress" runners cannot reach a private-only endpoint/),
  );
  expect(problems({ ...egress })).toEqual([expect.stringMatching(/^edgestack:ciRunnerEgressCidrs: is required with edgestack:ciRunner "static-egress"/)]);
});
