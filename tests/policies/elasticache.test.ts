import { elasticacheCases } from "./fixtures/elasticache";
import { runCases } from "./fixtures/run";

runCases(elasticacheCases);
