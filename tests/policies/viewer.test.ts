import { effectCases } from "./fixtures/effects";
import { runCases } from "./fixtures/run";

// The nginx policies' pass and fail fixtures (policies/rules/viewer.ts).
runCases(effectCases.filter((c) => c.policy === "nginx-limits-and-internal-endpoints"));
