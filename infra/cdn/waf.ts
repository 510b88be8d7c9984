import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkField } from "../config/schema";

export interface WafRuleSettings {
  /** Requests one client IP may make in 5 minutes before it is blocked. */
  ratePer5Minutes: number;
  /** Prefix of the CloudWatch metric names. */
  metricPrefix: string;
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * The web ACL's rules, as data. The rate rule runs first (cheapest, stops floods before the managed
 * rules are evaluated); the AWS common rule set covers the OWASP basics. Note the common set blocks
 * request bodies over 8 KB (SizeRestrictions_BODY): raise it to "count" here if the API takes uploads.
 */
export function wafRules(s: WafRuleSettings): aws.types.input.wafv2.WebAclRule[] {
  checkField("wafRateLimitPer5Minutes", s.ratePer5Minutes);
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
  ];
}

export interface EdgeWafArgs extends WafRuleSettings {
  name: string;
}

/**
 * A WAFv2 web ACL for CloudFront. Scope CLOUDFRONT lives in us-east-1: create this component with the
 * us-east-1 provider.
 */
export class EdgeWaf extends pulumi.ComponentResource {
  public readonly webAclArn: pulumi.Output<string>;

  constructor(name: string, args: EdgeWafArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:cdn:Waf", name, {}, opts);
    const acl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      {
        name: args.name,
        description: "edgestack CloudFront: per-IP rate limit and AWS common rules",
        scope: "CLOUDFRONT",
        defaultAction: { allow: {} },
        rules: wafRules(args),
        visibilityConfig: visibility(`${args.metricPrefix}-acl`),
      },
      { parent: this },
    );
    this.webAclArn = acl.arn;
    this.registerOutputs({ webAclArn: this.webAclArn });
  }
}
