import { isSpf, spfProblem } from "../../../policies/semantics/spf";

describe("SPF policies by what they let send", () => {
  it("accepts policies that fail or soft-fail unlisted senders", () => {
    for (const v of ["v=spf1 -all", "v=spf1 include:amazonses.com ~all", "V=SPF1 ip4:198.51.100.7 -all", "v=spf1 redirect=_spf.example.com", "v=spf1 a mx -all +all"]) expect(spfProblem(v)).toBeUndefined();
  });
  it("refuses +all, a bare all and ?all", () => {
    expect(spfProblem("v=spf1 +all")).toMatch(/every sender/);
    expect(spfProblem("v=spf1 include:x.example all")).toMatch(/every sender/);
    expect(spfProblem("v=spf1 ?all")).toMatch(/neutral/);
  });
  it("refuses a policy without all or redirect", () => {
    expect(spfProblem("v=spf1 include:amazonses.com")).toMatch(/neither an all mechanism nor a redirect/);
  });
  it("refuses broad ranges however split", () => {
    expect(spfProblem("v=spf1 ip4:0.0.0.0/1 ip4:128.0.0.0/1 -all")).toMatch(/broad share/);
    expect(spfProblem("v=spf1 +ip6:2000::/3 -all")).toMatch(/broad share/);
    expect(spfProblem("v=spf1 ip4:52.0.0.0/16 -all")).toBeUndefined();
  });
  it("leaves other TXT values alone", () => {
    expect(isSpf("google-site-verification=abc")).toBe(false);
    expect(spfProblem("google-site-verification=abc")).toBeUndefined();
  });
});
