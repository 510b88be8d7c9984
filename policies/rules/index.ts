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
import { capacityPolicies } from "./capacity";
import { resourceTypesJudgedPolicy } from "./types";
import { providerPolicies } from "./providers";
import { generatedSecretPolicies } from "./generated-secrets";
import { trustPathPolicies } from "./trust-paths";
import { servicePolicies } from "./services";
import { nginxEffectPolicies } from "./nginx-effects";
import { k8sObjectPolicies } from "./k8s-objects";
import { workloadEffectPolicies } from "./workload-effects";

/** The policies that judge resources (each declares the types it judges, ./registry.ts). */
const judgingPolicies: Policies = [
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
  ...capacityPolicies,
  ...podSecurityPolicies,
  ...timeoutPolicies,
  ...viewerPolicies,
  ...proxyProtocolPolicies,
  ...headerPolicies,
  ...nginxPolicies,
  ...nginxEffectPolicies,
  ...retentionPolicies,
  ...observabilityPolicies,
  ...settingsPolicies,
  ...servicePolicies,
  ...k8sObjectPolicies,
  ...workloadEffectPolicies,
  ...referencePolicies,
  ...providerPolicies,
  ...generatedSecretPolicies,
  ...trustPathPolicies,
];

/** Every policy of the pack, in the order they are reported: the judging rules, then the one that no type escapes them. */
export const allPolicies: Policies = [...judgingPolicies, resourceTypesJudgedPolicy(judgingPolicies)];
