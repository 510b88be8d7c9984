import { effectCases } from "./fixtures/effects";
import { runCases } from "./fixtures/run";

// The nginx policies' pass and fail fixtures (policies/rules/viewer.ts).
runCases(effectCases.filter((c) => ["nginx-limits-and-internal-endpoints", "nginx-trusted-peers-narrow", "nginx-security-headers"].includes(c.policy)));
