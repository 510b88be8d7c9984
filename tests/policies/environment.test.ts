import { environmentCases } from "./fixtures/environment";
import { runCases } from "./fixtures/run";

runCases(environmentCases);
