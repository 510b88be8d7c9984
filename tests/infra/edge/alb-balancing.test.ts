import { ConfigError } from "../../../infra/config/schema";
import { albBalancingInputs } from "../../../infra/edge/alb";

describe("albBalancingInputs", () => {
  it("states anomaly mitigation only for weighted_random", () => {
    expect(albBalancingInputs({ algorithm: "least_outstanding_requests", anomalyMitigation: false })).toEqual({ loadBalancingAlgorithmType: "least_outstanding_requests" });
    expect(albBalancingInputs({ algorithm: "round_robin", anomalyMitigation: false })).toEqual({ loadBalancingAlgorithmType: "round_robin" });
    expect(albBalancingInputs({ algorithm: "weighted_random", anomalyMitigation: true })).toEqual({ loadBalancingAlgorithmType: "weighted_random", loadBalancingAnomalyMitigation: "on" });
    expect(albBalancingInputs({ algorithm: "weighted_random", anomalyMitigation: false })).toEqual({ loadBalancingAlgorithmType: "weighted_random", loadBalancingAnomalyMitigation: "off" });
  });
  it("refuses what AWS refuses, naming the key (a program may pass values that never went through the schema)", () => {
    expect(() => albBalancingInputs({ algorithm: "round_robin", anomalyMitigation: true })).toThrow(ConfigError);
    expect(() => albBalancingInputs({ algorithm: "round_robin", anomalyMitigation: true })).toThrow(/edgestack:albAnomalyMitigation: true needs .*weighted_random/);
    expect(() => albBalancingInputs({ algorithm: "least_conn" as never, anomalyMitigation: false })).toThrow(/edgestack:albLoadBalancingAlgorithm: "least_conn" is not one of/);
  });
});
