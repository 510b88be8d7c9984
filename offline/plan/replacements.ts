/**
 * Which input changes make `pulumi up` replace a resource instead of updating it in place, per
 * resource type the stack uses. The provider decides this at preview time; offline we read it from
 * the provider's documentation: each property listed below is marked "Changes to this property will
 * trigger replacement." on the type's page in the Pulumi Registry (`source`), which is generated from
 * the provider schema (Terraform's ForceNew for AWS; immutable fields for Kubernetes). A path names
 * an input property; a nested path (`kubernetesNetworkConfig.ipFamily`) names a field inside one.
 * `"*"` means any input change replaces (the random and tls providers' resources).
 *
 * Component types (`edgestack:*`) have no provider and are never replaced on their own.
 */

export interface ReplacementRule {
  /** Input property paths whose change forces a replacement. */
  replaceOn: readonly string[];
  /** The Pulumi Registry page the list comes from. */
  source: string;
}

const registry = (pkg: string, module: string, resource: string) => `https://www.pulumi.com/registry/packages/${pkg}/api-docs/${module}/${resource}/`;
const aws = (module: string, resource: string) => registry("aws", module, resource);
const k8s = (module: string, resource: string) => registry("kubernetes", module, resource);
const K8S_IDENTITY = ["metadata.name", "metadata.namespace"];

