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

/** nginx.conf editors for the corpora: one location block (the first match inside the given text), edited on its own. */
export const location = (head: string, edit: (block: string) => string) => (c: string) => {
  const start = c.indexOf(`        location ${head} {`);
  if (start < 0) throw new Error(`no location ${head}`);
  const end = c.indexOf("\n        }\n", start) + "\n        }\n".length;
  return c.slice(0, start) + edit(c.slice(start, end)) + c.slice(end);
};
/** Replaces every occurrence of a text that must be there. */
export const replace1 = (from: string, to: string) => (c: string) => {
  if (!c.includes(from)) throw new Error(`no ${from}`);
  return c.split(from).join(to);
};
/** Removes an environment variable from a Deployment's first container. */
export const dropEnv = (p: Plan, name: string, key: string) => {
  const c = ctr(p, name);
  c.env = c.env.filter((e: { name: string }) => e.name !== key);
};
/** Adds a ConfigMap to the edgestack namespace. */
export const configMap = (p: Plan, name: string, cmName: string, data: Record<string, string>) =>
  k8s(p, "kubernetes:core/v1:ConfigMap", name, "workloads", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: cmName, namespace: "edgestack" }, data });
/** The server block that starts at `listen` (up to the next server), edited on its own. */
export const server = (listen: string, edit: (block: string) => string) => (c: string) => {
  const start = c.indexOf(`        ${listen}\n`);
  if (start < 0) throw new Error(`no ${listen}`);
  const next = c.indexOf("\n    server {", start);
  const end = next < 0 ? c.length : next;
  return c.slice(0, start) + edit(c.slice(start, end)) + c.slice(end);
};
