import { destinationName } from "../../../policies/semantics/destinations";

describe("destinationName", () => {
  it.each([
    ["arn:aws:s3:::logs-bucket", { kind: "bucket", name: "logs-bucket" }],
    ["arn:aws:s3:::logs-bucket/alb/", { kind: "bucket", name: "logs-bucket" }],
    ["arn:aws-cn:s3:::logs-bucket", { kind: "bucket", name: "logs-bucket" }],
    ["logs-bucket.s3.amazonaws.com", { kind: "bucket", name: "logs-bucket" }],
    ["logs.bucket.s3.eu-west-1.amazonaws.com", { kind: "bucket", name: "logs.bucket" }],
    ["logs-bucket.s3-us-west-2.amazonaws.com", { kind: "bucket", name: "logs-bucket" }],
    ["arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-x", { kind: "logGroup", name: "aws-waf-logs-x", account: "123456789012" }],
    ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow:*", { kind: "logGroup", name: "/aws/vpc/flow", account: "123456789012" }],
    ["arn:aws:firehose:us-east-1:123456789012:deliverystream/aws-waf-logs-s", { kind: "firehose", name: "aws-waf-logs-s", account: "123456789012" }],
    ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab", { kind: "kmsKey", name: "1234abcd-12ab", account: "123456789012" }],
    ["arn:aws:kms:us-east-1:123456789012:alias/aws/sns", { kind: "kmsKey", name: "alias/aws/sns", account: "123456789012" }],
    ["arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab", { kind: "kmsKey", name: "1234abcd-12ab", account: "999999999999" }],
    ["alias/aws/sns", { kind: "kmsKey", name: "alias/aws/sns" }],
    ["/aws/codebuild/runner", { name: "/aws/codebuild/runner" }],
  ])("%s", (ref, expected) => {
    expect(destinationName(ref)).toEqual(expected);
  });

  it("names nothing for empty or non-string references", () => {
    expect(destinationName("")).toBeUndefined();
    expect(destinationName(undefined)).toBeUndefined();
    expect(destinationName(42)).toBeUndefined();
  });
});
