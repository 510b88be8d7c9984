/**
 * Static proof that every workflow job that runs Pulumi on a stack (deploy.yml, preview.yml, any other) can reach
 * that stack's Kubernetes API: the job's `runs-on` names a runner, the plan places that runner in the cluster's
 * private subnets with security-group rules to the control plane on 443 (or, for static-egress
 * runners, inside the public endpoint's allowed ranges), and the endpoint settings admit it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { cidrWithin } from "../../infra/config/schema";
import { projectOfRunnerLabel } from "../../infra/ci/settings";
import { type CapturedResource, input, type StackRun } from "../harness";

type Job = { "runs-on": string; steps: { run?: string; with?: Record<string, unknown> }[] };

const WORKFLOWS = join(__dirname, "../../.github/workflows");

/** A job once per value of its `matrix.stack` (the only matrix key our workflows use), `${{ matrix.stack }}` substituted. */
function expandStackMatrix(job: Job & { strategy?: { matrix?: { stack?: unknown } } }): Job[] {
  const stacks = job.strategy?.matrix?.stack;
  if (!Array.isArray(stacks)) return [job];
  return stacks.map((stack) => JSON.parse(JSON.stringify(job).replace(/\$\{\{ *matrix\.stack *\}\}/g, String(stack))) as Job);
}

/** Whether a step runs a Pulumi operation that reads or changes `stack`'s resources (and so the cluster's objects). */
function runsPulumiOn(step: Job["steps"][number], stack: string): boolean {
  const command = step.with?.command;
  if (step.with?.["stack-name"] === stack && ["preview", "up", "update", "refresh", "destroy"].includes(String(command))) return true;
  return new RegExp(`pulumi (up|update|preview|refresh|destroy)\\b[^\\n]*--stack[ =]${stack}\\b`).test(step.run ?? "");
}

/**
 * Every workflow job, in every file under .github/workflows, that talks to the Kubernetes API of `stack` (it runs a
 * Pulumi operation on it), named `<file>/<job>`.
 */
export function clusterJobs(stack: string): [string, Job][] {
  const jobs: [string, Job][] = [];
  for (const file of readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const wf = parse(readFileSync(join(WORKFLOWS, file), "utf8")) as { jobs: Record<string, Job> };
    for (const [name, declared] of Object.entries(wf.jobs)) {
      for (const job of expandStackMatrix(declared)) if ((job.steps ?? []).some((s) => runsPulumiOn(s, stack))) jobs.push([`${file}/${name}`, job]);
    }
  }
  return jobs;
}

const portCovers = (rule: CapturedResource, port: number) => {
  const protocol = input<string>(rule, "ipProtocol");
  return protocol === "-1" || (protocol === "tcp" && input<number>(rule, "fromPort") <= port && port <= input<number>(rule, "toPort"));
};

/** Why `label` cannot reach the cluster API in `run`, or [] when it can. */
export function reachabilityProblems(run: StackRun, label: string, egressCidrs: readonly string[] = []): string[] {
  const cluster = run.resources.find((r) => r.type === "aws:eks/cluster:Cluster");
  if (!cluster) return ["the plan has no EKS cluster"];
  const vpc = input<Record<string, unknown>>(cluster, "vpcConfig");
  const project = projectOfRunnerLabel(label);
  if (project === undefined) {
    // A runner outside the VPC: only through the public endpoint, from admitted ranges.
    if (vpc.endpointPublicAccess !== true) return [`runs-on ${label}: a runner outside the VPC, but the endpoint is private`];
    const allowed = (vpc.publicAccessCidrs as string[] | undefined) ?? [];
    if (egressCidrs.length === 0) return [`runs-on ${label}: no CodeBuild runner and no declared static egress ranges`];
    return egressCidrs.filter((c) => !allowed.some((a) => cidrWithin(c, a))).map((c) => `egress ${c} is not inside the endpoint's public ranges ${allowed.join(", ")}`);
  }
  const problems: string[] = [];
  const runner = run.resources.find((r) => r.type === "aws:codebuild/project:Project" && input(r, "name") === project);
  if (!runner) return [`runs-on ${label}: the plan has no CodeBuild project named ${project}`];
  if (vpc.endpointPrivateAccess !== true) problems.push("the endpoint has no private access");
  const runnerVpc = input<{ vpcId: string; subnets: string[]; securityGroupIds: string[] }>(runner, "vpcConfig");
  if (!runnerVpc) return [`${project} is not placed in a VPC`];
  const clusterSubnets = vpc.subnetIds as string[];
  const stray = runnerVpc.subnets.filter((s) => !clusterSubnets.includes(s));
  if (runnerVpc.subnets.length === 0 || stray.length > 0) problems.push(`${project} runs in subnets ${runnerVpc.subnets.join(", ")}, not the control plane's ${clusterSubnets.join(", ")}`);
  const clusterSgs = vpc.securityGroupIds as string[];
  const rules = (type: string) => run.resources.filter((r) => r.type === type);
  const ingress = rules("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
    (r) => clusterSgs.includes(input(r, "securityGroupId")) && runnerVpc.securityGroupIds.includes(input(r, "referencedSecurityGroupId")) && portCovers(r, 443),
  );
  if (ingress.length === 0) problems.push(`no ingress rule on the cluster's security group admits ${project}'s security group on 443`);
  const egress = rules("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(
    (r) =>
      runnerVpc.securityGroupIds.includes(input(r, "securityGroupId")) &&
      portCovers(r, 443) &&
      (clusterSgs.includes(input(r, "referencedSecurityGroupId")) || input(r, "cidrIpv4") === "0.0.0.0/0"),
  );
  if (egress.length === 0) problems.push(`${project}'s security group has no egress to the cluster on 443`);
  return problems;
}
