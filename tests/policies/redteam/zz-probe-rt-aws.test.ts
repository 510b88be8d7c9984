// Scratch probe (blind round on AWS resources): prints CAUGHT / OTHER / MISSED per mutation, FLAGGED / ok per harmless change.
import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import { computedOutputs } from "../../../offline/engine/outputs";
import type { PlanResource } from "../../../offline/plan/format";
import { Mutation, Plan } from "./mutations";

interface Harmless {
  title: string;
  apply: (plan: Plan) => void;
}

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
/** Adds a resource with the id the offline engine gives it (ids derive from the resource's identity). */
const add = (p: Plan, type: string, name: string, parent: string, inputs: Record<string, unknown>) => p.add({ type, name, parent, id: computedOutputs(type, name, inputs, "us-east-1").id, inputs, options: { provider: "pulumi:providers:aws::aws" } } as PlanResource);
const stmts = (p: Plan, name: string, type: string, key: string, extra: unknown[]) => editDoc(p, name, type, key, (d) => d.Statement.push(...extra));
const dist = (p: Plan) => p.inputs("cdn-distribution");
const behaviour = (p: Plan, path: string) => dist(p).orderedCacheBehaviors.find((b: any) => b.pathPattern === path);
const waf = (p: Plan) => p.inputs("cdn-waf-acl");
const wafRule = (p: Plan, name: string) => waf(p).rules.find((r: any) => r.name === name);
const unprotect = (p: Plan, name: string, type?: string) => {
  const r = p.get(name, type) as any;
  delete r.protect;
  if (r.options) delete r.options.protect;
};

