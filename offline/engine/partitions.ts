import type { Partition } from "../../infra/partition";

/**
 * The AWS partitions the offline engine answers for, as the provider's getPartition reports them.
 * A run's partition is the one its default region belongs to, unless the run names one.
 */
export const PARTITIONS = {
  aws: { id: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" },
  "aws-cn": { id: "aws-cn", dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" },
  "aws-us-gov": { id: "aws-us-gov", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" },
} as const satisfies Record<string, Partition>;

export type PartitionId = keyof typeof PARTITIONS;

/** The partition of a region: China's `cn-*`, GovCloud's `us-gov-*`, else commercial. */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith("cn-")) return PARTITIONS["aws-cn"];
  if (region.startsWith("us-gov-")) return PARTITIONS["aws-us-gov"];
  return PARTITIONS.aws;
}
