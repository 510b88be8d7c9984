import { servicesCases } from "./fixtures/services";
import { runCases } from "./fixtures/run";

runCases(servicesCases);