export const REPLACEMENT_RULES: Readonly<Record<string, ReplacementRule>> = {
  "aws:acm/certificate:Certificate": { replaceOn: ["certificateAuthorityArn", "domainName", "keyAlgorithm", "subjectAlternativeNames", "validationMethod"], source: aws("acm", "certificate") },
  "aws:acm/certificateValidation:CertificateValidation": { replaceOn: ["certificateArn", "validationRecordFqdns"], source: aws("acm", "certificatevalidation") },
  "aws:amp/alertManagerDefinition:AlertManagerDefinition": { replaceOn: ["workspaceId"], source: aws("amp", "alertmanagerdefinition") },
  "aws:amp/ruleGroupNamespace:RuleGroupNamespace": { replaceOn: ["name", "workspaceId"], source: aws("amp", "rulegroupnamespace") },
  "aws:amp/scraper:Scraper": { replaceOn: ["source"], source: aws("amp", "scraper") },
  "aws:amp/workspace:Workspace": { replaceOn: ["kmsKeyArn"], source: aws("amp", "workspace") },
  "aws:autoscaling/attachment:Attachment": { replaceOn: ["autoscalingGroupName", "elb", "lbTargetGroupArn"], source: aws("autoscaling", "attachment") },
  "aws:cloudfront/cachePolicy:CachePolicy": { replaceOn: [], source: aws("cloudfront", "cachepolicy") },
  "aws:cloudfront/distribution:Distribution": { replaceOn: ["staging"], source: aws("cloudfront", "distribution") },
  "aws:cloudfront/function:Function": { replaceOn: ["name"], source: aws("cloudfront", "function") },
  "aws:cloudfront/monitoringSubscription:MonitoringSubscription": { replaceOn: ["distributionId", "monitoringSubscription"], source: aws("cloudfront", "monitoringsubscription") },
  "aws:cloudfront/originAccessControl:OriginAccessControl": { replaceOn: [], source: aws("cloudfront", "originaccesscontrol") },
  "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": { replaceOn: [], source: aws("cloudfront", "originrequestpolicy") },
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": { replaceOn: [], source: aws("cloudfront", "responseheaderspolicy") },
  "aws:cloudwatch/dashboard:Dashboard": { replaceOn: ["dashboardName"], source: aws("cloudwatch", "dashboard") },
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": { replaceOn: ["policyName"], source: aws("cloudwatch", "logresourcepolicy") },
  "aws:cloudwatch/logGroup:LogGroup": { replaceOn: ["logGroupClass", "name", "namePrefix"], source: aws("cloudwatch", "loggroup") },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { replaceOn: ["name"], source: aws("cloudwatch", "metricalarm") },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": { replaceOn: ["repository"], source: aws("ecr", "lifecyclepolicy") },
  "aws:ecr/repository:Repository": { replaceOn: ["encryptionConfigurations", "name"], source: aws("ecr", "repository") },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": { replaceOn: ["vpcId"], source: aws("ec2", "defaultsecuritygroup") },
  "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": { replaceOn: ["vpcId"], source: aws("ec2", "egressonlyinternetgateway") },
  "aws:ec2/eip:Eip": { replaceOn: ["address", "customerOwnedIpv4Pool", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"], source: aws("ec2", "eip") },
  "aws:ec2/flowLog:FlowLog": {
    replaceOn: ["deliverCrossAccountRole", "destinationOptions", "eniId", "iamRoleArn", "logDestination", "logDestinationType", "logFormat", "maxAggregationInterval", "subnetId", "trafficType", "transitGatewayAttachmentId", "transitGatewayId", "vpcId"],
    source: aws("ec2", "flowlog"),
  },
  "aws:ec2/internetGateway:InternetGateway": { replaceOn: [], source: aws("ec2", "internetgateway") },
  "aws:ec2/launchTemplate:LaunchTemplate": { replaceOn: ["name", "namePrefix"], source: aws("ec2", "launchtemplate") },
  "aws:ec2/natGateway:NatGateway": { replaceOn: ["allocationId", "connectivityType", "privateIp", "subnetId"], source: aws("ec2", "natgateway") },
  "aws:ec2/routeTable:RouteTable": { replaceOn: ["vpcId"], source: aws("ec2", "routetable") },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": { replaceOn: ["gatewayId", "subnetId"], source: aws("ec2", "routetableassociation") },
  "aws:ec2/securityGroup:SecurityGroup": { replaceOn: ["description", "name", "namePrefix", "vpcId"], source: aws("ec2", "securitygroup") },
  "aws:ec2/subnet:Subnet": { replaceOn: ["availabilityZone", "availabilityZoneId", "cidrBlock", "ipv6Native", "outpostArn", "vpcId"], source: aws("ec2", "subnet") },
  "aws:ec2/vpcEndpoint:VpcEndpoint": { replaceOn: ["serviceName", "serviceRegion", "vpcEndpointType", "vpcId"], source: aws("ec2", "vpcendpoint") },
  "aws:ec2/vpc:Vpc": { replaceOn: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"], source: aws("ec2", "vpc") },
  "aws:eks/cluster:Cluster": {
    replaceOn: ["bootstrapSelfManagedAddons", "kubernetesNetworkConfig.ipFamily", "kubernetesNetworkConfig.serviceIpv4Cidr", "name", "outpostConfig", "roleArn"],
    source: aws("eks", "cluster"),
  },
  "aws:eks/addon:Addon": { replaceOn: ["addonName", "clusterName"], source: aws("eks", "addon") },
  "aws:eks/accessEntry:AccessEntry": { replaceOn: ["clusterName", "principalArn", "type"], source: aws("eks", "accessentry") },
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": { replaceOn: ["accessScope", "clusterName", "policyArn", "principalArn"], source: aws("eks", "accesspolicyassociation") },
  "aws:codebuild/project:Project": { replaceOn: ["name"], source: aws("codebuild", "project") },
  "aws:codebuild/webhook:Webhook": { replaceOn: ["projectName"], source: aws("codebuild", "webhook") },
  "aws:eks/nodeGroup:NodeGroup": {
    replaceOn: ["amiType", "capacityType", "clusterName", "diskSize", "instanceTypes", "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "remoteAccess", "subnetIds"],
    source: aws("eks", "nodegroup"),
  },
  "aws:elasticache/parameterGroup:ParameterGroup": { replaceOn: ["description", "family", "name"], source: aws("elasticache", "parametergroup") },
  "aws:elasticache/replicationGroup:ReplicationGroup": {
    replaceOn: ["atRestEncryptionEnabled", "dataTieringEnabled", "globalReplicationGroupId", "kmsKeyId", "port", "replicationGroupId", "snapshotArns", "snapshotName", "subnetGroupName"],
    source: aws("elasticache", "replicationgroup"),
  },
  "aws:elasticache/subnetGroup:SubnetGroup": { replaceOn: ["name"], source: aws("elasticache", "subnetgroup") },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": { replaceOn: ["url"], source: aws("iam", "openidconnectprovider") },
  "aws:iam/role:Role": { replaceOn: ["name", "namePrefix", "path"], source: aws("iam", "role") },
  "aws:iam/rolePolicy:RolePolicy": { replaceOn: ["name", "namePrefix", "role"], source: aws("iam", "rolepolicy") },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { replaceOn: ["policyArn", "role"], source: aws("iam", "rolepolicyattachment") },
  "aws:kms/key:Key": { replaceOn: ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"], source: aws("kms", "key") },
  "aws:sns/topic:Topic": { replaceOn: ["fifoTopic", "name", "namePrefix"], source: aws("sns", "topic") },
  "aws:sns/topicPolicy:TopicPolicy": { replaceOn: ["arn"], source: aws("sns", "topicpolicy") },
  "aws:sns/topicSubscription:TopicSubscription": { replaceOn: ["endpoint", "protocol", "topic"], source: aws("sns", "topicsubscription") },
  "aws:lb/listener:Listener": { replaceOn: ["loadBalancerArn"], source: aws("lb", "listener") },
  "aws:lb/listenerRule:ListenerRule": { replaceOn: ["listenerArn"], source: aws("lb", "listenerrule") },
  "aws:lb/loadBalancer:LoadBalancer": { replaceOn: ["customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix"], source: aws("lb", "loadbalancer") },
  "aws:lb/targetGroup:TargetGroup": {
    replaceOn: ["ipAddressType", "name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId"],
    source: aws("lb", "targetgroup"),
  },
  "aws:route53/healthCheck:HealthCheck": { replaceOn: ["measureLatency", "referenceName", "requestInterval", "routingControlArn", "type"], source: aws("route53", "healthcheck") },
  "aws:route53/record:Record": { replaceOn: ["name", "type", "zoneId"], source: aws("route53", "record") },
  "aws:route53/zone:Zone": { replaceOn: ["delegationSetId", "name"], source: aws("route53", "zone") },
  "aws:route53/keySigningKey:KeySigningKey": { replaceOn: ["hostedZoneId", "keyManagementServiceArn", "name"], source: aws("route53", "keysigningkey") },
  "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": { replaceOn: ["hostedZoneId"], source: aws("route53", "hostedzonednssec") },
  "aws:s3/bucketObjectv2:BucketObjectv2": { replaceOn: ["bucket", "key"], source: aws("s3", "bucketobjectv2") },
  "aws:s3/bucket:Bucket": { replaceOn: ["bucket", "bucketPrefix", "objectLockEnabled"], source: aws("s3", "bucket") },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { replaceOn: ["bucket", "expectedBucketOwner"], source: aws("s3", "bucketlifecycleconfiguration") },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { replaceOn: ["bucket"], source: aws("s3", "bucketownershipcontrols") },
  "aws:s3/bucketPolicy:BucketPolicy": { replaceOn: ["bucket"], source: aws("s3", "bucketpolicy") },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { replaceOn: ["bucket"], source: aws("s3", "bucketpublicaccessblock") },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    replaceOn: ["bucket", "expectedBucketOwner"],
    source: aws("s3", "bucketserversideencryptionconfiguration"),
  },
  "aws:s3/bucketVersioning:BucketVersioning": { replaceOn: ["bucket", "expectedBucketOwner"], source: aws("s3", "bucketversioning") },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { replaceOn: ["securityGroupId"], source: aws("vpc", "securitygroupegressrule") },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { replaceOn: ["securityGroupId"], source: aws("vpc", "securitygroupingressrule") },
  "aws:wafv2/webAcl:WebAcl": { replaceOn: ["name", "namePrefix", "scope"], source: aws("wafv2", "webacl") },
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": { replaceOn: ["resourceArn"], source: aws("wafv2", "webaclloggingconfiguration") },
  "kubernetes:apps/v1:Deployment": { replaceOn: [...K8S_IDENTITY, "spec.selector"], source: k8s("apps/v1", "deployment") },
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": { replaceOn: K8S_IDENTITY, source: k8s("autoscaling/v2", "horizontalpodautoscaler") },
  "kubernetes:core/v1:ConfigMap": { replaceOn: K8S_IDENTITY, source: k8s("core/v1", "configmap") },
  "kubernetes:core/v1:Namespace": { replaceOn: ["metadata.name"], source: k8s("core/v1", "namespace") },
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": { replaceOn: K8S_IDENTITY, source: k8s("networking/v1", "networkpolicy") },
  "kubernetes:core/v1:Secret": { replaceOn: [...K8S_IDENTITY, "type"], source: k8s("core/v1", "secret") },
  "kubernetes:core/v1:Service": { replaceOn: [...K8S_IDENTITY, "spec.clusterIP", "spec.clusterIPs"], source: k8s("core/v1", "service") },
  "kubernetes:core/v1:ServiceAccount": { replaceOn: K8S_IDENTITY, source: k8s("core/v1", "serviceaccount") },
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": { replaceOn: ["metadata.name"], source: k8s("rbac/v1", "clusterrole") },
  // A binding's roleRef cannot be changed in place: the API server refuses, so it is replaced.
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": { replaceOn: ["metadata.name", "roleRef"], source: k8s("rbac/v1", "clusterrolebinding") },
  "kubernetes:rbac.authorization.k8s.io/v1:Role": { replaceOn: K8S_IDENTITY, source: k8s("rbac/v1", "role") },
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": { replaceOn: [...K8S_IDENTITY, "roleRef"], source: k8s("rbac/v1", "rolebinding") },
  "kubernetes:policy/v1:PodDisruptionBudget": { replaceOn: K8S_IDENTITY, source: k8s("policy/v1", "poddisruptionbudget") },
  // A provider whose region changes is replaced, and with it every resource it manages.
  "pulumi:providers:aws": { replaceOn: ["region"], source: "https://www.pulumi.com/registry/packages/aws/api-docs/provider/" },
  // The Kubernetes provider is replaced when its kubeconfig points at another cluster (its DiffConfig compares the
  // active cluster), and with it every object it manages. Ours carries only the cluster's endpoint, CA and an exec
  // command naming the cluster, so a changed kubeconfig is a different cluster.
  "pulumi:providers:kubernetes": { replaceOn: ["kubeconfig"], source: "https://www.pulumi.com/registry/packages/kubernetes/api-docs/provider/" },
  "pulumi:providers:random": { replaceOn: [], source: "https://www.pulumi.com/registry/packages/random/api-docs/provider/" },
  "random:index/randomPassword:RandomPassword": { replaceOn: ["*"], source: "https://www.pulumi.com/registry/packages/random/api-docs/randompassword/" },
  "pulumi:providers:tls": { replaceOn: [], source: "https://www.pulumi.com/registry/packages/tls/api-docs/provider/" },
  // Every input of the tls provider's resources forces a new key or certificate (and so does entering the renewal window).
  "tls:index/privateKey:PrivateKey": { replaceOn: ["*"], source: "https://www.pulumi.com/registry/packages/tls/api-docs/privatekey/" },
  "tls:index/selfSignedCert:SelfSignedCert": { replaceOn: ["*"], source: "https://www.pulumi.com/registry/packages/tls/api-docs/selfsignedcert/" },
};

/**
 * Types whose replacement or deletion destroys data (cached keys, objects, DNS records and
 * delegation, the cluster's workloads, logs, anything encrypted under the key): the diff flags
 * their replacement as data loss, and prod protects them.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:s3/bucket:Bucket",
  "aws:route53/zone:Zone",
  "aws:eks/cluster:Cluster",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:kms/key:Key",
  "aws:ecr/repository:Repository",
]);

/**
 * The inputs that carry a resource's unique physical name, per type (all of them together are the
 * name: a security group's name is unique within its VPC). A replacement keeping that name collides
 * when it is created before the old resource is deleted, Pulumi's default: AWS refuses the second
 * `edgestack-prod` cluster. Auto-named resources (no name input) get a fresh name and never collide.
 */
export const PHYSICAL_NAMES: Readonly<Record<string, readonly string[]>> = {
  "aws:cloudfront/cachePolicy:CachePolicy": ["name"],
  "aws:cloudfront/function:Function": ["name"],
  "aws:cloudfront/originAccessControl:OriginAccessControl": ["name"],
  "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": ["name"],
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": ["name"],
  "aws:cloudwatch/logGroup:LogGroup": ["name"],
  "aws:ec2/launchTemplate:LaunchTemplate": ["name"],
  "aws:ec2/securityGroup:SecurityGroup": ["vpcId", "name"],
  "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock"],
  "aws:ecr/repository:Repository": ["name"],
  "aws:eks/addon:Addon": ["clusterName", "addonName"],
  "aws:eks/cluster:Cluster": ["name"],
  "aws:eks/nodeGroup:NodeGroup": ["clusterName", "nodeGroupName"],
  "aws:elasticache/parameterGroup:ParameterGroup": ["name"],
  "aws:elasticache/replicationGroup:ReplicationGroup": ["replicationGroupId"],
  "aws:elasticache/subnetGroup:SubnetGroup": ["name"],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["url"],
  "aws:iam/policy:Policy": ["name"],
  "aws:iam/role:Role": ["name"],
  "aws:lb/loadBalancer:LoadBalancer": ["name"],
  "aws:lb/targetGroup:TargetGroup": ["name"],
  "aws:route53/record:Record": ["zoneId", "name", "type"],
  "aws:s3/bucket:Bucket": ["bucket"],
  "aws:wafv2/webAcl:WebAcl": ["scope", "name"],
};

/**
 * The fixed physical name a create-before-delete replacement would collide on (e.g. `name=edgestack-prod`),
 * or undefined: every name input of the type is set and unchanged between the two registrations.
 */
export function collidingName(type: string, oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>): string | undefined {
  const keys = PHYSICAL_NAMES[type];
  if (!keys) return undefined;
  const same = keys.every((k) => newInputs[k] !== undefined && newInputs[k] !== null && JSON.stringify(newInputs[k]) === JSON.stringify(oldInputs[k]));
  return same ? keys.map((k) => `${k}=${typeof newInputs[k] === "string" ? newInputs[k] : JSON.stringify(newInputs[k])}`).join(", ") : undefined;
}

/**
 * Whether the old resource goes before its replacement exists: the `deleteBeforeReplace` option, or
 * a Kubernetes object keeping the same fixed `metadata.name` (two objects cannot share it, so the
 * provider deletes first). A renamed object (content-named ConfigMap) is created before the old one goes.
 */
export function deletesBeforeReplace(type: string, oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>, deleteBeforeReplaceOption: boolean): boolean {
  if (deleteBeforeReplaceOption) return true;
  const name = (inputs: Record<string, unknown>) => (inputs.metadata as { name?: unknown } | undefined)?.name;
  return type.startsWith("kubernetes:") && typeof name(newInputs) === "string" && name(newInputs) === name(oldInputs);
}

/** Whether a change at `path` (segments from the inputs root) is covered by a rule path such as `spec.selector`. */
export function pathMatches(rule: string, path: readonly unknown[]): boolean {
  if (rule === "*") return true;
  const parts = rule.split(".");
  const names = path.filter((p) => typeof p === "string");
  // Array indexes do not appear in rule paths: `subnetIds` covers `subnetIds[2]`.
  return parts.every((part, i) => names[i] === part) && typeof path[0] === "string";
}

/** The values at a rule path (`kubernetesNetworkConfig.ipFamily`), arrays walked through as `pathMatches` reads them. */
function valuesAtRule(value: unknown, parts: readonly string[]): unknown {
  if (parts.length === 0) return value;
  if (Array.isArray(value)) return value.map((v) => valuesAtRule(v, parts));
  if (typeof value === "object" && value !== null) return valuesAtRule((value as Record<string, unknown>)[parts[0]], parts.slice(1));
  return undefined;
}

/**
 * What a resource's identity is made of: the values of the inputs whose change replaces it (the
 * type's rules plus the resource's own `replaceOnChanges`). Two registrations with the same identity
 * are the same physical resource; a different identity is a replacement, which AWS gives a new id,
 * ARN and generated names. The offline engine derives its mock ids from this, so every value taken
 * from a replaced resource's id changes in the head plan and its dependents cascade as in `pulumi up`.
 */
export function identityOf(type: string, inputs: Record<string, unknown>, replaceOnChanges: readonly string[] = []): string {
  const rules = [...new Set([...(REPLACEMENT_RULES[type]?.replaceOn ?? []), ...replaceOnChanges])].sort();
  if (rules.includes("*")) return JSON.stringify(inputs);
  return JSON.stringify(rules.map((rule) => [rule, valuesAtRule(inputs, rule.split(".")) ?? null]));
}
