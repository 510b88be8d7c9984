import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Color } from "../config/schema";
import { HEALTH_CHECK_PATH, HealthCheckSettings, PublicLoadBalancerPlacement, TLS_POLICY } from "./alb";
import { egressToVpc } from "./vpc-egress";
import { LogBucket } from "./log-bucket";
import { arnOf, partitionOf, type Partition } from "../partition";

/** Key prefix of the NLB's access logs in its log bucket. */
export const NLB_LOG_PREFIX = "nlb";

export interface NlbArgs extends PublicLoadBalancerPlacement {
  /** nginx's proxy-protocol NodePort that treats connections as https (TLS terminated here). */
  tlsNodePort: number;
  /** nginx's proxy-protocol NodePort for plain HTTP (nginx answers with a redirect to https). */
  httpNodePort: number;
  /** nginx's ALB (TLS) NodePort, used for HTTPS health checks only (see the target groups). */
  healthCheckNodePort: number;
  deregistrationDelaySeconds: number;
  healthCheck: HealthCheckSettings;
  /** One Elastic IP per AZ: fixed addresses clients can allow-list. */
  elasticIps: boolean;
  /** prod: deletion protection and access logs (of the TLS listener) to a log bucket. */
  isProd: boolean;
  /**
   * A second (green) nginx tier: its own pair of target groups on its own NodePorts. An NLB forward
   * takes one target group (no weights), so both listeners send everything to `color`; the other
   * colour's target groups stay registered and health-checked, so a switch is a listener update
   * onto targets already known healthy.
   */
  blueGreen?: NlbBlueGreen;
}

/** green's NodePorts behind the NLB, and the colour its listeners forward to (config key nlbColor). */
export interface NlbBlueGreen {
  green: { tlsNodePort: number; httpNodePort: number; healthCheckNodePort: number };
  color: Color;
}

/** The NodePorts of one colour behind the NLB. */
type NlbPorts = Pick<NlbArgs, "tlsNodePort" | "httpNodePort" | "healthCheckNodePort">;

/**
 * Per colour, the NodePorts of its target groups (blue's are the plain args), and the colour the
 * listeners forward to: blue without blue/green. Refuses a green port that is also blue's.
 */
export function nlbColors(args: NlbPorts & Pick<NlbArgs, "blueGreen">): { ports: Partial<Record<Color, NlbPorts>>; listenerColor: Color } {
  const blue: NlbPorts = { tlsNodePort: args.tlsNodePort, httpNodePort: args.httpNodePort, healthCheckNodePort: args.healthCheckNodePort };
  if (!args.blueGreen) return { ports: { blue }, listenerColor: "blue" };
  const green = args.blueGreen.green;
  const bluePorts = new Set(Object.values(blue));
  for (const port of Object.values(green)) if (bluePorts.has(port)) throw new Error(`NLB: green's NodePort ${port} is one of blue's (${[...bluePorts].join(", ")})`);
  if (!["blue", "green"].includes(args.blueGreen.color)) throw new Error(`edgestack:nlbColor: ${JSON.stringify(args.blueGreen.color)} is not blue or green`);
  return { ports: { blue, green }, listenerColor: args.blueGreen.color };
}

/**
 * NLB access logs are written by the log delivery service (not the ELB account, unlike ALB logs), which checks the
 * bucket ACL and puts objects with bucket-owner-full-control, both only for this account's log sources.
 */
