// Entry point for the Pulumi CLI only (`pulumi preview --policy-pack policies`): constructing a PolicyPack starts the
// analyzer's gRPC server, so tests and the offline runner import ./rules instead.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./rules";

new PolicyPack("edgestack-edge", {
  description: "Security and reliability guardrails for edgestack: the ALB origin lock, load balancers, security groups and the VPC default group, CloudFront and its WAF, S3, EKS and EC2, IAM and KMS, ElastiCache, Route53, Kubernetes Pod Security, RBAC and NetworkPolicies, and the cross-layer timeout chain.",
  policies: allPolicies,
});
