/**
 * The plan's AWS resources in the shape of `terraform show -json` (a Terraform plan), so scanners built for Terraform
 * (checkov's terraform_plan framework) read them. The Pulumi AWS provider is bridged from Terraform's, so each type
 * token has a Terraform resource type and each property a Terraform attribute, but not by renaming alone:
 *
 * - names are snake_case (`ipv6CidrBlock` → `ipv6_cidr_block`);
 * - nested blocks are lists of objects in Terraform; Pulumi flattens a block of at most one item to an object
 *   (`vpcConfig: {…}` → `vpc_config: [{…}]`), while maps (`tags`) stay objects with their keys as written;
 * - Pulumi pluralises repeatable blocks that Terraform names in the singular (`defaultActions` → `default_action`,
 *   `rules` → `rule`), and a few attribute lists (`clientIdLists` → `client_id_list`).
 *
 * A value that is another planned resource's computed output (an id or ARN) is unknown in a real plan: it is left out of
 * `planned_values` and recorded as a reference in `configuration`, which is how the scanner links resources (a bucket
 * to its public-access block, a security group to what uses it).
 */
import { SECRET_MASK, UNKNOWN_MASK, type PlanFile, type PlanResource } from "../plan/format";
import { computedOutputs } from "../engine/outputs";

/** Pulumi type token → Terraform resource type, for every AWS type the stack plans. */
export const TERRAFORM_TYPES: Record<string, string> = {
  "aws:acm/certificate:Certificate": "aws_acm_certificate",
  "aws:amp/alertManagerDefinition:AlertManagerDefinition": "aws_prometheus_alert_manager_definition",
  "aws:amp/ruleGroupNamespace:RuleGroupNamespace": "aws_prometheus_rule_group_namespace",
  "aws:amp/scraper:Scraper": "aws_prometheus_scraper",
  "aws:amp/workspace:Workspace": "aws_prometheus_workspace",
  "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
  "aws:autoscaling/attachment:Attachment": "aws_autoscaling_attachment",
  "aws:cloudfront/cachePolicy:CachePolicy": "aws_cloudfront_cache_policy",
  "aws:cloudfront/distribution:Distribution": "aws_cloudfront_distribution",
  "aws:cloudfront/function:Function": "aws_cloudfront_function",
  "aws:cloudfront/monitoringSubscription:MonitoringSubscription": "aws_cloudfront_monitoring_subscription",
  "aws:cloudfront/originAccessControl:OriginAccessControl": "aws_cloudfront_origin_access_control",
  "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": "aws_cloudfront_origin_request_policy",
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "aws_cloudfront_response_headers_policy",
  "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
  "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "aws_cloudwatch_log_resource_policy",
  "aws:codebuild/project:Project": "aws_codebuild_project",
  "aws:codebuild/webhook:Webhook": "aws_codebuild_webhook",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
  "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "aws_egress_only_internet_gateway",
  "aws:ec2/eip:Eip": "aws_eip",
  "aws:ec2/instance:Instance": "aws_instance",
  "aws:ec2/flowLog:FlowLog": "aws_flow_log",
  "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
  "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
  "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
  "aws:ec2/routeTable:RouteTable": "aws_route_table",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
  "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
  "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
  "aws:ec2/subnet:Subnet": "aws_subnet",
  "aws:ec2/volume:Volume": "aws_ebs_volume",
  "aws:ec2/vpc:Vpc": "aws_vpc",
  "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
  "aws:ecr/repository:Repository": "aws_ecr_repository",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "aws_ecr_repository_policy",
  "aws:eks/accessEntry:AccessEntry": "aws_eks_access_entry",
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "aws_eks_access_policy_association",
  "aws:eks/addon:Addon": "aws_eks_addon",
  "aws:eks/cluster:Cluster": "aws_eks_cluster",
  "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
  "aws:elasticache/parameterGroup:ParameterGroup": "aws_elasticache_parameter_group",
  "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
  "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
  "aws:elasticache/user:User": "aws_elasticache_user",
  "aws:elasticache/userGroup:UserGroup": "aws_elasticache_user_group",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
  "aws:iam/policy:Policy": "aws_iam_policy",
  "aws:iam/role:Role": "aws_iam_role",
  "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
  "aws:kms/key:Key": "aws_kms_key",
  "aws:lb/listener:Listener": "aws_lb_listener",
  "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
  "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
  "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
  "aws:alb/listener:Listener": "aws_alb_listener",
  "aws:alb/listenerRule:ListenerRule": "aws_alb_listener_rule",
  "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
  "aws:alb/targetGroup:TargetGroup": "aws_alb_target_group",
  "aws:route53/record:Record": "aws_route53_record",
  "aws:route53/healthCheck:HealthCheck": "aws_route53_health_check",
  "aws:route53/zone:Zone": "aws_route53_zone",
  "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": "aws_route53_hosted_zone_dnssec",
  "aws:route53/keySigningKey:KeySigningKey": "aws_route53_key_signing_key",
  "aws:s3/bucket:Bucket": "aws_s3_bucket",
  "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
  "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
  "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
  "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "aws_s3_bucket_server_side_encryption_configuration",
  "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
  "aws:sns/topic:Topic": "aws_sns_topic",
  "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
  "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
  "aws:wafv2/ipSet:IpSet": "aws_wafv2_ip_set",
  "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
};

