import { effectCases } from "./fixtures/effects";
import { runCases } from "./fixtures/run";

// The retention policies' pass and fail fixtures (policies/rules/retention.ts).
runCases(effectCases.filter((c) => ["stateful-deletion-protection-prod", "static-assets-retained-prod", "audit-logs-retained-prod"].includes(c.policy)));
