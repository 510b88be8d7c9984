import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lifecyclePolicy } from "./settings";

export interface ImageRepositoryArgs {
  /** Repository name (imageRepositoryName). */
  name: string;
  /** Prod: `protect`, and the repository is not deleted with images in it. */
  isProd: boolean;
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
    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryName = repository.name;
    this.repositoryArn = repository.arn;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}
