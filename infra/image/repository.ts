import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { imagePushPolicy, lifecyclePolicy, roleNameOfArn } from "./settings";

export interface ImageRepositoryArgs {
  /** Repository name (imageRepositoryName). */
  name: string;
  /** Prod: `protect`, and the repository is not deleted with images in it. */
  isProd: boolean;
  /** The role the workflow's image job pushes with: gets push to this repository only. */
  pushRoleArn?: string;
  /** Prod: the repository the tested digest is promoted from (read-only for the push role). */
  promoteSourceRepositoryArn?: string;
}

/**
 * The private ECR repository the deploy workflow pushes app/Dockerfile's image to: immutable tags
 * (a tag names one build forever), scan on push, KMS encryption, a lifecycle policy. Nodes pull
 * from it with their AmazonEC2ContainerRegistryReadOnly policy.
 */
export class ImageRepository extends pulumi.ComponentResource {
  public readonly repositoryUrl: pulumi.Output<string>;
  public readonly repositoryName: pulumi.Output<string>;
  public readonly repositoryArn: pulumi.Output<string>;

  constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:image:Repository", name, {}, opts);
    const repository = new aws.ecr.Repository(
      `${name}-repo`,
      {
        name: args.name,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS" }],
        forceDelete: !args.isProd,
      },
      { parent: this, protect: args.isProd },
    );
    new aws.ecr.LifecyclePolicy(`${name}-lifecycle`, { repository: repository.name, policy: lifecyclePolicy() }, { parent: this });
    if (args.pushRoleArn) {
      new aws.iam.RolePolicy(
        `${name}-push`,
        { role: roleNameOfArn(args.pushRoleArn), policy: repository.arn.apply((arn) => imagePushPolicy(arn, args.promoteSourceRepositoryArn || undefined)) },
        { parent: this },
      );
    }
    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryName = repository.name;
    this.repositoryArn = repository.arn;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}
