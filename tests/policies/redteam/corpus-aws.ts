/** Helpers the red team's AWS corpora share: resource types, IAM documents, additions with the engine's ids, CloudFront and WAF. */
import type { PlanResource } from "../../../offline/plan/format";
import { computedOutputs } from "../../../offline/engine/outputs";
import type { Plan } from "./mutations";

/** A change a reviewer would accept, which no rule may report. */
export interface Harmless {
  title: string;
  apply: (plan: Plan) => void;
}

export const ACCOUNT = "123456789012";
export const OIDC = "oidc.eks.us-east-1.amazonaws.com/id/A1E07E65DD9C0D65156BD86637DB4F66";
export const ROLE = "aws:iam/role:Role";
export const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const LISTENER = "aws:lb/listener:Listener";
export const TG = "aws:lb/targetGroup:TargetGroup";
export const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
export const doc = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
export const editDoc = (p: Plan, name: string, type: string, key: string, change: (d: any) => void) => {
  const inputs = p.inputs(name, type);
  const d = JSON.parse(inputs[key]);
  change(d);
  inputs[key] = JSON.stringify(d);
};
/** Adds a resource with the id the offline engine gives it (ids derive from the resource's identity). */
export const add = (p: Plan, type: string, name: string, parent: string, inputs: Record<string, unknown>) => p.add({ type, name, parent, id: computedOutputs(type, name, inputs, "us-east-1").id, inputs, options: { provider: "pulumi:providers:aws::aws" } } as PlanResource);
export const stmts = (p: Plan, name: string, type: string, key: string, extra: unknown[]) => editDoc(p, name, type, key, (d) => d.Statement.push(...extra));
export const dist = (p: Plan) => p.inputs("cdn-distribution");
export const behaviour = (p: Plan, path: string) => dist(p).orderedCacheBehaviors.find((b: any) => b.pathPattern === path);
export const waf = (p: Plan) => p.inputs("cdn-waf-acl");
export const wafRule = (p: Plan, name: string) => waf(p).rules.find((r: any) => r.name === name);

/** Launch-template user data as EKS reads it (base64 MIME with a nodeadm NodeConfig) with the kubelet config's lines (nested YAML). */
export const nodeadmKubelet = (configLines: string[]) =>
  Buffer.from(
    [
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="BOUNDARY"',
      "",
      "--BOUNDARY",
      "Content-Type: application/node.eks.aws",
      "",
      "apiVersion: node.eks.aws/v1alpha1",
      "kind: NodeConfig",
      "spec:",
      "  kubelet:",
      "    config:",
      ...configLines.map((l) => `      ${l}`),
      "--BOUNDARY--",
      "",
    ].join("\n"),
  ).toString("base64");
/** The same, setting the kubelet's config keys to JSON values. */
export const nodeConfig = (kubelet: Record<string, unknown>) => nodeadmKubelet(Object.entries(kubelet).map(([k, v]) => `${k}: ${JSON.stringify(v)}`));
