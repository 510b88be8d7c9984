import { dnssecKeyProblem, srvValueProblem, txtStrings } from "../../policies/rules/route53";
import { dnssecKeyPolicy } from "../../infra/dns/zone";
import { PARTITIONS } from "../../offline/engine/partitions";
import { route53Cases } from "./fixtures/route53";
import { runCases } from "./fixtures/run";

runCases(route53Cases);

describe("route53 value helpers", () => {
  it("splits TXT values on the escaped-quote boundary", () => {
    expect(txtStrings('abc""def')).toEqual(["abc", "def"]);
    expect(txtStrings("v=spf1 -all")).toEqual(["v=spf1 -all"]);
  });
  it("accepts well-formed SRV values and names the problem otherwise", () => {
    expect(srvValueProblem("0 0 5060 sip.example.com.")).toBeUndefined();
    expect(srvValueProblem("0 0 0 .")).toBeUndefined();
    expect(srvValueProblem("1 2 3 not a host")).toMatch(/not "priority weight port target"/);
    expect(srvValueProblem("1 2 3 bad..name")).toMatch(/target "bad\.\.name" .* is not a host name/);
  });
});

describe("a KMS key Route53 can sign a zone with", () => {
  const key = { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY", policy: dnssecKeyPolicy(PARTITIONS.aws, "123456789012") };
  it("accepts the stack's own signing key", () => {
    expect(dnssecKeyProblem(key)).toBeUndefined();
  });
  it("names the spec, usage, state or policy that stops signing", () => {
    expect(dnssecKeyProblem({ ...key, customerMasterKeySpec: undefined })).toMatch(/SYMMETRIC_DEFAULT, not ECC_NIST_P256/);
    expect(dnssecKeyProblem({ ...key, keyUsage: "ENCRYPT_DECRYPT" })).toMatch(/not SIGN_VERIFY/);
    expect(dnssecKeyProblem({ ...key, isEnabled: false })).toMatch(/disabled/);
    const policy = JSON.parse(key.policy);
    const withoutService = { ...policy, Statement: policy.Statement.filter((s: { Principal: { Service?: string } }) => !s.Principal.Service) };
    expect(dnssecKeyProblem({ ...key, policy: JSON.stringify(withoutService) })).toMatch(/does not let dnssec-route53\.amazonaws\.com use it/);
    const denied = { ...policy, Statement: [...policy.Statement, { Effect: "Deny", Principal: "*", Action: "kms:Sign", Resource: "*" }] };
    expect(dnssecKeyProblem({ ...key, policy: JSON.stringify(denied) })).toMatch(/denies kms:Sign/);
  });
  it("scopes the service to this account's hosted zones", () => {
    const service = JSON.parse(key.policy).Statement.filter((s: { Principal: { Service?: string } }) => s.Principal.Service);
    expect(service).toHaveLength(2);
    for (const s of service) expect(s.Condition).toMatchObject({ StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:route53:::hostedzone/*" } });
  });
});
