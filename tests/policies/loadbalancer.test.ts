import { elbPolicyMinimumTls } from "../../policies/rules/loadbalancer";
import { loadBalancerCases } from "./fixtures/loadbalancer";
import { runCases } from "./fixtures/run";

runCases(loadBalancerCases);

describe("elbPolicyMinimumTls", () => {
  it.each([
    ["ELBSecurityPolicy-TLS13-1-2-2021-06", "1.2"],
    ["ELBSecurityPolicy-TLS13-1-3-2021-06", "1.3"],
    ["ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "1.2"],
    ["ELBSecurityPolicy-FS-1-2-Res-2020-10", "1.2"],
    ["ELBSecurityPolicy-TLS-1-1-2017-01", "1.1"],
    ["ELBSecurityPolicy-2016-08", "1.0"],
    ["ELBSecurityPolicy-FS-2018-06", "1.0"],
  ])("%s accepts TLS %s", (policy, version) => {
    expect(elbPolicyMinimumTls(policy)).toBe(version);
  });
});
