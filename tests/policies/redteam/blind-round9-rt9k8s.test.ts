import { round9Rt9k8sHarmless, round9Rt9k8sMutations } from "./round9-rt9k8s";
import { describeBlindRounds } from "./judge";

// Round 9 of the red team written blind (its author read no rule before the first run): Kubernetes objects and the data plane's configuration.
describeBlindRounds([
  ["round 9, Kubernetes objects and the data plane: pod templates, env as the kubelet builds it, RBAC, NetworkPolicies, Services, webhooks, raw manifests, nginx.conf", round9Rt9k8sMutations, round9Rt9k8sHarmless],
]);
