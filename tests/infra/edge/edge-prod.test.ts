import { input, ofType, one, runStack, StackRun, mockOutputsOf } from "../../harness";

/** Prod: deletion protection, ALB access logs to a protected, private, SSE-S3 bucket. */

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod" });
});

const alb = () => ofType(run, "aws:lb/loadBalancer:LoadBalancer").find((r) => input(r, "loadBalancerType") === "application")!;
const bucketName = () => mockOutputsOf(run, "aws:s3/bucket:Bucket", "alb-logs-bucket", "us-east-1").id;

describe("ALB in prod", () => {
  it("has deletion protection on", () => {
    expect(input(alb(), "enableDeletionProtection")).toBe(true);
  });

  it("writes access logs to its own log bucket", () => {
    expect(input(alb(), "accessLogs")).toEqual({ bucket: bucketName(), prefix: "alb", enabled: true });
  });

  it("spans the three public subnets", () => {
    expect(input<string[]>(alb(), "subnets")).toHaveLength(3);
  });
});

describe("ALB log bucket", () => {
  const byBucket = (type: string) => ofType(run, type).filter((r) => input(r, "bucket") === bucketName());

  it("is protected, encrypted with SSE-S3, private and expiring", () => {
    expect(one(run, "aws:s3/bucket:Bucket", "alb-logs-bucket").protect).toBe(true);
    expect(input(byBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0], "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm")).toBe("AES256");
    expect(byBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(input(byBucket("aws:s3/bucketOwnershipControls:BucketOwnershipControls")[0], "rule.objectOwnership")).toBe("BucketOwnerEnforced");
    expect(input<number>(byBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0], "rules[0].expiration.days")).toBeGreaterThan(0);
  });

  it("lets only ELB log delivery write under the alb/ prefix, over TLS", () => {
    const policy = JSON.parse(input<string>(byBucket("aws:s3/bucketPolicy:BucketPolicy")[0], "policy"));
    const allow = policy.Statement.find((s: { Effect: string }) => s.Effect === "Allow");
    expect(allow.Principal).toEqual({ AWS: "arn:aws:iam::127311923021:root", Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
    expect(allow.Action).toBe("s3:PutObject");
    expect(allow.Resource).toBe(`arn:aws:s3:::${bucketName()}/alb/AWSLogs/*`);
    const deny = policy.Statement.find((s: { Effect: string }) => s.Effect === "Deny");
    expect(deny.Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });
});
