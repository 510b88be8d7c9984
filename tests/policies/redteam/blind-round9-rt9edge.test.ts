import { round9rt9edgeHarmless, round9rt9edgeMutations, round9rt9edgeVariants, round9rt9edgeVariantsHarmless } from "./round9-rt9edge";
import { describeBlindRounds } from "./judge";

// Round 9 of the red team written blind (its author read no rule before the first run): the AWS network and edge,
// then the variants written after the fixes.
describeBlindRounds([
  ["round 9, AWS network and edge: VPC, routes, DNS resolution, NACLs, security groups, endpoints, ALB, NLB, CloudFront, WAF, Route53, ACM", round9rt9edgeMutations, round9rt9edgeHarmless],
  ["round 9, AWS network and edge, variants written after the fixes", round9rt9edgeVariants, round9rt9edgeVariantsHarmless],
]);
