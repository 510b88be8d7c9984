import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface LogBucketArgs {
  /**
   * CloudFront standard logs are delivered through an ACL grant, so that bucket needs ACLs enabled
   * (`BucketOwnerPreferred`); every other bucket disables ACLs (`BucketOwnerEnforced`).
   */
  aclsForCloudFrontLogs: boolean;
  /** Log objects are deleted after this many days. */
  expireAfterDays: number;
  /** `protect` the bucket (prod). */
  protect: boolean;
  /** Builds the bucket policy from the bucket's ARN (delivery grants); a deny of plain-HTTP access is always added. */
  deliveryStatements?: (bucketArn: pulumi.Output<string>) => pulumi.Input<Record<string, unknown>[]>;
}

/**
 * A private S3 bucket for access logs: public access blocked, SSE-S3 (the only encryption ALB log
 * delivery supports), lifecycle expiry, TLS-only access.
 */
export class LogBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** `<bucket>.s3.amazonaws.com`, the form CloudFront logging wants. */
  public readonly bucketDomainName: pulumi.Output<string>;
  /** Resolves once the bucket policy and settings exist (log delivery checks them on setup). */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: LogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:edge:LogBucket", name, {}, opts);

    const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: false, tags: { Name: `${name}-logs` } }, { parent: this, protect: args.protect });
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      { parent: this },
    );
    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: args.aclsForCloudFrontLogs ? "BucketOwnerPreferred" : "BucketOwnerEnforced" } },
      { parent: this },
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { parent: this },
    );
    const lifecycle = new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-logs",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: args.expireAfterDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this },
    );
    const statements = pulumi.output(args.deliveryStatements?.(bucket.arn) ?? []);
    const policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: pulumi.all([statements, bucket.arn]).apply(([delivery, arn]) => [...delivery, denyInsecureTransport(arn)]),
        }),
      },
      // A policy put while the public-access block is being set can be rejected; order them.
      { parent: this, dependsOn: [publicAccess] },
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.bucketDomainName = bucket.bucketDomainName;
    this.ready = [publicAccess, ownership, encryption, lifecycle, policy];
    this.registerOutputs({ bucketName: this.bucketName });
  }
}

/** Refuses any request to the bucket that isn't over TLS. */
export function denyInsecureTransport(bucketArn: string): Record<string, unknown> {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
