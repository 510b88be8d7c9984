/**
 * The sixth blind red-team round on the AWS resources of the prod plan: insecure changes written before their author
 * read any rule (not repeating round 5's), each naming the resource a mandatory rule must report, and harmless changes
 * no rule may report. Run by blind-rounds.test.ts.
 */
import type { PlanResource } from "../../../offline/plan/format";
import { computedOutputs } from "../../../offline/engine/outputs";
import { Mutation, Plan } from "./mutations";

export interface Harmless { title: string; apply: (plan: Plan) => void }
const ACCOUNT = "123456789012";
const OIDC = "oidc.eks.us-east-1.amazonaws.com/id/A1E07E65DD9C0D65156BD86637DB4F66";
const doc = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const editDoc = (p: Plan, name: string, type: string, key: string, change: (d: any) => void) => {
  const inputs = p.inputs(name, type);
  const d = JSON.parse(inputs[key]);
  change(d);
  inputs[key] = JSON.stringify(d);
};
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LISTENER = "aws:lb/listener:Listener";
const TG = "aws:lb/targetGroup:TargetGroup";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const add = (p: Plan, type: string, name: string, parent: string, inputs: Record<string, unknown>) => p.add({ type, name, parent, id: computedOutputs(type, name, inputs, "us-east-1").id, inputs, options: { provider: "pulumi:providers:aws::aws" } } as PlanResource);
const stmts = (p: Plan, name: string, type: string, key: string, extra: unknown[]) => editDoc(p, name, type, key, (d) => d.Statement.push(...extra));
const dist = (p: Plan) => p.inputs("cdn-distribution");
const behaviour = (p: Plan, path: string) => dist(p).orderedCacheBehaviors.find((b: any) => b.pathPattern === path);
const waf = (p: Plan) => p.inputs("cdn-waf-acl");
const wafRule = (p: Plan, name: string) => waf(p).rules.find((r: any) => r.name === name);

