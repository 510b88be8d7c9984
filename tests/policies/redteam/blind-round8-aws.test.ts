import { round8CoreHarmless, round8CoreMutations } from "./round8-rt8-core";
import { describeBlindRounds } from "./judge";

// Round 8 of the red team written blind (its authors read no rule before the first run).
describeBlindRounds([["round 8, the AWS control and data plane (IAM, KMS, S3, EKS and nodes, ElastiCache, logs, alarms, SNS, CI)", round8CoreMutations, round8CoreHarmless]]);
