import { input, ofType, one, runStack, StackRun, mockOutputsOf } from "../../harness";

/** Prod: WAF attached, standard logging to a protected bucket, versioned static bucket. */

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod" });
});

const dist = () => one(run, "aws:cloudfront/distribution:Distribution", "cdn-distribution");

describe("CloudFront in prod", () => {
  it("attaches a CLOUDFRONT-scope web ACL created in us-east-1", () => {
    const acl = one(run, "aws:wafv2/webAcl:WebAcl", "cdn-waf-acl");
    expect(input(acl, "scope")).toBe("CLOUDFRONT");
    expect(acl.provider?.split("::")[3]).toBe("aws-us-east-1");
    expect(input(dist(), "webAclId")).toBe(mockOutputsOf(run, "aws:wafv2/webAcl:WebAcl", "cdn-waf-acl", "us-east-1").outputs.arn);
  });

  it("limits each IP to the configured rate and applies the AWS common rules", () => {
    const rules = input<Record<string, any>[]>(one(run, "aws:wafv2/webAcl:WebAcl", "cdn-waf-acl"), "rules");
    expect(rules.find((r) => r.statement.rateBasedStatement)?.statement.rateBasedStatement).toMatchObject({ limit: 5000, aggregateKeyType: "IP" });
    expect(rules.find((r) => r.statement.managedRuleGroupStatement)?.statement.managedRuleGroupStatement).toEqual({ vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" });
  });

  it("logs to a protected bucket that accepts CloudFront's ACL-based delivery but stays private", () => {
    const bucket = mockOutputsOf(run, "aws:s3/bucket:Bucket", "cdn-logs-bucket", "us-east-1").id;
    expect(input(dist(), "loggingConfig")).toEqual({ bucket: `${bucket}.s3.amazonaws.com`, prefix: "cloudfront/", includeCookies: false });
    expect(one(run, "aws:s3/bucket:Bucket", "cdn-logs-bucket").protect).toBe(true);
    expect(input(one(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "cdn-logs-ownership"), "rule.objectOwnership")).toBe("BucketOwnerPreferred");
    expect(one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "cdn-logs-public-access").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  });

  it("versions the static bucket and uses the prod price class", () => {
    expect(input(one(run, "aws:s3/bucketVersioning:BucketVersioning", "cdn-static-versioning"), "versioningConfiguration.status")).toBe("Enabled");
    expect(input(dist(), "priceClass")).toBe("PriceClass_All");
  });

  it("has no allow-all viewer policy anywhere", () => {
    const all = [input<Record<string, unknown>>(dist(), "defaultCacheBehavior"), ...input<Record<string, unknown>[]>(dist(), "orderedCacheBehaviors")];
    expect(all.map((b) => b.viewerProtocolPolicy)).toEqual(all.map(() => "redirect-to-https"));
    expect(ofType(run, "aws:cloudfront/distribution:Distribution")).toHaveLength(1);
  });
});
