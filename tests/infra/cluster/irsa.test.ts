import { serviceAccountTrustPolicy } from "../../../infra/cluster/irsa";

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";

test("an IRSA trust policy admits exactly one service account's token from the cluster's issuer, for STS", () => {
  const expected = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:cluster-autoscaler",
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
          },
        },
      },
    ],
  };
  const sa = { namespace: "kube-system", name: "cluster-autoscaler" };
  // The issuer as EKS reports it (https://…) or already bare: the condition keys are the bare issuer.
  expect(JSON.parse(serviceAccountTrustPolicy(PROVIDER, "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC", sa))).toEqual(expected);
  expect(JSON.parse(serviceAccountTrustPolicy(PROVIDER, "oidc.eks.eu-west-1.amazonaws.com/id/ABC", sa))).toEqual(expected);
});
