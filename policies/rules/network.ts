import type { ec2 } from "@pulumi/aws";
import { Policies } from "@pulumi/policy";
import { ifKnown, list, masked, maskedMessage, ofType, Props, refersTo, siblings, stackRule, TYPES } from "./common";

type DefaultSecurityGroup = Props<ec2.DefaultSecurityGroupArgs>;

export const networkPolicies: Policies = [
  stackRule({
    name: "vpc-default-sg-closed",
    description: "Every VPC the stack creates has its default security group taken over (aws.ec2.DefaultSecurityGroup) with no ingress or egress rules, inline or separate.",
    enforcementLevel: "mandatory",
    validate: (resources, _ctx, report) => {
      const vpcs = ofType(resources, TYPES.vpc);
      const defaults = ofType(resources, TYPES.defaultSecurityGroup);
      const ruleTypes = [...TYPES.vpcIngressRule, ...TYPES.vpcEgressRule, ...TYPES.ec2SecurityGroupRule];
      for (const sg of defaults) {
        const p = sg.props as DefaultSecurityGroup;
        for (const dir of ["ingress", "egress"] as const) {
          if (masked(p[dir])) report(`${maskedMessage(`${dir} of default security group "${sg.name}"`)}.`, sg.urn);
          else if (list(p[dir]).length > 0) report(`Default security group "${sg.name}" has ${dir} rules; the default group must stay empty (give resources their own groups).`, sg.urn);
        }
        for (const r of resources.filter((x) => ruleTypes.includes(x.type as never))) {
          if (refersTo(ifKnown(() => r.props.securityGroupId), sg)) report(`Rule "${r.name}" adds a rule to default security group "${sg.name}"; the default group must stay empty.`, r.urn);
        }
      }
      for (const vpc of vpcs) {
        const owned = defaults.some((d) => refersTo(ifKnown(() => d.props.vpcId), vpc) || (ifKnown(() => d.props.vpcId) === undefined && siblings(d, vpc)));
        if (!owned) report(`VPC "${vpc.name}" keeps AWS's default security group (all traffic between its members, all egress); declare an aws.ec2.DefaultSecurityGroup for it with no rules.`, vpc.urn);
      }
    },
  }),
];
