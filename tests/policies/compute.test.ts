import { computeCases } from "./fixtures/compute";
import { runCases } from "./fixtures/run";

runCases(computeCases);
