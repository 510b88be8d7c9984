import { claimableAddress, claimableTarget, s3BucketOfHost } from "../../../policies/semantics/dns-targets";

describe("claimableTarget", () => {
  it.each([
    ["d1a2b3c4d5e6f7.cloudfront.net", "a CloudFront distribution"],
    ["D1A2B3C4D5E6F7.CloudFront.net.", "a CloudFront distribution"],
    ["edgestack-www.s3-website-us-east-1.amazonaws.com", "an S3 bucket"],
    ["assets.s3.eu-west-1.amazonaws.com", "an S3 bucket"],
    ["legacy.s3-website.cn-north-1.amazonaws.com.cn", "an S3 bucket"],
    ["prod-env.us-east-1.elasticbeanstalk.com", "an Elastic Beanstalk environment"],
    ["acme.github.io", "a GitHub Pages site"],
    ["shop-prod.azurewebsites.net", "an Azure app, endpoint or storage account"],
    ["status-page.herokuapp.com", "a Heroku app"],
  ])("%s is claimable (%s)", (host, provider) => expect(claimableTarget(host)).toBe(provider));

  it("a configured suffix", () => expect(claimableTarget("docs.example.dev", [{ suffix: "example.dev", provider: "a docs host" }])).toBe("a docs host"));

  it.each(["edgestack.statuspage.io", "shops.myshopify.com", "mail.example.net", "dualstack.alb-1.us-east-1.elb.amazonaws.com", "inbound-smtp.us-east-1.amazonaws.com", "notcloudfront.net", "github.io"])("%s is not", (host) =>
    expect(claimableTarget(host)).toBeUndefined(),
  );
});

describe("s3BucketOfHost", () => {
  it.each([
    ["edgestack-www.s3-website-us-east-1.amazonaws.com", "edgestack-www"],
    ["my.dotted.bucket.s3.us-east-1.amazonaws.com", "my.dotted.bucket"],
    ["assets.s3.dualstack.eu-west-1.amazonaws.com", "assets"],
    ["b.s3.amazonaws.com.cn", "b"],
  ])("%s names bucket %s", (host, bucket) => expect(s3BucketOfHost(host)).toBe(bucket));
  it("another host names none", () => expect(s3BucketOfHost("d111.cloudfront.net")).toBeUndefined());
});

describe("claimableAddress", () => {
  it.each(["54.210.17.33", "3.5.140.2", "44.200.1.1", "52.1.2.3"])("%s lies in AWS's elastic blocks", (a) => expect(claimableAddress(a)).toBe(true));
  it.each(["192.0.2.25", "198.51.100.44", "8.8.8.8", "10.20.0.5", "2600:1f18::1", "not-an-address"])("%s does not", (a) => expect(claimableAddress(a)).toBe(false));
  it("configured blocks", () => expect(claimableAddress("198.51.100.44", ["198.51.100.0/24"])).toBe(true));
});
