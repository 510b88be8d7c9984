import * as aws from "@pulumi/aws";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A load balancer whose security group may reach the nodes. */
export interface LoadBalancerSource {
  /** Short logical name, e.g. "alb". */
  name: string;
  securityGroupId: pulumi.Input<string>;
}

/** One load-balancer target group whose targets are the nodes on one of nginx's NodePorts. */
export interface LoadBalancerTarget {
  /** Short logical name, e.g. "alb-http" (resource names derive from it). */
  name: string;
  /** Name of the LoadBalancerSource sending to it. */
  loadBalancer: string;
  targetGroupArn: pulumi.Input<string>;
  /** The NodePort the target group sends to (its `port`). */
  nodePort: number;
  /** When the target group health-checks another NodePort (the NLB checks nginx's ALB port over HTTPS). */
  healthCheckNodePort?: number;
  /** The nginx Service port (name) behind that NodePort, for TargetGroupBindings. */
  servicePortName: string;
  /** The nginx Service behind that NodePort when not the registration's (green's, with blue/green). */
  serviceName?: pulumi.Input<string>;
}

export type TargetRegistration =
  /** The node groups' auto scaling groups (one per zone) register every node they launch. */
  | { kind: "autoScalingGroup"; autoScalingGroupNames: pulumi.Input<string>[] }
  /** The AWS Load Balancer Controller (existing cluster) registers the nodes of the Service. */
  | { kind: "targetGroupBinding"; namespace: pulumi.Input<string>; serviceName: pulumi.Input<string> };

export interface LoadBalancerTargetsArgs {
  loadBalancers: LoadBalancerSource[];
  targets: LoadBalancerTarget[];
  nodeSecurityGroupId: pulumi.Input<string>;
  registration: TargetRegistration;
}

/**
 * The node security-group ingress rules: for each load balancer, exactly the NodePorts its target
 * groups send traffic and health checks to, from its security group only — one rule per
 * (load balancer, port), never a CIDR.
 */
export function nodePortIngressRules(
  loadBalancers: readonly string[],
  targets: readonly Pick<LoadBalancerTarget, "name" | "loadBalancer" | "nodePort" | "healthCheckNodePort">[],
): { name: string; loadBalancer: string; port: number }[] {
  const names = new Set<string>();
  const rules = new Map<string, { name: string; loadBalancer: string; port: number }>();
  for (const t of targets) {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(t.name)) throw new Error(`target name ${JSON.stringify(t.name)} must be a short lower-case name`);
    if (names.has(t.name)) throw new Error(`target name ${JSON.stringify(t.name)} is used twice`);
    names.add(t.name);
    if (!loadBalancers.includes(t.loadBalancer)) throw new Error(`target ${t.name}: unknown load balancer ${JSON.stringify(t.loadBalancer)}`);
    for (const port of [t.nodePort, t.healthCheckNodePort ?? t.nodePort]) {
      const key = `${t.loadBalancer}-${port}`;
      if (!rules.has(key)) rules.set(key, { name: key, loadBalancer: t.loadBalancer, port });
    }
  }
  return [...rules.values()];
}

/**
 * A TargetGroupBinding (AWS Load Balancer Controller CRD, elbv2.k8s.aws/v1beta1) registering the
 * nodes behind a Service port as instance targets. `networking` is left out on purpose: the node
 * security-group rules are managed here, in Pulumi, next to the load balancers they reference.
 */
export function targetGroupBindingSpec(targetGroupArn: string, serviceName: string, servicePortName: string): Record<string, unknown> {
  return { targetType: "instance", targetGroupARN: targetGroupArn, serviceRef: { name: serviceName, port: servicePortName } };
}

/**
 * Puts the cluster nodes behind the load balancers' target groups and opens exactly the target
 * NodePorts on the node security group to exactly those load balancers. Give it `providers: { aws,
 * kubernetes }` (kubernetes is only used for TargetGroupBindings).
 */
export class LoadBalancerTargets extends pulumi.ComponentResource {
  constructor(name: string, args: LoadBalancerTargetsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:workloads:LoadBalancerTargets", name, {}, opts);

    const sources = new Map(args.loadBalancers.map((lb) => [lb.name, lb.securityGroupId]));
    for (const rule of nodePortIngressRules([...sources.keys()], args.targets)) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-${rule.name}`,
        {
          securityGroupId: args.nodeSecurityGroupId,
          referencedSecurityGroupId: sources.get(rule.loadBalancer)!,
          ipProtocol: "tcp",
          fromPort: rule.port,
          toPort: rule.port,
          description: `nginx NodePort ${rule.port} from the ${rule.loadBalancer} security group`,
        },
        { parent: this },
      );
    }

    const registration = args.registration;
    for (const target of args.targets) {
      if (registration.kind === "autoScalingGroup") {
        // One group keeps the attachment's original name; several are numbered by zone.
        const groups = registration.autoScalingGroupNames;
        groups.forEach((group, i) => {
          new aws.autoscaling.Attachment(
            groups.length === 1 ? `${name}-${target.name}` : `${name}-${target.name}-zone${i + 1}`,
            { autoscalingGroupName: group, lbTargetGroupArn: target.targetGroupArn },
            { parent: this },
          );
        });
      } else {
        new kubernetes.apiextensions.CustomResource(
          `${name}-${target.name}`,
          {
            apiVersion: "elbv2.k8s.aws/v1beta1",
            kind: "TargetGroupBinding",
            metadata: { name: target.name, namespace: registration.namespace },
            spec: pulumi
              .all([pulumi.output(target.targetGroupArn), pulumi.output(target.serviceName ?? registration.serviceName)])
              .apply(([arn, service]) => targetGroupBindingSpec(arn, service, target.servicePortName)),
          },
          { parent: this },
        );
      }
    }
    this.registerOutputs({});
  }
}
