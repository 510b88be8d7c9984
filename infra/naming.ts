/**
 * Where physical names come from. Every name AWS keeps unique in an account or region (EKS cluster,
 * ElastiCache replication group and its final snapshot, ECR repository, CloudWatch log groups,
 * CloudFront policies, function and origin access control, WAF web ACL and its metrics) starts with
 * one prefix: `edgestack:namePrefix`, or `edgestack-<stack>` when it is unset. Each service's
 * alphabet folds the default as it always has, so an unset prefix reproduces the names a stack
 * already has; a configured prefix is validated (infra/config/schema.ts) to fit every alphabet.
 * Everything else is auto-named by Pulumi (logical name + random suffix) and cannot collide.
 */

/** What a physical name depends on: the stack and the configured prefix ("" when unset). */
export interface Naming {
  stack: string;
  namePrefix: string;
}

/** The longest configured prefix: the replication group id (40) less its final snapshot's "-final". */
export const NAME_PREFIX_MAX_LENGTH = 34;

/** The prefix every physical name starts with, before a service folds it into its alphabet. */
export function physicalNamePrefix(naming: Naming): string {
  return naming.namePrefix || `edgestack-${naming.stack}`;
}

/** The CloudWatch log group a new VPC's flow logs go to. */
export function flowLogGroupName(naming: Naming): string {
  return `/aws/vpc/${physicalNamePrefix(naming)}/flow-logs`;
}
