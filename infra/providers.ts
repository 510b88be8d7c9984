import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { StackConfig } from "./config";

/** Tags every AWS resource carries, through the providers' `defaultTags`. */
export function defaultTags(config: StackConfig): Record<string, string> {
  return {
    project: "edgestack",
    stack: config.stack,
    environment: config.environment,
    owner: config.owner,
    "cost-center": config.costCenter,
    "managed-by": "pulumi",
  };
}

/** The stack's AWS provider in its configured region, tagging everything it creates. */
export function awsProvider(config: StackConfig): aws.Provider {
  return new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: defaultTags(config) } });
}

/** CloudFront only accepts ACM certificates (and WAF web ACLs) from us-east-1. */
export function awsUsEast1Provider(config: StackConfig): aws.Provider {
  return new aws.Provider("aws-us-east-1", { region: "us-east-1", defaultTags: { tags: defaultTags(config) } });
}

/** Generated secrets (origin lock, cache AUTH token): explicit like every provider (default providers are disabled). */
export function randomProvider(): random.Provider {
  return new random.Provider("random", {});
}

/** The tls provider (nginx's ALB listener certificate): explicit, like every provider of the stack. */
export function tlsProvider(): tls.Provider {
  return new tls.Provider("tls", {});
}
