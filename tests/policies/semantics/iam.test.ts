import { accessLevel, accountWideKeyGrant, actionResources, broadResource, conditionAccounts, escalations, expandAction, grantsAction, isOpenWebIdentity, isPublicGrant, lockouts, mismatchedActions, namedKeyManager, tagScopedWrites, patternsIntersect, principalsOf, resourceScopable, restrictingConditions, Statement, unscopedGrants, unscopedResource } from "../../../policies/semantics/iam";

const allow = (s: Partial<Statement>): Statement => ({ Effect: "Allow", ...s });
const whys = (st: Statement[]) => escalations(st).map((f) => f.why);

describe("IAM action catalogue", () => {
  it("expands wildcards against AWS's action lists", () => {
    const put = expandAction("iam:Put*Policy");
    expect(put).toEqual(expect.arrayContaining(["iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy"]));
    expect(put).not.toContain("iam:GetRolePolicy");
    expect(expandAction("s3:GetObject")).toEqual(["s3:GetObject"]);
    expect(expandAction("nosuchservice:*")).toEqual([]);
    expect(accessLevel("iam:AttachRolePolicy")).toMatch(/Permissions management/);
    expect(accessLevel("s3:GetObject")).toBe("Read");
  });

  it("matches Action and NotAction case-insensitively", () => {
    expect(grantsAction(allow({ Action: "IAM:passrole" }), "iam:PassRole")).toBe(true);
    expect(grantsAction(allow({ NotAction: "s3:*" }), "iam:PassRole")).toBe(true);
    expect(grantsAction(allow({ NotAction: ["iam:*"] }), "iam:PassRole")).toBe(false);
  });

  it("knows which resource patterns cover every resource", () => {
    for (const r of ["*", "arn:aws:iam::123456789012:role/*", "arn:aws:secretsmanager:us-east-1:123456789012:secret:*", "arn:aws:iam::*:role/x"]) expect({ r, broad: broadResource(r) }).toEqual({ r, broad: true });
    for (const r of ["arn:aws:s3:::bucket/*", "arn:aws:iam::123456789012:role/app", "arn:aws:kms:us-east-1:123456789012:key/abc"]) expect({ r, broad: broadResource(r) }).toEqual({ r, broad: false });
  });
});

describe("privilege escalation", () => {
  it("finds administrator and NotAction grants", () => {
    expect(whys([allow({ Action: "*", Resource: "*" })])).toEqual([expect.stringMatching(/administrator rights/)]);
    expect(whys([allow({ NotAction: "iam:*", Resource: "*" })])[0]).toMatch(/NotAction/);
  });

  it("finds permission management by access level, through wildcards", () => {
    expect(whys([allow({ Action: "iam:Attach*", Resource: "*" })]).join()).toMatch(/permission-management actions .*iam:AttachRolePolicy/);
    expect(whys([allow({ Action: "s3:PutBucketPolicy", Resource: "*" })]).join()).toMatch(/s3:PutBucketPolicy/);
    expect(whys([allow({ Action: "iam:Attach*", Resource: "arn:aws:iam::123456789012:role/app" })])).toEqual([]);
  });

  it("accepts an interface permission only an AWS service can receive (CodeBuild in VPC), nothing looser", () => {
    const eni = "arn:aws:ec2:eu-west-1:123456789012:network-interface/*";
    const subnet = { ArnEquals: { "ec2:Subnet": ["arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1"] } };
    const pinned = (service: unknown, extra: object = {}) => allow({ Action: "ec2:CreateNetworkInterfacePermission", Resource: eni, Condition: { StringEquals: { "ec2:AuthorizedService": service }, ...subnet, ...extra } });
    expect(whys([pinned("codebuild.amazonaws.com")])).toEqual([]);
    // Unpinned, pinned by a wildcard or a pattern operator, or pinned to an account instead of a service: reported.
    expect(whys([allow({ Action: "ec2:CreateNetworkInterfacePermission", Resource: eni, Condition: subnet })]).join()).toMatch(/permission-management actions .*ec2:CreateNetworkInterfacePermission/);
    expect(whys([pinned("*")]).join()).toMatch(/ec2:CreateNetworkInterfacePermission/);
    expect(whys([pinned("123456789012")]).join()).toMatch(/ec2:CreateNetworkInterfacePermission/);
    expect(whys([allow({ Action: "ec2:CreateNetworkInterfacePermission", Resource: eni, Condition: { StringLike: { "ec2:AuthorizedService": "codebuild.amazonaws.com" } } })]).join()).toMatch(/ec2:CreateNetworkInterfacePermission/);
    // The service pin covers that one action, not other permission management in the statement.
    expect(whys([allow({ Action: ["ec2:CreateNetworkInterfacePermission", "iam:AttachRolePolicy"], Resource: "*", Condition: { StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" } } })]).join()).toMatch(/iam:AttachRolePolicy/);
  });

  it("finds iam:PassRole with a compute launcher across statements, not PassRole alone", () => {
    expect(whys([allow({ Action: "iam:PassRole", Resource: "*" }), allow({ Action: "ec2:RunInstances", Resource: "*" })]).join()).toMatch(/PassRole on any role together with ec2:RunInstances/);
    expect(whys([allow({ Action: "iam:PassRole", Resource: "*" })]).join()).not.toMatch(/together with/);
    expect(whys([allow({ Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/one" }), allow({ Action: "lambda:CreateFunction", Resource: "*" })]).join()).not.toMatch(/together with/);
  });

  it("finds takeover and account-wide secret reads; ignores least-privilege grants", () => {
    expect(whys([allow({ Action: "sts:AssumeRole", Resource: "*" })]).join()).toMatch(/sts:AssumeRole/);
    expect(whys([allow({ Action: "secretsmanager:GetSecretValue", Resource: "*" })]).join()).toMatch(/every secret/);
    expect(whys([allow({ Action: ["cloudwatch:PutMetricData", "logs:PutLogEvents"], Resource: "*" }), allow({ Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" })])).toEqual([]);
    expect(whys([{ Effect: "Deny", Action: "*", Resource: "*" }])).toEqual([]);
  });
});

describe("principals and conditions", () => {
  it("reads every way of saying everyone", () => {
    for (const p of ["*", { AWS: "*" }, { AWS: ["arn:aws:iam::111122223333:root", "*"] }, { AWS: "arn:aws:iam::*:root" }]) expect(principalsOf(allow({ Principal: p })).anyone).toBe(true);
    expect(principalsOf(allow({ NotPrincipal: { AWS: "arn:aws:iam::1:root" } })).anyone).toBe(true);
    expect(principalsOf(allow({ Principal: { AWS: "arn:aws:iam::111122223333:role/x" } }))).toMatchObject({ anyone: false, accounts: ["111122223333"] });
  });

  it("counts only conditions that restrict the caller or source", () => {
    const keys = (Condition: Statement["Condition"]) => restrictingConditions(allow({ Principal: "*", Condition }));
    expect(keys({ StringEquals: { "aws:PrincipalOrgID": "o-1" } })).toEqual(["aws:PrincipalOrgID"]);
    expect(keys({ ArnLike: { "aws:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1" } })).toHaveLength(1);
    expect(keys({ StringEquals: { "aws:SourceVpce": "vpce-1" } })).toHaveLength(1);
    expect(keys({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } })).toHaveLength(1);
    // An ARN with no account field names one resource only without a wildcard (zone and bucket names are global).
    expect(keys({ ArnLike: { "aws:SourceArn": "arn:aws:route53:::hostedzone/*" } })).toEqual([]);
    expect(keys({ ArnLike: { "aws:SourceArn": "arn:aws:s3:::logs-*" } })).toEqual([]);
    expect(keys({ ArnEquals: { "aws:SourceArn": "arn:aws:route53:::hostedzone/Z0CE8CDBAA275B3C6061E" } })).toHaveLength(1);
    expect(keys({ ArnEquals: { "aws:SourceArn": "arn:aws:s3:::alb-logs-bucket-740f93f" } })).toHaveLength(1);
    // CloudWatch Logs' encryption context names the log group using a key: one account's groups restrict the source
    // when the service writes it; any other caller writes its own encryption context, request tags or canned ACL.
    const context = { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/containerinsights/x/*" } };
    expect(restrictingConditions(allow({ Principal: { Service: "logs.eu-west-1.amazonaws.com" }, Condition: context }))).toHaveLength(1);
    expect(keys(context)).toEqual([]);
    expect(restrictingConditions(allow({ Principal: { AWS: "arn:aws:iam::123456789012:root" }, Condition: context }))).toEqual([]);
    expect(keys({ StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } })).toEqual([]);
    expect(keys({ StringEquals: { "aws:RequestTag/team": "platform" } })).toEqual([]);
    const notRestricting: Statement["Condition"][] = [
      { StringLike: { "aws:Referer": "https://example.com/*" } },
      { Bool: { "aws:SecureTransport": "true" } },
      { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-1" } },
      { StringNotEquals: { "aws:SourceAccount": "1" } },
      { IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] } },
      { ArnLike: { "aws:SourceArn": "arn:aws:cloudfront::*:distribution/*" } },
      { StringLike: { "aws:SourceAccount": "*" } },
      { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:*:log-group:*" } },
      { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-1" } },
      // The service a request came through, or a user name: any account can match them.
      { StringEquals: { "kms:ViaService": "aps.us-east-1.amazonaws.com" } },
      { "ForAnyValue:StringEquals": { "aws:CalledVia": "cloudformation.amazonaws.com" } },
      { StringEquals: { "aws:username": "deploy" } },
    ];
    // The caller's account named beside the service restricts.
    expect(keys({ StringEquals: { "kms:ViaService": "aps.us-east-1.amazonaws.com", "kms:CallerAccount": "123456789012" } })).toEqual(["kms:CallerAccount"]);
    for (const c of notRestricting) expect({ c, keys: keys(c) }).toEqual({ c, keys: [] });
  });

  it("public grant and open web identity", () => {
    expect(isPublicGrant(allow({ Principal: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } }))).toBe(true);
    expect(isPublicGrant(allow({ Principal: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }))).toBe(false);
    const fed = (Condition?: Statement["Condition"]) => allow({ Principal: { Federated: "arn:aws:iam::1:oidc-provider/oidc.eks/id/X" }, Action: "sts:AssumeRoleWithWebIdentity", Condition });
    expect(isOpenWebIdentity(fed())).toBe(true);
    expect(isOpenWebIdentity(fed({ StringEquals: { "oidc.eks/id/X:aud": "sts.amazonaws.com" } }))).toBe(true);
    expect(isOpenWebIdentity(fed({ StringLike: { "oidc.eks/id/X:sub": "system:serviceaccount:*" } }))).toBe(true);
    expect(isOpenWebIdentity(fed({ StringEquals: { "oidc.eks/id/X:sub": "system:serviceaccount:edgestack:app" } }))).toBe(false);
  });
});

describe("lockouts", () => {
  const grant: Statement = { Sid: "Read", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::a/*" };
  it("a Deny to everyone but root takes the service's grant back", () => {
    const found = lockouts([grant, { Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::1:root" }, Action: "s3:*", Resource: "*" }]);
    expect(found.map((l) => [l.principal, l.action])).toEqual([["cloudfront.amazonaws.com", "s3:GetObject"]]);
  });
  it("a conditional Deny, a Deny that excepts the principal, or one on other resources takes nothing back", () => {
    expect(lockouts([grant, { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }])).toEqual([]);
    expect(lockouts([grant, { Effect: "Deny", NotPrincipal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:*", Resource: "*" }])).toEqual([]);
    expect(lockouts([grant, { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::other/*" }])).toEqual([]);
    expect(lockouts([grant, { Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: "*" }])).toEqual([]);
  });
});

describe("actions and the resources they take", () => {
  it("reads each action's resource types and ARN formats from the catalogue", () => {
    expect(actionResources("s3:GetObject")?.map((t) => t.arn)).toContain("arn:${Partition}:s3:::${BucketName}/${ObjectName}");
    expect(actionResources("ec2:DescribeInstances")).toEqual([]);
    expect(actionResources("nosuch:Action")).toBeUndefined();
    expect(resourceScopable("logs:PutLogEvents")).toBe(true); // a required log stream
    expect(resourceScopable("s3:PutObject")).toBe(true); // an object or an access point's object
    expect(resourceScopable("cloudwatch:PutMetricData")).toBe(false); // an optional dataset: plain calls name none
    expect(resourceScopable("ecr:GetAuthorizationToken")).toBe(false);
  });

  it("intersects glob patterns with ARN formats", () => {
    expect(patternsIntersect("arn:aws:s3:::bucket/*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")).toBe(true);
    expect(patternsIntersect("arn:aws:s3:::bucket", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")).toBe(false);
    expect(patternsIntersect("arn:aws:s3:::bucket*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")).toBe(true);
    expect(patternsIntersect("arn:aws:logs:us-east-1:1:log-group:g:*", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}")).toBe(true);
    expect(patternsIntersect("arn:aws:logs:us-east-1:1:log-group:g", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}")).toBe(false);
    expect(patternsIntersect("arn:aws:ec2:r:1:subnet/s-?", "arn:aws:ec2:r:1:subnet/s-1")).toBe(true);
  });

  it("finds actions granted on resources they do not take", () => {
    expect(mismatchedActions(allow({ Action: "s3:GetObject", Resource: "arn:aws:s3:::b" }))).toEqual(["s3:GetObject"]);
    expect(mismatchedActions(allow({ Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] }))).toEqual([]);
    expect(mismatchedActions(allow({ Action: "ec2:DescribeInstances", Resource: "arn:aws:ec2:us-east-1:123456789012:instance/i-1" }))).toEqual(["ec2:DescribeInstances"]);
    expect(mismatchedActions(allow({ Action: "s3:Get*", Resource: "arn:aws:s3:::b" }))).toEqual([]); // GetBucket* take the bucket
    expect(mismatchedActions(allow({ Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:ssm:us-east-1:1:parameter/x" }))).toEqual(["secretsmanager:GetSecretValue"]);
    expect(mismatchedActions({ Effect: "Deny", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b" })).toEqual(["s3:DeleteObject"]);
    expect(mismatchedActions(allow({ Action: "s3:GetObject", Resource: "*" }))).toEqual([]);
    expect(mismatchedActions(allow({ Action: "nosuch:Thing", Resource: "arn:aws:s3:::b" }))).toEqual([]);
  });

  it("finds scopable actions granted on every resource without a condition on the resource", () => {
    expect(unscopedResource("*")).toBe(true);
    expect(unscopedResource("arn:aws:s3:::*/*")).toBe(true);
    expect(unscopedResource("arn:aws:logs:*:*:*")).toBe(true);
    expect(unscopedResource("arn:aws:ec2:us-east-1:123456789012:network-interface/*")).toBe(false);
    expect(unscopedResource("arn:aws:s3:::bucket/*")).toBe(false);
    expect(unscopedGrants(allow({ Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }))).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
    expect(unscopedGrants(allow({ Action: ["ec2:DescribeSubnets", "cloudwatch:PutMetricData", "ecr:GetAuthorizationToken"], Resource: "*" }))).toEqual([]);
    expect(unscopedGrants(allow({ Action: "s3:PutObject", NotResource: "arn:aws:s3:::b/*" }))).toEqual(["s3:PutObject"]);
    const tagged = { Action: "autoscaling:SetDesiredCapacity", Resource: "*" };
    expect(unscopedGrants(allow({ ...tagged, Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/c": "owned" } } }))).toEqual([]);
    expect(unscopedGrants(allow({ ...tagged, Condition: { StringEqualsIfExists: { "aws:ResourceTag/team": "edge" } } }))).toEqual(["autoscaling:SetDesiredCapacity"]);
    expect(unscopedGrants(allow({ ...tagged, Condition: { Bool: { "aws:SecureTransport": "true" } } }))).toEqual(["autoscaling:SetDesiredCapacity"]);
    // A key of the action's own resource types (the subnet's ec2:Vpc) scopes it too.
    expect(unscopedGrants(allow({ Action: "ec2:CreateNetworkInterface", Resource: "*", Condition: { ArnEquals: { "ec2:Vpc": "arn:aws:ec2:r:1:vpc/v" } } }))).toEqual([]);
    expect(unscopedGrants({ Effect: "Deny", Action: "s3:PutObject", Resource: "*" })).toEqual([]);
  });
});

describe("conditionAccounts", () => {
  it("reads the accounts positive conditions pin, from account keys and ARN keys", () => {
    expect(conditionAccounts({ Effect: "Allow", Condition: { StringEquals: { "kms:CallerAccount": "999999999999", "aws:SourceAccount": ["111111111111"] }, ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:222222222222:alarm:*" } } }).sort()).toEqual(["111111111111", "222222222222", "999999999999"]);
  });
  it("ignores negated and Null operators and wildcard accounts", () => {
    expect(conditionAccounts({ Effect: "Allow", Condition: { StringNotEquals: { "aws:SourceAccount": "999999999999" }, Null: { "aws:SourceAccount": "false" }, ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:*:alarm:*" } } })).toEqual([]);
  });
});

describe("escalations on named resources", () => {
  const why = (s: Statement, self: string[] = []) => escalations([s], self).map((f) => f.why).join(" | ");
  it("reports IAM permission management on a wildcard pattern of identities", () => {
    expect(why({ Effect: "Allow", Action: "iam:PutRolePolicy", Resource: "arn:aws:iam::123456789012:role/ci-*" })).toMatch(/on every identity matching arn:aws:iam::123456789012:role\/ci-\*/);
    expect(why({ Effect: "Allow", Action: "iam:*Policy*", Resource: "arn:aws:iam::123456789012:user/ops-?" })).toMatch(/every identity matching/);
  });
  it("reports it on the principal's own ARN, and not on another exact role", () => {
    const own = "arn:aws:iam::123456789012:role/ci-runner-7addd7d";
    expect(why({ Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: own }, [own, "ci-runner-7addd7d"])).toMatch(/on its own identity/);
    expect(why({ Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: "arn:aws:iam::123456789012:role/other" }, [own])).toBe("");
  });
  it("does not report reads or tagging of identities", () => {
    expect(why({ Effect: "Allow", Action: ["iam:GetRole", "iam:TagRole"], Resource: "arn:aws:iam::123456789012:role/*-runner" })).toBe("");
  });
  it("reports EKS access management on any cluster", () => {
    expect(why({ Effect: "Allow", Action: ["eks:CreateAccessEntry", "eks:AssociateAccessPolicy"], Resource: "arn:aws:eks:us-east-1:123456789012:cluster/prod" })).toMatch(/administrator of arn:aws:eks/);
    expect(why({ Effect: "Allow", Action: "eks:DescribeCluster", Resource: "arn:aws:eks:us-east-1:123456789012:cluster/prod" })).toBe("");
  });
  it("reports changing who reaches a named cluster or cache", () => {
    expect(why({ Effect: "Allow", Action: "eks:UpdateClusterConfig", Resource: "arn:aws:eks:us-east-1:123456789012:cluster/prod" })).toMatch(/admit any principal/);
    expect(why({ Effect: "Allow", Action: "elasticache:ModifyUser", Resource: "arn:aws:elasticache:us-east-1:123456789012:user:app" })).toMatch(/change who reaches/);
    expect(why({ Effect: "Allow", Action: "elasticache:Modify*", Resource: "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:prod" })).toMatch(/elasticache:ModifyReplicationGroup/);
    expect(why({ Effect: "Allow", Action: "eks:UpdateClusterVersion", Resource: "arn:aws:eks:us-east-1:123456789012:cluster/prod" })).toBe("");
  });
  it("reports role chaining into one named role, and not a role's own reads", () => {
    expect(why({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/deploy" })).toMatch(/role chaining/);
    expect(why({ Effect: "Allow", Action: "sts:Assume*", Resource: "arn:aws:iam::123456789012:role/deploy" })).toMatch(/sts:AssumeRole, sts:AssumeRoleWithWebIdentity/);
    expect(why({ Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" })).toBe("");
  });
});

describe("tampering on every resource of a kind", () => {
  const why = (s: Statement) => escalations([s]).map((f) => f.why).join(" | ");
  it("reports deleting logs, keys and registry protections on a kind-wide pattern", () => {
    expect(why({ Effect: "Allow", Action: ["logs:DeleteLogGroup", "logs:PutRetentionPolicy"], Resource: "arn:aws:logs:us-east-1:123456789012:log-group:*" })).toMatch(/logs:DeleteLogGroup, logs:PutRetentionPolicy on every resource of their kind/);
    expect(why({ Effect: "Allow", Action: "kms:ScheduleKeyDeletion", Resource: "arn:aws:kms:us-east-1:123456789012:key/*" })).toMatch(/kms:ScheduleKeyDeletion/);
    expect(why({ Effect: "Allow", Action: "ecr:PutImage*", Resource: "arn:aws:ecr:us-east-1:123456789012:repository/*" })).toMatch(/ecr:PutImageTagMutability, ecr:PutImageScanningConfiguration/);
  });
  it("does not report them on one named resource", () => {
    expect(why({ Effect: "Allow", Action: "logs:PutRetentionPolicy", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/prod/cluster" })).toBe("");
    expect(why({ Effect: "Allow", Action: "ecr:PutImageScanningConfiguration", Resource: "arn:aws:ecr:us-east-1:123456789012:repository/prod/app" })).toBe("");
  });
});

describe("tag-scoped writes", () => {
  it("lists the tags scoping writes on every resource", () => {
    const found = tagScopedWrites(allow({ Action: ["autoscaling:SetDesiredCapacity", "autoscaling:DescribeTags"], Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true" } } }));
    expect(found.tags).toEqual(["k8s.io/cluster-autoscaler/enabled=true"]);
    expect(found.actions).toEqual(["autoscaling:SetDesiredCapacity"]);
  });
  it("ignores negated and IfExists tags, named resources and reads", () => {
    expect(tagScopedWrites(allow({ Action: "ec2:TerminateInstances", Resource: "*", Condition: { StringNotEquals: { "aws:ResourceTag/Team": "x" } } })).tags).toEqual([]);
    expect(tagScopedWrites(allow({ Action: "ec2:TerminateInstances", Resource: "*", Condition: { StringEqualsIfExists: { "aws:ResourceTag/Team": "x" } } })).tags).toEqual([]);
    expect(tagScopedWrites(allow({ Action: "ec2:TerminateInstances", Resource: "arn:aws:ec2:us-east-1:123456789012:instance/i-1", Condition: { StringEquals: { "aws:ResourceTag/Team": "x" } } })).actions).toEqual([]);
    expect(tagScopedWrites(allow({ Action: "ec2:DescribeInstances", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/Team": "x" } } })).actions).toEqual([]);
  });
});

describe("named principals managing a key", () => {
  it("finds a role or service given more than cryptographic use", () => {
    expect(namedKeyManager(allow({ Principal: { AWS: "arn:aws:iam::123456789012:role/preview" }, Action: "kms:*", Resource: "*" }))).toMatch(/arn:aws:iam::123456789012:role\/preview manage the key/);
    expect(namedKeyManager(allow({ Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:ScheduleKeyDeletion"], Resource: "*" }))).toMatch(/kms:ScheduleKeyDeletion/);
  });
  it("accepts the account root (bare id or ARN), cryptographic use by name, and denies", () => {
    expect(namedKeyManager(allow({ Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }))).toBeUndefined();
    expect(namedKeyManager(allow({ Principal: { AWS: "123456789012" }, Action: "kms:*", Resource: "*" }))).toBeUndefined();
    expect(namedKeyManager(allow({ Principal: { AWS: "arn:aws:iam::123456789012:role/app" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }))).toBeUndefined();
    expect(namedKeyManager({ Effect: "Deny", Principal: { AWS: "arn:aws:iam::123456789012:role/app" }, Action: "kms:*", Resource: "*" })).toBeUndefined();
  });
});

describe("KMS key policies that bypass IAM", () => {
  const everyone = (s: Partial<Statement>) => accountWideKeyGrant(allow({ Principal: { AWS: "*" }, Resource: "*", ...s }));
  it("finds a public principal managing or using a key directly, whatever narrows it to an account", () => {
    expect(everyone({ Action: "kms:*", Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } } })).toMatch(/manage the key/);
    expect(everyone({ Action: ["kms:ScheduleKeyDeletion"], Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" } } })).toMatch(/kms:ScheduleKeyDeletion/);
    expect(everyone({ Action: "kms:Decrypt", Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } } })).toMatch(/directly/);
    expect(everyone({ Action: "kms:Decrypt", Condition: { StringLike: { "kms:ViaService": "*.amazonaws.com" } } })).toMatch(/directly/);
    expect(everyone({ Action: "kms:Decrypt", Condition: { StringNotEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } })).toMatch(/directly/);
  });
  it("accepts what AWS-managed keys do, named principals, and denies", () => {
    expect(everyone({ Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Condition: { StringEquals: { "kms:ViaService": "aps.us-east-1.amazonaws.com", "kms:CallerAccount": "123456789012" } } })).toBeUndefined();
    expect(accountWideKeyGrant(allow({ Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }))).toBeUndefined();
    expect(accountWideKeyGrant({ Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" })).toBeUndefined();
  });
});
