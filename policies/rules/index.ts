import { Policies } from "@pulumi/policy";
import { cloudfrontPolicies } from "./cloudfront";
import { elasticachePolicies } from "./elasticache";
import { kubernetesPolicies } from "./kubernetes";
import { loadBalancerPolicies } from "./loadbalancer";
import { route53Policies } from "./route53";
import { dnsFailoverPolicies } from "./dns-failover";
import { s3Policies } from "./s3";
import { securityGroupPolicies } from "./securitygroups";
import { timeoutPolicies } from "./timeouts";
import { computePolicies } from "./compute";
import { iamPolicies } from "./iam";
import { networkPolicies, subnetPolicies } from "./network";
import { originLockPolicies } from "./originlock";
import { podSecurityPolicies } from "./podsecurity";
import { retentionPolicies } from "./retention";
import { headerPolicies, nginxPolicies, proxyProtocolPolicies, viewerPolicies } from "./viewer";
import { wafPolicies } from "./waf";
import { referencePolicies } from "./references";
import { environmentPolicies } from "./environment";
import { observabilityPolicies } from "./observability";
import { settingsPolicies } from "./settings";
import { servicePolicies } from "./services";

/** Every policy of the pack, in the order they are reported. */
export const allPolicies: Policies = [
  ...environmentPolicies,
  ...loadBalancerPolicies,
  ...originLockPolicies,
  ...securityGroupPolicies,
  ...networkPolicies,
  ...subnetPolicies,
  ...cloudfrontPolicies,
  ...wafPolicies,
  ...s3Policies,
  ...computePolicies,
  ...iamPolicies,
  ...elasticachePolicies,
  ...route53Policies,
  ...dnsFailoverPolicies,
  ...kubernetesPolicies,
  ...podSecurityPolicies,
  ...timeoutPolicies,
  ...viewerPolicies,
  ...proxyProtocolPolicies,
  ...headerPolicies,
  ...nginxPolicies,
  ...retentionPolicies,
  ...observabilityPolicies,
  ...settingsPolicies,
  ...servicePolicies,
  ...referencePolicies,
];
