import { providerCases } from "./fixtures/providers";
import { runCases } from "./fixtures/run";

runCases(providerCases);
