/**
 * What an ARN or an AWS host name looks like in every partition, so that no rule reads only the
 * commercial partition's spelling: `arn:aws:` and `.amazonaws.com` are one partition's of several
 * (`arn:aws-cn:`, `arn:aws-us-gov:`, `.amazonaws.com.cn`). A rule that matched the commercial
 * spelling only would pass a GovCloud or China resource it should judge, or flag one it should pass.
 */

/** ARN parsing is defined once, in the contract (the program checks config ARNs with it too). */
export { ARN_PARTITION, type Arn, arnsIn, parseArn } from "@edgestack/contract";

/** The DNS suffix of AWS endpoints and regional service principals: commercial and GovCloud's, and China's. */
export const AWS_DNS_SUFFIX = String.raw`amazonaws\.com(?:\.cn)?`;

const S3_HOST = new RegExp(String.raw`\.s3([.-][a-z0-9-]+)*\.${AWS_DNS_SUFFIX}$`);

/** An S3 endpoint host of a bucket (`<bucket>.s3[.<region>|-<region>].amazonaws.com[.cn]`, dual-stack and website included). */
export const isS3Host = (host: string): boolean => S3_HOST.test(host);

/** An S3 website endpoint host (public, plain HTTP), in any partition. */
export const isS3WebsiteHost = (host: string): boolean => isS3Host(host) && /\.s3-website[.-]/.test(host);
