import { wafCases } from "./fixtures/waf";
import { runCases } from "./fixtures/run";

runCases(wafCases);