export const rtAwsMutations: Mutation[] = [
  // ---- IAM: identity policies
  { area: "iam", title: "CI runner policy gains iam:* on everything", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "iam:*", Resource: "*" }]) },
  { area: "iam", title: "CI runner may pass any role and launch instances (privilege escalation pair)", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["iam:PassRole", "ec2:RunInstances"], Resource: "*" }]) },
  { area: "iam", title: "image push role gets ecr:* on every repository", expect: "image-push", apply: (p) => stmts(p, "image-push", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }]) },
  { area: "iam", title: "CI runner reads every secret (secretsmanager:GetSecretValue on *)", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }]) },
  { area: "iam", title: "CI runner may create new versions of any managed policy", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], Resource: "*" }]) },
  { area: "iam", title: "image push role may attach any policy to any role", expect: "image-push", apply: (p) => stmts(p, "image-push", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: "arn:aws:iam::123456789012:role/*" }]) },
  { area: "iam", title: "CI runner may assume any role", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }]) },
  { area: "iam", title: "CI runner allowed everything but IAM via NotAction", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }]) },
  { area: "iam", title: "CI runner S3 access via NotResource (every bucket but one)", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], NotResource: "arn:aws:s3:::nothing/*" }]) },
  { area: "iam", title: "autoscaler inline policy: ec2:* on *", expect: "cluster-autoscaler-role", apply: (p) => { const r = p.inputs("cluster-autoscaler-role", ROLE); const d = JSON.parse(r.inlinePolicies[0].policy); d.Statement.push({ Effect: "Allow", Action: "ec2:*", Resource: "*" }); r.inlinePolicies[0].policy = JSON.stringify(d); } },
  { area: "iam", title: "autoscaler may terminate instances of any group (tag condition dropped)", expect: "cluster-autoscaler-role", apply: (p) => { const r = p.inputs("cluster-autoscaler-role", ROLE); const d = JSON.parse(r.inlinePolicies[0].policy); delete d.Statement[2].Condition; r.inlinePolicies[0].policy = JSON.stringify(d); } },
  { area: "iam", title: "container-insights agent may write any metric namespace and any log group with wildcard service action", expect: "alerting-container-insights-agent", apply: (p) => stmts(p, "alerting-container-insights-agent", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: "logs:*", Resource: "*" }]) },
  // ---- IAM: managed policies and attachments
  { area: "iam", title: "node role gets AdministratorAccess", expect: "cluster-node-admin", apply: (p) => add(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-node-admin", "cluster", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess", role: p.id("cluster-node-role") }) },
  { area: "iam", title: "CI runner role gets IAMFullAccess", expect: "ci-runner-iam", apply: (p) => add(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ci-runner-iam", "ci-runner", { policyArn: "arn:aws:iam::aws:policy/IAMFullAccess", role: p.id("ci-runner-role") }) },
  { area: "iam", title: "a customer managed policy with Action * attached to the node role", expect: "cluster-node-extra", apply: (p) => { add(p, "aws:iam/policy:Policy", "cluster-node-extra", "cluster", { description: "extras", policy: doc([{ Effect: "Allow", Action: "*", Resource: "*" }]) }); add(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-node-extra-attach", "cluster", { policyArn: `arn:aws:iam::${ACCOUNT}:policy/cluster-node-extra`, role: p.id("cluster-node-role") }); } },
  { area: "iam", title: "role's managedPolicyArns lists PowerUserAccess", expect: "ci-runner-role", apply: (p) => (p.inputs("ci-runner-role", ROLE).managedPolicyArns = ["arn:aws:iam::aws:policy/PowerUserAccess"]) },
  { area: "iam", title: "IAM user with an inline s3:* policy", expect: "deploy-user-policy", apply: (p) => { add(p, "aws:iam/user:User", "deploy-user", "ci-runner", { name: "edgestack-deploy" }); add(p, "aws:iam/userPolicy:UserPolicy", "deploy-user-policy", "ci-runner", { user: "edgestack-deploy", policy: doc([{ Effect: "Allow", Action: "s3:*", Resource: "*" }]) }); } },
  // ---- IAM: trust policies
  { area: "iam-trust", title: "IRSA trust with only the :aud condition (any service account)", expect: "alerting-container-insights-agent", apply: (p) => editDoc(p, "alerting-container-insights-agent", ROLE, "assumeRolePolicy", (d) => { delete d.Statement[0].Condition.StringEquals[`${OIDC}:sub`]; }) },
  { area: "iam-trust", title: "IRSA trust :sub wildcard via StringLike", expect: "cluster-autoscaler-role", apply: (p) => editDoc(p, "cluster-autoscaler-role", ROLE, "assumeRolePolicy", (d) => { const c = d.Statement[0].Condition; delete c.StringEquals[`${OIDC}:sub`]; c.StringLike = { [`${OIDC}:sub`]: "system:serviceaccount:*:*" }; }) },
  { area: "iam-trust", title: "CI role trusts any AWS principal with only an aws:Referer condition", expect: "ci-runner-role", apply: (p) => editDoc(p, "ci-runner-role", ROLE, "assumeRolePolicy", (d) => d.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { StringLike: { "aws:Referer": "https://github.com/*" } } })) },
  { area: "iam-trust", title: "flow-log role trusts a foreign account without ExternalId", expect: "network-flow-logs-role", apply: (p) => editDoc(p, "network-flow-logs-role", ROLE, "assumeRolePolicy", (d) => d.Statement.push({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "sts:AssumeRole" })) },
  { area: "iam-trust", title: "node role trusts Principal * with only SecureTransport", expect: "cluster-node-role", apply: (p) => editDoc(p, "cluster-node-role", ROLE, "assumeRolePolicy", (d) => { d.Statement[0].Principal = "*"; d.Statement[0].Condition = { Bool: { "aws:SecureTransport": "true" } }; }) },
  { area: "iam-trust", title: "new GitHub OIDC deploy role trusting every repository", expect: "gha-deploy", apply: (p) => add(p, ROLE, "gha-deploy", "ci-runner", { description: "GitHub deploys", assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } } }]) }) },
  { area: "iam-trust", title: "Pod Identity role with AdministratorAccess for the app's service account", expect: "app-pod-admin", apply: (p) => { add(p, ROLE, "app-pod", "workloads", { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }]) }); add(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-pod-admin", "workloads", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess", role: p.id("app-pod") }); add(p, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "app-pod-association", "workloads", { clusterName: "edgestack-prod", namespace: "edgestack", serviceAccount: "edgestack-app", roleArn: `arn:aws:iam::${ACCOUNT}:role/app-pod` }); } },
  { area: "iam-trust", title: "CodeBuild trust without source conditions plus any AWS account", expect: "ci-runner-role", apply: (p) => editDoc(p, "ci-runner-role", ROLE, "assumeRolePolicy", (d) => { d.Statement[0].Principal = { Service: "codebuild.amazonaws.com", AWS: "arn:aws:iam::*:root" }; delete d.Statement[0].Condition; }) },
  // ---- S3
  { area: "s3", title: "static bucket policy allows everyone to read objects", expect: "cdn-static-policy", apply: (p) => stmts(p, "cdn-static-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${p.id("cdn-static-bucket")}/*` }]) },
  { area: "s3", title: "static bucket: AWS * reader restricted only by aws:Referer", expect: "cdn-static-policy", apply: (p) => stmts(p, "cdn-static-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${p.id("cdn-static-bucket")}/*`, Condition: { StringLike: { "aws:Referer": "https://edgestack.example.com/*" } } }]) },
  { area: "s3", title: "static bucket: CloudFront read without the distribution condition (any distribution of any account)", expect: "cdn-static-policy", apply: (p) => editDoc(p, "cdn-static-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", (d) => delete d.Statement[0].Condition) },
  { area: "s3", title: "static bucket: reader from the whole IPv4 space split in two halves", expect: "cdn-static-policy", apply: (p) => stmts(p, "cdn-static-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${p.id("cdn-static-bucket")}/*`, Condition: { IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] } } }]) },
  { area: "s3", title: "static bucket public access block lets public policies through", expect: "cdn-static-public-access", apply: (p) => Object.assign(p.inputs("cdn-static-public-access"), { blockPublicPolicy: false, restrictPublicBuckets: false }) },
  { area: "s3", title: "static bucket public access block removed", expect: "cdn-static-bucket", apply: (p) => p.remove("cdn-static-public-access") },
  { area: "s3", title: "CloudFront log bucket gets a public-read ACL", expect: "cdn-logs-acl", apply: (p) => add(p, "aws:s3/bucketAclV2:BucketAclV2", "cdn-logs-acl", "cdn-logs", { bucket: p.id("cdn-logs-bucket"), acl: "public-read" }) },
  { area: "s3", title: "ALB log bucket loses its TLS-only deny", expect: "alb-logs-policy", apply: (p) => editDoc(p, "alb-logs-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", (d) => (d.Statement = d.Statement.filter((s: any) => s.Effect !== "Deny"))) },
  { area: "s3", title: "ALB log bucket TLS deny narrowed to GetObject only", expect: "alb-logs-policy", apply: (p) => editDoc(p, "alb-logs-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", (d) => (d.Statement.find((s: any) => s.Effect === "Deny").Action = "s3:GetObject")) },
  { area: "s3", title: "NLB log delivery without the source account (confused deputy)", expect: "nlb-logs-policy", apply: (p) => editDoc(p, "nlb-logs-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", (d) => { for (const s of d.Statement) if (s.Effect === "Allow") delete s.Condition; }) },
  { area: "s3", title: "ALB log bucket writable by any account's root", expect: "alb-logs-policy", apply: (p) => editDoc(p, "alb-logs-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", (d) => (d.Statement[0].Principal = { AWS: "arn:aws:iam::*:root" })) },
  { area: "s3", title: "static bucket versioning suspended (retained assets)", expect: "cdn-static-versioning", apply: (p) => (p.inputs("cdn-static-versioning").versioningConfiguration.status = "Suspended") },
  { area: "s3", title: "ALB log bucket forceDestroy in prod", expect: "alb-logs-bucket", apply: (p) => (p.inputs("alb-logs-bucket").forceDestroy = true) },
  { area: "s3", title: "static bucket not protected in prod", expect: "cdn-static-bucket", apply: (p) => unprotect(p, "cdn-static-bucket") },
  { area: "s3", title: "static bucket default encryption removed", expect: "cdn-static-bucket", apply: (p) => p.remove("cdn-static-sse") },
  { area: "s3", title: "static assets expire after a day (lifecycle expiration on current versions)", expect: "cdn-static-lifecycle", apply: (p) => (p.inputs("cdn-static-lifecycle").rules[0].expiration = { days: 1 }) },
  // ---- KMS
  { area: "kms", title: "Secrets envelope key rotation off", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").enableKeyRotation = false) },
  { area: "kms", title: "alert topics key decryptable by everyone", expect: "alerting-topics-key", apply: (p) => stmts(p, "alerting-topics-key", "aws:kms/key:Key", "policy", [{ Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }]) },
  { area: "kms", title: "Prometheus key: any principal via the aps service (no caller account)", expect: "alerting-prometheus-key", apply: (p) => editDoc(p, "alerting-prometheus-key", "aws:kms/key:Key", "policy", (d) => { d.Statement[1].Principal = { AWS: "*" }; delete d.Statement[1].Condition.StringEquals["kms:CallerAccount"]; }) },
  { area: "kms", title: "KMS grant gives a foreign account Decrypt on the Secrets key", expect: "cluster-secrets-grant", apply: (p) => add(p, "aws:kms/grant:Grant", "cluster-secrets-grant", "cluster", { keyId: p.id("cluster-secrets-key"), granteePrincipal: "arn:aws:iam::999999999999:root", operations: ["Decrypt", "GenerateDataKey"] }) },
  { area: "kms", title: "DNSSEC key deletion window shortened to 7 days", expect: "dns-zone-dnssec-key", apply: (p) => (p.inputs("dns-zone-dnssec-key").deletionWindowInDays = 7) },
  { area: "kms", title: "Container Insights key: logs service for any log group of any account", expect: "alerting-container-insights-key", apply: (p) => editDoc(p, "alerting-container-insights-key", "aws:kms/key:Key", "policy", (d) => (d.Statement[1].Condition = { StringLike: { "kms:EncryptionContext:aws:logs:arn": "*" } })) },
  { area: "kms", title: "Secrets key gets a policy letting every account use it", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").policy = doc([{ Sid: "Admin", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }, { Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt", "kms:Encrypt"], Resource: "*" }])) },
  // ---- VPC: security groups
  { area: "vpc", title: "cache reachable from the world on 6379", expect: "cache-from-nodes", apply: (p) => { const r = p.inputs("cache-from-nodes"); delete r.referencedSecurityGroupId; r.cidrIpv4 = "0.0.0.0/0"; } },
  { area: "vpc", title: "SSH to nodes from the world split into two /1s", expect: "cluster-nodes-ssh-a", apply: (p) => { for (const [n, c] of [["a", "0.0.0.0/1"], ["b", "128.0.0.0/1"]]) add(p, SG_IN, `cluster-nodes-ssh-${n}`, "cluster", { description: "ssh", fromPort: 22, toPort: 22, ipProtocol: "tcp", cidrIpv4: c, securityGroupId: p.id("cluster-node-sg") }); } },
  { area: "vpc", title: "API security group open to the global unicast IPv6 space (2000::/3)", expect: "cluster-api-v6", apply: (p) => add(p, SG_IN, "cluster-api-v6", "cluster", { description: "api", fromPort: 443, toPort: 443, ipProtocol: "tcp", cidrIpv6: "2000::/3", securityGroupId: p.id("cluster-cluster-sg") }) },
  { area: "vpc", title: "NLB world rule on 443 becomes all protocols", expect: "nlb-443-ipv4", apply: (p) => { const r = p.inputs("nlb-443-ipv4"); r.ipProtocol = "-1"; delete r.fromPort; delete r.toPort; } },
  { area: "vpc", title: "NLB world rule on 80 widened to every port", expect: "nlb-80-ipv4", apply: (p) => Object.assign(p.inputs("nlb-80-ipv4"), { fromPort: 0, toPort: 65535 }) },
  { area: "vpc", title: "cache security group inline ingress from the world", expect: "cache-sg", apply: (p) => (p.inputs("cache-sg").ingress = [{ cidrBlocks: ["0.0.0.0/0"], fromPort: 6379, toPort: 6379, protocol: "tcp" }]) },
  { area: "vpc", title: "legacy securityGroupRule: kubelet from the world", expect: "cluster-kubelet-open", apply: (p) => add(p, "aws:ec2/securityGroupRule:SecurityGroupRule", "cluster-kubelet-open", "cluster", { type: "ingress", fromPort: 10250, toPort: 10250, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], securityGroupId: p.id("cluster-node-sg") }) },
  { area: "vpc", title: "default security group allows all traffic again", expect: "network-default-sg", apply: (p) => Object.assign(p.inputs("network-default-sg"), { ingress: [{ protocol: "-1", self: true, fromPort: 0, toPort: 0 }], egress: [{ protocol: "-1", cidrBlocks: ["0.0.0.0/0"], fromPort: 0, toPort: 0 }] }) },
  { area: "vpc", title: "network ACL admits SSH and RDP from the world", expect: "network-private-acl", apply: (p) => add(p, "aws:ec2/networkAcl:NetworkAcl", "network-private-acl", "network", { vpcId: p.id("network-vpc"), subnetIds: [p.id("network-private-0")], ingress: [{ ruleNo: 100, action: "allow", protocol: "tcp", fromPort: 22, toPort: 3389, cidrBlock: "0.0.0.0/0" }], egress: [{ ruleNo: 100, action: "allow", protocol: "-1", fromPort: 0, toPort: 0, cidrBlock: "0.0.0.0/0" }] }) },
  { area: "vpc", title: "ALB egress to the world on all protocols", expect: "alb-to-nginx", apply: (p) => { const r = p.inputs("alb-to-nginx"); r.cidrIpv4 = "0.0.0.0/0"; r.ipProtocol = "-1"; delete r.fromPort; delete r.toPort; } },
  { area: "vpc", title: "API endpoints security group open to the world", expect: "cluster-api-endpoints-from-nodes", apply: (p) => { const r = p.inputs("cluster-api-endpoints-from-nodes"); delete r.referencedSecurityGroupId; r.cidrIpv6 = "::/0"; } },
  // ---- VPC: routing, NAT, flow logs
  { area: "vpc", title: "private route table sends 0.0.0.0/0 to the internet gateway", expect: "network-private-rt-0", apply: (p) => { const r = p.inputs("network-private-rt-0"); r.routes[0] = { cidrBlock: "0.0.0.0/0", gatewayId: p.id("network-igw") }; } },
  { area: "vpc", title: "private subnet associated with the public route table", expect: "network-private-1", apply: (p) => (p.inputs("network-private-1", "aws:ec2/routeTableAssociation:RouteTableAssociation").routeTableId = p.id("network-public-rt")) },
  { area: "vpc", title: "private subnet maps public IPs on launch", expect: "network-private-0", apply: (p) => (p.inputs("network-private-0", "aws:ec2/subnet:Subnet").mapPublicIpOnLaunch = true) },
  { area: "vpc", title: "prod: two zones share one NAT gateway", expect: "network-private-rt-2", apply: (p) => { p.remove("network-nat-2", "aws:ec2/natGateway:NatGateway"); p.remove("network-nat-2", "aws:ec2/eip:Eip"); p.inputs("network-private-rt-2").routes[0].natGatewayId = p.id("network-nat-0", "aws:ec2/natGateway:NatGateway"); } },
  { area: "vpc", title: "private route table: IPv6 default route via the internet gateway", expect: "network-private-rt-1", apply: (p) => { const r = p.inputs("network-private-rt-1"); r.routes[1] = { ipv6CidrBlock: "::/0", gatewayId: p.id("network-igw") }; } },
  { area: "vpc", title: "extra aws:ec2/route puts a private table on the internet gateway (split route)", expect: "network-private-rt-0-bypass", apply: (p) => add(p, "aws:ec2/route:Route", "network-private-rt-0-bypass", "network", { routeTableId: p.id("network-private-rt-0"), destinationCidrBlock: "0.0.0.0/1", gatewayId: p.id("network-igw") }) },
  { area: "vpc", title: "VPC flow log removed", expect: "network-vpc", apply: (p) => p.remove("network-flow-log") },
  { area: "vpc", title: "flow log records only rejected traffic", expect: "network-flow-log", apply: (p) => (p.inputs("network-flow-log").trafficType = "REJECT") },
  { area: "vpc", title: "flow log group keeps one day", expect: "network-flow-logs", apply: (p) => (p.inputs("network-flow-logs", "aws:cloudwatch/logGroup:LogGroup").retentionInDays = 1) },
  { area: "vpc", title: "STS endpoint policy allows any principal from anywhere to assume roles in any account", expect: "cluster-endpoint-sts", apply: (p) => (p.inputs("cluster-endpoint-sts").policy = doc([{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }])) },
  // ---- ALB / NLB
  { area: "alb", title: "ALB stops dropping invalid header fields", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").dropInvalidHeaderFields = false) },
  { area: "alb", title: "ALB HTTPS listener on a TLS 1.0 policy", expect: "alb-https", apply: (p) => (p.inputs("alb-https", LISTENER).sslPolicy = "ELBSecurityPolicy-2016-08") },
  { area: "alb", title: "ALB HTTP listener forwards instead of redirecting", expect: "alb-http", apply: (p) => (p.inputs("alb-http", LISTENER).defaultActions = [{ type: "forward", targetGroupArn: p.id("alb-nginx", TG) }]) },
  { area: "alb", title: "API route without the origin-verify header condition", expect: "alb-route-api", apply: (p) => (p.inputs("alb-route-api").conditions = p.inputs("alb-route-api").conditions.filter((c: any) => !c.httpHeader)) },
  { area: "alb", title: "new catch-all listener rule forwarding without the origin header", expect: "alb-route-all", apply: (p) => add(p, "aws:lb/listenerRule:ListenerRule", "alb-route-all", "alb", { listenerArn: p.id("alb-https", LISTENER), priority: 5, actions: [{ type: "forward", targetGroupArn: p.id("alb-nginx", TG) }], conditions: [{ pathPattern: { values: ["/*"] } }] }) },
  { area: "alb", title: "ALB HTTPS default action forwards to nginx (origin lock bypass)", expect: "alb-https", apply: (p) => (p.inputs("alb-https", LISTENER).defaultActions = [{ type: "forward", targetGroupArn: p.id("alb-nginx", TG) }]) },
  { area: "alb", title: "ALB → nginx hop in plaintext HTTP", expect: "alb-nginx", apply: (p) => { const r = p.inputs("alb-nginx", TG); r.protocol = "HTTP"; r.healthCheck.protocol = "HTTP"; } },
  { area: "nlb", title: "NLB TLS listener on a TLS 1.0 policy", expect: "nlb-tls", apply: (p) => (p.inputs("nlb-tls", LISTENER).sslPolicy = "ELBSecurityPolicy-TLS-1-0-2015-04") },
  { area: "nlb", title: "NLB TLS target group without PROXY v2 (client address lost)", expect: "nlb-tls", apply: (p) => (p.inputs("nlb-tls", TG).proxyProtocolV2 = false) },
  { area: "alb", title: "ALB access logs off in prod", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").accessLogs.enabled = false) },
  { area: "alb", title: "ALB deletion protection off in prod", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").enableDeletionProtection = false) },
  { area: "alb", title: "ALB also wears the NLB's world-open security group", expect: "alb-lb", apply: (p) => p.inputs("alb-lb").securityGroups.push(p.id("nlb-sg")) },
  { area: "alb", title: "ALB HTTPS ingress from the world instead of the CloudFront prefix list", expect: "alb-https-from-cloudfront", apply: (p) => { const r = p.inputs("alb-https-from-cloudfront"); delete r.prefixListId; r.cidrIpv4 = "0.0.0.0/0"; } },
  { area: "alb", title: "extra ALB ingress from ::/0", expect: "alb-https-v6", apply: (p) => add(p, SG_IN, "alb-https-v6", "alb", { description: "v6", fromPort: 443, toPort: 443, ipProtocol: "tcp", cidrIpv6: "::/0", securityGroupId: p.id("alb-sg") }) },
  { area: "alb", title: "ALB desync mitigation in monitor mode", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").desyncMitigationMode = "monitor") },
  { area: "nlb", title: "NLB access logs off in prod", expect: "nlb-lb", apply: (p) => (p.inputs("nlb-lb").accessLogs.enabled = false) },
  // ---- CloudFront
  { area: "cdn", title: "default behaviour allows plain HTTP", expect: "cdn-distribution", apply: (p) => (dist(p).defaultCacheBehavior.viewerProtocolPolicy = "allow-all") },
  { area: "cdn", title: "/api/* behaviour allows plain HTTP", expect: "cdn-distribution", apply: (p) => (behaviour(p, "/api/*").viewerProtocolPolicy = "allow-all") },
  { area: "cdn", title: "viewer TLS minimum TLSv1", expect: "cdn-distribution", apply: (p) => (dist(p).viewerCertificate.minimumProtocolVersion = "TLSv1") },
  { area: "cdn", title: "origin over plain HTTP", expect: "cdn-distribution", apply: (p) => (dist(p).origins[0].customOriginConfig.originProtocolPolicy = "http-only") },
  { area: "cdn", title: "origin accepts TLSv1", expect: "cdn-distribution", apply: (p) => (dist(p).origins[0].customOriginConfig.originSslProtocols = ["TLSv1", "TLSv1.2"]) },
  { area: "cdn", title: "distribution without WAF", expect: "cdn-distribution", apply: (p) => delete dist(p).webAclId },
  { area: "cdn", title: "/api/* loses the viewer-address function (rate limiter keyed on CloudFront)", expect: "cdn-distribution", apply: (p) => delete behaviour(p, "/api/*").functionAssociations },
  { area: "cdn", title: "viewer-address function trusts a client-sent header", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", "aws:cloudfront/function:Function").code = 'function handler(event) {\n  var request = event.request;\n  if (!request.headers["x-viewer-address"]) {\n    request.headers["x-viewer-address"] = { value: event.viewer.ip };\n  }\n  return request;\n}\n') },
  { area: "cdn", title: "origin request policy stops forwarding X-Viewer-Address", expect: "cdn-viewer-address", apply: (p) => (p.inputs("cdn-viewer-address", "aws:cloudfront/originRequestPolicy:OriginRequestPolicy").headersConfig = { headerBehavior: "none" }) },
  { area: "cdn", title: "HSTS max-age cut to 5 minutes", expect: "cdn-security-headers", apply: (p) => (p.inputs("cdn-security-headers").securityHeadersConfig.strictTransportSecurity.accessControlMaxAgeSec = 300) },
  { area: "cdn", title: "default behaviour without the security headers policy", expect: "cdn-distribution", apply: (p) => delete dist(p).defaultCacheBehavior.responseHeadersPolicyId },
  { area: "cdn", title: "CloudFront access logging off", expect: "cdn-distribution", apply: (p) => delete dist(p).loggingConfig },
  { area: "cdn", title: "static origin without OAC", expect: "cdn-distribution", apply: (p) => delete dist(p).origins[1].originAccessControlId },
  { area: "cdn", title: "OAC never signs", expect: "cdn-oac", apply: (p) => (p.inputs("cdn-oac").signingBehavior = "never") },
  { area: "cdn", title: "origin without the X-Origin-Verify header", expect: "cdn-distribution", apply: (p) => (dist(p).origins[0].customHeaders = []) },
  { area: "cdn", title: "default behaviour's function replaced by one that does not set the viewer address", expect: "cdn-distribution", apply: (p) => { add(p, "aws:cloudfront/function:Function", "cdn-redirects", "cdn", { name: "edgestack-prod-redirects", runtime: "cloudfront-js-2.0", publish: true, code: "function handler(event) { return event.request; }\n" }); dist(p).defaultCacheBehavior.functionAssociations = [{ eventType: "viewer-request", functionArn: `arn:aws:cloudfront::${ACCOUNT}:function/edgestack-prod-redirects` }]; } },
  { area: "cdn", title: "HSTS override off (origin may drop it)", expect: "cdn-security-headers", apply: (p) => delete p.inputs("cdn-security-headers").securityHeadersConfig.strictTransportSecurity },
  // ---- WAF
  { area: "waf", title: "rate limit only counts", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "rate-limit-per-ip").action = { count: {} }) },
  { area: "waf", title: "common rule set overridden to count", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "aws-common-rule-set").overrideAction = { count: {} }) },
  { area: "waf", title: "first rule allows every path starting with /", expect: "cdn-waf-acl", apply: (p) => waf(p).rules.unshift({ name: "allow-all", priority: 1, action: { allow: {} }, statement: { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH", searchString: "/", textTransformations: [{ priority: 0, type: "NONE" }] } }, visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "allow-all", sampledRequestsEnabled: true } }) },
  { area: "waf", title: "rate limit keyed on the spoofable X-Forwarded-For", expect: "cdn-waf-acl", apply: (p) => Object.assign(wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement, { aggregateKeyType: "FORWARDED_IP", forwardedIpConfig: { headerName: "X-Forwarded-For", fallbackBehavior: "MATCH" } }) },
  { area: "waf", title: "Log4j rules of known-bad-inputs set to count", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "aws-known-bad-inputs").statement.managedRuleGroupStatement.ruleActionOverrides = ["Log4JRCE_HEADER", "Log4JRCE_BODY", "Log4JRCE_URIPATH", "Log4JRCE_QUERYSTRING"].map((name) => ({ name, actionToUse: { count: {} } }))) },
  { area: "waf", title: "IP set of the whole IPv4 space allowed first", expect: "cdn-waf-acl", apply: (p) => { add(p, "aws:wafv2/ipSet:IpSet", "cdn-waf-trusted", "cdn-waf", { name: "trusted", scope: "CLOUDFRONT", ipAddressVersion: "IPV4", addresses: ["0.0.0.0/1", "128.0.0.0/1"] }); waf(p).rules.unshift({ name: "trusted", priority: 0, action: { allow: {} }, statement: { ipSetReferenceStatement: { arn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/ipset/trusted/${p.id("cdn-waf-trusted")}` } }, visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "trusted", sampledRequestsEnabled: true } }); } },
  { area: "waf", title: "rate limit raised to 2 billion", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.limit = 2_000_000_000) },
  { area: "waf", title: "WAF logging removed", expect: "cdn-waf-acl", apply: (p) => p.remove("cdn-waf-logging") },
  { area: "waf", title: "WAF logs keep the Authorization header", expect: "cdn-waf-logging", apply: (p) => (p.inputs("cdn-waf-logging").redactedFields = []) },
  { area: "waf", title: "anonymous-IP list only counts anonymizers", expect: "cdn-waf-acl", apply: (p) => wafRule(p, "aws-anonymous-ip-list").statement.managedRuleGroupStatement.ruleActionOverrides.push({ name: "AnonymousIPList", actionToUse: { count: {} } }) },
  { area: "waf", title: "rate limit scoped down to requests carrying a header nobody sends", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.scopeDownStatement = { byteMatchStatement: { fieldToMatch: { singleHeader: { name: "x-never" } }, positionalConstraint: "EXACTLY", searchString: "1", textTransformations: [{ priority: 0, type: "NONE" }] } }) },
  { area: "waf", title: "common rule set scoped down to nothing", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "aws-common-rule-set").statement.managedRuleGroupStatement.scopeDownStatement = { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: "EXACTLY", searchString: "/never", textTransformations: [{ priority: 0, type: "NONE" }] } }) },
  // ---- Route53 / ACM
  { area: "dns", title: "DNSSEC signing stopped", expect: "dns-zone-dnssec", apply: (p) => (p.inputs("dns-zone-dnssec").signingStatus = "NOT_SIGNING") },
  { area: "dns", title: "www CNAME to an S3 website endpoint the stack does not own (takeover)", expect: "dns-www-cname", apply: (p) => (p.inputs("dns-www-cname").records = ["edgestack-www.s3-website-us-east-1.amazonaws.com"]) },
  { area: "dns", title: "CAA keeps only issuewild (any CA may issue)", expect: "dns-apex-caa", apply: (p) => (p.inputs("dns-apex-caa").records = ['0 issuewild ";"']) },
  { area: "acm", title: "certificate transparency logging disabled", expect: "cdn-certificate-cert", apply: (p) => (p.inputs("cdn-certificate-cert").options = { certificateTransparencyLoggingPreference: "DISABLED" }) },
  { area: "dns", title: "key-signing key deactivated", expect: "dns-zone-ksk", apply: (p) => (p.inputs("dns-zone-ksk").status = "INACTIVE") },
  { area: "dns", title: "origin record becomes a literal address (CloudFront sends the origin secret there)", expect: "dns-origin-a", apply: (p) => { const r = p.inputs("dns-origin-a"); delete r.aliases; r.records = ["203.0.113.10"]; r.ttl = 60; } },
  // ---- ElastiCache
  { area: "cache", title: "TLS preferred, not required", expect: "cache-group", apply: (p) => (p.inputs("cache-group").transitEncryptionMode = "preferred") },
  { area: "cache", title: "TLS off", expect: "cache-group", apply: (p) => { const r = p.inputs("cache-group"); r.transitEncryptionEnabled = false; delete r.transitEncryptionMode; } },
  { area: "cache", title: "at-rest encryption off", expect: "cache-group", apply: (p) => (p.inputs("cache-group").atRestEncryptionEnabled = false) },
  { area: "cache", title: "RBAC user group with a password-less all-commands user replaces AUTH", expect: "cache-open-user", apply: (p) => { add(p, "aws:elasticache/user:User", "cache-open-user", "cache", { userId: "open", userName: "default", engine: "valkey", accessString: "on ~* +@all", noPasswordRequired: true }); add(p, "aws:elasticache/userGroup:UserGroup", "cache-users", "cache", { userGroupId: "edgestack-users", engine: "valkey", userIds: ["open"] }); const r = p.inputs("cache-group"); delete r.authToken; r.userGroupIds = ["edgestack-users"]; } },
  { area: "cache", title: "prod cache single-AZ", expect: "cache-group", apply: (p) => (p.inputs("cache-group").multiAzEnabled = false) },
  { area: "cache", title: "snapshots off", expect: "cache-group", apply: (p) => (p.inputs("cache-group").snapshotRetentionLimit = 0) },
  { area: "cache", title: "no final snapshot", expect: "cache-group", apply: (p) => delete p.inputs("cache-group").finalSnapshotIdentifier },
  { area: "cache", title: "cache group not protected", expect: "cache-group", apply: (p) => unprotect(p, "cache-group") },
  { area: "cache", title: "cache subnet group on the public subnets", expect: "cache-subnets", apply: (p) => (p.inputs("cache-subnets").subnetIds = ["network-public-0", "network-public-1", "network-public-2"].map((n) => p.id(n, "aws:ec2/subnet:Subnet"))) },
  { area: "cache", title: "prod cache without replicas", expect: "cache-group", apply: (p) => (p.inputs("cache-group").replicasPerNodeGroup = 0) },
  { area: "cache", title: "cache also in the node security group (admits the whole cluster on all ports)", expect: "cache-group", apply: (p) => p.inputs("cache-group").securityGroupIds.push(p.id("network-default-sg")) },
  // ---- EKS
  { area: "eks", title: "public API endpoint open to the world", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").vpcConfig.publicAccessCidrs = ["0.0.0.0/0"]) },
  { area: "eks", title: "public API endpoint open to two /1 halves", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").vpcConfig.publicAccessCidrs = ["0.0.0.0/1", "128.0.0.0/1"]) },
  { area: "eks", title: "public API endpoint with no CIDR list (defaults to the world)", expect: "cluster-eks", apply: (p) => delete p.inputs("cluster-eks").vpcConfig.publicAccessCidrs },
  { area: "eks", title: "audit log off", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").enabledClusterLogTypes = ["api", "authenticator"]) },
  { area: "eks", title: "Secrets envelope encryption removed", expect: "cluster-eks", apply: (p) => delete p.inputs("cluster-eks").encryptionConfig },
  { area: "eks", title: "deletion protection off in prod", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").deletionProtection = false) },
  { area: "eks", title: "creator gets cluster-admin", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").accessConfig.bootstrapClusterCreatorAdminPermissions = true) },
  { area: "eks", title: "preview role associated with cluster admin", expect: "cluster-access-preview-view", apply: (p) => (p.inputs("cluster-access-preview-view").policyArn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy") },
  { area: "eks", title: "deploy access entry maps to system:masters", expect: "cluster-access-deploy", apply: (p) => (p.inputs("cluster-access-deploy").kubernetesGroups = ["system:masters"]) },
  { area: "eks", title: "foreign account role gets namespace admin through a new access entry", expect: "cluster-access-vendor-admin", apply: (p) => { add(p, "aws:eks/accessEntry:AccessEntry", "cluster-access-vendor", "cluster", { clusterName: "edgestack-prod", principalArn: "arn:aws:iam::999999999999:role/vendor", type: "STANDARD" }); add(p, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-access-vendor-admin", "cluster", { clusterName: "edgestack-prod", principalArn: "arn:aws:iam::999999999999:role/vendor", policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy", accessScope: { type: "namespace", namespaces: ["edgestack"] } }); } },
  { area: "eks", title: "IMDSv1 allowed on nodes", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes").metadataOptions.httpTokens = "optional") },
  { area: "eks", title: "IMDS hop limit 2 (pods reach node credentials)", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes").metadataOptions.httpPutResponseHopLimit = 2) },
  { area: "eks", title: "node root volume unencrypted", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes").blockDeviceMappings[0].ebs.encrypted = "false") },
  { area: "eks", title: "node group SSH from anywhere", expect: "cluster-nodes-zone1", apply: (p) => (p.inputs("cluster-nodes-zone1").remoteAccess = { ec2SshKey: "ops" }) },
  { area: "eks", title: "node group in a public subnet", expect: "cluster-nodes-zone1", apply: (p) => (p.inputs("cluster-nodes-zone1").subnetIds = [p.id("network-public-0", "aws:ec2/subnet:Subnet")]) },
  { area: "eks", title: "vpc-cni network policy agent disabled (JSON)", expect: "cluster-vpc-cni", apply: (p) => (p.inputs("cluster-vpc-cni").configurationValues = JSON.stringify({ enableNetworkPolicy: "false" })) },
  { area: "eks", title: "vpc-cni network policy agent disabled (YAML)", expect: "cluster-vpc-cni", apply: (p) => (p.inputs("cluster-vpc-cni").configurationValues = 'enableNetworkPolicy: "false"\n') },
  { area: "eks", title: "node group without the launch template (IMDSv1, hop limit 2 defaults)", expect: "cluster-nodes-zone2", apply: (p) => delete p.inputs("cluster-nodes-zone2").launchTemplate },
  { area: "eks", title: "nodes get public IPs via the launch template", expect: "cluster-nodes", apply: (p) => { const r = p.inputs("cluster-nodes"); r.networkInterfaces = [{ associatePublicIpAddress: "true", securityGroups: r.vpcSecurityGroupIds }]; delete r.vpcSecurityGroupIds; } },
  { area: "eks", title: "cluster not protected", expect: "cluster-eks", apply: (p) => unprotect(p, "cluster-eks") },
  { area: "eks", title: "prod node group pinned to one zone (zone spread)", expect: "cluster-nodes-zone3", apply: (p) => (p.inputs("cluster-nodes-zone3").subnetIds = [p.id("network-private-0", "aws:ec2/subnet:Subnet")]) },
  // ---- CloudWatch, SNS
  { area: "sns", title: "page topic unencrypted", expect: "alerting-topics-page", apply: (p) => delete p.inputs("alerting-topics-page", "aws:sns/topic:Topic").kmsMasterKeyId },
  { area: "sns", title: "page topic: anyone may subscribe", expect: "alerting-topics-page", apply: (p) => stmts(p, "alerting-topics-page", "aws:sns/topicPolicy:TopicPolicy", "policy", [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Subscribe", Resource: p.id("alerting-topics-page", "aws:sns/topic:Topic") }]) },
  { area: "sns", title: "ticket topic: CloudWatch publish without source account", expect: "alerting-topics-ticket", apply: (p) => editDoc(p, "alerting-topics-ticket", "aws:sns/topicPolicy:TopicPolicy", "policy", (d) => delete d.Statement[1].Condition) },
  { area: "cloudwatch", title: "healthy-host alarm notifies nobody", expect: "alerting-alb-targets-HealthyHostCount", apply: (p) => { const r = p.inputs("alerting-alb-targets-HealthyHostCount", ALARM); r.alarmActions = []; r.okActions = []; } },
  { area: "cloudwatch", title: "WAF blocked-requests alarm actions disabled", expect: "alerting-waf-BlockedRequests", apply: (p) => (p.inputs("alerting-waf-BlockedRequests", ALARM).actionsEnabled = false) },
  { area: "cloudwatch", title: "control-plane (audit) logs kept one day", expect: "cluster-control-plane-logs", apply: (p) => (p.inputs("cluster-control-plane-logs").retentionInDays = 1) },
  { area: "cloudwatch", title: "Container Insights log group unencrypted", expect: "alerting-container-insights-application", apply: (p) => delete p.inputs("alerting-container-insights-application").kmsKeyId },
  // ---- CodeBuild / ECR
  { area: "ci", title: "CodeBuild privileged mode", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").environment.privilegedMode = true) },
  { area: "ci", title: "runner builds pull requests (forks' code inside the VPC)", expect: "ci-runner-webhook", apply: (p) => (p.inputs("ci-runner-webhook").filterGroups = [{ filters: [{ type: "EVENT", pattern: "PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED" }] }]) },
  { area: "ci", title: "plaintext token in CodeBuild environment", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").environment.environmentVariables = [{ name: "GITHUB_TOKEN", value: "ghp_0123456789abcdefghijABCDEFGHIJ012345", type: "PLAINTEXT" }]) },
  { area: "ci", title: "CodeBuild logs disabled", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").logsConfig.cloudwatchLogs.status = "DISABLED") },
  { area: "ecr", title: "mutable image tags", expect: "image-repo", apply: (p) => (p.inputs("image-repo").imageTagMutability = "MUTABLE") },
  { area: "ecr", title: "scan on push off", expect: "image-repo", apply: (p) => (p.inputs("image-repo").imageScanningConfiguration.scanOnPush = false) },
  { area: "ecr", title: "repository policy lets everyone pull", expect: "image-repo-policy", apply: (p) => add(p, "aws:ecr/repositoryPolicy:RepositoryPolicy", "image-repo-policy", "image", { repository: "edgestack-prod/app", policy: doc([{ Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }]) }) },
  { area: "ecr", title: "repository policy lets any account push", expect: "image-repo-policy", apply: (p) => add(p, "aws:ecr/repositoryPolicy:RepositoryPolicy", "image-repo-policy", "image", { repository: "edgestack-prod/app", policy: doc([{ Effect: "Allow", Principal: { AWS: "*" }, Action: ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"], Condition: { Bool: { "aws:SecureTransport": "true" } } }]) }) },
  { area: "ecr", title: "repository force-deletable", expect: "image-repo", apply: (p) => (p.inputs("image-repo").forceDelete = true) },
  // ---- Secrets Manager / SSM
  { area: "secrets", title: "secret readable by everyone through its resource policy", expect: "cache-auth-secret-policy", apply: (p) => { add(p, "aws:secretsmanager/secret:Secret", "cache-auth-secret", "cache", { name: "edgestack-prod/redis-auth" }); add(p, "aws:secretsmanager/secretPolicy:SecretPolicy", "cache-auth-secret-policy", "cache", { secretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:edgestack-prod/redis-auth`, policy: doc([{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }]) }); } },
  { area: "secrets", title: "Redis auth token stored as a plain String SSM parameter", expect: "cache-auth-param", apply: (p) => add(p, "aws:ssm/parameter:Parameter", "cache-auth-param", "cache", { name: "/edgestack/prod/redis-auth-token", type: "String", value: "Zq8yW3n4Rk7pL2sX9vB6cM1dF5gH0jT3" }) },
  { area: "secrets", title: "secret with an inline policy for any account", expect: "deploy-secret", apply: (p) => add(p, "aws:secretsmanager/secret:Secret", "deploy-secret", "ci-runner", { name: "edgestack-prod/deploy", policy: doc([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "secretsmanager:*", Resource: "*" }]) }) },
];

export const rtAwsHarmless: Harmless[] = [
  { title: "ALB gets a cost-centre tag", apply: (p) => (p.inputs("alb-lb").tags = { ...p.inputs("alb-lb").tags, "cost-centre": "edge" }) },
  { title: "ALB idle timeout lowered to 30 s", apply: (p) => (p.inputs("alb-lb").idleTimeout = 30) },
  { title: "WAF rate limit tightened to 2000", apply: (p) => (wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.limit = 2000) },
  { title: "distribution comment reworded", apply: (p) => (dist(p).comment = "edgestack production edge") },
  { title: "cache ingress rule description reworded", apply: (p) => (p.inputs("cache-from-nodes").description = "Valkey over TLS from the worker nodes") },
  { title: "static bucket policy gains a deny of bucket deletion", apply: (p) => stmts(p, "cdn-static-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", [{ Sid: "DenyDelete", Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: `arn:aws:s3:::${p.id("cdn-static-bucket")}` }]) },
  { title: "flow-log retention raised to a year", apply: (p) => (p.inputs("network-flow-logs", "aws:cloudwatch/logGroup:LogGroup").retentionInDays = 365) },
  { title: "EKS public endpoint narrowed to a /25", apply: (p) => (p.inputs("cluster-eks").vpcConfig.publicAccessCidrs = ["198.51.100.0/25"]) },
  { title: "KMS key description reworded", apply: (p) => (p.inputs("cluster-secrets-key").description = "edgestack-prod: Kubernetes Secrets envelope key") },
  { title: "ALB health check every 10 s", apply: (p) => (p.inputs("alb-nginx", TG).healthCheck.interval = 10) },
  { title: "cache snapshots kept 14 days", apply: (p) => (p.inputs("cache-group").snapshotRetentionLimit = 14) },
  { title: "CI runner policy drops one describe action", apply: (p) => editDoc(p, "ci-runner-policy", ROLE_POLICY, "policy", (d) => (d.Statement[1].Action = d.Statement[1].Action.filter((a: string) => a !== "ec2:DescribeDhcpOptions"))) },
  { title: "5xx alarm threshold halved", apply: (p) => { const r = p.inputs("alerting-alb-HTTPCode_ELB_5XX_Count", ALARM); r.threshold = r.threshold / 2; } },
  { title: "response headers policy adds a CSP", apply: (p) => (p.inputs("cdn-security-headers").securityHeadersConfig.contentSecurityPolicy = { contentSecurityPolicy: "default-src 'self'", override: true }) },
  { title: "ECR keeps 100 images", apply: (p) => (p.inputs("image-lifecycle").policy = p.inputs("image-lifecycle").policy.replace('"countNumber":50', '"countNumber":100')) },
  { title: "WAF adds the IP reputation list", apply: (p) => waf(p).rules.push({ name: "aws-ip-reputation", priority: 50, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { name: "AWSManagedRulesAmazonIpReputationList", vendorName: "AWS" } }, visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "edgestack-prod-cdn-ip-reputation", sampledRequestsEnabled: true } }) },
  { title: "SRV record TTL 600", apply: (p) => (p.inputs("dns-srv").ttl = 600) },
  { title: "cache maintenance window moved", apply: (p) => (p.inputs("cache-group").maintenanceWindow = "sat:05:00-sat:06:00") },
  { title: "autoscaler role description reworded", apply: (p) => (p.inputs("cluster-autoscaler-role", ROLE).description = "Cluster Autoscaler for edgestack-prod") },
  { title: "IRSA trust adds an extra StringEquals on the audience only (already present) and a Sid", apply: (p) => editDoc(p, "alerting-container-insights-agent", ROLE, "assumeRolePolicy", (d) => (d.Statement[0].Sid = "CloudWatchAgentOnly")) },
  { title: "KMS key policy gains an explicit deny of key deletion to everyone but the account", apply: (p) => stmts(p, "alerting-topics-key", "aws:kms/key:Key", "policy", [{ Sid: "DenyScheduleDeletion", Effect: "Deny", Principal: "*", Action: "kms:ScheduleKeyDeletion", Resource: "*", Condition: { StringNotEquals: { "aws:PrincipalAccount": ACCOUNT } } }]) },
  { title: "flow log aggregation every minute", apply: (p) => (p.inputs("network-flow-log").maxAggregationInterval = 60) },
  { title: "WAF log group retention 180 days", apply: (p) => (p.inputs("cdn-waf-logs").retentionInDays = 180) },
];


/** Phase 2: unlisted variants of each class found, written after reading the rules. */
export const rtAwsHunt: Mutation[] = [
  { area: "iam", title: "job-function SystemAdministrator attached to the CI role", expect: "ci-runner-sysadmin", apply: (p) => add(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ci-runner-sysadmin", "ci-runner", { policyArn: "arn:aws:iam::aws:policy/job-function/SystemAdministrator", role: p.id("ci-runner-role") }) },
  { area: "iam", title: "ECR PowerUser (push to every repository) on the node role", expect: "cluster-node-ecr-power", apply: (p) => add(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-node-ecr-power", "cluster", { policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser", role: p.id("cluster-node-role") }) },
  { area: "iam", title: "legacy PolicyAttachment of AdministratorAccess to the node role", expect: "cluster-node-legacy-admin", apply: (p) => add(p, "aws:iam/policyAttachment:PolicyAttachment", "cluster-node-legacy-admin", "cluster", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess", roles: [p.id("cluster-node-role")] }) },
  { area: "iam", title: "CI runner may rewrite any role's trust policy", expect: "ci-runner-policy", apply: (p) => stmts(p, "ci-runner-policy", ROLE_POLICY, "policy", [{ Effect: "Allow", Action: ["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy"], Resource: "arn:aws:iam::123456789012:role/*" }]) },
  { area: "iam-trust", title: "IRSA trust :sub only IfExists", expect: "cluster-autoscaler-role", apply: (p) => editDoc(p, "cluster-autoscaler-role", ROLE, "assumeRolePolicy", (d) => { const c = d.Statement[0].Condition; c.StringEqualsIfExists = { [`${OIDC}:sub`]: c.StringEquals[`${OIDC}:sub`] }; delete c.StringEquals[`${OIDC}:sub`]; }) },
  { area: "iam-trust", title: "trust via NotPrincipal", expect: "network-flow-logs-role", apply: (p) => editDoc(p, "network-flow-logs-role", ROLE, "assumeRolePolicy", (d) => d.Statement.push({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:role/x" }, Action: "sts:AssumeRole" })) },
  { area: "s3", title: "S3 access point with a public policy on the static bucket", expect: "cdn-static-ap", apply: (p) => add(p, "aws:s3/accessPoint:AccessPoint", "cdn-static-ap", "cdn-static", { bucket: p.id("cdn-static-bucket"), name: "static", policy: doc([{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/static/object/*` }]) }) },
  { area: "s3", title: "s3control access point policy open to everyone", expect: "cdn-static-ap-policy", apply: (p) => add(p, "aws:s3control/accessPointPolicy:AccessPointPolicy", "cdn-static-ap-policy", "cdn-static", { accessPointArn: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/static`, policy: doc([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:*", Resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/static/object/*` }]) }) },
  { area: "s3", title: "static bucket object ownership ObjectWriter (ACLs back on)", expect: "cdn-static-ownership", apply: (p) => (p.inputs("cdn-static-ownership").rule.objectOwnership = "ObjectWriter") },
  { area: "s3", title: "static bucket replicated to another account's bucket", expect: "cdn-static-replication", apply: (p) => add(p, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "cdn-static-replication", "cdn-static", { bucket: p.id("cdn-static-bucket"), role: `arn:aws:iam::${ACCOUNT}:role/replication`, rules: [{ id: "all", status: "Enabled", destination: { bucket: "arn:aws:s3:::exfil-bucket", account: "999999999999" } }] }) },
  { area: "kms", title: "key disabled", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").isEnabled = false) },
  { area: "kms", title: "separate KeyPolicy opens the DNSSEC key to the signing service of any account", expect: "dns-zone-dnssec-keypolicy", apply: (p) => add(p, "aws:kms/keyPolicy:KeyPolicy", "dns-zone-dnssec-keypolicy", "dns-zone", { keyId: p.id("dns-zone-dnssec-key"), policy: doc([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }, { Effect: "Allow", Principal: { Service: "dnssec-route53.amazonaws.com" }, Action: ["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"], Resource: "*" }]) }) },
  { area: "vpc", title: "SSH from a declared prefix list holding the world", expect: "cluster-nodes-ssh-pl", apply: (p) => { add(p, "aws:ec2/managedPrefixList:ManagedPrefixList", "ops-ranges", "cluster", { name: "ops", addressFamily: "IPv4", maxEntries: 2, entries: [{ cidr: "0.0.0.0/0", description: "ops" }] }); add(p, SG_IN, "cluster-nodes-ssh-pl", "cluster", { description: "ssh", fromPort: 22, toPort: 22, ipProtocol: "tcp", prefixListId: p.id("ops-ranges"), securityGroupId: p.id("cluster-node-sg") }); } },
  { area: "vpc", title: "cache ingress from the whole VPC CIDR", expect: "cache-from-vpc", apply: (p) => add(p, SG_IN, "cache-from-vpc", "cache", { description: "vpc", fromPort: 6379, toPort: 6379, ipProtocol: "tcp", cidrIpv4: "10.20.0.0/16", securityGroupId: p.id("cache-sg") }) },
  { area: "vpc", title: "nodes reachable on the kubelet from the world via IPv4-mapped IPv6", expect: "cluster-kubelet-mapped", apply: (p) => add(p, SG_IN, "cluster-kubelet-mapped", "cluster", { description: "kubelet", fromPort: 10250, toPort: 10250, ipProtocol: "tcp", cidrIpv6: "::ffff:0:0/96", securityGroupId: p.id("cluster-node-sg") }) },
  { area: "vpc", title: "flow log moved from the VPC to one subnet", expect: "network-vpc", apply: (p) => { const r = p.inputs("network-flow-log"); delete r.vpcId; r.subnetId = p.id("network-private-0", "aws:ec2/subnet:Subnet"); } },
  { area: "alb", title: "listener rule conditioned on a host header only", expect: "alb-route-host", apply: (p) => add(p, "aws:lb/listenerRule:ListenerRule", "alb-route-host", "alb", { listenerArn: p.id("alb-https", LISTENER), priority: 7, actions: [{ type: "forward", targetGroupArn: p.id("alb-nginx", TG) }], conditions: [{ hostHeader: { values: ["origin.edgestack.example.com"] } }] }) },
  { area: "alb", title: "weighted forward in the default action", expect: "alb-https", apply: (p) => (p.inputs("alb-https", LISTENER).defaultActions = [{ type: "forward", forward: { targetGroups: [{ arn: p.id("alb-nginx", TG), weight: 1 }] } }]) },
  { area: "alb", title: "HTTPS listener on an Ext cipher policy", expect: "alb-https", apply: (p) => (p.inputs("alb-https", LISTENER).sslPolicy = "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06") },
  { area: "nlb", title: "NLB TCP listener on 443 (TLS passed through)", expect: "nlb-tls", apply: (p) => { const r = p.inputs("nlb-tls", LISTENER); r.protocol = "TCP"; delete r.sslPolicy; delete r.certificateArn; } },
  { area: "cdn", title: "distribution's web ACL is one the stack does not declare", expect: "cdn-distribution", apply: (p) => (dist(p).webAclId = `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/legacy-allow-all/0000`) },
  { area: "cdn", title: "viewer-address function on viewer-response instead", expect: "cdn-distribution", apply: (p) => (behaviour(p, "/api/*").functionAssociations[0].eventType = "viewer-response") },
  { area: "cdn", title: "new /admin/* behaviour without the function", expect: "cdn-distribution", apply: (p) => { const b = JSON.parse(JSON.stringify(behaviour(p, "/api/*"))); b.pathPattern = "/admin/*"; delete b.functionAssociations; dist(p).orderedCacheBehaviors.unshift(b); } },
  { area: "cdn", title: "referrer policy unsafe-url", expect: "cdn-security-headers", apply: (p) => (p.inputs("cdn-security-headers").securityHeadersConfig.referrerPolicy.referrerPolicy = "unsafe-url") },
  { area: "cdn", title: "frame options dropped", expect: "cdn-security-headers", apply: (p) => delete p.inputs("cdn-security-headers").securityHeadersConfig.frameOptions },
  { area: "cdn", title: "CORS any origin with credentials", expect: "cdn-security-headers", apply: (p) => (p.inputs("cdn-security-headers").corsConfig = { accessControlAllowCredentials: true, accessControlAllowOrigins: { items: ["*"] }, accessControlAllowHeaders: { items: ["*"] }, accessControlAllowMethods: { items: ["ALL"] }, originOverride: true }) },
  { area: "waf", title: "allow rule on a static header before the managed groups (backdoor)", expect: "cdn-waf-acl", apply: (p) => waf(p).rules.unshift({ name: "internal", priority: 1, action: { allow: {} }, statement: { byteMatchStatement: { fieldToMatch: { singleHeader: { name: "x-internal" } }, positionalConstraint: "EXACTLY", searchString: "1", textTransformations: [{ priority: 0, type: "NONE" }] } }, visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "internal", sampledRequestsEnabled: true } }) },
  { area: "waf", title: "rate limit keyed on a client header (custom keys)", expect: "cdn-waf-acl", apply: (p) => Object.assign(wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement, { aggregateKeyType: "CUSTOM_KEYS", customKeys: [{ header: { name: "x-client-id", textTransformations: [{ priority: 0, type: "NONE" }] } }] }) },
  { area: "waf", title: "rate limit shared by every client (CONSTANT)", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "rate-limit-per-ip").statement.rateBasedStatement.aggregateKeyType = "CONSTANT") },
  { area: "waf", title: "WAF logs filtered down to nothing", expect: "cdn-waf-logging", apply: (p) => (p.inputs("cdn-waf-logging").loggingFilter = { defaultBehavior: "DROP", filters: [{ behavior: "KEEP", requirement: "MEETS_ALL", conditions: [{ labelNameCondition: { labelName: "never:matches" } }] }] }) },
  { area: "waf", title: "default action block turned to allow with common rules excluded wholesale", expect: "cdn-waf-acl", apply: (p) => (wafRule(p, "aws-common-rule-set").statement.managedRuleGroupStatement.ruleActionOverrides = ["NoUserAgent_HEADER", "UserAgent_BadBots_HEADER", "SizeRestrictions_QUERYSTRING", "SizeRestrictions_Cookie_HEADER", "SizeRestrictions_BODY", "SizeRestrictions_URIPATH", "EC2MetaDataSSRF_BODY", "EC2MetaDataSSRF_COOKIE", "EC2MetaDataSSRF_URIPATH", "EC2MetaDataSSRF_QUERYARGUMENTS", "GenericLFI_QUERYARGUMENTS", "GenericLFI_URIPATH", "GenericLFI_BODY", "RestrictedExtensions_URIPATH", "RestrictedExtensions_QUERYARGUMENTS", "GenericRFI_QUERYARGUMENTS", "GenericRFI_BODY", "GenericRFI_URIPATH", "CrossSiteScripting_COOKIE", "CrossSiteScripting_QUERYARGUMENTS", "CrossSiteScripting_BODY", "CrossSiteScripting_URIPATH"].map((name) => ({ name, actionToUse: { count: {} } }))) },
  { area: "dns", title: "edge health check disabled", expect: "dns-health-edge", apply: (p) => (p.inputs("dns-health-edge").disabled = true) },
  { area: "dns", title: "apex alias to a load balancer the stack does not declare", expect: "dns-origin-a", apply: (p) => (p.inputs("dns-origin-a").aliases[0].name = "dualstack.legacy-lb-1234.us-east-1.elb.amazonaws.com") },
  { area: "acm", title: "wildcard certificate for the edge", expect: "lb-certificate-cert", apply: (p) => (p.inputs("lb-certificate-cert").subjectAlternativeNames = ["*.edgestack.example.com"]) },
  { area: "cache", title: "AUTH token being deleted (authTokenUpdateStrategy DELETE)", expect: "cache-group", apply: (p) => (p.inputs("cache-group").authTokenUpdateStrategy = "DELETE") },
  { area: "cache", title: "engine too old for TLS", expect: "cache-group", apply: (p) => Object.assign(p.inputs("cache-group"), { engine: "redis", engineVersion: "3.2.6" }) },
  { area: "eks", title: "private endpoint off", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").vpcConfig.endpointPrivateAccess = false) },
  { area: "eks", title: "access entry of type EC2_LINUX for a non-node role (joins as a node)", expect: "cluster-access-fake-node", apply: (p) => add(p, "aws:eks/accessEntry:AccessEntry", "cluster-access-fake-node", "cluster", { clusterName: "edgestack-prod", principalArn: `arn:aws:iam::${ACCOUNT}:role/edgestack-prod-deploy`, type: "EC2_LINUX" }) },
  { area: "eks", title: "deploy role associated with cluster admin", expect: "cluster-access-deploy-admin", apply: (p) => add(p, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-access-deploy-admin", "cluster", { clusterName: "edgestack-prod", principalArn: `arn:aws:iam::${ACCOUNT}:role/edgestack-prod-deploy`, policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } }) },
  { area: "eks", title: "prod zone-3 node group scaled to zero", expect: "cluster-nodes-zone3", apply: (p) => Object.assign(p.inputs("cluster-nodes-zone3").scalingConfig, { minSize: 0, desiredSize: 0 }) },
  { area: "eks", title: "launch template user data with an AWS key", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes").userData = Buffer.from("#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n").toString("base64")) },
  { area: "cloudwatch", title: "unhealthy-host alarm threshold raised to 1000", expect: "alerting-alb-targets-UnHealthyHostCount", apply: (p) => (p.inputs("alerting-alb-targets-UnHealthyHostCount", ALARM).threshold = 1000) },
  { area: "cloudwatch", title: "5xx alarm needs a day of breaches", expect: "alerting-alb-HTTPCode_ELB_5XX_Count", apply: (p) => Object.assign(p.inputs("alerting-alb-HTTPCode_ELB_5XX_Count", ALARM), { evaluationPeriods: 1440, datapointsToAlarm: 1440 }) },
  { area: "cloudwatch", title: "WAF log group keeps one day", expect: "cdn-waf-logs", apply: (p) => (p.inputs("cdn-waf-logs").retentionInDays = 1) },
  { area: "cloudwatch", title: "container application logs keep one day", expect: "alerting-container-insights-application", apply: (p) => (p.inputs("alerting-container-insights-application").retentionInDays = 1) },
  { area: "ci", title: "runner builds a fork's repository", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").source.location = "https://github.com/attacker/edgestack.git") },
  { area: "ci", title: "npm token in a plaintext CodeBuild variable", expect: "ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").environment.environmentVariables = [{ name: "NPM_TOKEN", value: "npm_abcdefghijklmnopqrstuvwxyz0123456789", type: "PLAINTEXT" }]) },
  { area: "ecr", title: "repository policy for another account without condition", expect: "image-repo-policy", apply: (p) => add(p, "aws:ecr/repositoryPolicy:RepositoryPolicy", "image-repo-policy", "image", { repository: "edgestack-prod/app", policy: doc([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:PutImage"] }]) }) },
  { area: "secrets", title: "secret value as a literal in a SecretVersion", expect: "cache-auth-version", apply: (p) => add(p, "aws:secretsmanager/secretVersion:SecretVersion", "cache-auth-version", "cache", { secretId: "edgestack-prod/redis-auth", secretString: "password=Zq8yW3n4Rk7pL2sX9vB6cM1dF5gH0jT3" }) },
];

let base: PlanResource[];
let evaluate: ReturnType<typeof planEvaluator>;
beforeAll(async () => {
  base = toPlan((await runStack({ stack: "prod" })).resources);
  evaluate = planEvaluator(base);
}, 180_000);

it("probes the pack with the rt-aws corpus", async () => {
  const lines: string[] = [];
  const tally = { CAUGHT: 0, OTHER: 0, MISSED: 0, ERROR: 0, FLAGGED: 0, ok: 0 };
  for (const m of [...rtAwsMutations, ...rtAwsHunt]) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    let verdict: keyof typeof tally;
    let detail = "";
    try {
      m.apply(plan);
      const found = await evaluate(plan.resources);
      const mandatory = found.filter((v) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message));
      if (mandatory.some((v) => v.resource?.name === m.expect)) verdict = "CAUGHT";
      else if (found.length > 0) { verdict = "OTHER"; detail = found.map((v) => `${v.resource?.name}:${v.policy}(${v.enforcement})`).join(", "); }
      else verdict = "MISSED";
    } catch (e) {
      verdict = "ERROR";
      detail = String(e);
    }
    tally[verdict]++;
    lines.push(`${verdict.padEnd(6)} [${m.area}] ${m.title} -> ${m.expect} ${detail}`);
  }
  for (const h of rtAwsHarmless) {
    const plan = new Plan(JSON.parse(JSON.stringify(base)));
    h.apply(plan);
    const found = await evaluate(plan.resources);
    const v = found.length ? "FLAGGED" : "ok";
    tally[v]++;
    lines.push(`${v.padEnd(7)} harmless: ${h.title} ${found.map((x) => `${x.resource?.name}:${x.policy}`).join(", ")}`);
  }
  lines.push(`TALLY ${JSON.stringify(tally)} of ${rtAwsMutations.length} mutations, ${rtAwsHarmless.length} harmless`);
  console.log(lines.join("\n"));
  expect(tally.CAUGHT + tally.OTHER + tally.MISSED + tally.ERROR).toBe(rtAwsMutations.length + rtAwsHunt.length);
}, 600_000);
