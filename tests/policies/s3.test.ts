import { runCases } from "./fixtures/run";
import { s3Cases } from "./fixtures/s3";

runCases(s3Cases);
