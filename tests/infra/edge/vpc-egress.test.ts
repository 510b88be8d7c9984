import { blockNamePart, vpcEgressRuleNames } from "../../../infra/edge/vpc-egress";

describe("the load balancers' egress rules to the VPC's blocks", () => {
  it("keeps the primary block's rule name and names each other rule by its block", () => {
    expect(vpcEgressRuleNames("alb-to-nginx", ["10.20.0.0/16", "100.64.0.0/16", "2600:1f18:ABCD:ef00::/56"])).toEqual([
      "alb-to-nginx",
      "alb-to-nginx-100-64-0-0-16",
      "alb-to-nginx-2600-1f18-abcd-ef00---56",
    ]);
  });

  it("a block added or removed leaves the other rules' names alone", () => {
    const before = vpcEgressRuleNames("nlb-to-nginx-30443", ["10.20.0.0/16", "100.64.0.0/16"]);
    const after = vpcEgressRuleNames("nlb-to-nginx-30443", ["10.20.0.0/16", "100.65.0.0/16", "100.64.0.0/16"]);
    expect(after.filter((n) => before.includes(n))).toEqual(before);
    expect(blockNamePart("100.65.0.0/16")).toBe("100-65-0-0-16");
  });
});
