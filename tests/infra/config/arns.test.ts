import { arnsIn, parseArn, partitionOfRegion } from "@edgestack/contract";
import { CONFIG_ARN_RULES, configArnProblems } from "../../../infra/config/arns";
import { fields, parseStackConfig } from "../../../infra/config/schema";
import { configProblems as problems } from "../../harness/config";

/** Config ARNs are checked at program start against the stack's partition (and region, where the resource must be there). */
const base = { "aws:region": "eu-west-1", "edgestack:domain": "shop.acme.io", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy" };
const china = { ...base, "aws:region": "cn-north-1", "edgestack:ciDeployRoleArn": "arn:aws-cn:iam::123456789012:role/edgestack-deploy" };
const connection = (partition: string, region: string) => `arn:${partition}:codeconnections:${region}:123456789012:connection/4f1c2a9e-7b3d-4e8a-9c61-2d5f0b7a8e13`;

describe("partitionOfRegion", () => {
  it("maps each partition's regions", () => {
    expect(partitionOfRegion("eu-west-1")).toBe("aws");
    expect(partitionOfRegion("us-east-1")).toBe("aws");
    expect(partitionOfRegion("cn-northwest-1")).toBe("aws-cn");
    expect(partitionOfRegion("us-gov-west-1")).toBe("aws-us-gov");
    expect(partitionOfRegion("us-iso-east-1")).toBe("aws-iso");
    expect(partitionOfRegion("us-isob-east-1")).toBe("aws-iso-b");
  });
  it("finds ARNs inside larger texts", () => {
    expect(arnsIn('sqs:arn:aws:sqs:eu-west-1:123456789012:alerts and "arn:aws-cn:iam::123456789012:role/x"')).toEqual(["arn:aws:sqs:eu-west-1:123456789012:alerts", "arn:aws-cn:iam::123456789012:role/x"]);
    expect(parseArn("arn:aws-us-gov:eks:us-gov-west-1:123456789012:cluster/shop")).toEqual({ partition: "aws-us-gov", service: "eks", region: "us-gov-west-1", account: "123456789012", resource: "cluster/shop" });
  });
});

describe("config ARNs against the stack's partition", () => {
  it("accepts ARNs of the stack's partition, in the commercial and the China partition", () => {
    expect(parseStackConfig(base, "dev").ciDeployRoleArn).toBe(base["edgestack:ciDeployRoleArn"]);
    expect(parseStackConfig(china, "dev").ciDeployRoleArn).toBe(china["edgestack:ciDeployRoleArn"]);
  });

  it("refuses a role of another partition, naming the key and the value", () => {
    expect(problems({ ...china, "edgestack:ciDeployRoleArn": base["edgestack:ciDeployRoleArn"] })).toEqual([
      'edgestack:ciDeployRoleArn: "arn:aws:iam::123456789012:role/edgestack-deploy" is in partition "aws", but the stack\'s region cn-north-1 is in "aws-cn"; an ARN of another partition can\'t be used here',
    ]);
    expect(problems({ ...base, "edgestack:ciPreviewRoleArn": "arn:aws-us-gov:iam::123456789012:role/preview" })[0]).toMatch(/^edgestack:ciPreviewRoleArn: "arn:aws-us-gov:iam::123456789012:role\/preview" is in partition "aws-us-gov"/);
    expect(problems({ ...base, "edgestack:ciImagePushRoleArn": "arn:aws-cn:iam::123456789012:role/push" })[0]).toMatch(/^edgestack:ciImagePushRoleArn: .* partition "aws-cn"/);
  });

  it("names the list entry of a list key", () => {
    const admins = JSON.stringify(["arn:aws:iam::123456789012:role/ops", "arn:aws-cn:iam::123456789012:role/ops"]);
    expect(problems({ ...base, "edgestack:clusterAdminRoleArns": admins })).toEqual([expect.stringMatching(/^edgestack:clusterAdminRoleArns\[1\]: "arn:aws-cn:iam::123456789012:role\/ops" is in partition "aws-cn"/)]);
  });

  it("reads ARNs inside subscription entries (sqs:, lambda:), any region of the partition", () => {
    const ok = JSON.stringify(["sqs:arn:aws:sqs:us-east-1:123456789012:alerts", "lambda:arn:aws:lambda:eu-west-1:123456789012:function:page"]);
    expect(parseStackConfig({ ...base, "edgestack:alertPageSubscriptions": ok }, "dev").alertPageSubscriptions).toHaveLength(2);
    const bad = JSON.stringify(["email:oncall@acme.io", "sqs:arn:aws-us-gov:sqs:us-gov-west-1:123456789012:alerts"]);
    expect(problems({ ...base, "edgestack:alertTicketSubscriptions": bad })).toEqual([expect.stringMatching(/^edgestack:alertTicketSubscriptions\[1\]: "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:alerts" is in partition "aws-us-gov"/)]);
  });

  it("CodeConnections and a promote source repository may be in another region, never another partition", () => {
    const codebuild = { ...base, "edgestack:ciRunner": "codebuild", "edgestack:ciRepository": "acme/edgestack" };
    expect(parseStackConfig({ ...codebuild, "edgestack:ciCodeConnectionArn": connection("aws", "us-east-1") }, "dev").ciCodeConnectionArn).toMatch(/us-east-1/);
    expect(problems({ ...codebuild, "edgestack:ciCodeConnectionArn": connection("aws-cn", "cn-north-1") })).toEqual([expect.stringMatching(/^edgestack:ciCodeConnectionArn: .* partition "aws-cn"/)]);
    expect(parseStackConfig({ ...base, "edgestack:imagePromoteSourceRepositoryArn": "arn:aws:ecr:us-west-2:123456789012:repository/edgestack-dev/app" }, "prod").imagePromoteSourceRepositoryArn).toMatch(/us-west-2/);
    expect(problems({ ...base, "edgestack:imagePromoteSourceRepositoryArn": "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app" })[0]).toMatch(/^edgestack:imagePromoteSourceRepositoryArn: .* partition "aws-us-gov"/);
  });

  it("an existing cluster's kubeconfig and node group must be in the stack's region (and partition)", () => {
    const kubeconfig = (arn: string) =>
      ["apiVersion: v1", "clusters:", `- name: ${arn}`, "  cluster: { server: https://ABC.gr7.eu-west-1.eks.amazonaws.com }", "users:", `- name: ${arn}`, "  user:", "    exec:", '      args: ["eks", "get-token", "--cluster-name", "shop", "--role-arn", "arn:aws:iam::123456789012:role/deployer"]'].join("\n");
    const existing = { "aws:region": "eu-west-1", "edgestack:domain": "shop.acme.io", "edgestack:existingNodeSecurityGroupId": "sg-0123456789abcdef0" };
    expect(parseStackConfig({ ...existing, "edgestack:existingKubeconfig": kubeconfig("arn:aws:eks:eu-west-1:123456789012:cluster/shop") }, "dev").existingKubeconfig).toMatch(/cluster\/shop/);
    expect(problems({ ...existing, "edgestack:existingKubeconfig": kubeconfig("arn:aws:eks:us-east-1:123456789012:cluster/shop") })).toEqual([
      'edgestack:existingKubeconfig: "arn:aws:eks:us-east-1:123456789012:cluster/shop" is in region us-east-1, but the stack runs in eu-west-1; the resource must be in the stack\'s region',
    ]);
    const asg = "arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:0a1b2c3d-1111-2222-3333-444455556666:autoScalingGroupName/nodes";
    expect(problems({ ...existing, "edgestack:existingKubeconfig": "apiVersion: v1", "edgestack:existingNodeAutoScalingGroup": asg })).toEqual([expect.stringMatching(/^edgestack:existingNodeAutoScalingGroup: .* is in region us-west-2, but the stack runs in eu-west-1/)]);
    expect(parseStackConfig({ ...existing, "edgestack:existingKubeconfig": "apiVersion: v1", "edgestack:existingNodeAutoScalingGroup": asg.replace("us-west-2", "eu-west-1") }, "dev").existingNodeAutoScalingGroup).toMatch(/eu-west-1/);
  });

  it("a key's ARN must name its service", () => {
    expect(configArnProblems({ "edgestack:existingNodeAutoScalingGroup": "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123" }, "eu-west-1")).toEqual([expect.stringMatching(/names the ec2 service; expected autoscaling/)]);
  });

  it("certificates: a load balancer's must be in the stack's region, CloudFront's in us-east-1", () => {
    const rules = { albCertificateArn: { services: ["acm"], region: "stack" as const }, cdnCertificateArn: { services: ["acm"], region: "us-east-1" as const } };
    const cert = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666`;
    expect(configArnProblems({ "edgestack:albCertificateArn": cert("eu-west-1"), "edgestack:cdnCertificateArn": cert("us-east-1") }, "eu-west-1", rules)).toEqual([]);
    expect(configArnProblems({ "edgestack:albCertificateArn": cert("us-east-1"), "edgestack:cdnCertificateArn": cert("eu-west-1") }, "eu-west-1", rules)).toEqual([
      expect.stringMatching(/^edgestack:albCertificateArn: .* is in region us-east-1, but the stack runs in eu-west-1/),
      expect.stringMatching(/^edgestack:cdnCertificateArn: .* is in region eu-west-1; CloudFront uses certificates from us-east-1 only/),
    ]);
  });

  it("reads the providers' own keys too (aws:assumeRole's role in another partition)", () => {
    expect(problems({ ...base, "aws:assumeRole": JSON.stringify({ roleArn: "arn:aws-cn:iam::123456789012:role/deployer" }) })).toEqual([expect.stringMatching(/^aws:assumeRole: "arn:aws-cn:iam::123456789012:role\/deployer" is in partition "aws-cn"/)]);
  });

  it("every key whose schema or description speaks of ARNs has a rule", () => {
    const arnKeys = Object.entries(fields)
      .filter(([, f]) => /\bARN\b|arn:/i.test(f.description))
      .map(([name]) => name);
    expect(arnKeys.filter((k) => !(k in CONFIG_ARN_RULES))).toEqual([]);
  });
});
