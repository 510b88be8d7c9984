import { input, one, runStack, StackRun } from "../../harness";

/** albLoadBalancingAlgorithm weighted_random with anomaly mitigation reaches the ALB's target group (and nothing else changes). */

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev", config: { "edgestack:albLoadBalancingAlgorithm": "weighted_random", "edgestack:albAnomalyMitigation": "true" } });
});

it("sets the algorithm and anomaly mitigation on the ALB target group, and no slow start", () => {
  const tg = one(run, "aws:lb/targetGroup:TargetGroup", "alb-nginx");
  expect(input(tg, "loadBalancingAlgorithmType")).toBe("weighted_random");
  expect(input(tg, "loadBalancingAnomalyMitigation")).toBe("on");
  expect(input(tg, "slowStart")).toBeUndefined();
});

it("leaves the NLB's target groups without an algorithm (flow hash; AWS offers no choice)", () => {
  for (const name of ["nlb-tls", "nlb-http"]) expect(input(one(run, "aws:lb/targetGroup:TargetGroup", name), "loadBalancingAlgorithmType")).toBeUndefined();
});
