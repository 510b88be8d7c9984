import { runCases } from "./fixtures/run";
import { referenceCases } from "./fixtures/references";

runCases(referenceCases);
