import { alertKeyPolicy, alertTopicPolicy } from "../../infra/observability/topics";
import { cloudwatchAgentPolicy, containerLogKeyPolicy } from "../../infra/observability/container-insights";
import { workspaceKeyPolicy } from "../../infra/observability/managed-prometheus";
import { dnssecKeyPolicy } from "../../infra/dns/zone";
import { nlbLogDeliveryStatements } from "../../infra/edge/nlb";
import { runnerRolePolicy, runnerTrustPolicy } from "../../infra/ci/settings";
import { managedPolicyArn } from "../../infra/cluster/settings";
import { accessPolicyArn } from "../../infra/cluster/access-rules";
import { accountRoot, arnOf, regionalServiceName, vpcEndpointServiceName } from "../../infra/partition";
import { PARTITIONS, runStack, StackRun } from "../harness";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS } from "@edgestack/contract";
import { allPolicies } from "../../policies/rules";
import { loadPolicyConfig, withEnvironment } from "../../offline/policy/config";
import { fromCaptured, mockOutputs } from "../../offline/policy/inputs";
import { runPolicies } from "../../offline/policy/runner";
import * as path from "node:path";

/**
 * The stack writes every ARN, regional service name and endpoint service name in the partition its
 * provider reports: GovCloud and China accounts get documents that name their own partition.
 */

const ACCOUNT = "123456789012";
const CN = PARTITIONS["aws-cn"];
const GOV = PARTITIONS["aws-us-gov"];

