/**
 * ARNs in every partition, and the partition a region belongs to: read by the program (config ARNs
 * checked against the stack's partition at start) and by the policy pack (policies/semantics/partition.ts).
 */

/** The partition field of an ARN: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, ... */
export const ARN_PARTITION = "aws(?:-[a-z]+)*";

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

const ARN = new RegExp(`^arn:(${ARN_PARTITION}):([a-z0-9-]+):([a-z0-9-]*):([0-9]{12}|aws|\\*|)?:(.+)$`);

/** The fields of an ARN in any partition; undefined for anything else. */
export function parseArn(value: string): Arn | undefined {
  const m = ARN.exec(value);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4] ?? "", resource: m[5]! };
}

/** Every ARN-shaped token inside a text (a kubeconfig, a JSON value, a `protocol:arn` entry). */
export function arnsIn(text: string): string[] {
  return [...text.matchAll(new RegExp(`arn:${ARN_PARTITION}:[a-z0-9-]+:[a-z0-9-]*:(?:[0-9]{12}|aws|\\*)?:[^\\s"',;]+`, "g"))].map((m) => m[0]);
}

/** Region name prefixes of the partitions other than the commercial one, most specific first. */
const REGION_PARTITIONS: [RegExp, string][] = [
  [/^cn-/, "aws-cn"],
  [/^us-gov-/, "aws-us-gov"],
  [/^us-isob-/, "aws-iso-b"],
  [/^us-isof-/, "aws-iso-f"],
  [/^eu-isoe-/, "aws-iso-e"],
  [/^us-iso-/, "aws-iso"],
  [/^eusc-/, "aws-eusc"],
];

/** The partition a region belongs to (`eu-west-1` → `aws`, `cn-north-1` → `aws-cn`, `us-gov-west-1` → `aws-us-gov`). */
export function partitionOfRegion(region: string): string {
  return REGION_PARTITIONS.find(([re]) => re.test(region))?.[1] ?? "aws";
}
