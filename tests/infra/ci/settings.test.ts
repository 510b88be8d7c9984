import { runnerRolePolicy } from "../../../infra/ci/settings";
import { mismatchedActions, unscopedGrants, type Statement } from "../../../policies/semantics/iam";

const args = {
  logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/edgestack-prod-ci-runner",
  subnetArns: ["arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-a", "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-b"],
  securityGroupArn: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1",
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
};

describe("runnerRolePolicy", () => {
  const statements = JSON.parse(runnerRolePolicy(args)).Statement as Statement[];

  it("grants on every resource only the Describe calls, which take no resource ARN", () => {
    const onStar = statements.filter((s) => s.Resource === "*");
    expect(onStar.flatMap((s) => s.Action as string[]).every((a) => /^ec2:Describe/.test(a))).toBe(true);
    for (const s of statements) expect({ sid: s.Sid, unscoped: unscopedGrants(s) }).toEqual({ sid: s.Sid, unscoped: [] });
  });

  it("creates interfaces only in the runner's subnets with its security group, in this account", () => {
    const create = statements.find((s) => (s.Action as string[]).includes("ec2:CreateNetworkInterface"))!;
    expect(create.Resource).toEqual(["arn:aws:ec2:eu-west-1:123456789012:network-interface/*", ...args.subnetArns, args.securityGroupArn]);
    for (const s of statements) expect({ sid: s.Sid, mismatched: mismatchedActions(s) }).toEqual({ sid: s.Sid, mismatched: [] });
  });
});
