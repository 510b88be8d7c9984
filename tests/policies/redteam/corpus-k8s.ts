/** Helpers the red team's Kubernetes corpora share: resource types, pod specs, environment edits, added objects. */
import type { PlanResource } from "../../../offline/plan/format";
import type { Plan } from "./mutations";

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SERVICE = "kubernetes:core/v1:Service";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
export const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
export const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
export const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
export const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
export const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const APP_PODS = { matchLabels: { "app.kubernetes.io/component": "api", "app.kubernetes.io/part-of": "edgestack" } };
export const pod = (p: Plan, name: string) => p.inputs(name, DEPLOYMENT).spec.template.spec;
export const ctr = (p: Plan, name: string, i = 0) => pod(p, name).containers[i];
export const env = (p: Plan, name: string, key: string, value: string) => {
  const list: { name: string; value?: string }[] = ctr(p, name).env;
  const e = list.find((x) => x.name === key);
  if (e) e.value = value;
  else list.push({ name: key, value });
};
export const k8s = (p: Plan, type: string, name: string, parent: string, inputs: Record<string, unknown>, provider = "pulumi:providers:kubernetes::cluster-k8s"): void =>
  p.add({ type, name, parent, inputs, options: { provider } } as PlanResource);
export const netpol = (p: Plan, name: string, spec: Record<string, unknown>, namespace = "edgestack") =>
  k8s(p, NETPOL, name, "workloads", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec });
