/** Scratch probe of round 8 (AWS control and data plane), written blind: prints CAUGHT / OTHER / MISSED per change. */
import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import type { Violation } from "../../../offline/policy/runner";
import { Mutation, Plan } from "./mutations";
import { ACCOUNT, add, ALARM, doc, editDoc, Harmless, OIDC, ROLE, ROLE_POLICY, stmts } from "./corpus-aws";

const FOREIGN = "999999999999";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const KEY = "aws:kms/key:Key";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy";
const nodeConfig = (kubelet: Record<string, unknown>) =>
  Buffer.from(
    [
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="BOUNDARY"',
      "",
      "--BOUNDARY",
      "Content-Type: application/node.eks.aws",
      "",
      "apiVersion: node.eks.aws/v1alpha1",
      "kind: NodeConfig",
      "spec:",
      "  kubelet:",
      "    config:",
      ...Object.entries(kubelet).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`),
      "--BOUNDARY--",
      "",
    ].join("\n"),
  ).toString("base64");

export const probeMutations: Mutation[] = [
  // ---- IAM identity policies
  { area: "iam", title: "CI runner may reset any user's console password (iam:UpdateLoginProfile on user/*)", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "iam:UpdateLoginProfile", Resource: `arn:aws:iam::${ACCOUNT}:user/*` }]) },
  { area: "iam", title: "CI runner may add any user to any group (iam:AddUserToGroup)", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "iam:AddUserToGroup", Resource: `arn:aws:iam::${ACCOUNT}:group/*` }]) },
  { area: "iam", title: "CI runner may rewrite every key's policy (kms:PutKeyPolicy on key/*)", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "kms:PutKeyPolicy", Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/*` }]) },
  { area: "iam", title: "image push role may rewrite every bucket's policy and public access block", expect: "image-push", apply: (p) => stmts(p, "image-push", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock"], Resource: "arn:aws:s3:::*" }]) },
  { area: "iam", title: "flow-log write policy as a single Statement object granting logs:* on * (can delete every log group)", expect: "network-flow-logs-write", apply: (p) => (p.inputs("network-flow-logs-write", ROLE_POLICY).policy = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "logs:*", Resource: "*" } })) },
  { area: "iam", title: "Container Insights agent may rewrite instance user data and restart instances (code as the node role)", expect: "alerting-container-insights-agent", apply: (p) => stmts(p, "alerting-container-insights-agent", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"], Resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*` }]) },
  { area: "iam", title: "image push role may set any repository's policy (ecr:SetRepositoryPolicy on repository/*)", expect: "image-push", apply: (p) => stmts(p, "image-push", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "ecr:SetRepositoryPolicy", Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/*` }]) },
  { area: "iam", title: "CI runner may pass every role of the account to CloudFormation (role/* instead of *)", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["iam:PassRole", "cloudformation:CreateStack", "cloudformation:UpdateStack"], Resource: [`arn:aws:iam::${ACCOUNT}:role/*`, `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/*`] }]) },
  { area: "iam", title: "flow-log role: every action on every ARN (Resource arn:*:*:*:*:* instead of *)", expect: "network-flow-logs-write", apply: (p) => stmts(p, "network-flow-logs-write", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "*", Resource: "arn:*:*:*:*:*" }]) },
  { area: "iam", title: "Container Insights agent reads every SSM parameter and decrypts with any key", expect: "alerting-container-insights-agent", apply: (p) => stmts(p, "alerting-container-insights-agent", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["ssm:GetParameter*", "kms:Decrypt"], Resource: "*" }]) },
  { area: "iam", title: "node role gets AdministratorAccess through an exclusive attachments resource", expect: "cluster-node-exclusive", apply: (p) => add(p, "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "cluster-node-exclusive", "cluster", { roleName: p.id("cluster-node-role"), policyArns: ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "arn:aws:iam::aws:policy/AdministratorAccess"] }) },
  { area: "iam", title: "CI runner role gets AmazonSSMFullAccess (SendCommand on every instance)", expect: "ci-runner-ssm", apply: (p) => add(p, ATTACH, "ci-runner-ssm", "ci-runner", { policyArn: "arn:aws:iam::aws:policy/AmazonSSMFullAccess", role: p.id("ci-runner-role") }) },
  { area: "iam", title: "autoscaler role gets AmazonEC2FullAccess attached", expect: "cluster-autoscaler-ec2", apply: (p) => add(p, ATTACH, "cluster-autoscaler-ec2", "cluster", { policyArn: "arn:aws:iam::aws:policy/AmazonEC2FullAccess", role: p.id("cluster-autoscaler-role") }) },
  { area: "iam", title: "weak account password policy (8 characters, no symbols, no reuse prevention)", expect: "account-passwords", apply: (p) => add(p, "aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "account-passwords", "ci-runner", { minimumPasswordLength: 8, requireSymbols: false, requireNumbers: false, requireUppercaseCharacters: false, requireLowercaseCharacters: true, allowUsersToChangePassword: true, passwordReusePrevention: 0, maxPasswordAge: 0 }) },
  // ---- IAM trust
  { area: "iam-trust", title: "CI runner role trusts any AWS principal that used MFA (aws:MultiFactorAuthPresent only)", expect: "ci-runner-role", apply: (p) => editDoc(p, "ci-runner-role", ROLE, "assumeRolePolicy", (d) => d.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })) },
  { area: "iam-trust", title: "flow-log role trusts any assumed role of any account (aws:PrincipalType only)", expect: "network-flow-logs-role", apply: (p) => editDoc(p, "network-flow-logs-role", ROLE, "assumeRolePolicy", (d) => d.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalType": "AssumedRole" } } })) },
  { area: "iam-trust", title: "IRSA trust gains a second statement for the same provider without conditions", expect: "cluster-autoscaler-role", apply: (p) => editDoc(p, "cluster-autoscaler-role", ROLE, "assumeRolePolicy", (d) => d.Statement.push({ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC}` }, Action: "sts:AssumeRoleWithWebIdentity" })) },
  { area: "iam-trust", title: "IRSA :sub list with one namespace wildcard among exact names (ForAnyValue:StringLike)", expect: "alerting-container-insights-agent", apply: (p) => editDoc(p, "alerting-container-insights-agent", ROLE, "assumeRolePolicy", (d) => { const c = d.Statement[0].Condition; delete c.StringEquals[`${OIDC}:sub`]; c["ForAnyValue:StringLike"] = { [`${OIDC}:sub`]: ["system:serviceaccount:amazon-cloudwatch:cloudwatch-agent", "system:serviceaccount:edgestack:*"] }; }) },
  { area: "iam-trust", title: "CI runner role also trusted by EKS Pod Identity, bound to the app namespace's default service account", expect: "ci-runner-role", apply: (p) => { editDoc(p, "ci-runner-role", ROLE, "assumeRolePolicy", (d) => d.Statement.push({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] })); add(p, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "ci-runner-pod", "ci-runner", { clusterName: "edgestack-prod", namespace: "edgestack", serviceAccount: "default", roleArn: `arn:aws:iam::${ACCOUNT}:role/${p.id("ci-runner-role")}` }); } },
  { area: "iam-trust", title: "Pod Identity association chains into another account's role (targetRoleArn)", expect: "app-pod-association", apply: (p) => { add(p, ROLE, "app-pod", "workloads", { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"], Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } }]) }); add(p, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "app-pod-association", "workloads", { clusterName: "edgestack-prod", namespace: "edgestack", serviceAccount: "app", roleArn: `arn:aws:iam::${ACCOUNT}:role/${p.id("app-pod")}`, targetRoleArn: `arn:aws:iam::${FOREIGN}:role/edgestack-data` }); } },
  // ---- KMS
  { area: "kms", title: "topics key: CloudWatch and Prometheus encrypt without the source-account condition (confused deputy)", expect: "alerting-topics-key", apply: (p) => editDoc(p, "alerting-topics-key", KEY, "policy", (d) => delete d.Statement[1].Condition) },
  { area: "kms", title: "DNSSEC key: Route53 may sign for any account's zone (conditions dropped inline)", expect: "dns-zone-dnssec-key", apply: (p) => editDoc(p, "dns-zone-dnssec-key", KEY, "policy", (d) => { delete d.Statement[1].Condition; delete d.Statement[2].Condition; }) },
  { area: "kms", title: "Prometheus key rotation off, written as the string \"false\"", expect: "alerting-prometheus-key", apply: (p) => (p.inputs("alerting-prometheus-key", KEY).enableKeyRotation = "false") },
  { area: "kms", title: "Container Insights key: kms:* to every principal of the account without IAM (Principal * + kms:CallerAccount)", expect: "alerting-container-insights-key", apply: (p) => editDoc(p, "alerting-container-insights-key", KEY, "policy", (d) => (d.Statement[0] = { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": ACCOUNT } } })) },
  { area: "kms", title: "Secrets key made multi-Region with a replica everyone may decrypt with", expect: "cluster-secrets-replica", apply: (p) => { p.inputs("cluster-secrets-key", KEY).multiRegion = true; add(p, "aws:kms/replicaKey:ReplicaKey", "cluster-secrets-replica", "cluster", { primaryKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-d5f891851672`, deletionWindowInDays: 30, policy: doc([{ Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }, { Sid: "Everyone", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: "*" }]) }); } },
  { area: "kms", title: "Container Insights key: anyone may decrypt given the (caller-supplied) log-group encryption context", expect: "alerting-container-insights-key", apply: (p) => stmts(p, "alerting-container-insights-key", KEY, "policy", [{ Sid: "ReadersOfTheGroups", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/containerinsights/edgestack-prod/*" } } }]) },
  // ---- S3
  { area: "s3", title: "ALB log bucket: the SecureTransport deny replaced by a TLS-version deny (plain HTTP has no TLS version, so it passes)", expect: "alb-logs-policy", apply: (p) => editDoc(p, "alb-logs-policy", BUCKET_POLICY, "policy", (d) => (d.Statement[1].Condition = { NumericLessThan: { "s3:TlsVersion": "1.2" } })) },
  { area: "s3", title: "CloudFront log bucket: the TLS deny applies only to the account's own principals", expect: "cdn-logs-policy", apply: (p) => editDoc(p, "cdn-logs-policy", BUCKET_POLICY, "policy", (d) => (d.Statement[0].Principal = { AWS: `arn:aws:iam::${ACCOUNT}:root` })) },
  { area: "s3", title: "NLB log bucket: the TLS deny covers only GetObject (writes and deletes over HTTP pass)", expect: "nlb-logs-policy", apply: (p) => editDoc(p, "nlb-logs-policy", BUCKET_POLICY, "policy", (d) => (d.Statement[2].Action = "s3:GetObject")) },
  { area: "s3", title: "ALB access logs expire after one day", expect: "alb-logs-lifecycle", apply: (p) => (p.inputs("alb-logs-lifecycle").rules[0].expiration.days = 1) },
  { area: "s3", title: "NLB log bucket: a second lifecycle rule expires the nlb/ prefix after one day", expect: "nlb-logs-lifecycle", apply: (p) => p.inputs("nlb-logs-lifecycle").rules.push({ id: "trim-nlb", status: "Enabled", filter: { prefix: "nlb/" }, expiration: { days: 1 } }) },
  { area: "s3", title: "static bucket object ownership BucketOwnerPreferred (ACLs back on)", expect: "cdn-static-ownership", apply: (p) => (p.inputs("cdn-static-ownership").rule.objectOwnership = "BucketOwnerPreferred") },
  // ---- EKS
  { area: "eks", title: "envelope encryption covers configmaps instead of secrets", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").encryptionConfig.resources = ["configmaps"]) },
  { area: "eks", title: "public endpoint: the world appended after the admin /24", expect: "cluster-eks", apply: (p) => p.inputs("cluster-eks").vpcConfig.publicAccessCidrs.push("0.0.0.0/0") },
  { area: "eks", title: "api log type dropped from the control-plane logs", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").enabledClusterLogTypes = ["audit", "authenticator", "controllerManager", "scheduler"]) },
  { area: "eks", title: "preview role may edit every namespace (namespace scope [\"*\"])", expect: "cluster-access-preview-view", apply: (p) => Object.assign(p.inputs("cluster-access-preview-view"), { policyArn: `${ACCESS_POLICY}/AmazonEKSEditPolicy`, accessScope: { type: "namespace", namespaces: ["*"] } }) },
  { area: "eks", title: "deploy access entry names a same-named role of another account", expect: "cluster-access-deploy", apply: (p) => (p.inputs("cluster-access-deploy").principalArn = `arn:aws:iam::${FOREIGN}:role/edgestack-prod-deploy`) },
  { area: "eks", title: "node user data: kubelet anonymous auth and AlwaysAllow authorization (nodeadm NodeConfig)", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", LT).userData = nodeConfig({ authentication: { anonymous: { enabled: true } }, authorization: { mode: "AlwaysAllow" } })) },
  { area: "eks", title: "node user data: kubelet read-only port 10255 opened", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", LT).userData = nodeConfig({ readOnlyPort: 10255 })) },
  { area: "eks", title: "node root volume encrypted with another account's key", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", LT).blockDeviceMappings[0].ebs.kmsKeyId = `arn:aws:kms:us-east-1:${FOREIGN}:key/0b1c2d3e-aaaa-bbbb-cccc-111122223333`) },
  { area: "eks", title: "Container Insights add-on: container logs off (YAML configuration)", expect: "alerting-container-insights-addon", apply: (p) => (p.inputs("alerting-container-insights-addon").configurationValues = "containerLogs:\n  enabled: false\n") },
  // ---- ElastiCache
  { area: "cache", title: "serverless Valkey cache without a user group (no AUTH at all)", expect: "cache-serverless", apply: (p) => add(p, "aws:elasticache/serverlessCache:ServerlessCache", "cache-serverless", "cache", { name: "edgestack-prod-sessions", engine: "valkey", majorEngineVersion: "8", securityGroupIds: [p.id("cache-sg")], subnetIds: p.inputs("cache-subnets").subnetIds }) },
  { area: "cache", title: "user group with the stock default user (on ~* +@all nopass) attached to the cache", expect: "cache-users", apply: (p) => { add(p, "aws:elasticache/userGroup:UserGroup", "cache-users", "cache", { engine: "valkey", userGroupId: "edgestack-prod-users", userIds: ["default"] }); p.inputs("cache-group").userGroupIds = ["edgestack-prod-users"]; } },
  { area: "cache", title: "automatic minor version upgrades off (security patches not applied)", expect: "cache-group", apply: (p) => (p.inputs("cache-group").autoMinorVersionUpgrade = false) },
  // ---- CloudWatch, SNS
  { area: "logs", title: "audit logs streamed to another account's log destination", expect: "cluster-audit-export", apply: (p) => add(p, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "cluster-audit-export", "cluster", { logGroup: "/aws/eks/edgestack-prod/cluster", name: "export", filterPattern: "", destinationArn: `arn:aws:logs:us-east-1:${FOREIGN}:destination:collector` }) },
  { area: "logs", title: "container application logs unencrypted (key removed)", expect: "alerting-container-insights-application", apply: (p) => delete p.inputs("alerting-container-insights-application", LOG_GROUP).kmsKeyId },
  { area: "logs", title: "control-plane (audit) logs kept five days", expect: "cluster-control-plane-logs", apply: (p) => (p.inputs("cluster-control-plane-logs", LOG_GROUP).retentionInDays = 5) },
  { area: "sns", title: "page topic: anyone may publish, 'restricted' by aws:SecureTransport only", expect: "alerting-topics-page", apply: (p) => stmts(p, "alerting-topics-page", TOPIC_POLICY, "policy", [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:edgestack-prod-alerts-page`, Condition: { Bool: { "aws:SecureTransport": "true" } } }]) },
  { area: "sns", title: "cache engine CPU page alarm notifies another account's topic", expect: "alerting-cache-0001-001-EngineCPUUtilization", apply: (p) => { const a = p.inputs("alerting-cache-0001-001-EngineCPUUtilization", ALARM); a.alarmActions = [`arn:aws:sns:us-east-1:${FOREIGN}:edgestack-prod-alerts-page`]; a.okActions = a.alarmActions; } },
  { area: "sns", title: "page topic subscribed by a Lambda function of another account", expect: "page-forwarder", apply: (p) => add(p, "aws:sns/topicSubscription:TopicSubscription", "page-forwarder", "alerting-topics", { topic: `arn:aws:sns:us-east-1:${ACCOUNT}:edgestack-prod-alerts-page`, protocol: "lambda", endpoint: `arn:aws:lambda:us-east-1:${FOREIGN}:function:forwarder` }) },
  // ---- CloudTrail, Secrets, SSM, ECR, CodeBuild, Backup
  { area: "cloudtrail", title: "new trail: one region, no log file validation, no KMS key", expect: "audit-trail", apply: (p) => add(p, "aws:cloudtrail/trail:Trail", "audit-trail", "alerting", { name: "edgestack-prod", s3BucketName: p.id("alb-logs-bucket"), isMultiRegionTrail: false, enableLogFileValidation: false, includeGlobalServiceEvents: false }) },
  { area: "secrets", title: "secret version with the Redis token as a plaintext secretString", expect: "cache-token-version", apply: (p) => { add(p, "aws:secretsmanager/secret:Secret", "cache-token", "cache", { name: "edgestack-prod/cache-token", kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/d5f89185-1672-9cdf-225f-6e6da2a62626` }); add(p, "aws:secretsmanager/secretVersion:SecretVersion", "cache-token-version", "cache", { secretId: p.id("cache-token"), secretString: "s3cr3t-T0ken-for-valkey-0123456789" }); } },
  { area: "ssm", title: "Redis URL with its password kept in a StringList parameter", expect: "cache-endpoints", apply: (p) => add(p, "aws:ssm/parameter:Parameter", "cache-endpoints", "cache", { name: "/edgestack/prod/cache-endpoints", type: "StringList", value: "rediss://default:s3cr3tT0kenValkey01@edgestack-prod.cache.amazonaws.com:6379,rediss://replica.cache.amazonaws.com:6379" }) },
  { area: "ecr", title: "tag immutability with an exclusion filter of * (every tag mutable)", expect: "image-repo", apply: (p) => Object.assign(p.inputs("image-repo"), { imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: [{ filter: "*", filterType: "WILDCARD" }] }) },
  { area: "ecr", title: "image repository encrypted with AES256 instead of KMS", expect: "image-repo", apply: (p) => (p.inputs("image-repo").encryptionConfigurations = [{ encryptionType: "AES256" }]) },
  { area: "ecr", title: "repository policy: the CodeBuild service of any account may pull", expect: "image-repo-policy", apply: (p) => add(p, "aws:ecr/repositoryPolicy:RepositoryPolicy", "image-repo-policy", "image", { repository: "edgestack-prod/app", policy: doc([{ Sid: "CodeBuildPulls", Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }]) }) },
  { area: "ci", title: "runner's build image pulled from another account's registry with the runner's role", expect: "ci-runner-project", apply: (p) => Object.assign(p.inputs("ci-runner-project").environment, { image: `${FOREIGN}.dkr.ecr.us-east-1.amazonaws.com/runner:latest`, imagePullCredentialsType: "SERVICE_ROLE" }) },
  { area: "backup", title: "backup vault policy lets everyone delete recovery points", expect: "backup-vault-policy", apply: (p) => { add(p, "aws:backup/vault:Vault", "backup-vault", "cache", { name: "edgestack-prod", kmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/d5f89185-1672-9cdf-225f-6e6da2a62626` }); add(p, "aws:backup/vaultPolicy:VaultPolicy", "backup-vault-policy", "cache", { backupVaultName: "edgestack-prod", policy: doc([{ Effect: "Allow", Principal: "*", Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"], Resource: "*" }]) }); } },
];

export const probeHarmless: Harmless[] = [
  { title: "CI runner's describe statement split in two", apply: (p) => editDoc(p, "ci-runner-policy", ROLE_POLICY, "policy", (d) => { const s = d.Statement[1]; d.Statement.splice(1, 1, { ...s, Sid: "VpcDescribeA", Action: s.Action.slice(0, 2) }, { ...s, Sid: "VpcDescribeB", Action: s.Action.slice(2) }); }) },
  { title: "IRSA trust condition values written as one-element arrays", apply: (p) => editDoc(p, "alerting-container-insights-agent", ROLE, "assumeRolePolicy", (d) => { const c = d.Statement[0].Condition.StringEquals; for (const k of Object.keys(c)) c[k] = [c[k]]; }) },
  { title: "topics key: publishers may generate data keys only without the wildcard", apply: (p) => editDoc(p, "alerting-topics-key", KEY, "policy", (d) => (d.Statement[1].Action = ["kms:GenerateDataKey", "kms:Decrypt"])) },
  { title: "page topic names its key by the bare key id", apply: (p) => (p.inputs("alerting-topics-page").kmsMasterKeyId = "92f16528-e798-4e27-c359-0158f5ca8537") },
  { title: "page topic signs deliveries with SHA256 (signatureVersion 2)", apply: (p) => (p.inputs("alerting-topics-page").signatureVersion = 2) },
  { title: "cache group description reworded", apply: (p) => (p.inputs("cache-group").description = "edgestack rate-limit store (sliding windows)") },
  { title: "control-plane log types listed in another order", apply: (p) => (p.inputs("cluster-eks").enabledClusterLogTypes = ["audit", "api", "scheduler", "authenticator", "controllerManager"]) },
  { title: "launch template states IMDS instance tags off and IPv6 IMDS off explicitly", apply: (p) => Object.assign(p.inputs("cluster-nodes", LT).metadataOptions, { instanceMetadataTags: "disabled", httpProtocolIpv6: "disabled" }) },
  { title: "ALB access logs kept a year", apply: (p) => (p.inputs("alb-logs-lifecycle").rules[0].expiration.days = 365) },
  { title: "container application logs kept 30 days", apply: (p) => (p.inputs("alerting-container-insights-application", LOG_GROUP).retentionInDays = 30) },
  { title: "preview role's view policy scoped to the edgestack namespace", apply: (p) => (p.inputs("cluster-access-preview-view").accessScope = { type: "namespace", namespaces: ["edgestack"] }) },
  { title: "node group zone 1 gets a team tag", apply: (p) => (p.inputs("cluster-nodes-zone1").tags = { team: "platform" }) },
  { title: "runner build timeout cut to 30 minutes", apply: (p) => (p.inputs("ci-runner-project").buildTimeout = 30) },
  { title: "ECR lifecycle gains a rule expiring untagged images after a week", apply: (p) => editDoc(p, "image-lifecycle", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "policy", (d) => d.rules.push({ rulePriority: 2, description: "Expire untagged images after 7 days", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } })) },
  { title: "Secrets key gets an explicit policy equal to the default (account administers)", apply: (p) => (p.inputs("cluster-secrets-key", KEY).policy = doc([{ Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }])) },
  { title: "cache CPU alarm threshold lowered to 40", apply: (p) => (p.inputs("alerting-cache-0001-001-CPUUtilization", ALARM).threshold = 40) },
];

/** Second blind batch, written after the first run and before reading any rule. */
export const probeMutations2: Mutation[] = [
  { area: "iam", title: "CI runner may pass roles and run instances, actions spelled with ? wildcards", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["iam:Pass?ole", "ec2:Run?nstances"], Resource: "*" }]) },
  { area: "iam", title: "control-plane role gets an inline policy with iam:PassRole and eks:* on *", expect: "cluster-cluster-extra", apply: (p) => add(p, ROLE_POLICY, "cluster-cluster-extra", "cluster", { role: p.id("cluster-cluster-role"), name: "extra", policy: doc([{ Effect: "Allow", Action: ["eks:*", "iam:PassRole"], Resource: "*" }]) }) },
  { area: "iam", title: "CI runner role gets the NetworkAdministrator job function (security groups, routes, VPC peering)", expect: "ci-runner-network-admin", apply: (p) => add(p, ATTACH, "ci-runner-network-admin", "ci-runner", { policyArn: "arn:aws:iam::aws:policy/job-function/NetworkAdministrator", role: p.id("ci-runner-role") }) },
  { area: "iam-trust", title: "GitHub OIDC role trusting a repository named edgestack of any owner", expect: "github-deploy", apply: (p) => { add(p, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc", "ci-runner", { url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"], thumbprintLists: ["6938fd4d98bab03faadb97b34396831e3780aea1"] }); add(p, ROLE, "github-deploy", "ci-runner", { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:*/edgestack:*" } } }]) }); } },
  { area: "kms", title: "Container Insights key: the logs statement's principal list gains \"*\"", expect: "alerting-container-insights-key", apply: (p) => editDoc(p, "alerting-container-insights-key", KEY, "policy", (d) => (d.Statement[0].Principal = { AWS: [`arn:aws:iam::${ACCOUNT}:root`, "*"] })) },
  { area: "eks", title: "authentication mode CONFIG_MAP (access entries ignored, aws-auth rules)", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").accessConfig.authenticationMode = "CONFIG_MAP") },
  { area: "eks", title: "node group zone 3 four minor versions behind the control plane (unsupported kubelet skew)", expect: "cluster-nodes-zone3", apply: (p) => (p.inputs("cluster-nodes-zone3").version = "1.31") },
  { area: "eks", title: "node role gets a STANDARD access entry in the deployers group (node credentials deploy)", expect: "cluster-access-nodes", apply: (p) => add(p, "aws:eks/accessEntry:AccessEntry", "cluster-access-nodes", "cluster", { clusterName: "edgestack-prod", principalArn: `arn:aws:iam::${ACCOUNT}:role/${p.id("cluster-node-role")}`, type: "STANDARD", kubernetesGroups: ["edgestack:deployers"] }) },
  { area: "eks", title: "preview role associated with cluster admin scoped to the edgestack namespace (reads its Secrets)", expect: "cluster-access-preview-view", apply: (p) => Object.assign(p.inputs("cluster-access-preview-view"), { policyArn: `${ACCESS_POLICY}/AmazonEKSClusterAdminPolicy`, accessScope: { type: "namespace", namespaces: ["edgestack"] } }) },
  { area: "eks", title: "nodes wear the NLB's world-open security group too", expect: "cluster-nodes", apply: (p) => p.inputs("cluster-nodes", LT).vpcSecurityGroupIds.push(p.id("nlb-sg")) },
  { area: "eks", title: "node user data pipes a script fetched over plain HTTP into bash", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", LT).userData = Buffer.from("#!/bin/bash\ncurl -s http://tools.example.net/bootstrap.sh | bash\n").toString("base64")) },
  { area: "cache", title: "app's cache user may run every command (+@all incl. FLUSHALL, CONFIG) with a password", expect: "cache-app-user", apply: (p) => add(p, "aws:elasticache/user:User", "cache-app-user", "cache", { userId: "edgestack-app", userName: "edgestack-app", engine: "valkey", accessString: "on ~* &* +@all", authenticationMode: { type: "password", passwords: ["correct-horse-battery-staple-42"] } }) },
  { area: "logs", title: "control-plane log group renamed (EKS then creates its own, unmanaged and kept forever)", expect: "cluster-control-plane-logs", apply: (p) => (p.inputs("cluster-control-plane-logs", LOG_GROUP).name = "/aws/eks/edgestack-prod/cluster-logs") },
  { area: "logs", title: "application container log group renamed away from the add-on's name", expect: "alerting-container-insights-application", apply: (p) => (p.inputs("alerting-container-insights-application", LOG_GROUP).name = "/edgestack/prod/containers") },
  { area: "alarms", title: "cache engine CPU page alarm routed to the watchdog topic", expect: "alerting-cache-0001-001-EngineCPUUtilization", apply: (p) => { const a = p.inputs("alerting-cache-0001-001-EngineCPUUtilization", ALARM); a.alarmActions = [`arn:aws:sns:us-east-1:${ACCOUNT}:edgestack-prod-alerts-watchdog`]; } },
  { area: "alarms", title: "cache replication-lag alarm watches a node that does not exist", expect: "alerting-cache-0001-001-ReplicationLag", apply: (p) => (p.inputs("alerting-cache-0001-001-ReplicationLag", ALARM).dimensions = { CacheClusterId: "edgestack-prod-0001-009", CacheNodeId: "0001" }) },
  { area: "sns", title: "page topic encrypted with the Container Insights key (CloudWatch may not use it: pages lost)", expect: "alerting-topics-page", apply: (p) => (p.inputs("alerting-topics-page").kmsMasterKeyId = "arn:aws:kms:us-east-1:123456789012:key/c58e6558-db9f-0ba8-47cb-d22e5acf1b14") },
  { area: "sns", title: "ticket topic: anyone may subscribe over https", expect: "alerting-topics-ticket", apply: (p) => stmts(p, "alerting-topics-ticket", TOPIC_POLICY, "policy", [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Subscribe", Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:edgestack-prod-alerts-ticket`, Condition: { StringEquals: { "sns:Protocol": "https" } } }]) },
  { area: "s3", title: "CloudFront may also write and delete the static objects (s3:* through OAC)", expect: "cdn-static-policy", apply: (p) => editDoc(p, "cdn-static-policy", BUCKET_POLICY, "policy", (d) => (d.Statement[0].Action = "s3:*")) },
  { area: "s3", title: "ALB log bucket force-destroyable (logs deleted with the stack)", expect: "alb-logs-bucket", apply: (p) => (p.inputs("alb-logs-bucket").forceDestroy = true) },
  { area: "s3", title: "old static asset versions expire after one day (no rollback of assets)", expect: "cdn-static-lifecycle", apply: (p) => (p.inputs("cdn-static-lifecycle").rules[0].noncurrentVersionExpiration.noncurrentDays = 1) },
  { area: "ecr", title: "lifecycle keeps only the newest image (rollback target deleted)", expect: "image-lifecycle", apply: (p) => editDoc(p, "image-lifecycle", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "policy", (d) => (d.rules[0].selection = { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 })) },
  { area: "ecr", title: "repository creation template: new repositories mutable, AES256, for every prefix", expect: "image-template", apply: (p) => add(p, "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "image-template", "image", { prefix: "ROOT", appliedFors: ["PULL_THROUGH_CACHE", "REPLICATION"], imageTagMutability: "MUTABLE", encryptionConfigurations: [{ encryptionType: "AES256" }] }) },
  { area: "ci", title: "runner builds another owner's repository inside the VPC", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").source.location = "https://github.com/someone-else/edgestack.git") },
  { area: "ci", title: "runner joins the node security group (kubelet and node ports reachable)", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").vpcConfig.securityGroupIds = [p.id("cluster-node-sg")]) },
  { area: "secrets", title: "secret deleted without recovery window (recoveryWindowInDays 0)", expect: "origin-secret", apply: (p) => add(p, "aws:secretsmanager/secret:Secret", "origin-secret", "cdn", { name: "edgestack-prod/origin-verify", kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/d5f89185-1672-9cdf-225f-6e6da2a62626`, recoveryWindowInDays: 0 }) },
  { area: "cloudtrail", title: "trail records no management events", expect: "audit-trail", apply: (p) => add(p, "aws:cloudtrail/trail:Trail", "audit-trail", "alerting", { name: "edgestack-prod", s3BucketName: p.id("alb-logs-bucket"), isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/d5f89185-1672-9cdf-225f-6e6da2a62626`, eventSelectors: [{ readWriteType: "All", includeManagementEvents: false, dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] }] }) },
];

export const probeHarmless2: Harmless[] = [
  { title: "flow-log role trust also pins the source ARN to this account's flow logs", apply: (p) => editDoc(p, "network-flow-logs-role", ROLE, "assumeRolePolicy", (d) => (d.Statement[0].Condition.ArnLike = { "aws:SourceArn": `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-flow-log/*` })) },
  { title: "page topic: the account no longer may add permissions", apply: (p) => editDoc(p, "alerting-topics-page", TOPIC_POLICY, "policy", (d) => (d.Statement[0].Action = d.Statement[0].Action.filter((a: string) => a !== "sns:AddPermission"))) },
  { title: "NLB log bucket denies bucket deletion to everyone", apply: (p) => stmts(p, "nlb-logs-policy", BUCKET_POLICY, "policy", [{ Sid: "DenyDeleteBucket", Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: `arn:aws:s3:::${p.id("nlb-logs-bucket")}` }]) },
  { title: "EKS public endpoint split into the two /25 halves of the admin /24", apply: (p) => (p.inputs("cluster-eks").vpcConfig.publicAccessCidrs = ["198.51.100.0/25", "198.51.100.128/25"]) },
  { title: "cache snapshot window moved an hour earlier", apply: (p) => (p.inputs("cache-group").snapshotWindow = "02:00-03:00") },
  { title: "IRSA :sub written with StringLike and no wildcard", apply: (p) => editDoc(p, "cluster-autoscaler-role", ROLE, "assumeRolePolicy", (d) => { const c = d.Statement[0].Condition; const k = `${OIDC}:sub`; c.StringLike = { [k]: c.StringEquals[k] }; delete c.StringEquals[k]; }) },
  { title: "vpc-cni turns on prefix delegation (network policy still on)", apply: (p) => (p.inputs("cluster-vpc-cni").configurationValues = JSON.stringify({ enableNetworkPolicy: "true", env: { ENABLE_PREFIX_DELEGATION: "true" } })) },
  { title: "coredns runs three replicas (YAML configuration)", apply: (p) => (p.inputs("cluster-coredns").configurationValues = "replicaCount: 3\n") },
  { title: "launch template turns on detailed monitoring", apply: (p) => (p.inputs("cluster-nodes", LT).monitoring = { enabled: true }) },
  { title: "runner reads a registry token from Parameter Store by name", apply: (p) => (p.inputs("ci-runner-project").environment.environmentVariables = [{ name: "REGISTRY_TOKEN", type: "PARAMETER_STORE", value: "/edgestack/prod/registry-token" }]) },
  { title: "Secrets key gets a readable alias", apply: (p) => add(p, "aws:kms/alias:Alias", "cluster-secrets-alias", "cluster", { name: "alias/edgestack-prod-secrets", targetKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/d5f89185-1672-9cdf-225f-6e6da2a62626` }) },
  { title: "autoscaler role description reworded and max session one hour", apply: (p) => Object.assign(p.inputs("cluster-autoscaler-role", ROLE), { description: "Cluster Autoscaler of edgestack-prod", maxSessionDuration: 3600 }) },
];

describe("rt8-core blind probe", () => {
  let base: PlanResource[];
  let evaluate: ReturnType<typeof planEvaluator>;
  beforeAll(async () => {
    base = toPlan((await runStack({ stack: "prod" })).resources);
    evaluate = planEvaluator(base);
  }, 180_000);

  it("judges every change", async () => {
    const counts = (v: Violation) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message);
    const tally = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0 };
    const lines: string[] = [];
    for (const m of [...probeMutations, ...probeMutations2]) {
      if (m === probeMutations2[0]) lines.push(`-- batch 2 -- ${JSON.stringify(tally)}`);
      const plan = new Plan(JSON.parse(JSON.stringify(base)));
      try {
        m.apply(plan);
      } catch (e) {
        tally.ERROR++;
        lines.push(`ERROR  ${m.title}: ${(e as Error).message}`);
        continue;
      }
      const found = await evaluate(plan.resources);
      const mandatory = found.filter(counts);
      const verdict = mandatory.some((v) => v.resource?.name === m.expect) ? "CAUGHT" : found.length ? "OTHER" : "MISSED";
      tally[verdict]++;
      lines.push(`${verdict.padEnd(6)} ${m.area}: ${m.title}${verdict === "CAUGHT" ? "" : "  <- " + found.map((v) => `${v.resource?.name}:${v.policy}(${v.enforcement})`).join(", ")}`);
    }
    let flagged = 0;
    for (const h of [...probeHarmless, ...probeHarmless2]) {
      const plan = new Plan(JSON.parse(JSON.stringify(base)));
      h.apply(plan);
      const found = await evaluate(plan.resources);
      if (found.length) flagged++;
      lines.push(`${found.length ? "FLAGGED" : "ok     "} harmless: ${h.title}${found.length ? "  <- " + found.map((v) => `${v.resource?.name}:${v.policy}: ${v.message.slice(0, 160)}`).join(" | ") : ""}`);
    }
    console.log(`${lines.join("\n")}\nTOTAL ${probeMutations.length + probeMutations2.length}: ${JSON.stringify(tally)}; harmless flagged ${flagged}/${probeHarmless.length + probeHarmless2.length}`);
    expect(lines.length).toBe(probeMutations.length + probeMutations2.length + probeHarmless.length + probeHarmless2.length + 1);
  }, 600_000);
});
