import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALB_ALGORITHMS, BLUE_GREEN_COLORS, type Color, ConfigError } from "../config/schema";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST, PREFIX_LIST_TAGS, routePath } from "@edgestack/contract";
import { LogBucket } from "./log-bucket";
import { egressToVpc } from "./vpc-egress";
import { ALB_METHOD_NOT_ALLOWED_PRIORITY, albRoutes, OriginVerifyHeader } from "./origin-lock";

/** TLS 1.3 with TLS 1.2 fallback, forward-secret ciphers only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** The AWS-managed prefix list of CloudFront's origin-facing addresses (IPv4): defined in @edgestack/contract. */
export { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST };
export const HEALTH_CHECK_PATH = routePath("health");

export interface HealthCheckSettings {
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

/** Where an internet-facing load balancer sits and the certificate it serves (ALB and NLB alike). */
export interface PublicLoadBalancerPlacement {
  vpcId: pulumi.Input<string>;
  /** Egress to the nginx NodePorts is limited to the VPC's blocks (Vpc.trustedCidrs: an existing VPC's as read from AWS, IPv4 and IPv6). */
  vpcCidrs: pulumi.Input<string[]>;
  publicSubnetIds: pulumi.Input<string>[];
  /** Dual-stack subnets: the load balancer gets IPv6 addresses too. */
  ipv6: boolean;
  /** Validated ACM certificate (origin name for the ALB, layer-4 name for the NLB). */
  certificateArn: pulumi.Input<string>;
}

export type AlbAlgorithm = (typeof ALB_ALGORITHMS)[number];

/** How the ALB's target group picks a target (config keys albLoadBalancingAlgorithm, albAnomalyMitigation). */
export interface AlbBalancing {
  algorithm: AlbAlgorithm;
  /** Automatic target weights; AWS accepts it only with weighted_random. */
  anomalyMitigation: boolean;
}

/**
 * The target group's algorithm inputs. Only weighted_random states the mitigation switch: the schema
 * refuses anomaly mitigation with any other algorithm, as AWS does. (Slow start, which AWS refuses
 * with weighted_random and least outstanding requests, is never set on this target group.)
 */
export function albBalancingInputs(b: AlbBalancing): { loadBalancingAlgorithmType: AlbAlgorithm; loadBalancingAnomalyMitigation?: "on" | "off" } {
  if (b.algorithm !== "weighted_random") return { loadBalancingAlgorithmType: b.algorithm };
  return { loadBalancingAlgorithmType: b.algorithm, loadBalancingAnomalyMitigation: b.anomalyMitigation ? "on" : "off" };
}

/** Percent of the ALB's requests per colour (config keys albBlueWeight, albGreenWeight). */
export type ColorWeights = Record<Color, number>;

/** The second (green) nginx tier behind the ALB: its own target group on its own NodePort. */
export interface AlbBlueGreen {
  /** green nginx's ALB (TLS) NodePort (blue's is `targetNodePort`). */
  greenTargetNodePort: number;
  weights: ColorWeights;
}

/**
 * The forward action of every routing rule: one target group, or with blue/green a weighted forward
 * over both colours' target groups, blue first. Weights are whole percentages summing to 100 (a
 * colour at 0 gets no new requests). With stickiness the client also stays on its colour (the
 * forward's group stickiness), so a session never flips between nginx tiers mid-cutover.
 */
export function albForwardAction<T>(
  targetGroups: { blue: T; green?: T },
  weights: ColorWeights | undefined,
  stickinessSeconds: number,
): { type: "forward"; targetGroupArn: T } | { type: "forward"; forward: { targetGroups: { arn: T; weight: number }[]; stickiness?: { enabled: true; duration: number } } } {
  if (targetGroups.green === undefined || weights === undefined) {
    if (targetGroups.green !== undefined || weights !== undefined) throw new Error("albForwardAction: a green target group and the weights come together");
    return { type: "forward", targetGroupArn: targetGroups.blue };
  }
  const problems: string[] = [];
  for (const color of BLUE_GREEN_COLORS) {
    const w = weights[color];
    const k = color === "blue" ? "albBlueWeight" : "albGreenWeight";
    if (!Number.isInteger(w) || w < 0 || w > 100) problems.push(`edgestack:${k}: ${JSON.stringify(w)} is not a whole percentage 0..100`);
  }
  if (problems.length === 0 && weights.blue + weights.green !== 100) {
    problems.push(`edgestack:albBlueWeight (${weights.blue}) + edgestack:albGreenWeight (${weights.green}) = ${weights.blue + weights.green}: the weights must add up to 100`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    type: "forward",
    forward: {
      targetGroups: [
        { arn: targetGroups.blue, weight: weights.blue },
        { arn: targetGroups.green, weight: weights.green },
      ],
      ...(stickinessSeconds > 0 ? { stickiness: { enabled: true as const, duration: stickinessSeconds } } : {}),
    },
  };
}

export interface AlbArgs extends PublicLoadBalancerPlacement {
  originVerifyHeader: OriginVerifyHeader;
  /** nginx's ALB (TLS) NodePort on the cluster nodes (the target port). */
  targetNodePort: number;
  idleTimeoutSeconds: number;
  deregistrationDelaySeconds: number;
  /** 0 turns stickiness off. */
  stickinessSeconds: number;
  healthCheck: HealthCheckSettings;
  /** The target group's algorithm; least outstanding requests when absent. */
  balancing?: AlbBalancing;
  /** Deletion protection and access logs. */
  isProd: boolean;
  /** A second (green) nginx tier: a second target group and a weighted forward (docs/traffic.md). */
  blueGreen?: AlbBlueGreen;
}

/**
 * The layer-7 load balancer CloudFront uses as its origin. Only CloudFront can reach it (security
 * group on CloudFront's prefix list) and only CloudFront's requests get through (the secret origin
 * header; everything else gets a 403). Targets are nginx's TLS NodePort on the nodes (HTTPS target
 * groups and health checks); the
 * LoadBalancerTargets component (infra/workloads/targets.ts) attaches the nodes and opens that
 * NodePort on the node security group to `securityGroupId`.
 */
export class Alb extends pulumi.ComponentResource {
  public readonly securityGroupId: pulumi.Output<string>;
  /** blue's target group (the only one without blue/green). */
  public readonly targetGroupArn: pulumi.Output<string>;
  /** green's target group, with blue/green. */
  public readonly greenTargetGroupArn?: pulumi.Output<string>;
  public readonly loadBalancerArn: pulumi.Output<string>;
  public readonly dnsName: pulumi.Output<string>;
  public readonly zoneId: pulumi.Output<string>;
  public readonly httpsListenerArn: pulumi.Output<string>;

  constructor(name: string, args: AlbArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:edge:Alb", name, {}, opts);

    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "ALB: HTTPS from CloudFront origin-facing addresses only", tags: { Name: `${name}-alb` } },
      { parent: this },
    );
    const cloudfront = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }, { parent: this });
    // Only 443 is open, and only to CloudFront: it talks to this origin over HTTPS only. The tags record the
    // name the id was resolved from, so the plan shows whose list it is (alb-origin-lock compares the two).
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-https-from-cloudfront`,
      {
        securityGroupId: sg.id,
        prefixListId: cloudfront.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: "HTTPS from CloudFront",
        tags: { [PREFIX_LIST_TAGS.name]: cloudfront.name, [PREFIX_LIST_TAGS.id]: cloudfront.id },
      },
      { parent: this },
    );
    const egress = (suffix: string, port: number, description: string) => egressToVpc(this, `${name}-to-${suffix}`, { securityGroupId: sg.id, port, description }, args.vpcCidrs);
    egress("nginx", args.targetNodePort, "nginx HTTPS NodePort (traffic and health checks)");
    if (args.blueGreen) {
      if (args.blueGreen.greenTargetNodePort === args.targetNodePort) throw new Error(`Alb ${name}: green's NodePort ${args.targetNodePort} is blue's too`);
      egress("nginx-green", args.blueGreen.greenTargetNodePort, "green nginx HTTPS NodePort (traffic and health checks)");
    }

    const logs = args.isProd
      ? new LogBucket(
          `${name}-logs`,
          { aclsForCloudFrontLogs: false, expireAfterDays: 90, protect: true, deliveryStatements: albLogDeliveryStatements(this) },
          { parent: this },
        )
      : undefined;

    const lb = new aws.lb.LoadBalancer(
      `${name}-lb`,
      {
        loadBalancerType: "application",
        internal: false,
        ipAddressType: args.ipv6 ? "dualstack" : "ipv4",
        subnets: args.publicSubnetIds,
        securityGroups: [sg.id],
        idleTimeout: args.idleTimeoutSeconds,
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.isProd,
        enableHttp2: true,
        accessLogs: logs ? { bucket: logs.bucketName, prefix: "alb", enabled: true } : undefined,
        tags: { Name: `${name}-alb` },
      },
      { parent: this, dependsOn: logs?.ready ?? [] },
    );

    const nginxTargetGroup = (key: string, port: number) => new aws.lb.TargetGroup(
      `${name}-${key}`,
      {
        vpcId: args.vpcId,
        targetType: "instance",
        // TLS to nginx's listener (its per-stack self-signed certificate: the ALB does not verify target certificates).
        protocol: "HTTPS",
        protocolVersion: "HTTP1",
        port,
        ...albBalancingInputs(args.balancing ?? { algorithm: "least_outstanding_requests", anomalyMitigation: false }),
        deregistrationDelay: args.deregistrationDelaySeconds,
        healthCheck: {
          enabled: true,
          protocol: "HTTPS",
          port: "traffic-port",
          path: HEALTH_CHECK_PATH,
          matcher: "200",
          interval: args.healthCheck.intervalSeconds,
          timeout: args.healthCheck.timeoutSeconds,
          healthyThreshold: args.healthCheck.healthyThreshold,
          unhealthyThreshold: args.healthCheck.unhealthyThreshold,
        },
        stickiness:
          args.stickinessSeconds > 0
            ? { type: "lb_cookie", enabled: true, cookieDuration: args.stickinessSeconds }
            : { type: "lb_cookie", enabled: false },
        tags: { Name: `${name}-${key}` },
      },
      { parent: this },
    );
    const targetGroup = nginxTargetGroup("nginx", args.targetNodePort);
    const greenTargetGroup = args.blueGreen ? nginxTargetGroup("nginx-green", args.blueGreen.greenTargetNodePort) : undefined;
    const forward = albForwardAction({ blue: targetGroup.arn, green: greenTargetGroup?.arn }, args.blueGreen?.weights, args.stickinessSeconds);

    // No ingress rule admits port 80, so this listener is unreachable today; it stays so that opening
    // port 80 later yields a redirect to HTTPS, never plain-HTTP service.
    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      },
      { parent: this },
    );

    const https = new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: TLS_POLICY,
        certificateArn: args.certificateArn,
        // Whatever doesn't carry CloudFront's secret header never reaches nginx.
        defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "403", contentType: "text/plain", messageBody: "Forbidden" } }],
      },
      { parent: this },
    );

    for (const route of albRoutes()) {
      new aws.lb.ListenerRule(
        `${name}-route-${route.key}`,
        {
          listenerArn: https.arn,
          priority: route.priority,
          conditions: [
            { httpHeader: { httpHeaderName: args.originVerifyHeader.name, values: [args.originVerifyHeader.value] } },
            ...(route.pathPatterns ? [{ pathPattern: { values: route.pathPatterns } }] : []),
            ...(route.methods ? [{ httpRequestMethod: { values: route.methods } }] : []),
          ],
          actions: [forward],
          tags: { Name: `${name}-${route.key}` },
        },
        { parent: this },
      );
    }
    // CloudFront's request in a method no route takes: 405 (the listener's default stays 403 for
    // requests without the origin header). A fixed response cannot carry Allow; nginx's 405s do.
    new aws.lb.ListenerRule(
      `${name}-method-not-allowed`,
      {
        listenerArn: https.arn,
        priority: ALB_METHOD_NOT_ALLOWED_PRIORITY,
        conditions: [{ httpHeader: { httpHeaderName: args.originVerifyHeader.name, values: [args.originVerifyHeader.value] } }],
        actions: [{ type: "fixed-response", fixedResponse: { statusCode: "405", contentType: "application/json", messageBody: '{"error":"method not allowed","status":405}' } }],
        tags: { Name: `${name}-method-not-allowed` },
      },
      { parent: this },
    );

    this.securityGroupId = sg.id;
    this.targetGroupArn = targetGroup.arn;
    this.greenTargetGroupArn = greenTargetGroup?.arn;
    this.loadBalancerArn = lb.arn;
    this.dnsName = lb.dnsName;
    this.zoneId = lb.zoneId;
    this.httpsListenerArn = https.arn;
    this.registerOutputs({ dnsName: this.dnsName, securityGroupId: this.securityGroupId, targetGroupArn: this.targetGroupArn });
  }
}

/**
 * Who may write ALB access logs: the regional ELB account (regions older than August 2022) and the
 * log-delivery service principal (newer regions); granting both works everywhere.
 */
function albLogDeliveryStatements(parent: pulumi.Resource) {
  const elbAccount = aws.elb.getServiceAccountOutput({}, { parent });
  return (bucketArn: pulumi.Output<string>) =>
    pulumi.all([bucketArn, elbAccount.arn]).apply(([arn, account]) => [
      {
        Sid: "AlbLogDelivery",
        Effect: "Allow",
        Principal: { AWS: account, Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${arn}/alb/AWSLogs/*`,
      },
    ]);
}
