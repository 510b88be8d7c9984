/**
 * ARNs a user configures, checked against the stack's partition and region at program start. An ARN
 * of another partition can never be used by this stack (IAM, SNS, ECR and EKS do not cross partitions),
 * and a regional resource the stack attaches in its own region must be in that region; either way the
 * run would fail half-applied in the provider, so the config is refused up front, naming key and value.
 *
 * Every config value is searched for ARNs (so a key added later is covered without a table row); the
 * table below adds what a key's ARN must be: its service, and whether its region must be the stack's.
 */
import { arnsIn, parseArn, partitionOfRegion } from "@edgestack/contract";

export interface ArnRule {
  /** The services the key's ARNs may name. */
  services: readonly string[];
  /**
   * Where the resource must be: `global` (the ARN has no region: IAM), `any` (a regional resource
   * the stack may use from another region), `stack` (it must be in the stack's region, e.g. an ALB's
   * certificate), `us-east-1` (CloudFront's certificate, whatever the stack's region; in the
   * partition's first region elsewhere is not offered: CloudFront runs in the commercial partition).
   */
  region: "global" | "any" | "stack" | "us-east-1";
}

/** What each ARN-holding key (edgestack:<key>) must name. */
export const CONFIG_ARN_RULES: Record<string, ArnRule> = {
  ciDeployRoleArn: { services: ["iam"], region: "global" },
  ciPreviewRoleArn: { services: ["iam"], region: "global" },
  clusterAdminRoleArns: { services: ["iam"], region: "global" },
  ciImagePushRoleArn: { services: ["iam"], region: "global" },
  // CodeConnections connections are global resources usable from every region (the ARN names the one that controls updates).
  ciCodeConnectionArn: { services: ["codeconnections", "codestar-connections"], region: "any" },
  // The promote job pulls the tested digest from dev's repository, which may live in another region.
  imagePromoteSourceRepositoryArn: { services: ["ecr"], region: "any" },
  // SNS delivers to SQS queues and Lambda functions in other regions of the same partition.
  alertPageSubscriptions: { services: ["sqs", "lambda"], region: "any" },
  alertTicketSubscriptions: { services: ["sqs", "lambda"], region: "any" },
  // Target groups attach to an Auto Scaling group of the stack's region only.
  existingNodeAutoScalingGroup: { services: ["autoscaling"], region: "stack" },
  // The existing cluster the workloads run on sits behind the stack's load balancers: its region. Its
  // kubeconfig may also name IAM roles (aws eks get-token --role-arn), which are global.
  existingKubeconfig: { services: ["eks", "iam", "sts"], region: "stack" },
};

/** Services whose ARNs carry no region in any partition. */
const GLOBAL_SERVICES = new Set(["iam", "sts", "organizations", "route53", "cloudfront", "waf", "s3"]);

/**
 * The problems of every ARN in the config values: `values` maps a config key (as written:
 * `edgestack:ciDeployRoleArn`, `aws:assumeRole`) to its value (a string, or a list of strings).
 */
export function configArnProblems(values: Record<string, unknown>, region: string, rules: Record<string, ArnRule> = CONFIG_ARN_RULES): string[] {
  const partition = partitionOfRegion(region);
  const problems: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const rule = rules[key.replace(/^edgestack:/, "")];
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`${key}[${i}]`, v]) : [[key, value]];
    for (const [label, v] of entries) {
      const text = typeof v === "string" ? v : v !== null && typeof v === "object" ? JSON.stringify(v) : "";
      for (const token of new Set(arnsIn(text))) {
        const arn = parseArn(token);
        if (!arn) continue;
        const shown = JSON.stringify(token);
        if (arn.partition !== partition) {
          problems.push(`${label}: ${shown} is in partition "${arn.partition}", but the stack's region ${region} is in "${partition}"; an ARN of another partition can't be used here`);
          continue;
        }
        if (!rule) continue;
        if (!rule.services.includes(arn.service)) {
          problems.push(`${label}: ${shown} names the ${arn.service} service; expected ${rule.services.join(" or ")}`);
          continue;
        }
        if (rule.region === "stack" && !GLOBAL_SERVICES.has(arn.service) && arn.region !== region) {
          problems.push(`${label}: ${shown} is in region ${arn.region || "(none)"}, but the stack runs in ${region}; the resource must be in the stack's region`);
        }
        if (rule.region === "us-east-1" && arn.region !== "us-east-1") {
          problems.push(`${label}: ${shown} is in region ${arn.region || "(none)"}; CloudFront uses certificates from us-east-1 only`);
        }
      }
    }
  }
  return problems;
}
