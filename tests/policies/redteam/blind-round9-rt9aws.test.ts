import { round9Rt9awsHarmless, round9Rt9awsMutations } from "./round9-rt9aws";
import { describeBlindRounds } from "./judge";

// Round 9 of the red team written blind (its author read no rule before the first run): AWS identity and data.
describeBlindRounds([["round 9, AWS identity and data (IAM, trust, KMS, S3, ElastiCache, EKS access and nodes, ECR, secrets, logs, SNS)", round9Rt9awsMutations, round9Rt9awsHarmless]]);
