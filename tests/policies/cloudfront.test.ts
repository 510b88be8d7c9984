import { cloudfrontCases } from "./fixtures/cloudfront";
import { runCases } from "./fixtures/run";

runCases(cloudfrontCases);
