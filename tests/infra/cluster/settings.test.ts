import { configProblems } from "../../harness/config";
import {
  amiTypeFor,
  clusterName,
  CONTROL_PLANE_LOG_TYPES,
  EKS_OIDC_ROOT_CA_THUMBPRINT,
  endpointAccess,
  managedPolicyArn,
  NODE_MANAGED_POLICIES,
  serviceAssumeRolePolicy,
} from "../../../infra/cluster/settings";

describe("endpointAccess", () => {
  it("keeps the API endpoint private when no CIDRs are configured", () => {
    expect(endpointAccess([])).toEqual({ endpointPrivateAccess: true, endpointPublicAccess: false });
  });

  it("opens it publicly to exactly the configured CIDRs", () => {
    expect(endpointAccess(["198.51.100.0/24", "203.0.113.7/32"])).toEqual({
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["198.51.100.0/24", "203.0.113.7/32"],
    });
  });

  it("takes CIDRs the schema checked: the whole internet is refused at program start, naming the key", () => {
    const base = { "aws:region": "eu-west-1", "edgestack:domain": "example.com" };
    expect(configProblems({ ...base, "edgestack:clusterPublicAccessCidrs": '["0.0.0.0/0"]' })).toContainEqual(expect.stringMatching(/^edgestack:clusterPublicAccessCidrs: .*opens the cluster API to the internet/));
  });
});

describe("IAM", () => {
  it("lets only the named service assume the role (EKS may tag sessions)", () => {
    expect(JSON.parse(serviceAssumeRolePolicy("eks.amazonaws.com"))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    });
    expect(JSON.parse(serviceAssumeRolePolicy("ec2.amazonaws.com")).Statement[0]).toEqual({
      Effect: "Allow",
      Principal: { Service: "ec2.amazonaws.com" },
      Action: ["sts:AssumeRole"],
    });
  });

  it("gives nodes exactly the worker, CNI and ECR read-only policies, in the caller's partition", () => {
    expect([...NODE_MANAGED_POLICIES].sort()).toEqual(["AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"]);
    expect(managedPolicyArn("aws-us-gov", "AmazonEKS_CNI_Policy")).toBe("arn:aws-us-gov:iam::aws:policy/AmazonEKS_CNI_Policy");
  });
});

describe("amiTypeFor", () => {
  it.each([
    ["t3.medium", "AL2023_x86_64_STANDARD"],
    ["m6i.large", "AL2023_x86_64_STANDARD"],
    ["g5.xlarge", "AL2023_x86_64_STANDARD"],
    ["u-6tb1.metal", "AL2023_x86_64_STANDARD"],
    ["t4g.medium", "AL2023_ARM_64_STANDARD"],
    ["m7g.large", "AL2023_ARM_64_STANDARD"],
    ["c7gn.xlarge", "AL2023_ARM_64_STANDARD"],
    ["r6gd.2xlarge", "AL2023_ARM_64_STANDARD"],
  ])("%s → %s", (instanceType, ami) => {
    expect(amiTypeFor(instanceType)).toBe(ami);
  });
});

describe("constants", () => {
  it("logs every control-plane log type", () => {
    expect([...CONTROL_PLANE_LOG_TYPES].sort()).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
  });

  it("pins a 40-hex-digit OIDC thumbprint", () => {
    expect(EKS_OIDC_ROOT_CA_THUMBPRINT).toMatch(/^[0-9a-f]{40}$/);
  });

  it("names clusters after the stack within EKS's alphabet", () => {
    expect(clusterName({ stack: "prod", namePrefix: "" })).toBe("edgestack-prod");
    expect(clusterName({ stack: "team a/dev", namePrefix: "" })).toBe("edgestack-team-a-dev");
  });
});
