import { trustPathCases } from "./fixtures/trust-paths";
import { runCases } from "./fixtures/run";

runCases(trustPathCases);
