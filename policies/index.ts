// Entry point for the Pulumi CLI only (`pulumi preview --policy-pack policies`): constructing a PolicyPack starts the
// analyzer's gRPC server, so tests and the offline runner import ./rules instead.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./rules";

new PolicyPack("edgestack-edge", {
  description: "Security and reliability guardrails for the edgestack network edge: load balancers, security groups, CloudFront, S3, ElastiCache, Route53, Kubernetes workloads and the cross-layer timeout chain.",
  policies: allPolicies,
});
