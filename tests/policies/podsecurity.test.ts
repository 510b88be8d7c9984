import { podSecurityCases } from "./fixtures/podsecurity";
import { runCases } from "./fixtures/run";

runCases(podSecurityCases);
