import { settingsCases } from "./fixtures/settings";
import { runCases } from "./fixtures/run";

runCases(settingsCases);
