import { configProblems } from "../../harness/config";
import { albBalancingInputs } from "../../../infra/edge/alb";

describe("albBalancingInputs", () => {
  it("states anomaly mitigation only for weighted_random", () => {
    expect(albBalancingInputs({ algorithm: "least_outstanding_requests", anomalyMitigation: false })).toEqual({ loadBalancingAlgorithmType: "least_outstanding_requests" });
    expect(albBalancingInputs({ algorithm: "round_robin", anomalyMitigation: false })).toEqual({ loadBalancingAlgorithmType: "round_robin" });
    expect(albBalancingInputs({ algorithm: "weighted_random", anomalyMitigation: true })).toEqual({ loadBalancingAlgorithmType: "weighted_random", loadBalancingAnomalyMitigation: "on" });
    expect(albBalancingInputs({ algorithm: "weighted_random", anomalyMitigation: false })).toEqual({ loadBalancingAlgorithmType: "weighted_random", loadBalancingAnomalyMitigation: "off" });
  });
  it("takes settings the schema checked: what AWS refuses is refused at program start, naming the key", () => {
    const base = { "aws:region": "eu-west-1", "edgestack:domain": "example.com" };
    expect(configProblems({ ...base, "edgestack:albLoadBalancingAlgorithm": "round_robin", "edgestack:albAnomalyMitigation": "true" })).toEqual([
      expect.stringMatching(/^edgestack:albAnomalyMitigation: true needs edgestack:albLoadBalancingAlgorithm weighted_random/),
    ]);
    expect(configProblems({ ...base, "edgestack:albLoadBalancingAlgorithm": "least_conn" })[0]).toMatch(/^edgestack:albLoadBalancingAlgorithm: "least_conn" is not allowed/);
  });
});
