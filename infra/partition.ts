import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The AWS partition a provider works in (commercial `aws`, China `aws-cn`, GovCloud `aws-us-gov`, the
 * isolated ones). Every ARN, regional service principal, service endpoint and VPC endpoint service name
 * the stack writes is built from it, never from the commercial partition's spelling: read it once per
 * component from the component's provider (`partitionOf`) and pass it to the pure builders below.
 */
export interface Partition {
  /** The ARN partition: `aws`, `aws-cn`, `aws-us-gov`, ... */
  id: string;
  /** The partition's DNS suffix: `amazonaws.com`, `amazonaws.com.cn`, ... */
  dnsSuffix: string;
  /** The reverse of the DNS suffix, which VPC endpoint service names start with: `com.amazonaws`, `cn.com.amazonaws`, ... */
  reverseDnsPrefix: string;
}

/**
 * Before any provider runs (config validation at program start) the partition comes from the region:
 * `partitionOfRegion` in @edgestack/contract, with `parseArn` (config ARNs: infra/config/arns.ts).
 */
export { parseArn, partitionOfRegion } from "@edgestack/contract";

/** The partition of the provider the options name (the component's own, through its parent). */
export function partitionOf(opts: pulumi.InvokeOutputOptions): pulumi.Output<Partition> {
  return aws.getPartitionOutput({}, opts).apply((p) => ({ id: p.partition, dnsSuffix: p.dnsSuffix, reverseDnsPrefix: p.reverseDnsPrefix }));
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` (region and account empty for global services). */
export const arnOf = (p: Partition, service: string, region: string, account: string, resource: string): string => `arn:${p.id}:${service}:${region}:${account}:${resource}`;

/** The account's root principal (the account as a whole, not its root user). */
export const accountRoot = (p: Partition, account: string): string => arnOf(p, "iam", "", account, "root");

/**
 * A regional service endpoint (`<service>.<region>.<suffix>`), as `kms:ViaService` names it, and the form
 * of the regional service principals (CloudWatch Logs': `logs.<region>.<suffix>`). Global service
 * principals (`<service>.amazonaws.com`) are spelled the same in every partition; regional ones take the
 * partition's suffix.
 */
export const regionalServiceName = (p: Partition, service: string, region: string): string => `${service}.${region}.${p.dnsSuffix}`;

/** An interface VPC endpoint's service name: `com.amazonaws.<region>.<service>` in the commercial partition. */
export const vpcEndpointServiceName = (p: Partition, region: string, service: string): string => `${p.reverseDnsPrefix}.${region}.${service}`;