export function nlbLogDeliveryStatements(partition: Partition, bucketArn: string, accountId: string, region: string): Record<string, unknown>[] {
  const scoped = { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": arnOf(partition, "logs", region, accountId, "*") } };
  return [
    {
      Sid: "NlbLogDeliveryWrite",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucketArn}/${NLB_LOG_PREFIX}/AWSLogs/${accountId}/*`,
      Condition: { ...scoped, StringEquals: { ...scoped.StringEquals, "s3:x-amz-acl": "bucket-owner-full-control" } },
    },
    { Sid: "NlbLogDeliveryAclCheck", Effect: "Allow", Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: bucketArn, Condition: scoped },
  ];
}

/**
 * The layer-4 load balancer, for clients that need it: long-lived WebSocket/TCP connections, fixed
 * IPs, SRV-discovered services. It terminates TLS and passes client addresses to nginx with proxy
 * protocol v2. Its security group is the only one in the stack open to the world, on 80/443.
 */
export class Nlb extends pulumi.ComponentResource {
  public readonly securityGroupId: pulumi.Output<string>;
  /** blue's target groups (the only ones without blue/green). */
  public readonly targetGroupArns: { tls: pulumi.Output<string>; http: pulumi.Output<string> };
  /** green's target groups, with blue/green. */
  public readonly greenTargetGroupArns?: { tls: pulumi.Output<string>; http: pulumi.Output<string> };
  public readonly loadBalancerArn: pulumi.Output<string>;
  public readonly dnsName: pulumi.Output<string>;
  public readonly zoneId: pulumi.Output<string>;
  /** The fixed public addresses, when elasticIps is on (else empty). */
  public readonly publicIps: pulumi.Output<string>[];

  constructor(name: string, args: NlbArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:edge:Nlb", name, {}, opts);

    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "NLB: public HTTP/HTTPS", tags: { Name: `${name}-nlb` } },
      { parent: this },
    );
    for (const port of [80, 443]) {
      for (const [family, cidr] of [["ipv4", "0.0.0.0/0"], ["ipv6", "::/0"]] as const) {
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-${port}-${family}`,
          {
            securityGroupId: sg.id,
            ...(family === "ipv4" ? { cidrIpv4: cidr } : { cidrIpv6: cidr }),
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: `public ${port === 443 ? "HTTPS" : "HTTP"} (${family})`,
          },
          { parent: this },
        );
      }
    }
    const colors = nlbColors(args);
    const nodePorts = [...new Set(Object.values(colors.ports).flatMap((p) => [p.tlsNodePort, p.httpNodePort, p.healthCheckNodePort]))];
    for (const port of nodePorts) egressToVpc(this, `${name}-to-nginx-${port}`, { securityGroupId: sg.id, port, description: `nginx NodePort ${port}` }, args.vpcCidrs);

    const eips = args.elasticIps
      ? args.publicSubnetIds.map((_, i) => new aws.ec2.Eip(`${name}-eip-${i}`, { domain: "vpc", tags: { Name: `${name}-nlb-${i}` } }, { parent: this }))
      : [];

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    const partition = partitionOf({ parent: this });
    const logs = args.isProd
      ? new LogBucket(
          `${name}-logs`,
          {
            aclsForCloudFrontLogs: false,
            expireAfterDays: 90,
            protect: true,
            deliveryStatements: (bucketArn) =>
              pulumi.all([partition, bucketArn, identity.accountId, region.region]).apply(([p, arn, account, r]) => nlbLogDeliveryStatements(p, arn, account, r)),
          },
          { parent: this },
        )
      : undefined;

    const lb = new aws.lb.LoadBalancer(
      `${name}-lb`,
      {
        loadBalancerType: "network",
        enableDeletionProtection: args.isProd,
        accessLogs: logs ? { bucket: logs.bucketName, prefix: NLB_LOG_PREFIX, enabled: true } : undefined,
        internal: false,
        ipAddressType: args.ipv6 ? "dualstack" : "ipv4",
        securityGroups: [sg.id],
        enableCrossZoneLoadBalancing: true,
        // subnets and subnetMappings are mutually exclusive; mappings pin one Elastic IP per AZ.
        ...(args.elasticIps
          ? { subnetMappings: args.publicSubnetIds.map((subnetId, i) => ({ subnetId, allocationId: eips[i].allocationId })) }
          : { subnets: args.publicSubnetIds }),
        tags: { Name: `${name}-nlb` },
      },
      { parent: this, dependsOn: logs?.ready ?? [] },
    );

    const targetGroup = (key: string, port: number, healthCheckNodePort: number) =>
      new aws.lb.TargetGroup(
        `${name}-${key}`,
        {
          vpcId: args.vpcId,
          targetType: "instance",
          protocol: "TCP",
          port,
          proxyProtocolV2: true,
          connectionTermination: true,
          deregistrationDelay: args.deregistrationDelaySeconds,
          // The traffic port expects a proxy-protocol header that health checks don't send, so nginx
          // would reject them; check the ALB's TLS NodePort of the same nginx instead (HTTPS, as the ALB does).
          healthCheck: {
            enabled: true,
            protocol: "HTTPS",
            port: String(healthCheckNodePort),
            path: HEALTH_CHECK_PATH,
            matcher: "200",
            interval: args.healthCheck.intervalSeconds,
            timeout: args.healthCheck.timeoutSeconds,
            healthyThreshold: args.healthCheck.healthyThreshold,
            unhealthyThreshold: args.healthCheck.unhealthyThreshold,
          },
          tags: { Name: `${name}-${key}` },
        },
        { parent: this },
      );
    const tlsTargets = targetGroup("tls", args.tlsNodePort, args.healthCheckNodePort);
    const httpTargets = targetGroup("http", args.httpNodePort, args.healthCheckNodePort);
    const green = colors.ports.green;
    const greenTargets = green
      ? { tls: targetGroup("tls-green", green.tlsNodePort, green.healthCheckNodePort), http: targetGroup("http-green", green.httpNodePort, green.healthCheckNodePort) }
      : undefined;
    const listenerTargets = colors.listenerColor === "green" && greenTargets ? greenTargets : { tls: tlsTargets, http: httpTargets };

    new aws.lb.Listener(
      `${name}-tls`,
      {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: "TLS",
        sslPolicy: TLS_POLICY,
        certificateArn: args.certificateArn,
        // No ALPN: nginx's proxy-protocol port speaks HTTP/1.1 in clear, so h2 must not be negotiated here.
        defaultActions: [{ type: "forward", targetGroupArn: listenerTargets.tls.arn }],
      },
      { parent: this },
    );
    new aws.lb.Listener(
      `${name}-tcp-80`,
      { loadBalancerArn: lb.arn, port: 80, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: listenerTargets.http.arn }] },
      { parent: this },
    );

    this.securityGroupId = sg.id;
    this.targetGroupArns = { tls: tlsTargets.arn, http: httpTargets.arn };
    this.greenTargetGroupArns = greenTargets ? { tls: greenTargets.tls.arn, http: greenTargets.http.arn } : undefined;
    this.loadBalancerArn = lb.arn;
    this.dnsName = lb.dnsName;
    this.zoneId = lb.zoneId;
    this.publicIps = eips.map((e) => e.publicIp);
    this.registerOutputs({ dnsName: this.dnsName, securityGroupId: this.securityGroupId });
  }
}