export const rt6AwsMutations: Mutation[] = [
  // ---- IAM identity policies
  { area: "iam", title: "CI runner may create and invoke Lambda functions with any role (PassRole via wildcard iam:Pass*)", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["iam:Pass*", "lambda:CreateFunction", "lambda:InvokeFunction"], Resource: "*" }]) },
  { area: "iam", title: "image push role may push to every repository (ecr:Put* on *)", expect: "image-push", apply: (p) => stmts(p, "image-push", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["ecr:Put*", "ecr:*LayerUpload", "ecr:UploadLayerPart"], Resource: "*" }]) },
  { area: "iam", title: "CI runner may assume any role of any account (sts:Assume* on arn:aws:iam::*:role/*)", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "sts:Assume*", Resource: "arn:aws:iam::*:role/*" }]) },
  { area: "iam", title: "Container Insights agent may decrypt with any key and read every parameter", expect: "alerting-container-insights-agent", apply: (p) => stmts(p, "alerting-container-insights-agent", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["kms:Decrypt", "ssm:GetParameter*"], Resource: "*" }]) },
  { area: "iam", title: "flow-log role may mint access keys for any user (persistence)", expect: "network-flow-logs-write", apply: (p) => stmts(p, "network-flow-logs-write", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["iam:CreateAccessKey", "iam:CreateLoginProfile"], Resource: "arn:aws:iam::123456789012:user/*" }]) },
  { area: "iam", title: "node role gets SecretsManagerReadWrite", expect: "cluster-node-secrets", apply: (p) => add(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-node-secrets", "cluster", { policyArn: "arn:aws:iam::aws:policy/SecretsManagerReadWrite", role: p.id("cluster-node-role") }) },
  { area: "iam", title: "IAM group with AdministratorAccess (group policy attachment)", expect: "ops-admins-admin", apply: (p) => { add(p, "aws:iam/group:Group", "ops-admins", "ci-runner", { name: "edgestack-ops" }); add(p, "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "ops-admins-admin", "ci-runner", { group: "edgestack-ops", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }); } },
  { area: "iam", title: "customer managed policy with PassRole + CloudFormation on * attached to the CI role", expect: "ci-extra", apply: (p) => { add(p, "aws:iam/policy:Policy", "ci-extra", "ci-runner", { description: "stack deploys", policy: doc([{ Effect: "Allow", Action: ["iam:PassRole", "cloudformation:CreateStack", "cloudformation:UpdateStack"], Resource: "*" }]) }); add(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ci-extra-attach", "ci-runner", { policyArn: `arn:aws:iam::${ACCOUNT}:policy/ci-extra`, role: p.id("ci-runner-role") }); } },
  { area: "iam", title: "IAM group inline policy with iam:* (groupPolicy)", expect: "ops-inline", apply: (p) => { add(p, "aws:iam/group:Group", "ops", "ci-runner", { name: "ops" }); add(p, "aws:iam/groupPolicy:GroupPolicy", "ops-inline", "ci-runner", { group: "ops", policy: doc([{ Effect: "Allow", Action: "iam:*", Resource: "*" }]) }); } },
  // ---- IAM trust
  { area: "iam-trust", title: "IRSA trust :sub wildcard over a whole namespace", expect: "cluster-autoscaler-role", apply: (p) => editDoc(p, "cluster-autoscaler-role", ROLE, "assumeRolePolicy", (d) => { const c = d.Statement[0].Condition; delete c.StringEquals[`${OIDC}:sub`]; c.StringLike = { [`${OIDC}:sub`]: "system:serviceaccount:kube-system:*" }; }) },
  { area: "iam-trust", title: "IRSA trust :sub inverted (StringNotEquals a dummy account)", expect: "alerting-container-insights-agent", apply: (p) => editDoc(p, "alerting-container-insights-agent", ROLE, "assumeRolePolicy", (d) => { const c = d.Statement[0].Condition; delete c.StringEquals[`${OIDC}:sub`]; c.StringNotEquals = { [`${OIDC}:sub`]: "system:serviceaccount:default:nobody" }; }) },
  { area: "iam-trust", title: "control-plane role also trusted by EC2 (any instance may act as the cluster)", expect: "cluster-cluster-role", apply: (p) => editDoc(p, "cluster-cluster-role", ROLE, "assumeRolePolicy", (d) => (d.Statement[0].Principal.Service = ["eks.amazonaws.com", "ec2.amazonaws.com"])) },
  // ---- S3
  { area: "s3", title: "CloudFront log bucket ACL grants AllUsers READ via an explicit grant", expect: "cdn-logs-grant", apply: (p) => add(p, "aws:s3/bucketAclV2:BucketAclV2", "cdn-logs-grant", "cdn-logs", { bucket: p.id("cdn-logs-bucket"), accessControlPolicy: { owner: { id: "owner" }, grants: [{ grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "READ" }] } }) },
  { area: "s3", title: "static bucket: list to AWS [\"*\"] (array principal)", expect: "cdn-static-policy", apply: (p) => stmts(p, "cdn-static-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", [{ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "s3:ListBucket", Resource: `arn:aws:s3:::${p.id("cdn-static-bucket")}` }]) },
  { area: "s3", title: "static bucket: everything to anyone whose User-Agent says CloudFront", expect: "cdn-static-policy", apply: (p) => stmts(p, "cdn-static-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${p.id("cdn-static-bucket")}`, `arn:aws:s3:::${p.id("cdn-static-bucket")}/*`], Condition: { StringLike: { "aws:UserAgent": "Amazon CloudFront*" } } }]) },
  { area: "s3", title: "CloudFront log bucket public access block lets ACLs through", expect: "cdn-logs-public-access", apply: (p) => Object.assign(p.inputs("cdn-logs-public-access"), { blockPublicAcls: false, ignorePublicAcls: false }) },
  { area: "s3", title: "static bucket CORS lets any origin PUT and DELETE", expect: "cdn-static-cors", apply: (p) => add(p, "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2", "cdn-static-cors", "cdn-static", { bucket: p.id("cdn-static-bucket"), corsRules: [{ allowedMethods: ["GET", "PUT", "DELETE"], allowedOrigins: ["*"], allowedHeaders: ["*"] }] }) },
  { area: "s3", title: "static bucket versioning resource removed (retained assets)", expect: "cdn-static-bucket", apply: (p) => p.remove("cdn-static-versioning") },
  { area: "s3", title: "object uploaded into the static bucket with a public-read ACL", expect: "cdn-static-public-object", apply: (p) => add(p, "aws:s3/bucketObjectv2:BucketObjectv2", "cdn-static-public-object", "cdn-static", { bucket: p.id("cdn-static-bucket"), key: "static/leak.txt", content: "x", acl: "public-read" }) },
  { area: "s3", title: "ALB log bucket default encryption removed", expect: "alb-logs-bucket", apply: (p) => p.remove("alb-logs-sse") },
  // ---- KMS
  { area: "kms", title: "alert topics key: a foreign account gets kms:*", expect: "alerting-topics-key", apply: (p) => stmts(p, "alerting-topics-key", "aws:kms/key:Key", "policy", [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "kms:*", Resource: "*" }]) },
  { area: "kms", title: "Secrets key deletion window 7 days", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").deletionWindowInDays = 7) },
  // ---- VPC / security groups
  { area: "vpc", title: "node security group inline ingress: all protocols from ::/0", expect: "cluster-node-sg", apply: (p) => (p.inputs("cluster-node-sg").ingress = [{ ipv6CidrBlocks: ["::/0"], protocol: "-1", fromPort: 0, toPort: 0 }]) },
  { area: "vpc", title: "kubelet from the world with numeric protocol 6", expect: "cluster-kubelet-6", apply: (p) => add(p, SG_IN, "cluster-kubelet-6", "cluster", { description: "kubelet", fromPort: 10250, toPort: 10250, ipProtocol: "6", cidrIpv4: "0.0.0.0/0", securityGroupId: p.id("cluster-node-sg") }) },
  { area: "vpc", title: "legacy securityGroupRule opens the ALB to the world on 443", expect: "alb-world-443", apply: (p) => add(p, "aws:ec2/securityGroupRule:SecurityGroupRule", "alb-world-443", "alb", { type: "ingress", fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], securityGroupId: p.id("alb-sg", "aws:ec2/securityGroup:SecurityGroup") }) },
  { area: "vpc", title: "CI runner security group inline ingress on every port spelled protocol all", expect: "ci-runner-sg", apply: (p) => (p.inputs("ci-runner-sg").ingress = [{ cidrBlocks: ["0.0.0.0/0"], protocol: "all", fromPort: 0, toPort: 65535 }]) },
  { area: "vpc", title: "EKS public endpoint CIDR written with host bits (1.2.3.4/0)", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").vpcConfig.publicAccessCidrs = ["1.2.3.4/0"]) },
  // ---- Load balancers
  { area: "alb", title: "ALB 443 listener speaks plain HTTP", expect: "alb-https", apply: (p) => { const r = p.inputs("alb-https", LISTENER); r.protocol = "HTTP"; delete r.sslPolicy; delete r.certificateArn; } },
  { area: "alb", title: "ALB WebSocket route's origin header matches any value", expect: "alb-route-ws", apply: (p) => (p.inputs("alb-route-ws").conditions[0].httpHeader.values = ["*"]) },
  { area: "alb", title: "ALB HTTP listener redirects to HTTP", expect: "alb-http", apply: (p) => (p.inputs("alb-http", LISTENER).defaultActions[0].redirect.protocol = "HTTP") },
  { area: "nlb", title: "NLB plain-HTTP target group without PROXY v2", expect: "nlb-http", apply: (p) => (p.inputs("nlb-http", TG).proxyProtocolV2 = false) },
  { area: "alb", title: "ALB dropInvalidHeaderFields key removed (defaults to false)", expect: "alb-lb", apply: (p) => delete p.inputs("alb-lb").dropInvalidHeaderFields },
  { area: "alb", title: "ALB access logs to a bucket the stack does not declare", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").accessLogs.bucket = "someone-elses-logs") },
  // ---- CloudFront
  { area: "cdn", title: "/api/* cached with the HTML policy (per-user responses shared, no cookie/authorization in key)", expect: "cdn-distribution", apply: (p) => (behaviour(p, "/api/*").cachePolicyId = p.id("cdn-html")) },
  { area: "cdn", title: "CloudFront default certificate (TLSv1 floor)", expect: "cdn-distribution", apply: (p) => (dist(p).viewerCertificate = { cloudfrontDefaultCertificate: true }) },
  { area: "cdn", title: "viewer-address function keeps a client-sent value", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", "aws:cloudfront/function:Function").code = 'function handler(event) {\n  var request = event.request;\n  if (!request.headers["x-viewer-address"]) {\n    request.headers["x-viewer-address"] = { value: event.viewer.ip };\n  }\n  return request;\n}\n') },
  { area: "cdn", title: "nosniff dropped from the security headers", expect: "cdn-security-headers", apply: (p) => delete p.inputs("cdn-security-headers").securityHeadersConfig.contentTypeOptions },
  { area: "cdn", title: "CloudFront logs to a bucket the stack does not declare", expect: "cdn-distribution", apply: (p) => (dist(p).loggingConfig.bucket = "attacker-logs.s3.amazonaws.com") },
  { area: "cdn", title: "OAC no-override (viewer Authorization passes unsigned)", expect: "cdn-oac", apply: (p) => (p.inputs("cdn-oac").signingBehavior = "no-override") },
  // ---- WAF
  { area: "waf", title: "common rule set scoped down to a path nobody uses", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "aws-common-rule-set").statement.managedRuleGroupStatement.scopeDownStatement = { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH", searchString: "/never-used/", textTransformations: [{ priority: 0, type: "NONE" }] } }) },
  { area: "waf", title: "rate limit keyed on IP + query string (attacker varies the query)", expect: "cdn-waf-acl", apply: (p) => Object.assign(wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement, { aggregateKeyType: "CUSTOM_KEYS", customKeys: [{ ip: {} }, { queryString: { textTransformations: [{ priority: 0, type: "NONE" }] } }] }) },
  { area: "waf", title: "known-bad-inputs rule group removed", expect: "cdn-waf-acl", apply: (p) => (waf(p).rules = waf(p).rules.filter((r: any) => r.name !== "aws-known-bad-inputs")) },
  { area: "waf", title: "WAF logs to a log group the stack does not declare", expect: "cdn-waf-logging", apply: (p) => (p.inputs("cdn-waf-logging").logDestinationConfigs = [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-waf-logs-elsewhere`]) },
  // ---- Route53 / ACM
  { area: "dns", title: "CAA keeps only an iodef (any CA may issue)", expect: "dns-apex-caa", apply: (p) => (p.inputs("dns-apex-caa").records = ['0 iodef "mailto:security@edgestack.example.com"']) },
  { area: "dns", title: "www CNAME to an S3 website endpoint the stack does not declare (dangling)", expect: "dns-www-cname", apply: (p) => (p.inputs("dns-www-cname").records = ["edgestack-www.s3-website-us-east-1.amazonaws.com"]) },
  { area: "dns", title: "DNSSEC signing stopped", expect: "dns-zone-dnssec", apply: (p) => (p.inputs("dns-zone-dnssec").signingStatus = "NOT_SIGNING") },
  // ---- ElastiCache
  { area: "cache", title: "AUTH token removed (TLS still required)", expect: "cache-group", apply: (p) => delete p.inputs("cache-group").authToken },
  // ---- EKS
  { area: "eks", title: "preview role associated with AmazonEKSAdminPolicy cluster-wide", expect: "cluster-access-preview-view", apply: (p) => (p.inputs("cluster-access-preview-view").policyArn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy") },
  { area: "eks", title: "deploy role is namespace admin of kube-system", expect: "cluster-access-deploy-kube-system", apply: (p) => add(p, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-access-deploy-kube-system", "cluster", { clusterName: "edgestack-prod", principalArn: `arn:aws:iam::${ACCOUNT}:role/edgestack-prod-deploy`, policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy", accessScope: { type: "namespace", namespaces: ["kube-system"] } }) },
  { area: "eks", title: "aws-auth ConfigMap path re-enabled (API_AND_CONFIG_MAP)", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").accessConfig.authenticationMode = "API_AND_CONFIG_MAP") },
  { area: "eks", title: "IMDS tokens key removed (defaults to optional)", expect: "cluster-nodes", apply: (p) => delete p.inputs("cluster-nodes").metadataOptions.httpTokens },
  { area: "eks", title: "launch template metadata options removed", expect: "cluster-nodes", apply: (p) => delete p.inputs("cluster-nodes").metadataOptions },
  { area: "eks", title: "control-plane logging removed entirely", expect: "cluster-eks", apply: (p) => delete p.inputs("cluster-eks").enabledClusterLogTypes },
  // ---- CloudWatch / SNS / AMP
  { area: "sns", title: "page topic: any account's alarms may publish (SourceArn wildcard account)", expect: "alerting-topics-page", apply: (p) => stmts(p, "alerting-topics-page", "aws:sns/topicPolicy:TopicPolicy", "policy", [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: "*", Condition: { ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:*:*:alarm:*" } } }]) },
  { area: "sns", title: "ticket topic on the AWS-managed aws/sns key (CloudWatch cannot publish: alarms silently lost)", expect: "alerting-topics-ticket", apply: (p) => (p.inputs("alerting-topics-ticket", "aws:sns/topic:Topic").kmsMasterKeyId = "alias/aws/sns") },
  { area: "cloudwatch", title: "healthy-host alarm treats missing data as fine", expect: "alerting-alb-targets-HealthyHostCount", apply: (p) => (p.inputs("alerting-alb-targets-HealthyHostCount", ALARM).treatMissingData = "notBreaching") },
  { area: "cloudwatch", title: "healthy-host alarm comparison flipped", expect: "alerting-alb-targets-HealthyHostCount", apply: (p) => (p.inputs("alerting-alb-targets-HealthyHostCount", ALARM).comparisonOperator = "GreaterThanThreshold") },
  { area: "amp", title: "Prometheus workspace on the AWS-owned key", expect: "alerting-prometheus-workspace", apply: (p) => delete p.inputs("alerting-prometheus-workspace").kmsKeyArn },
  { area: "cloudwatch", title: "WAF log delivery policy without the source account (confused deputy)", expect: "cdn-waf-log-delivery", apply: (p) => editDoc(p, "cdn-waf-log-delivery", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "policyDocument", (d) => delete d.Statement[0].Condition) },
  { area: "cloudwatch", title: "log resource policy lets everyone write any log group", expect: "cdn-waf-log-delivery", apply: (p) => editDoc(p, "cdn-waf-log-delivery", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "policyDocument", (d) => d.Statement.push({ Effect: "Allow", Principal: "*", Action: "logs:*", Resource: "*" })) },
  // ---- CodeBuild / ECR / Secrets
  { area: "ci", title: "AWS secret key in a plaintext CodeBuild variable", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").environment.environmentVariables = [{ name: "AWS_SECRET_ACCESS_KEY", value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", type: "PLAINTEXT" }]) },
  { area: "ecr", title: "registry policy lets a foreign account replicate into / pull from every repository", expect: "image-registry-policy", apply: (p) => add(p, "aws:ecr/registryPolicy:RegistryPolicy", "image-registry-policy", "image", { policy: doc([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: ["ecr:*"], Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/*` }]) }) },
  { area: "ecr", title: "images replicated to a foreign account's registry", expect: "image-replication", apply: (p) => add(p, "aws:ecr/replicationConfiguration:ReplicationConfiguration", "image-replication", "image", { replicationConfiguration: { rules: [{ destinations: [{ region: "us-east-1", registryId: "999999999999" }] }] } }) },
  { area: "secrets", title: "origin-verify secret kept as a plain String SSM parameter", expect: "origin-verify-param", apply: (p) => add(p, "aws:ssm/parameter:Parameter", "origin-verify-param", "alb", { name: "/edgestack/prod/origin-verify-secret", type: "String", value: "3f9a0c1e5b7d2a4c6e8f0a1b3c5d7e9f" }) },
  { area: "secrets", title: "secret policy lets a foreign account read it", expect: "deploy-secret-policy", apply: (p) => { add(p, "aws:secretsmanager/secret:Secret", "deploy-secret", "ci-runner", { name: "edgestack-prod/deploy" }); add(p, "aws:secretsmanager/secretPolicy:SecretPolicy", "deploy-secret-policy", "ci-runner", { secretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:edgestack-prod/deploy`, policy: doc([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }]) }); } },
  // ---- Variants of the classes the blind round found, written after reading the rules
  { area: "hunt", title: "NLB access logs to a bucket the stack does not declare", expect: "nlb-lb", apply: (p) => (p.inputs("nlb-lb").accessLogs.bucket = "central-archive-logs") },
  { area: "hunt", title: "CodeBuild logs to a log group the stack does not declare", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").logsConfig.cloudwatchLogs.groupName = "/shared/ci") },
  { area: "hunt", title: "VPC flow logs to another log group", expect: "network-flow-log", apply: (p) => (p.inputs("network-flow-log").logDestination = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/elsewhere/flow`) },
  { area: "hunt", title: "cache slow log delivered to a log group the stack does not declare", expect: "cache-group", apply: (p) => (p.inputs("cache-group").logDeliveryConfigurations[0].destination = "/elsewhere/slow-log") },
  { area: "hunt", title: "Container Insights log group on an AWS-managed alias", expect: "alerting-container-insights-host", apply: (p) => (p.inputs("alerting-container-insights-host").kmsKeyId = "alias/aws/logs") },
  { area: "hunt", title: "EKS Secrets encrypted with a key of another account", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").encryptionConfig.provider.keyArn = "arn:aws:kms:us-east-1:999999999999:key/11111111-2222-3333-4444-555555555555") },
  { area: "hunt", title: "watchdog topic on a key ARN the stack does not declare", expect: "alerting-prometheus-watchdog", apply: (p) => (p.inputs("alerting-prometheus-watchdog", "aws:sns/topic:Topic").kmsMasterKeyId = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`) },
  { area: "hunt", title: "node role also trusted by Lambda", expect: "cluster-node-role", apply: (p) => editDoc(p, "cluster-node-role", ROLE, "assumeRolePolicy", (d) => d.Statement.push({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" })) },
  { area: "hunt", title: "CI runner role also trusted by the account root", expect: "ci-runner-role", apply: (p) => editDoc(p, "ci-runner-role", ROLE, "assumeRolePolicy", (d) => d.Statement.push({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" })) },
  { area: "hunt", title: "flow-log role also trusted by EC2", expect: "network-flow-logs-role", apply: (p) => editDoc(p, "network-flow-logs-role", ROLE, "assumeRolePolicy", (d) => { const s = d.Statement[0]; s.Principal.Service = [s.Principal.Service, "ec2.amazonaws.com"].flat(); }) },
  { area: "hunt", title: "ECR replication with one foreign destination among own ones", expect: "image-replication", apply: (p) => add(p, "aws:ecr/replicationConfiguration:ReplicationConfiguration", "image-replication", "image", { replicationConfiguration: { rules: [{ destinations: [{ region: "eu-west-1", registryId: ACCOUNT }, { region: "eu-west-1", registryId: "999999999999" }] }] } }) },
  { area: "hunt", title: "static bucket CORS: https://* may POST", expect: "cdn-static-cors", apply: (p) => add(p, "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2", "cdn-static-cors", "cdn-static", { bucket: p.id("cdn-static-bucket"), corsRules: [{ allowedMethods: ["POST"], allowedOrigins: ["https://*"] }] }) },
  { area: "hunt", title: "deploy role may edit every kube-* namespace", expect: "cluster-access-deploy-kube", apply: (p) => add(p, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-access-deploy-kube", "cluster", { clusterName: "edgestack-prod", principalArn: `arn:aws:iam::${ACCOUNT}:role/edgestack-prod-deploy`, policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", accessScope: { type: "namespace", namespaces: ["kube-*"] } }) },
  { area: "hunt", title: "NLB healthy-host alarm treats missing data as missing", expect: "alerting-nlb-tls-targets-HealthyHostCount", apply: (p) => (p.inputs("alerting-nlb-tls-targets-HealthyHostCount", ALARM).treatMissingData = "missing") },
  { area: "hunt", title: "healthy-host alarm on the Maximum (one healthy minute hides the rest)", expect: "alerting-alb-targets-HealthyHostCount", apply: (p) => (p.inputs("alerting-alb-targets-HealthyHostCount", ALARM).statistic = "Maximum") },
  { area: "hunt", title: "5xx alarm over hour-long periods", expect: "alerting-alb-HTTPCode_ELB_5XX_Count", apply: (p) => (p.inputs("alerting-alb-HTTPCode_ELB_5XX_Count", ALARM).period = 3600) },
];

export const rt6AwsHarmless: Harmless[] = [
  { title: "cache group gets a cost-centre tag", apply: (p) => (p.inputs("cache-group").tags = { "cost-centre": "edge" }) },
  { title: "EKS public endpoint adds a second /28", apply: (p) => p.inputs("cluster-eks").vpcConfig.publicAccessCidrs.push("203.0.113.16/28") },
  { title: "WAF rate limit tightened to 1000", apply: (p) => (wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.limit = 1000) },
  { title: "CI runner policy gains an explicit deny of iam:*", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Sid: "NoIam", Effect: "Deny", Action: "iam:*", Resource: "*" }]) },
  { title: "CloudFront ingress rule description reworded", apply: (p) => (p.inputs("alb-https-from-cloudfront").description = "HTTPS from CloudFront's origin-facing ranges") },
  { title: "control-plane log retention two years", apply: (p) => (p.inputs("cluster-control-plane-logs").retentionInDays = 731) },
  { title: "HTML cache TTL 30 s", apply: (p) => (p.inputs("cdn-html").defaultTtl = 30) },
  { title: "node root volume 60 GiB", apply: (p) => (p.inputs("cluster-nodes").blockDeviceMappings[0].ebs.volumeSize = 60) },
  { title: "node group zone 1 may grow to 5", apply: (p) => (p.inputs("cluster-nodes-zone1").scalingConfig.maxSize = 5) },
  { title: "edge health check fails over after 2 failures", apply: (p) => (p.inputs("dns-health-edge").failureThreshold = 2) },
  { title: "ECR lifecycle rule description reworded", apply: (p) => (p.inputs("image-lifecycle").policy = p.inputs("image-lifecycle").policy.replace("Keep the 50 newest tagged images", "Expire all but the newest 50 tagged images")) },
  { title: "viewer-address function comment reworded", apply: (p) => (p.inputs("cdn-viewer-address", "aws:cloudfront/function:Function").comment = "Overwrites X-Viewer-Address with the viewer's IP") },
  { title: "page topic gets a display name", apply: (p) => (p.inputs("alerting-topics-page", "aws:sns/topic:Topic").displayName = "edgestack pages") },
  { title: "CodeBuild project description reworded", apply: (p) => (p.inputs("ci-runner-project").description = "Self-hosted GitHub Actions runner (acme/edgestack) in the VPC") },
  { title: "IRSA trust gets a Sid", apply: (p) => editDoc(p, "cluster-autoscaler-role", ROLE, "assumeRolePolicy", (d) => (d.Statement[0].Sid = "AutoscalerServiceAccount")) },
];
