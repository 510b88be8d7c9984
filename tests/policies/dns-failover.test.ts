import { dnsFailoverCases } from "./fixtures/dns-failover";
import { runCases } from "./fixtures/run";

runCases(dnsFailoverCases);
