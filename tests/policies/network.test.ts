import { networkCases } from "./fixtures/network";
import { runCases } from "./fixtures/run";

runCases(networkCases);
