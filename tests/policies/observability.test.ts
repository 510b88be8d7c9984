import { observabilityCases } from "./fixtures/observability";
import { runCases } from "./fixtures/run";

runCases(observabilityCases);
