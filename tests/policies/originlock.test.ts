import { originLockCases } from "./fixtures/originlock";
import { runCases } from "./fixtures/run";

runCases(originLockCases);