/** Every string in a value, with its path. */
function* strings(value: unknown, path = ""): Generator<[string, string]> {
  if (typeof value === "string") yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${path}[${i}]`);
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) yield* strings(v, path ? `${path}.${k}` : k);
}

/**
 * What a document written for another partition than the commercial one must not contain: a
 * commercial ARN, and (in China) a regional service name or VPC endpoint service name with the
 * commercial suffix. Global service principals (`<service>.amazonaws.com`) are the same everywhere.
 */
function commercialSpellings(value: unknown, dnsSuffix: string): string[] {
  const found: string[] = [];
  for (const [path, s] of strings(value)) {
    // CloudFront's managed prefix lists keep their com.amazonaws.global names in China too (docs.amazonaws.cn,
    // CloudFront developer guide, "Use the CloudFront managed prefix list").
    if ((CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS as readonly string[]).includes(s)) continue;
    if (/arn:aws:/.test(s)) found.push(`${path}: ${s}`);
    if (dnsSuffix !== "amazonaws.com" && (/\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(?!\.)/.test(s) || /(^|[^.])\bcom\.amazonaws\./.test(s))) found.push(`${path}: ${s}`);
  }
  return found;
}

describe("each document builder writes the partition it is given", () => {
  const docs = (p: typeof CN | typeof GOV) => ({
    alertKey: JSON.parse(alertKeyPolicy(p, ACCOUNT)),
    alertTopic: JSON.parse(alertTopicPolicy(p, arnOf(p, "sns", "cn-north-1", ACCOUNT, "alerts"), "cn-north-1", ACCOUNT)),
    workspaceKey: JSON.parse(workspaceKeyPolicy(p, ACCOUNT, "cn-north-1")),
    containerLogKey: JSON.parse(containerLogKeyPolicy(p, "cn-north-1", ACCOUNT, "edgestack")),
    cloudwatchAgent: JSON.parse(cloudwatchAgentPolicy(p, "cn-north-1", ACCOUNT, "edgestack")),
    dnssecKey: JSON.parse(dnssecKeyPolicy(p, ACCOUNT)),
    nlbLogDelivery: nlbLogDeliveryStatements(p, arnOf(p, "s3", "", "", "logs"), ACCOUNT, "cn-north-1"),
    runnerTrust: JSON.parse(runnerTrustPolicy({ partition: p.id, region: "cn-north-1", accountId: ACCOUNT, projectName: "runner" })),
    runnerRole: JSON.parse(
      runnerRolePolicy({
        logGroupArn: arnOf(p, "logs", "cn-north-1", ACCOUNT, "log-group:runner"),
        subnetArns: [arnOf(p, "ec2", "cn-north-1", ACCOUNT, "subnet/subnet-1")],
        securityGroupArn: arnOf(p, "ec2", "cn-north-1", ACCOUNT, "security-group/sg-1"),
        partition: p.id,
        region: "cn-north-1",
        accountId: ACCOUNT,
      }),
    ),
    managedPolicy: managedPolicyArn(p.id, "AmazonEKSClusterPolicy"),
    accessPolicy: accessPolicyArn(p.id, "AmazonEKSViewPolicy"),
    endpointService: vpcEndpointServiceName(p, "cn-north-1", "sts"),
  });

  for (const p of [CN, GOV]) {
    it(`${p.id}: no document names the commercial partition`, () => {
      for (const [name, doc] of Object.entries(docs(p))) expect({ name, found: commercialSpellings(doc, p.dnsSuffix) }).toEqual({ name, found: [] });
    });
  }

  it("names the partition where the commercial one was hard-coded: account roots, source ARNs, the logs principal, kms:ViaService", () => {
    const d = docs(CN);
    expect(d.alertKey.Statement[0].Principal).toEqual({ AWS: `arn:aws-cn:iam::${ACCOUNT}:root` });
    expect(d.alertTopic.Statement[0].Principal).toEqual({ AWS: `arn:aws-cn:iam::${ACCOUNT}:root` });
    expect(d.alertTopic.Statement.slice(1).map((s: { Condition: { ArnLike: Record<string, string> } }) => s.Condition.ArnLike["aws:SourceArn"])).toEqual([
      `arn:aws-cn:cloudwatch:cn-north-1:${ACCOUNT}:alarm:*`,
      `arn:aws-cn:aps:cn-north-1:${ACCOUNT}:workspace/*`,
    ]);
    expect(d.workspaceKey.Statement[1]).toMatchObject({ Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:root` }, Condition: { StringEquals: { "kms:ViaService": "aps.cn-north-1.amazonaws.com.cn" } } });
    expect(d.containerLogKey.Statement[1].Principal).toEqual({ Service: "logs.cn-north-1.amazonaws.com.cn" });
    expect(d.dnssecKey.Statement[1].Condition.ArnLike).toEqual({ "aws:SourceArn": "arn:aws-cn:route53:::hostedzone/*" });
    expect(d.nlbLogDelivery[0]).toMatchObject({ Condition: { ArnLike: { "aws:SourceArn": `arn:aws-cn:logs:cn-north-1:${ACCOUNT}:*` } } });
    expect(d.endpointService).toBe("cn.com.amazonaws.cn-north-1.sts");
    // GovCloud keeps the commercial DNS suffix: only its ARNs differ.
    expect(regionalServiceName(GOV, "logs", "us-gov-west-1")).toBe("logs.us-gov-west-1.amazonaws.com");
    expect(accountRoot(GOV, ACCOUNT)).toBe(`arn:aws-us-gov:iam::${ACCOUNT}:root`);
  });
});

describe("the whole prod program in the China partition", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack({
      stack: "prod",
      partition: "aws-cn",
      // What a user in China configures: a region of the partition, ARNs of it (the program refuses others), images from their registry.
      config: {
        "aws:region": "cn-north-1",
        "edgestack:ciDeployRoleArn": `arn:aws-cn:iam::${ACCOUNT}:role/edgestack-prod-deploy`,
        "edgestack:ciPreviewRoleArn": `arn:aws-cn:iam::${ACCOUNT}:role/edgestack-prod-preview`,
        "edgestack:ciImagePushRoleArn": `arn:aws-cn:iam::${ACCOUNT}:role/edgestack-prod-image-push`,
        "edgestack:ciCodeConnectionArn": `arn:aws-cn:codeconnections:cn-north-1:${ACCOUNT}:connection/4f1c2a9e-7b3d-4e8a-9c61-2d5f0b7a8e13`,
        "edgestack:imagePromoteSourceRepositoryArn": `arn:aws-cn:ecr:cn-northwest-1:${ACCOUNT}:repository/edgestack-dev/app`,
        "edgestack:appImage": `${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/edgestack-prod/app@sha256:5e1748931653c312c6ff7e63f3c74b39432bfa4100cd2523ed8fb6bc046786d2`,
      },
    });
  }, 180_000);

  it("asks the provider for the partition", () => {
    expect(run.invokes.filter((i) => i.token === "aws:index/getPartition:getPartition").length).toBeGreaterThan(0);
  });

  it("writes no commercial ARN, regional name or endpoint service name into any resource's inputs", () => {
    expect(run.resources.length).toBeGreaterThan(100);
    const found = run.resources.flatMap((r) => commercialSpellings(r.inputs, CN.dnsSuffix).map((f) => `${r.type} ${r.name} ${f}`));
    expect(found).toEqual([]);
  });

  it("writes the partition's own ARNs where it names the account's resources", () => {
    const all = run.resources.flatMap((r) => [...strings(r.inputs)].map(([, s]) => s)).join("\n");
    expect(all).toMatch(/arn:aws-cn:iam::123456789012:root/);
    expect(all).toMatch(/arn:aws-cn:logs:/);
    expect(all).toMatch(/cn\.com\.amazonaws\.cn-north-1\.sts/);
  });

  it("passes the policy pack as the commercial plan does: no rule reads a partition's ARNs or names as foreign", async () => {
    const { config } = loadPolicyConfig({ stack: "prod", policiesDir: path.resolve(__dirname, "../../policies"), policies: allPolicies });
    const violations = await runPolicies({
      stack: "prod",
      resources: fromCaptured(run.resources),
      policies: allPolicies,
      config: withEnvironment(config, allPolicies, "prod"),
      outputsOf: (r) => mockOutputs(r, CN, "cn-north-1"),
    });
    expect(violations.map((v) => `${v.policy} ${v.resource?.name ?? ""}: ${v.message}`)).toEqual([]);
  });
});
