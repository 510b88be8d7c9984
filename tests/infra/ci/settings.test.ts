import { runnerRolePolicy, runnerTrustPolicy } from "../../../infra/ci/settings";
import { mismatchedActions, principalsOf, restrictingConditions, unscopedGrants, type Statement } from "../../../policies/semantics/iam";

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

describe("runnerTrustPolicy", () => {
  it("lets CodeBuild assume the role only for this account's runner project", () => {
    const [statement, ...rest] = JSON.parse(runnerTrustPolicy({ partition: "aws", region: "eu-west-1", accountId: "123456789012", projectName: "edgestack-prod-ci-runner" })).Statement as Statement[];
    expect(rest).toEqual([]);
    expect(principalsOf(statement!)).toMatchObject({ anyone: false, services: ["codebuild.amazonaws.com"], accounts: [] });
    expect(statement!.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "123456789012" },
      ArnLike: { "aws:SourceArn": "arn:aws:codebuild:eu-west-1:123456789012:project/edgestack-prod-ci-runner" },
    });
    expect(restrictingConditions(statement!).length).toBeGreaterThan(0);
  });
});
