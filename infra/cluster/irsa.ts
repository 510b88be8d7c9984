import * as pulumi from "@pulumi/pulumi";

/**
 * IRSA (IAM roles for service accounts): a role that exactly one Kubernetes service account may assume
 * through the cluster's OIDC provider, with STS as the audience. Pure; the one place the trust policy
 * of every IRSA role is written.
 */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** The trust policy: the service account's token from the cluster's issuer (`https://` optional), for STS, nothing else. */
export function serviceAccountTrustPolicy(oidcProviderArn: string, issuerUrl: string, serviceAccount: ServiceAccountRef): string {
  const issuer = issuerUrl.replace(/^https:\/\//, "");
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`,
            // The pod identity webhook's audience: a token value, the same in every partition (China's too).
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  });
}

/** The same from the cluster's outputs (a Role's `assumeRolePolicy`). */
export function serviceAccountTrustPolicyOutput(oidcProviderArn: pulumi.Input<string>, issuerUrl: pulumi.Input<string>, serviceAccount: ServiceAccountRef): pulumi.Output<string> {
  return pulumi.all([oidcProviderArn, issuerUrl]).apply(([arn, issuer]) => serviceAccountTrustPolicy(arn, issuer, serviceAccount));
}
