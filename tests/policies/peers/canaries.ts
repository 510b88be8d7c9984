/**
 * One insecure change per exported resource type that checkov must report, applied together to one copy of the prod
 * plan: if the export named a type or an attribute wrongly (a block left an object, a plural left plural, a reference
 * lost), the scanner would pass it silently and the canary test fails. Each canary's check passes on the unmutated
 * plan, so it is the change that is caught.
 */
import { Plan } from "../redteam/mutations";

export interface Canary {
  /** The Terraform resource type (or Kubernetes kind) whose mapping the canary proves. */
  type: string;
  /** Other exported types the finding proves are read (the resource the check reports on, a linked type). */
  alsoProves?: string[];
  title: string;
  /** The checkov check that must fail, and the exported resource it must name (Terraform address or Kind.ns.name). */
  check: string;
  resource: string | ((plan: Plan) => string);
  /** That resource's name in the unmutated plan, where the check passes, when the change renames it (a namespace). */
  baseResource?: string | ((plan: Plan) => string);
  apply: (plan: Plan) => void;
}

const world = { cidrBlocks: ["0.0.0.0/0"], fromPort: 22, toPort: 22, protocol: "tcp" };

export const canaries: Canary[] = [
  { type: "aws_acm_certificate", title: "certificate transparency logging off", check: "CKV_AWS_234", resource: "aws_acm_certificate.cdn-certificate-cert", apply: (p) => (p.inputs("cdn-certificate-cert").options = { certificateTransparencyLoggingPreference: "DISABLED" }) },
  { type: "aws_cloudfront_distribution", title: "default behaviour serves plain HTTP", check: "CKV_AWS_34", resource: "aws_cloudfront_distribution.cdn-distribution", apply: (p) => (p.inputs("cdn-distribution").defaultCacheBehavior.viewerProtocolPolicy = "allow-all") },
  { type: "aws_cloudfront_response_headers_policy", title: "HSTS max-age of 100 s", check: "CKV_AWS_259", resource: "aws_cloudfront_response_headers_policy.cdn-security-headers", apply: (p) => (p.inputs("cdn-security-headers").securityHeadersConfig.strictTransportSecurity.accessControlMaxAgeSec = 100) },
  { type: "aws_cloudwatch_metric_alarm", title: "alarm actions disabled", check: "CKV_AWS_319", resource: "aws_cloudwatch_metric_alarm.alerting-alb-HTTPCode_ELB_5XX_Count", apply: (p) => (p.inputs("alerting-alb-HTTPCode_ELB_5XX_Count").actionsEnabled = false) },
  { type: "aws_sns_topic", title: "topic unencrypted", check: "CKV_AWS_26", resource: "aws_sns_topic.alerting-topics-ticket", apply: (p) => delete p.inputs("alerting-topics-ticket", "aws:sns/topic:Topic").kmsMasterKeyId },
  { type: "aws_sns_topic_policy", title: "topic policy open to every principal", check: "CKV_AWS_169", resource: "aws_sns_topic_policy.alerting-topics-page", apply: (p) => {
      const r = p.inputs("alerting-topics-page", "aws:sns/topicPolicy:TopicPolicy");
      r.policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "all", Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: r.arn }] });
    } },
  { type: "aws_cloudwatch_log_group", title: "no retention", check: "CKV_AWS_66", resource: "aws_cloudwatch_log_group.cache-slow-log", apply: (p) => delete p.inputs("cache-slow-log").retentionInDays },
  // checkov reports the default security group's rules on its VPC, which it finds through the vpc_id reference.
  { type: "aws_default_security_group", title: "default SG admits the world", check: "CKV2_AWS_12", resource: "aws_vpc.network-vpc", alsoProves: ["aws_vpc"], apply: (p) => (p.inputs("network-default-sg").ingress = [world]) },
  { type: "aws_ecr_repository", title: "mutable tags", check: "CKV_AWS_51", resource: "aws_ecr_repository.image-repo", apply: (p) => (p.inputs("image-repo").imageTagMutability = "MUTABLE") },
  { type: "aws_eks_cluster", title: "no secrets encryption", check: "CKV_AWS_58", resource: "aws_eks_cluster.cluster-eks", apply: (p) => delete p.inputs("cluster-eks").encryptionConfig },
  { type: "aws_eks_node_group", title: "SSH key without source security groups", check: "CKV_AWS_100", resource: "aws_eks_node_group.cluster-nodes-zone1", apply: (p) => (p.inputs("cluster-nodes-zone1", "aws:eks/nodeGroup:NodeGroup").remoteAccess = { ec2SshKey: "ops" }) },
  { type: "aws_elasticache_replication_group", title: "no encryption at rest", check: "CKV_AWS_29", resource: "aws_elasticache_replication_group.cache-group", apply: (p) => (p.inputs("cache-group").atRestEncryptionEnabled = false) },
  { type: "aws_iam_role", title: "trust policy open to every AWS principal", check: "CKV_AWS_60", resource: "aws_iam_role.cluster-node-role", apply: (p) => p.setDoc("cluster-node-role", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }, "assumeRolePolicy") },
  { type: "aws_iam_role_policy", title: "every action on every resource", check: "CKV_AWS_63", resource: "aws_iam_role_policy.network-flow-logs-write", apply: (p) => p.setDoc("network-flow-logs-write", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
  { type: "aws_iam_role_policy_attachment", title: "AdministratorAccess attached", check: "CKV_AWS_274", resource: "aws_iam_role_policy_attachment.cluster-node-AmazonEKS_CNI_Policy", apply: (p) => (p.inputs("cluster-node-AmazonEKS_CNI_Policy").policyArn = "arn:aws:iam::aws:policy/AdministratorAccess") },
  { type: "aws_kms_key", title: "rotation off", check: "CKV_AWS_7", resource: "aws_kms_key.cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").enableKeyRotation = false) },
  { type: "aws_launch_template", title: "IMDSv1 allowed", check: "CKV_AWS_79", resource: "aws_launch_template.cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", "aws:ec2/launchTemplate:LaunchTemplate").metadataOptions.httpTokens = "optional") },
  { type: "aws_lb", title: "invalid header fields kept", check: "CKV_AWS_131", resource: "aws_lb.alb-lb", apply: (p) => (p.inputs("alb-lb").dropInvalidHeaderFields = false) },
  { type: "aws_lb_listener", title: "HTTPS listener accepts TLS 1.0", check: "CKV_AWS_103", resource: "aws_lb_listener.alb-https", apply: (p) => (p.inputs("alb-https", "aws:lb/listener:Listener").sslPolicy = "ELBSecurityPolicy-2016-08") },
  { type: "aws_lb_target_group", title: "health check removed", check: "CKV_AWS_261", resource: "aws_lb_target_group.alb-nginx", apply: (p) => delete p.inputs("alb-nginx", "aws:lb/targetGroup:TargetGroup").healthCheck },
  { type: "aws_s3_bucket", title: "public-access block deleted", check: "CKV2_AWS_6", resource: "aws_s3_bucket.cdn-static-bucket", apply: (p) => p.remove("cdn-static-public-access") },
  { type: "aws_s3_bucket_lifecycle_configuration", title: "incomplete uploads kept", check: "CKV_AWS_300", resource: "aws_s3_bucket_lifecycle_configuration.alb-logs-lifecycle", apply: (p) => delete p.inputs("alb-logs-lifecycle").rules[0].abortIncompleteMultipartUpload },
  { type: "aws_s3_bucket_ownership_controls", title: "ACLs enabled", check: "CKV2_AWS_65", resource: "aws_s3_bucket_ownership_controls.alb-logs-ownership", apply: (p) => (p.inputs("alb-logs-ownership").rule.objectOwnership = "ObjectWriter") },
  {
    type: "aws_s3_bucket_policy",
    title: "every action to every principal",
    check: "CKV_AWS_70",
    resource: "aws_s3_bucket_policy.alb-logs-policy",
    apply: (p) => {
      const d = p.doc("alb-logs-policy");
      d.Statement.push({ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" });
      p.setDoc("alb-logs-policy", d);
    },
  },
  { type: "aws_s3_bucket_public_access_block", title: "public ACLs not blocked", check: "CKV_AWS_53", resource: "aws_s3_bucket_public_access_block.alb-logs-public-access", apply: (p) => (p.inputs("alb-logs-public-access").blockPublicAcls = false) },
  { type: "aws_s3_bucket_versioning", title: "versioning suspended", check: "CKV_AWS_21", resource: "aws_s3_bucket.cdn-static-bucket", apply: (p) => (p.inputs("cdn-static-versioning").versioningConfiguration.status = "Suspended") },
  { type: "aws_security_group", title: "inline SSH from the world", check: "CKV_AWS_24", resource: "aws_security_group.alb-sg", apply: (p) => (p.inputs("alb-sg").ingress = [world]) },
  { type: "aws_subnet", title: "private subnet assigns public IPs", check: "CKV_AWS_130", resource: "aws_subnet.network-private-0", apply: (p) => (p.inputs("network-private-0", "aws:ec2/subnet:Subnet").mapPublicIpOnLaunch = true) },
  { type: "aws_vpc_security_group_egress_rule", title: "egress everywhere on every port", check: "CKV_AWS_382", resource: "aws_vpc_security_group_egress_rule.alb-to-nginx", apply: (p) => Object.assign(p.inputs("alb-to-nginx"), { cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", fromPort: -1, toPort: -1 }) },
  {
    type: "aws_vpc_security_group_ingress_rule",
    title: "SSH from the world",
    check: "CKV_AWS_24",
    resource: "aws_vpc_security_group_ingress_rule.alb-https-from-cloudfront",
    apply: (p) => {
      const r = p.inputs("alb-https-from-cloudfront");
      delete r.prefixListId;
      Object.assign(r, { cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22 });
    },
  },
  { type: "aws_eip", title: "NAT gateway removed: its address is attached to nothing", check: "CKV2_AWS_19", resource: "aws_eip.network-nat-1", apply: (p) => p.remove("network-nat-1", "aws:ec2/natGateway:NatGateway") },
  { type: "aws_route_table", title: "default route through a VPC peering", check: "CKV2_AWS_44", resource: "aws_route_table.network-private-rt-1", apply: (p) => (p.inputs("network-private-rt-1").routes[0] = { cidrBlock: "0.0.0.0/0", vpcPeeringConnectionId: "pcx-0123456789abcdef0" }) },
  // The alias names the distribution's domain, a computed output: exported as a reference that links the two.
  { type: "aws_route53_record", title: "apex A record points at a fixed address, not the distribution", check: "CKV2_AWS_23", resource: "aws_route53_record.dns-apex-a", apply: (p) => Object.assign(p.inputs("dns-apex-a"), { aliases: undefined, records: ["192.0.2.10"], ttl: 300 }) },
  // CKV_AWS_19 takes a bucket without an encryption resource as encrypted (S3's own default), and accepts only AES256
  // and aws:kms: an algorithm outside that set is what proves sse_algorithm is read through the nested rule.
  { type: "aws_s3_bucket_server_side_encryption_configuration", title: "default encryption algorithm outside AES256/aws:kms", check: "CKV_AWS_19", resource: "aws_s3_bucket.alb-logs-bucket", apply: (p) => (p.inputs("alb-logs-sse").rules[0].applyServerSideEncryptionByDefault.sseAlgorithm = "aws:kms:dsse") },
  { type: "aws_wafv2_web_acl", title: "no rules", check: "CKV_AWS_175", resource: "aws_wafv2_web_acl.cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules = []) },
  { type: "aws_codebuild_project", title: "CI runner builds in privileged mode", check: "CKV_AWS_316", resource: "aws_codebuild_project.ci-runner-project", apply: (p) => (p.inputs("ci-runner-project").environment.privilegedMode = true) },
  // checkov names a cluster-scoped object with the namespace "default" (Kind.default.name).
  { type: "ClusterRole", title: "deployer role's first rule covers every core resource", check: "CKV_K8S_49", resource: "ClusterRole.default.edgestack-deployer", apply: (p) => (p.inputs("cluster-deployer", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").rules[0].resources = ["*"]) },
  {
    type: "ClusterRoleBinding",
    title: "deployer role bound to the default service account",
    check: "CKV_K8S_42",
    resource: "ClusterRoleBinding.default.edgestack-deployer",
    apply: (p) => p.inputs("cluster-deployer", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").subjects.push({ kind: "ServiceAccount", name: "default", namespace: "edgestack" }),
  },
  { type: "Role", title: "autoscaler's namespace role covers every resource", check: "CKV_K8S_49", resource: "Role.edgestack-system.cluster-autoscaler", apply: (p) => (p.inputs("cluster-autoscaler-role-ns").rules[0].resources = ["*"]) },
  {
    type: "RoleBinding",
    title: "autoscaler's namespace role bound to the default service account",
    check: "CKV_K8S_42",
    resource: "RoleBinding.edgestack-system.cluster-autoscaler",
    apply: (p) => p.inputs("cluster-autoscaler-binding").subjects.push({ kind: "ServiceAccount", name: "default", namespace: "edgestack-system" }),
  },
  {
    type: "ServiceAccount",
    title: "the autoscaler runs as the namespace's default service account",
    check: "CKV_K8S_41",
    resource: "ServiceAccount.edgestack-system.default",
    baseResource: "ServiceAccount.edgestack-system.cluster-autoscaler",
    apply: (p) => (p.inputs("cluster-autoscaler-sa").metadata.name = "default"),
  },
  { type: "Deployment", title: "privileged container", check: "CKV_K8S_16", resource: "Deployment.edgestack.app", apply: (p) => (p.podSpec("workloads-app").containers[0].securityContext.privileged = true) },
  { type: "Service", title: "Service in the default namespace", check: "CKV_K8S_21", resource: "Service.default.app", baseResource: "Service.edgestack.app", apply: (p) => (p.inputs("workloads-app", "kubernetes:core/v1:Service").metadata.namespace = "default") },
  { type: "Secret", title: "Secret in the default namespace", check: "CKV_K8S_21", resource: "Secret.default.app-redis", baseResource: "Secret.edgestack.app-redis", apply: (p) => (p.inputs("workloads-app-redis").metadata.namespace = "default") },
  {
    type: "ConfigMap",
    title: "ConfigMap in the default namespace",
    check: "CKV_K8S_21",
    resource: (p) => `ConfigMap.default.${p.inputs("workloads-nginx-conf").metadata.name}`,
    baseResource: (p) => `ConfigMap.edgestack.${p.inputs("workloads-nginx-conf").metadata.name}`,
    apply: (p) => (p.inputs("workloads-nginx-conf").metadata.namespace = "default") },
];
