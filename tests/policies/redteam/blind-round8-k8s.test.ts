import { round8K8sHarmless, round8K8sMutations } from "./round8-rt8-k8s";
import { round8NginxHarmless, round8NginxMutations } from "./round8-rt8-nginx";
import { describeBlindRounds } from "./judge";

// Round 8 of the red team written blind (its authors read no rule before the first run), Kubernetes side.
describeBlindRounds([
  ["round 8, Kubernetes objects: workloads, accounts and tokens, RBAC, NetworkPolicies, Services and bindings, namespaces, priorities, storage, providers", round8K8sMutations, round8K8sHarmless],
  ["round 8, nginx.conf, the app's environment as the kubelet builds it, and the chains across the edge", round8NginxMutations, round8NginxHarmless],
]);
