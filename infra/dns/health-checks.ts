import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/schema";
import type { HealthCheckTarget } from "./record-values";

/** The stack settings the health checks read. */
export type HealthCheckSettings = Pick<StackConfig, "dnsHealthCheckPath" | "dnsHealthCheckIntervalSeconds" | "dnsHealthCheckFailureThreshold" | "dnsHealthCheckRegions">;

/**
 * One Route53 HTTPS health check's inputs. `fqdn` is the endpoint's own public name (never a name
 * that fails over: a check on a failover name would follow it to the secondary, find that healthy
 * and fail back). Route53 sends it as SNI and Host; it does not verify the certificate.
 */
export function healthCheckInputs(s: HealthCheckSettings, fqdn: pulumi.Input<string>) {
  return {
    type: "HTTPS",
    fqdn,
    port: 443,
    resourcePath: s.dnsHealthCheckPath,
    enableSni: true,
    requestInterval: s.dnsHealthCheckIntervalSeconds,
    failureThreshold: s.dnsHealthCheckFailureThreshold,
    // Empty: Route53's default, every checker region.
    ...(s.dnsHealthCheckRegions.length > 0 ? { regions: s.dnsHealthCheckRegions } : {}),
  };
}

export interface HealthChecksArgs {
  settings: HealthCheckSettings;
  /**
   * Public names to check, reachable from Route53's checkers: the distribution's own name (the ALB
   * behind it admits only CloudFront) and the NLB's name (open to the world on 443).
   */
  endpoints: Record<HealthCheckTarget, pulumi.Input<string>>;
}

/**
 * Route53 health checks for DNS failover: `site` requests the health path through CloudFront, so a
 * pass means CloudFront, the ALB, nginx and an app pod all answered; `edge` requests it through the
 * NLB's TLS listener (the layer-4 path to nginx). Their ids go to the PRIMARY failover records and to
 * whoever alarms on `AWS/Route53 HealthCheckStatus` (us-east-1).
 */
export class HealthChecks extends pulumi.ComponentResource {
  public readonly ids: Record<HealthCheckTarget, pulumi.Output<string>>;

  constructor(name: string, args: HealthChecksArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:dns:HealthChecks", name, {}, opts);
    const check = (target: HealthCheckTarget) =>
      new aws.route53.HealthCheck(`${name}-${target}`, { ...healthCheckInputs(args.settings, args.endpoints[target]), tags: { Name: `${name}-${target}` } }, { parent: this }).id;
    this.ids = { site: check("site"), edge: check("edge") };
    this.registerOutputs({ ids: this.ids });
  }
}
