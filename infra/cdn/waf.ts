import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HEADERS } from "@edgestack/contract";
import type { StackConfig } from "../config/schema";

export interface WafRuleSettings {
  /** Requests one client IP may make in 5 minutes before it is blocked. */
  ratePer5Minutes: number;
  /** AWSManagedRulesAnonymousIpList: which of its two rules block (edgestack:wafAnonymousIps). */
  anonymousIps: StackConfig["wafAnonymousIps"];
  /** Prefix of the CloudWatch metric names. */
  metricPrefix: string;
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * The web ACL's rules, as data. The rate rule runs first (cheapest, stops floods before the managed
 * rules are evaluated); the AWS common rule set covers the OWASP basics; the known-bad-inputs set
 * blocks request patterns tied to published exploits (Log4j JNDI lookups, Java deserialization,
 * localhost Host headers, PROPFIND) for 200 WCUs, cheap insurance whatever the origin runs.
 * Note the common set blocks request bodies over 8 KB (SizeRestrictions_BODY): raise it to "count"
 * here if the API takes uploads.
 * The anonymous-IP set blocks VPNs, Tor exits and open proxies (AnonymousIPList), which hide the
 * client the rate limit keys on; its HostingProviderIPList rule (every cloud's address space) only
 * counts by default, so API clients and partners running in a cloud are not refused.
 */
export function wafRules(s: WafRuleSettings): aws.types.input.wafv2.WebAclRule[] {
  const anonymous: aws.types.input.wafv2.WebAclRule[] =
    s.anonymousIps === "off"
      ? []
      : [
          {
            name: "aws-anonymous-ip-list",
            priority: 40,
            overrideAction: { none: {} },
            statement: {
              managedRuleGroupStatement: {
                vendorName: "AWS",
                name: "AWSManagedRulesAnonymousIpList",
                ruleActionOverrides: s.anonymousIps === "block-all" ? undefined : [{ name: "HostingProviderIPList", actionToUse: { count: {} } }],
              },
            },
            visibilityConfig: visibility(`${s.metricPrefix}-anonymous-ip`),
          },
        ];
  return [
    {
      name: "rate-limit-per-ip",
      priority: 10,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: s.ratePer5Minutes, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
      visibilityConfig: visibility(`${s.metricPrefix}-rate-limit`),
    },
    {
      name: "aws-common-rule-set",
      priority: 20,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } },
      visibilityConfig: visibility(`${s.metricPrefix}-common`),
    },
    {
      name: "aws-known-bad-inputs",
      priority: 30,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } },
      visibilityConfig: visibility(`${s.metricPrefix}-known-bad-inputs`),
    },
    ...anonymous,
  ];
}

export interface EdgeWafArgs extends WafRuleSettings {
  name: string;
  /** Prod keeps its request log longer and protects it from deletion. */
  isProd: boolean;
}

/** Request headers that carry credentials: kept out of the WAF's request log. */
export const WAF_REDACTED_HEADERS = ["authorization", "cookie", HEADERS.apiKey.toLowerCase()] as const;

/** WAF only delivers to destinations whose name starts with this. */
export const WAF_LOG_NAME_PREFIX = "aws-waf-logs-";

/**
 * A WAFv2 web ACL for CloudFront, and its request log: every request the ACL evaluates, with the
 * rule that decided it, to a CloudWatch log group (credentials redacted), so a block can be traced
 * to its rule (CloudFront's access logs say only that a request was refused). Scope CLOUDFRONT lives
 * in us-east-1: create this component with the us-east-1 provider.
 * The log group gets a resource policy of its own admitting log delivery for this account's web ACLs,
 * rather than letting WAF grow the account-wide AWSWAF-LOGS policy (which has a size limit).
 */
export class EdgeWaf extends pulumi.ComponentResource {
  public readonly webAclArn: pulumi.Output<string>;
  /** The ACL's CloudWatch metric name: the `WebACL` dimension of its AWS/WAFV2 metrics (us-east-1). */
  public readonly webAclMetricName: pulumi.Output<string>;
  /** The request log (us-east-1). */
  public readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: EdgeWafArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:cdn:Waf", name, {}, opts);
    const acl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      {
        name: args.name,
        description: "edgestack CloudFront: per-IP rate limit, AWS common, known-bad-inputs and anonymous-IP rules",
        scope: "CLOUDFRONT",
        defaultAction: { allow: {} },
        rules: wafRules(args),
        visibilityConfig: visibility(`${args.metricPrefix}-acl`),
      },
      { parent: this },
    );
    this.webAclArn = acl.arn;
    this.webAclMetricName = acl.visibilityConfig.metricName;

    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `${WAF_LOG_NAME_PREFIX}${args.name}`, retentionInDays: args.isProd ? 90 : 14 },
      { parent: this, protect: args.isProd },
    );
    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    const delivery = new aws.cloudwatch.LogResourcePolicy(
      `${name}-log-delivery`,
      {
        policyName: `${WAF_LOG_NAME_PREFIX}${args.name}-delivery`,
        policyDocument: pulumi.all([logs.arn, caller.accountId, acl.arn]).apply(([groupArn, accountId, aclArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "WafLogDelivery",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${groupArn}:*`,
                Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": aclArn } },
              },
            ],
          }),
        ),
      },
      { parent: this },
    );
    this.logGroupName = logs.name;
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-logging`,
      {
        resourceArn: acl.arn,
        logDestinationConfigs: [logs.arn],
        redactedFields: WAF_REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
      },
      { parent: this, dependsOn: [delivery] },
    );
    this.registerOutputs({ webAclArn: this.webAclArn, logGroupName: this.logGroupName });
  }
}
