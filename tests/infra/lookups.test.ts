/**
 * Every data-source lookup the prod program makes, with its exact arguments. The offline mock
 * answers from those arguments, so a changed filter (the zone lookup switched to a private zone, a
 * different prefix list, another managed policy) changes what the program is built on: this list
 * fails first and says which lookup changed. The names are AWS's, not ours: pinned as literals.
 */
import { runStack, type StackRun } from "../harness";
import { invoke } from "../../offline/engine/invokes";

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod" });
});

test("the prod program looks up exactly these data sources with exactly these filters", () => {
  // Each distinct lookup once (several components ask for the account id and region).
  const distinct = [...new Map(run.invokes.map((i) => [JSON.stringify([i.token, i.args]), [i.token, i.args] as const])).values()];
  const calls = distinct.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  expect(calls).toEqual([
    ["aws:cloudfront/getCachePolicy:getCachePolicy", { name: "Managed-CachingDisabled" }],
    ["aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy", { name: "Managed-AllViewerExceptHostHeader" }],
    ["aws:ec2/getManagedPrefixList:getManagedPrefixList", { name: "com.amazonaws.global.cloudfront.origin-facing" }],
    ["aws:elb/getServiceAccount:getServiceAccount", {}],
    ["aws:index/getAvailabilityZones:getAvailabilityZones", { state: "available" }],
    // The account, partition and region (the CI runner's role policies, the alert topics, the log delivery policies).
    ["aws:index/getCallerIdentity:getCallerIdentity", {}],
    ["aws:index/getPartition:getPartition", {}],
    ["aws:index/getRegion:getRegion", {}],
    ["aws:route53/getZone:getZone", { name: "edgestack.example.com", privateZone: false }],
  ]);
});

describe("the mock answers from the arguments", () => {
  test("a private-zone lookup is a different, private zone", () => {
    const name = "edgestack.example.com";
    const pub = invoke("aws:route53/getZone:getZone", { name, privateZone: false }, "eu-west-1");
    const priv = invoke("aws:route53/getZone:getZone", { name, privateZone: true }, "eu-west-1");
    expect(pub.privateZone).toBe(false);
    expect(priv.privateZone).toBe(true);
    expect(priv.zoneId).not.toBe(pub.zoneId);
  });

  test("an argument the mock does not model fails, naming the invoke and the argument", () => {
    expect(() => invoke("aws:route53/getZone:getZone", { name: "example.com", tags: { env: "prod" } }, "eu-west-1")).toThrow(
      /invoke aws:route53\/getZone:getZone with args .* is outside what its mock answers \(\(args\): Unrecognized key: "tags"/,
    );
    expect(() => invoke("aws:ec2/getVpc:getVpc", { id: "not-a-vpc" }, "eu-west-1")).toThrow(/getVpc.*id:/);
  });
});
