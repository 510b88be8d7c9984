import { NLB_LOG_PREFIX, nlbLogDeliveryStatements } from "../../../infra/edge/nlb";
import { input, ofType, one, PARTITIONS, runStack, StackRun } from "../../harness";

describe("nlbLogDeliveryStatements", () => {
  it("lets only this account's log delivery write under the prefix, with the owner's ACL, and read the bucket ACL", () => {
    const [write, acl] = nlbLogDeliveryStatements(PARTITIONS.aws, "arn:aws:s3:::logs", "111122223333", "eu-west-1");
    expect(write).toMatchObject({
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `arn:aws:s3:::logs/${NLB_LOG_PREFIX}/AWSLogs/111122223333/*`,
      Condition: { StringEquals: { "aws:SourceAccount": "111122223333", "s3:x-amz-acl": "bucket-owner-full-control" }, ArnLike: { "aws:SourceArn": "arn:aws:logs:eu-west-1:111122223333:*" } },
    });
    expect(acl).toMatchObject({ Action: "s3:GetBucketAcl", Resource: "arn:aws:s3:::logs", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } });
  });
});

describe("the prod NLB", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack({ stack: "prod" });
  });

  it("has deletion protection and access logs into its own protected log bucket", () => {
    const lb = one(run, "aws:lb/loadBalancer:LoadBalancer", "nlb-lb");
    const bucket = one(run, "aws:s3/bucket:Bucket", "nlb-logs-bucket");
    expect(input(lb, "enableDeletionProtection")).toBe(true);
    expect(input(lb, "accessLogs")).toEqual({ enabled: true, bucket: expect.stringMatching(/^nlb-logs-bucket-/), prefix: NLB_LOG_PREFIX });
    expect(bucket.protect).toBe(true);
    const policy = JSON.parse(input<string>(one(run, "aws:s3/bucketPolicy:BucketPolicy", "nlb-logs-policy"), "policy"));
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["NlbLogDeliveryWrite", "NlbLogDeliveryAclCheck", "DenyInsecureTransport"]);
  });

  it("empties the default security group of the VPC it creates", () => {
    const [sg] = ofType(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(sg.inputs).not.toHaveProperty("ingress");
    expect(sg.inputs).not.toHaveProperty("egress");
  });
});
