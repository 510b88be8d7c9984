import { round8CoreHarmless, round8CoreMutations } from "./round8-rt8-core";
import { rt8EdgeHarmless, rt8EdgeMutations, rt8EdgeVariants } from "./round8-rt8-edge";
import { describeBlindRounds } from "./judge";

// Round 8 of the red team written blind (its authors read no rule before the first run), AWS areas.
describeBlindRounds([
  ["round 8, the AWS network edge (CloudFront, WAF, load balancers, security groups, VPC, Route53, ACM)", [...rt8EdgeMutations, ...rt8EdgeVariants], rt8EdgeHarmless],
  ["round 8, the AWS control and data plane (IAM, KMS, S3, EKS and nodes, ElastiCache, logs, alarms, SNS, CI)", round8CoreMutations, round8CoreHarmless],
]);
