import { srvValueProblem, txtStrings } from "../../policies/rules/route53";
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
