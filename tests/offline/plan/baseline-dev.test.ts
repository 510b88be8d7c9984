import { describePlanUnchanged } from "./baseline-support";

// prod has its own file (baseline-prod.test.ts): the engine runs one stack per test file.
describePlanUnchanged("dev");
