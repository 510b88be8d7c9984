import { runCases } from "./fixtures/run";
import { securityGroupCases } from "./fixtures/securitygroups";

runCases(securityGroupCases);
