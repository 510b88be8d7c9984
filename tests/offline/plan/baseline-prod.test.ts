import { describePlanUnchanged } from "./baseline-support";

// dev has its own file (baseline-dev.test.ts): the engine runs one stack per test file.
describePlanUnchanged("prod");
