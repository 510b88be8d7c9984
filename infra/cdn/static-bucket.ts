import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface StaticBucketArgs {
  /** Keep previous object versions (prod: an overwritten asset can be restored). */
  versioning: boolean;
  /** `protect` the bucket (prod): replacing or deleting it loses the assets. */
  protect: boolean;
}

/**
 * The private bucket static assets are served from. Nothing is public: CloudFront reads it through
 * Origin Access Control, and the Cdn component adds the bucket policy scoped to its distribution.
 */
export class StaticBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly bucketRegionalDomainName: pulumi.Output<string>;
  /** Settings that must exist before the bucket policy is applied. */
  public readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;

  constructor(name: string, args: StaticBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:cdn:StaticBucket", name, {}, opts);

    const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: false, tags: { Name: `${name}-static` } }, { parent: this, protect: args.protect });
    this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      { parent: this },
    );
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      // SSE-S3: OAC can read SSE-KMS objects only with an extra key-policy grant; assets aren't secret.
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
      { parent: this },
    );
    if (args.versioning) {
      new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent: this });
    }
    // Abandoned multipart uploads are always cleaned up; with versioning, old versions expire after 30 days.
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: args.versioning ? "expire-old-versions" : "abort-incomplete-uploads",
            status: "Enabled",
            filter: { prefix: "" },
            ...(args.versioning ? { noncurrentVersionExpiration: { noncurrentDays: 30 } } : {}),
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this },
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.bucketRegionalDomainName = bucket.bucketRegionalDomainName;
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
