/** Pure rules for the app's image repository: its name, lifecycle policy, and digest references. */

import { Naming } from "../naming";

/**
 * ECR repository name for a stack's app image: `<namePrefix>/app`, or with no prefix configured
 * `edgestack-<stack folded to lower case, [a-z0-9._-]>/app`; at most 256 characters.
 */
export function imageRepositoryName(naming: Naming): string {
  if (naming.namePrefix) return `${naming.namePrefix}/app`;
  const slug = naming.stack.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "") || "stack";
  return `edgestack-${slug}/app`.slice(0, 256);
}

/** Tagged images kept; older ones expire. A rollback target is one of these. */
export const KEPT_IMAGES = 50;

/**
 * Keeps the newest tagged images. Only tagged images are counted and expired: a multi-platform push
 * with provenance and SBOM attestations stores its platform manifests and attestations untagged
 * under the tagged index, and an "untagged" rule would expire parts of images still in use.
 */
export function lifecyclePolicy(keep: number = KEPT_IMAGES): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the ${keep} newest tagged images`,
        selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}

/** `<repository url>@sha256:<digest>`: the one form of reference the deploy workflow passes as appImage. */
export function digestReference(repositoryUrl: string, digest: string): string {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`image digest ${JSON.stringify(digest)} is not sha256:<64 hex>`);
  return `${repositoryUrl}@${digest}`;
}

/** The role name in an IAM role ARN (the part after the last '/'). */
export function roleNameOfArn(arn: string): string {
  const name = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn)?.[1];
  if (!name) throw new Error(`${JSON.stringify(arn)} is not an IAM role ARN`);
  return name;
}

/**
 * What the workflow's image job may do, and nothing else: push to (and read back from) this
 * stack's repository, and — for prod's promotion — read the repository the tested digest comes
 * from. No stack, cluster or other repository access: building before the approval writes nothing
 * the approver has not seen.
 */
export function imagePushPolicy(repositoryArn: string, promoteSourceRepositoryArn?: string): string {
  const read = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];
  const write = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"];
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      // Registry login; GetAuthorizationToken takes no resource.
      { Sid: "Login", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
      { Sid: "PushThisRepository", Effect: "Allow", Action: [...read, ...write], Resource: repositoryArn },
      ...(promoteSourceRepositoryArn ? [{ Sid: "ReadPromotionSource", Effect: "Allow", Action: read, Resource: promoteSourceRepositoryArn }] : []),
    ],
  });
}