/**
 * Repeatable blocks and attribute lists whose Terraform name is not the snake_case of the Pulumi name, beyond the
 * general rule (a list of blocks is named in the singular: see `blockListName`). Keyed by the snake_case Pulumi name.
 */
const LIST_RENAMES: Record<string, string> = {
  client_id_lists: "client_id_list",
  thumbprint_lists: "thumbprint_list",
};

/** Repeatable blocks whose singular is not the plural less its `s`. */
const BLOCK_RENAMES: Record<string, string> = { aliases: "alias", addresses: "address" };

/** Lists of blocks that Terraform itself names in the plural (the general singular rule does not apply). */
const PLURAL_BLOCK_LISTS = new Set(["block_device_mappings", "tag_specifications", "network_interfaces", "license_specifications", "elastic_gpu_specifications", "elastic_inference_accelerators", "enabled_cluster_log_types", "ingress", "egress"]);

/**
 * Nested objects that are maps in Terraform (their keys are data, kept as written), not blocks of one item. Keyed by
 * the snake_case attribute name.
 */
const MAP_ATTRIBUTES = new Set(["tags", "tags_all", "labels", "metadata", "variables", "environment_variables", "context"]);

/** Pulumi inputs that have no Terraform attribute (assets, provider plumbing). */
const DROPPED = new Set(["source", "__defaults", "region"]);

export const snakeCase = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase();

/** A repeatable block's Terraform name from the (pluralised) Pulumi one. */
export function blockListName(snake: string): string {
  if (PLURAL_BLOCK_LISTS.has(snake)) return snake;
  if (BLOCK_RENAMES[snake]) return BLOCK_RENAMES[snake];
  if (/ies$/.test(snake)) return snake.replace(/ies$/, "y");
  if (/(ss|us)$/.test(snake)) return snake;
  return snake.replace(/s$/, "");
}

/** A Terraform resource address's name: letters, digits, `_` and `-`, starting with a letter or `_`. */
export const terraformName = (name: string): string => {
  const n = name.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z_]/.test(n) ? n : `_${n}`;
};

export interface TerraformResource {
  address: string;
  mode: "managed";
  type: string;
  name: string;
  provider_name: string;
  schema_version: number;
  values: Record<string, unknown>;
  sensitive_values: Record<string, unknown>;
}

export interface TerraformPlan {
  format_version: string;
  terraform_version: string;
  planned_values: { root_module: { resources: TerraformResource[] } };
  resource_changes: { address: string; mode: "managed"; type: string; name: string; provider_name: string; change: { actions: string[]; before: null; after: Record<string, unknown>; after_unknown: Record<string, unknown> } }[];
  configuration: { root_module: { resources: { address: string; mode: "managed"; type: string; name: string; provider_config_key: string; expressions: Record<string, unknown> }[] } };
}

/** A resource's region: its own `region` input, else its provider's (the plan lists providers with their inputs). */
function regionOf(r: PlanResource, providers: Map<string, PlanResource>): string {
  const own = (r.inputs as Record<string, unknown>).region;
  if (typeof own === "string") return own;
  const provider = r.options?.provider ? providers.get(r.options.provider) : undefined;
  const region = provider?.inputs.region;
  return typeof region === "string" ? region : "us-east-1";
}

/** Where each planned resource's computed outputs (ids, ARNs, DNS names) point: value → Terraform address. */
function referenceIndex(resources: PlanResource[], all: PlanResource[]): Map<string, string> {
  const providers = new Map(all.filter((r) => r.type.startsWith("pulumi:providers:")).map((p) => [`${p.type}::${p.name}`, p]));
  const index = new Map<string, string>();
  for (const r of resources) {
    const tfType = TERRAFORM_TYPES[r.type];
    if (!tfType) continue;
    const inputs = r.inputs as Record<string, unknown>;
    const { id, outputs } = computedOutputs(r.type, r.name, inputs, regionOf(r, providers));
    const address = `${tfType}.${terraformName(r.name)}`;
    // An output equal to one of the resource's own inputs (a name, an FQDN) is known at plan time: not a reference.
    const known = new Set(Object.values(inputs).filter((v) => typeof v === "string"));
    for (const value of [id, ...Object.values(outputs)]) {
      if (typeof value === "string" && value.length >= 6 && !known.has(value) && !index.has(value)) index.set(value, address);
    }
  }
  return index;
}

interface Converted {
  values: Record<string, unknown>;
  expressions: Record<string, unknown>;
}

