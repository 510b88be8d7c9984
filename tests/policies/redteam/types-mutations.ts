/**
 * Resources of types no rule reads, added next to the prod stack: resource-types-judged must name each. Resources of
 * judged types added the same way are caught by the rule that judges them, and additions that grant nothing pass.
 */
import type { PlanResource } from "../../../offline/plan/format";
import { UNJUDGED_ADDITIONS } from "../fixtures/resource-types";
import type { Mutation, Plan } from "./mutations";

const added = (type: string, name: string, inputs: Record<string, unknown>, parent: string | null = null): PlanResource => ({ type, name, parent, inputs });
const restrictedPod = { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, containers: [{ name: "job", image: "busybox", securityContext: { privileged: true, allowPrivilegeEscalation: true } }] };

export const typeMutations: Mutation[] = [
  ...UNJUDGED_ADDITIONS.map(([type, name, inputs]): Mutation => ({ area: "types", title: `adds a ${type}`, expect: name, apply: (p: Plan) => p.add(added(type, name, inputs)) })),
  { area: "types", title: "adds an EC2 instance without IMDSv2 (judged type)", expect: "bastion", apply: (p) => p.add(added("aws:ec2/instance:Instance", "bastion", { ami: "ami-0123456789abcdef0", instanceType: "t3.micro", metadataOptions: { httpTokens: "optional" } })) },
  { area: "types", title: "adds an SQS queue policy open to everyone (judged type)", expect: "jobs-policy", apply: (p) => p.add(added("aws:sqs/queuePolicy:QueuePolicy", "jobs-policy", { queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: "*" }] }) })) },
  { area: "types", title: "adds a privileged CronJob (judged kind)", expect: "nightly", apply: (p) => p.add(added("kubernetes:batch/v1:CronJob", "nightly", { metadata: { name: "nightly", namespace: "edge" }, spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: restrictedPod } } } } }, "workloads")) },
];

export const typeHarmless: { title: string; apply: (plan: Plan) => void }[] = [
  { title: "adds a CloudWatch dashboard", apply: (p) => p.add(added("aws:cloudwatch/dashboard:Dashboard", "ops-board", { dashboardName: "edgestack-ops", dashboardBody: JSON.stringify({ widgets: [] }) })) },
  { title: "adds a log metric filter", apply: (p) => p.add(added("aws:cloudwatch/logMetricFilter:LogMetricFilter", "errors", { logGroupName: "/aws/elasticache/edgestack-prod/slow-log", pattern: "ERROR", metricTransformation: { name: "errors", namespace: "edgestack", value: "1" } })) },
];
