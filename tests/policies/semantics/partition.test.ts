import { isS3Host, isS3WebsiteHost, parseArn } from "../../../policies/semantics/partition";

describe("ARNs of every partition", () => {
  it("parses the commercial, GovCloud, China and isolated partitions alike", () => {
    expect(parseArn("arn:aws:s3:::bucket")).toEqual({ partition: "aws", service: "s3", region: "", account: "", resource: "bucket" });
    expect(parseArn("arn:aws-us-gov:iam::123456789012:root")).toEqual({ partition: "aws-us-gov", service: "iam", region: "", account: "123456789012", resource: "root" });
    expect(parseArn("arn:aws-cn:logs:cn-north-1:123456789012:log-group:/x:*")).toMatchObject({ partition: "aws-cn", service: "logs", region: "cn-north-1", resource: "log-group:/x:*" });
    expect(parseArn("arn:aws-iso-b:kms:us-isob-east-1:123456789012:key/k")).toMatchObject({ partition: "aws-iso-b", service: "kms" });
    expect(parseArn("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")).toMatchObject({ account: "aws", resource: "policy/AmazonEKSClusterPolicy" });
  });

  it("refuses what is not an AWS ARN", () => {
    for (const v of ["arn:gcp:s3:::b", "arn:aws:s3", "s3:::b", "arn:aws:S3:::b", "*"]) expect(parseArn(v)).toBeUndefined();
  });
});

describe("S3 hosts of every partition", () => {
  it("knows a bucket's REST, dual-stack, legacy and website hosts in the commercial and China partitions", () => {
    for (const h of ["b.s3.amazonaws.com", "b.s3.us-east-1.amazonaws.com", "b.s3-us-west-2.amazonaws.com", "b.s3.dualstack.eu-west-1.amazonaws.com", "b.s3.cn-north-1.amazonaws.com.cn", "b.s3.us-gov-west-1.amazonaws.com"]) {
      expect({ h, s3: isS3Host(h), website: isS3WebsiteHost(h) }).toEqual({ h, s3: true, website: false });
    }
    for (const h of ["b.s3-website-us-east-1.amazonaws.com", "b.s3-website.cn-north-1.amazonaws.com.cn"]) expect({ h, website: isS3WebsiteHost(h) }).toEqual({ h, website: true });
  });

  it("does not take other hosts for S3", () => {
    for (const h of ["origin.example.com", "s3.example.com", "b.s3.amazonaws.com.evil.example", "alb-1.eu-west-1.elb.amazonaws.com"]) expect({ h, s3: isS3Host(h) }).toEqual({ h, s3: false });
  });
});