/** Converts one object of Pulumi inputs (a resource's, or a nested block's) to Terraform values and references. */
function convertObject(obj: Record<string, unknown>, refs: Map<string, string>, self: string): Converted {
  const values: Record<string, unknown> = {};
  const expressions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (DROPPED.has(key) || value === undefined || value === null) continue;
    const snake = snakeCase(key);
    if (Array.isArray(value)) {
      if (value.some((v) => typeof v === "object" && v !== null && !Array.isArray(v))) {
        const name = blockListName(snake);
        const items = value.map((v) => convertObject(v as Record<string, unknown>, refs, self));
        values[name] = items.map((i) => i.values);
        if (items.some((i) => Object.keys(i.expressions).length > 0)) expressions[name] = items.map((i) => i.expressions);
        continue;
      }
      const name = LIST_RENAMES[snake] ?? snake;
      const targets = value.map((v) => (typeof v === "string" ? refs.get(v) : undefined));
      const known = targets.filter((t): t is string => t !== undefined && t !== self);
      if (known.length > 0) expressions[name] = { references: known.flatMap((t) => [`${t}.id`, t]) };
      if (known.length === value.length) continue; // every element unknown at plan time
      values[name] = value;
      continue;
    }
    if (typeof value === "object") {
      const v = value as Record<string, unknown>;
      if ("__pulumiAsset" in v || "__pulumiArchive" in v) continue;
      if (MAP_ATTRIBUTES.has(snake)) {
        values[snake] = v;
        continue;
      }
      const inner = convertObject(v, refs, self);
      values[snake] = [inner.values];
      if (Object.keys(inner.expressions).length > 0) expressions[snake] = [inner.expressions];
      continue;
    }
    const target = typeof value === "string" ? refs.get(value) : undefined;
    if (target !== undefined && target !== self) {
      expressions[snake] = { references: [`${target}.id`, target] };
      continue;
    }
    values[snake] = value;
  }
  return { values, expressions };
}

/** Masked values: a secret is set but unreadable (kept as the mask), an unknown one is left out as Terraform does. */
function dropUnknown(value: unknown): unknown {
  if (value === UNKNOWN_MASK) return undefined;
  if (Array.isArray(value)) return value.map(dropUnknown).filter((v) => v !== undefined);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dropUnknown(v)]).filter(([, v]) => v !== undefined));
  return value;
}

/** Whether a plan resource is exported to the Terraform plan (AWS resources; not providers or components). */
export const isTerraformExported = (r: PlanResource): boolean => r.type.startsWith("aws:");

/**
 * The plan's AWS resources as a Terraform plan JSON document. Throws, naming the type, on an AWS type without a
 * Terraform mapping, so a new type in the stack cannot go unscanned.
 */
export function toTerraformPlan(plan: Pick<PlanFile, "resources">): TerraformPlan {
  const aws = plan.resources.filter(isTerraformExported);
  const unmapped = [...new Set(aws.filter((r) => !TERRAFORM_TYPES[r.type]).map((r) => r.type))];
  if (unmapped.length > 0) throw new Error(`no Terraform type for ${unmapped.join(", ")} (add it to TERRAFORM_TYPES in offline/export/terraform.ts)`);
  const refs = referenceIndex(aws, plan.resources);
  const out: TerraformPlan = {
    format_version: "1.2",
    terraform_version: "1.9.0",
    planned_values: { root_module: { resources: [] } },
    resource_changes: [],
    configuration: { root_module: { resources: [] } },
  };
  const seen = new Set<string>();
  for (const r of aws) {
    const type = TERRAFORM_TYPES[r.type];
    const name = terraformName(r.name);
    const address = `${type}.${name}`;
    if (seen.has(address)) throw new Error(`two resources export to ${address} (${r.type} "${r.name}")`);
    seen.add(address);
    const { values, expressions } = convertObject(dropUnknown(r.inputs) as Record<string, unknown>, refs, address);
    const provider_name = "registry.terraform.io/hashicorp/aws";
    out.planned_values.root_module.resources.push({ address, mode: "managed", type, name, provider_name, schema_version: 0, values, sensitive_values: sensitiveOf(values) });
    out.resource_changes.push({ address, mode: "managed", type, name, provider_name, change: { actions: ["create"], before: null, after: values, after_unknown: {} } });
    out.configuration.root_module.resources.push({ address, mode: "managed", type, name, provider_config_key: "aws", expressions });
  }
  return out;
}

/** Terraform's sensitive_values: `true` where the value is a secret. */
function sensitiveOf(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (v === SECRET_MASK) out[k] = true;
  return out;
}

/** The Terraform address a plan resource exports to. */
export const terraformAddress = (r: Pick<PlanResource, "type" | "name">): string | undefined => (TERRAFORM_TYPES[r.type] ? `${TERRAFORM_TYPES[r.type]}.${terraformName(r.name)}` : undefined);
