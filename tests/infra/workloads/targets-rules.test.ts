import { nodePortIngressRules, targetGroupBindingSpec } from "../../../infra/workloads/targets";

describe("nodePortIngressRules", () => {
  it("opens each load balancer's traffic and health-check NodePorts once", () => {
    const rules = nodePortIngressRules(
      ["alb", "nlb"],
      [
        { name: "alb-http", loadBalancer: "alb", nodePort: 30080 },
        { name: "nlb-tls", loadBalancer: "nlb", nodePort: 30081, healthCheckNodePort: 30080 },
        { name: "nlb-http", loadBalancer: "nlb", nodePort: 30082, healthCheckNodePort: 30080 },
      ],
    );
    expect(rules).toEqual([
      { name: "alb-30080", loadBalancer: "alb", port: 30080 },
      { name: "nlb-30081", loadBalancer: "nlb", port: 30081 },
      { name: "nlb-30080", loadBalancer: "nlb", port: 30080 },
      { name: "nlb-30082", loadBalancer: "nlb", port: 30082 },
    ]);
  });

  it("refuses unknown load balancers and duplicate names (NodePorts come checked from the schema)", () => {
    expect(() => nodePortIngressRules(["alb"], [{ name: "a", loadBalancer: "nlb", nodePort: 30080 }])).toThrow(/unknown load balancer "nlb"/);
    expect(() =>
      nodePortIngressRules(["alb"], [
        { name: "a", loadBalancer: "alb", nodePort: 30080 },
        { name: "a", loadBalancer: "alb", nodePort: 30081 },
      ]),
    ).toThrow(/"a" is used twice/);
  });
});

describe("targetGroupBindingSpec", () => {
  it("binds instance targets to a Service port and leaves security groups to Pulumi", () => {
    const arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/abc";
    expect(targetGroupBindingSpec(arn, "nginx", "pp-https")).toEqual({ targetType: "instance", targetGroupARN: arn, serviceRef: { name: "nginx", port: "pp-https" } });
  });
});
