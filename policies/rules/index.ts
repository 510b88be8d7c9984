import { Policies } from "@pulumi/policy";
import { cloudfrontPolicies } from "./cloudfront";
import { elasticachePolicies } from "./elasticache";
import { kubernetesPolicies } from "./kubernetes";
import { loadBalancerPolicies } from "./loadbalancer";
import { route53Policies } from "./route53";
import { s3Policies } from "./s3";
import { securityGroupPolicies } from "./securitygroups";
import { timeoutPolicies } from "./timeouts";

/** Every policy of the pack, in the order they are reported. */
export const allPolicies: Policies = [
  ...loadBalancerPolicies,
  ...securityGroupPolicies,
  ...cloudfrontPolicies,
  ...s3Policies,
  ...elasticachePolicies,
  ...route53Policies,
  ...kubernetesPolicies,
  ...timeoutPolicies,
];
