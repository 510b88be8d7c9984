import { loadBalancerCases } from "./fixtures/loadbalancer";
import { runCases } from "./fixtures/run";

runCases(loadBalancerCases);
