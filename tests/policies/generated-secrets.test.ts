import { generatedSecretCases } from "./fixtures/generated-secrets";
import { runCases } from "./fixtures/run";

runCases(generatedSecretCases);
