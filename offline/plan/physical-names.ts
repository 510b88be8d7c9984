/**
 * The physical names in a plan: every input whose key looks like a name (name, prefix, identifier,
 * alias, bucket, domain), classified as the resource's own name in its provider's namespace, a
 * reference to another resource's name, or a label that AWS does not keep unique. Two copies of the
 * stack in one account must share no physical name; references follow the names they point to, and
 * labels may repeat. A name-like input no rule classifies is reported, so a new one gets a decision.
 *
 * Kubernetes objects are left out: they live in the stack's own cluster, not in the AWS account.
 */
import type { PlanResource } from "./format";

export type NameRole = "physical" | "reference" | "label";

interface NameRule {
  /** Property path with `[]` for array elements, e.g. `rules[].visibilityConfig.metricName`. */
  path: string;
  /** Only for this resource type (token); every type when absent. */
  type?: string;
  role: NameRole;
  why: string;
}

/** Keys that look like a name. */
const NAME_LIKE_KEY = /name|prefix|identifier|alias|^bucket$|domain/i;

/** First matching rule wins: type-specific rules come before the general ones. */
export const NAME_RULES: readonly NameRule[] = [
  { type: "tls:index/selfSignedCert:SelfSignedCert", path: "dnsNames", role: "label", why: "names inside nginx's self-signed ALB-listener certificate (never verified, never in DNS); the same in every stack" },
  { type: "tls:index/selfSignedCert:SelfSignedCert", path: "subject.commonName", role: "label", why: "the self-signed certificate's subject; the same in every stack" },
  { type: "aws:route53/record:Record", path: "aliases", role: "reference", why: "the alias target: a load balancer's or the distribution's DNS name" },
  { type: "aws:route53/record:Record", path: "setIdentifier", role: "label", why: "tells apart the records of one name and type (failover PRIMARY/SECONDARY); unique only within that set" },
  { type: "aws:route53/record:Record", path: "aliases[].name", role: "reference", why: "the alias target's DNS name" },
  { type: "aws:cloudfront/distribution:Distribution", path: "aliases", role: "physical", why: "CloudFront CNAMEs are unique across all distributions" },
  { type: "aws:cloudfront/distribution:Distribution", path: "origins[].domainName", role: "reference", why: "the origins' names (the ALB's record, the static bucket)" },
  { type: "aws:cloudfront/distribution:Distribution", path: "origins[].customHeaders[].name", role: "label", why: "an HTTP header name" },
  { type: "aws:cloudfront/distribution:Distribution", path: "loggingConfig.bucket", role: "reference", why: "the log bucket, named where it is created" },
  { type: "aws:cloudfront/distribution:Distribution", path: "loggingConfig.prefix", role: "label", why: "an object key prefix inside the stack's own log bucket" },
  { type: "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", path: "policyName", role: "physical", why: "CloudWatch Logs resource policies are unique by name per account and region" },
  { type: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", path: "redactedFields[].singleHeader.name", role: "label", why: "an HTTP header name kept out of the log" },
  { type: "aws:wafv2/webAcl:WebAcl", path: "rules[].statement.managedRuleGroupStatement.ruleActionOverrides[].name", role: "label", why: "a rule of an AWS managed rule group (HostingProviderIPList), named by AWS" },
  { type: "aws:route53/keySigningKey:KeySigningKey", path: "name", role: "label", why: "unique only within its hosted zone, and each stack signs its own zone" },
  { type: "aws:ec2/vpcEndpoint:VpcEndpoint", path: "serviceName", role: "reference", why: "the AWS service the endpoint reaches (com.amazonaws.<region>.<service>)" },
  { type: "aws:iam/role:Role", path: "inlinePolicies[].name", role: "label", why: "an inline policy's name, unique only within its role" },
  { type: "aws:amp/ruleGroupNamespace:RuleGroupNamespace", path: "name", role: "label", why: "a rule group namespace's name, unique only within its workspace (each stack has its own)" },
  { type: "aws:iam/rolePolicy:RolePolicy", path: "name", role: "label", why: "an inline policy's name, unique only within its role" },
  { type: "aws:amp/workspace:Workspace", path: "alias", role: "label", why: "a workspace's alias: a label AWS does not keep unique (the workspace id is the name)" },
  { type: "aws:amp/scraper:Scraper", path: "alias", role: "label", why: "a scraper's alias: a label AWS does not keep unique" },
  { path: "name", role: "physical", why: "the resource's own name" },
  { path: "namePrefix", role: "physical", why: "the start of the resource's own name" },
  { path: "replicationGroupId", role: "physical", why: "the ElastiCache replication group's id (unique per region)" },
  { path: "finalSnapshotIdentifier", role: "physical", why: "the snapshot ElastiCache takes on deletion (unique per region)" },
  { path: "domainName", type: "aws:acm/certificate:Certificate", role: "physical", why: "the certificate's name (in the stack's domain)" },
  { path: "subjectAlternativeNames", type: "aws:acm/certificate:Certificate", role: "physical", why: "the certificate's other names (in the stack's domain)" },
  { path: "visibilityConfig.metricName", role: "physical", why: "the WAF web ACL's CloudWatch metric" },
  { path: "rules[].visibilityConfig.metricName", role: "physical", why: "a WAF rule's CloudWatch metric" },
  { path: "metricName", type: "aws:cloudwatch/metricAlarm:MetricAlarm", role: "label", why: "the AWS metric the alarm watches (AWS's own name)" },
  { path: "namespace", type: "aws:cloudwatch/metricAlarm:MetricAlarm", role: "label", why: "the AWS metric namespace (AWS/ApplicationELB, …)" },
  { path: "dimensions.FunctionName", type: "aws:cloudwatch/metricAlarm:MetricAlarm", role: "reference", why: "the CloudFront function, named where it is created" },
  { path: "dimensions.ClusterName", type: "aws:cloudwatch/metricAlarm:MetricAlarm", role: "reference", why: "the EKS cluster (Container Insights), named where it is created" },
  { path: "dimensions.Namespace", type: "aws:cloudwatch/metricAlarm:MetricAlarm", role: "label", why: "the Kubernetes namespace of the workloads (Container Insights), unique only within its cluster" },
  { path: "metricQueries[].metric.metricName", type: "aws:cloudwatch/metricAlarm:MetricAlarm", role: "label", why: "an AWS metric of the alarm's metric math (AWS's own name)" },
  { path: "metricQueries[].metric.namespace", type: "aws:cloudwatch/metricAlarm:MetricAlarm", role: "label", why: "an AWS metric namespace of the alarm's metric math" },
  { path: "dimensions.TopicName", type: "aws:cloudwatch/metricAlarm:MetricAlarm", role: "reference", why: "the SNS topic, named where it is created" },
  { path: "dashboardName", type: "aws:cloudwatch/dashboard:Dashboard", role: "physical", why: "the dashboard's own name (unique per account)" },
  { type: "aws:codebuild/project:Project", path: "logsConfig.cloudwatchLogs.groupName", role: "reference", why: "the runner's log group, named where it is created" },
  { type: "aws:codebuild/webhook:Webhook", path: "projectName", role: "reference", why: "the runner's CodeBuild project, named where it is created" },
  { path: "clusterName", role: "reference", why: "the EKS cluster, named where it is created" },
  { path: "autoscalingGroupName", role: "reference", why: "the node group's auto scaling group (named by EKS)" },
  { path: "bucket", role: "reference", why: "the bucket, auto-named where it is created" },
  { path: "accessLogs.bucket", role: "reference", why: "the log bucket, auto-named where it is created" },
  { path: "parameterGroupName", role: "reference", why: "the parameter group, auto-named where it is created" },
  { path: "subnetGroupName", role: "reference", why: "the subnet group, auto-named where it is created" },
  { path: "prefixListId", role: "reference", why: "an AWS-managed prefix list" },
  { path: "tags.Name", role: "label", why: "the console's Name tag: a label, not kept unique" },
  { path: "tags.edgestack:prefix-list-name", role: "label", why: "the AWS-managed prefix list's name the program looked up (recorded for alb-origin-lock)" },
  { path: "tags.edgestack:prefix-list-id", role: "reference", why: "the id that lookup returned (AWS's, not the stack's)" },
  { path: "tagSpecifications[].tags.Name", role: "label", why: "the instances' Name tag: a label" },
  { path: "addonName", role: "label", why: "the EKS add-on's catalog name (unique per cluster)" },
  { path: "parameters[].name", role: "label", why: "an engine parameter" },
  { path: "rules[].name", role: "label", why: "a rule name inside the web ACL" },
  { path: "rules[].statement.managedRuleGroupStatement.name", role: "label", why: "an AWS managed rule group" },
  { path: "rules[].statement.managedRuleGroupStatement.vendorName", role: "label", why: "the managed rule group's vendor" },
  { path: "conditions[].httpHeader.httpHeaderName", role: "label", why: "an HTTP header name" },
  { path: "blockDeviceMappings[].deviceName", role: "label", why: "a device path on the instance" },
  { path: "enableDnsHostnames", role: "label", why: "a flag" },
  { path: "securityHeadersConfig.strictTransportSecurity.includeSubdomains", role: "label", why: "a flag" },
  { path: "domain", type: "aws:ec2/eip:Eip", role: "label", why: "the address's scope (vpc)" },
  { path: "accessLogs.prefix", role: "label", why: "an object key prefix inside the stack's own log bucket" },
  { path: "rules[].filter.prefix", role: "label", why: "an object key prefix of a lifecycle rule" },
];

export interface NameProperty {
  type: string;
  resource: string;
  /** Path with indices, e.g. `rules[0].visibilityConfig.metricName`. */
  path: string;
  /** Path with `[]` for indices: what the rules match. */
  pattern: string;
  /** The string values (an array of names gives one per element). */
  values: string[];
  rule?: NameRule;
}

/** Every name-like input of the plan's AWS (non-Kubernetes) resources, with the rule that classifies it. */
export function nameProperties(plan: PlanResource[]): NameProperty[] {
  const found: NameProperty[] = [];
  for (const resource of plan) {
    if (resource.type.startsWith("kubernetes:")) continue;
    const visit = (value: unknown, path: string, pattern: string) => {
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}[${i}]`, `${pattern}[]`));
      else if (typeof value === "object" && value !== null) {
        for (const [key, v] of Object.entries(value)) {
          const childPath = path ? `${path}.${key}` : key;
          const childPattern = pattern ? `${pattern}.${key}` : key;
          if (NAME_LIKE_KEY.test(key)) {
            const rule = NAME_RULES.find((r) => r.path === childPattern && (r.type === undefined || r.type === resource.type));
            found.push({ type: resource.type, resource: resource.name, path: childPath, pattern: childPattern, values: stringsIn(v), rule });
          }
          visit(v, childPath, childPattern);
        }
      }
    };
    visit(resource.inputs, "", "");
  }
  return found;
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  return [];
}

/** The physical names of a plan: value → where it is set. */
export function physicalNames(plan: PlanResource[]): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const p of nameProperties(plan)) {
    if (p.rule?.role !== "physical") continue;
    for (const value of p.values) names.set(value, [...(names.get(value) ?? []), `${p.type}::${p.resource} ${p.path}`]);
  }
  return names;
}
