import { iamCases } from "./fixtures/iam";
import { runCases } from "./fixtures/run";

runCases(iamCases);
