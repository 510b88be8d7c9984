/**
 * Resources that open a path or a trust by reference: an IAM OIDC provider (whose tokens roles may trust), a VPC
 * endpoint (a private path out of the VPC) and an Auto Scaling attachment (which instances a load balancer sends
 * traffic to). Each is judged by where it points.
 */
import { Policies, PolicyResource } from "@pulumi/policy";
import { ifKnown, list, ofType, refersTo, stackRule, TYPES, unknownAt } from "./common";
import { isAllow, statementsOf } from "./documents";
import { principalsOf } from "../semantics/iam";

const OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const ASG_ATTACHMENT = "aws:autoscaling/attachment:Attachment";

type Props = Record<string, unknown>;
const props = (r: PolicyResource) => r.props as Props;
/** Some input of the resource is not known yet (preview): its generated outputs (ARN, issuer) are not known either. */
const anyUnknown = (r: PolicyResource) => unknownAt(() => JSON.stringify(r.props));
/**
 * An issuer URL compared case-insensitively without scheme or trailing slash; an EKS issuer by its cluster id alone
 * (`oidc.eks.<region>.amazonaws.com/id/<ID>`: the id is unique to the cluster, whatever region a reader assumed).
 */
const issuer = (url: unknown) => {
  const u = String(url ?? "").replace(/^https:\/\//, "").replace(/\/+$/, "").toLowerCase();
  const eks = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/([0-9a-f]+)$/.exec(u);
  return eks ? `eks:${eks[2]}` : u;
};
/** A target group ARN without its region (`<account>:targetgroup/<name>/<id>`), so one read in another region still matches. */
const targetGroupKey = (arn: unknown) => {
  const m = /^arn:[^:]+:elasticloadbalancing:[^:]*:(\d*):(targetgroup\/.+)$/.exec(String(arn ?? ""));
  return m ? `${m[1]}:${m[2]}` : String(arn ?? "");
};

/** The OIDC issuers of the stack's EKS clusters (outputs), and whether one is not known yet. */
function clusterIssuers(resources: PolicyResource[]): { issuers: Set<string>; unknown: boolean } {
  const issuers = new Set<string>();
  let unknown = false;
  for (const c of ofType(resources, TYPES.eksCluster)) {
    if (anyUnknown(c)) unknown = true;
    const ids = ifKnown(() => JSON.parse(JSON.stringify(props(c).identities ?? [])) as { oidcs?: { issuer?: string }[] }[]);
    if (ids === undefined) unknown = true;
    for (const id of list(ids)) for (const o of list(id?.oidcs)) if (o?.issuer) issuers.add(issuer(o.issuer));
    if (ids === undefined || list(ids).length === 0) unknown = unknown || unknownAt(() => props(c).identities);
  }
  return { issuers, unknown };
}

/**
 * An AWS service's endpoint name (`com.amazonaws.<region>.<service>`, `cn.com.amazonaws.<region>.<service>` in the
 * China partition, S3's global access-point endpoint), not a partner's or another account's endpoint service (`…vpce.…`).
 */
export const AWS_SERVICE_ENDPOINT = /^(cn\.)?com\.amazonaws\.([a-z]{2}(-[a-z]+)+-\d\.(?!vpce\.)[a-z0-9][a-z0-9.-]*|s3-global\.accesspoint)$|^aws\.api\.global\.[a-z0-9.-]+$/;

export const trustPathPolicies: Policies = [
  stackRule({
    name: "iam-web-identity-trusts-stack-issuers",
    description:
      "A role trust that admits web identities of an IAM OIDC provider (`Federated: arn:aws:iam::<account>:oidc-provider/<issuer>`) names a provider the stack declares for one of its own EKS clusters, or an issuer listed in `trustedIssuers`: a trust naming another cluster's issuer (a dev cluster, a deleted one) lets that cluster's service accounts assume the role, however exact its :sub. Whether the :sub is exact is iam-no-public-principal's question; public identity providers without a provider ARN (accounts.google.com, cognito-identity.amazonaws.com) are judged there too.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.iamRole],
    config: {
      trustedIssuers: { type: "array", items: { type: "string", pattern: "^https://" }, default: [], description: "OIDC issuer URLs besides the stack's own a role may trust (e.g. https://token.actions.githubusercontent.com)." },
    },
    validate: (resources, { config }, report) => {
      const { issuers, unknown } = clusterIssuers(resources);
      if (unknown) return;
      const declared = new Set([...issuers, ...ofType(resources, [OIDC_PROVIDER]).map((p) => issuer(ifKnown(() => props(p).url)))]);
      const trusted = new Set((config.trustedIssuers as string[]).map(issuer));
      for (const role of ofType(resources, TYPES.iamRole)) {
        const doc = ifKnown(() => props(role).assumeRolePolicy);
        const read = doc === undefined ? undefined : statementsOf(doc);
        if (!read || "unreadable" in read) continue;
        for (const st of read.statements.filter(isAllow)) {
          for (const f of principalsOf(st).federated) {
            const m = /^arn:aws[\w-]*:iam::[^:]*:oidc-provider\/(.+)$/.exec(f);
            if (!m) continue;
            const who = issuer(`https://${m[1]}`);
            if (declared.has(who) || trusted.has(who)) continue;
            report(`Role "${role.name}" trusts web identities of ${f}, which is no OIDC provider of this stack's clusters (nor a trusted issuer): service accounts of that cluster or identity provider may assume it; trust the stack's own provider.`, role.urn);
          }
        }
      }
    },
  }),
  stackRule({
    name: "iam-oidc-provider-is-the-clusters",
    description:
      "Every IAM OIDC provider the stack declares is the issuer of one of its own EKS clusters (IRSA), or an issuer listed in `trustedIssuers`: roles may trust tokens of a provider's issuer, so a provider for another cluster or IdP lets its tokens in. The roles' trust conditions are judged by iam-no-public-principal.",
    enforcementLevel: "mandatory",
    judges: [OIDC_PROVIDER],
    config: {
      trustedIssuers: { type: "array", items: { type: "string", pattern: "^https://" }, default: [], description: "OIDC issuer URLs besides the stack's EKS clusters' a provider may name (e.g. https://token.actions.githubusercontent.com)." },
    },
    validate: (resources, { config }, report) => {
      const providers = ofType(resources, [OIDC_PROVIDER]);
      if (providers.length === 0) return;
      const { issuers, unknown } = clusterIssuers(resources);
      const trusted = new Set((config.trustedIssuers as string[]).map(issuer));
      for (const p of providers) {
        if (unknownAt(() => props(p).url)) continue;
        const url = issuer(ifKnown(() => props(p).url));
        if (issuers.has(url) || trusted.has(url) || unknown) continue;
        report(`OIDC provider "${p.name}" trusts issuer ${String(ifKnown(() => props(p).url))}, which is no EKS cluster of the stack and not listed in trustedIssuers: tokens it signs could assume roles that trust this provider.`, p.urn);
      }
    },
  }),
  stackRule({
    name: "vpc-endpoints-aws-services",
    description:
      "Every VPC endpoint reaches an AWS service of its region (com.amazonaws.<region>.<service>), or an endpoint service listed in `allowedEndpointServices`: an endpoint to another account's endpoint service is a private path out of the VPC that no security group egress rule, NAT or flow log of the internet path sees. It does not judge endpoint policies.",
    enforcementLevel: "mandatory",
    judges: [VPC_ENDPOINT],
    config: {
      allowedEndpointServices: { type: "array", items: { type: "string" }, default: [], description: "Endpoint service names (com.amazonaws.vpce.<region>.vpce-svc-…) the stack may connect to besides AWS services." },
    },
    validate: (resources, { config }, report) => {
      const allowed = new Set(config.allowedEndpointServices as string[]);
      for (const e of ofType(resources, [VPC_ENDPOINT])) {
        if (unknownAt(() => props(e).serviceName)) continue;
        const service = String(ifKnown(() => props(e).serviceName) ?? "");
        if (AWS_SERVICE_ENDPOINT.test(service) || allowed.has(service)) continue;
        report(`VPC endpoint "${e.name}" connects to ${service || "an unset service"}, which is not an AWS service endpoint nor listed in allowedEndpointServices: a private path out of the VPC past its egress controls.`, e.urn);
      }
    },
  }),
  stackRule({
    name: "autoscaling-attachments-to-stack-target-groups",
    description:
      "Every Auto Scaling attachment registers its group with a target group of the stack (whose listeners, ports and security groups the load balancer rules judge), never a classic ELB or another load balancer's target group, which would send traffic to the instances past the edge's rules.",
    enforcementLevel: "mandatory",
    judges: [ASG_ATTACHMENT],
    validate: (resources, _ctx, report) => {
      const groups = ofType(resources, TYPES.targetGroup);
      for (const a of ofType(resources, [ASG_ATTACHMENT])) {
        if (unknownAt(() => props(a).lbTargetGroupArn) || unknownAt(() => props(a).elb)) continue;
        const elb = ifKnown(() => props(a).elb);
        if (typeof elb === "string" && elb !== "") report(`Auto Scaling attachment "${a.name}" registers its group with classic load balancer ${elb}, which the stack's load balancer rules do not judge.`, a.urn);
        const tg = ifKnown(() => props(a).lbTargetGroupArn);
        if (tg === undefined || tg === null || tg === "") continue;
        if (groups.some((g) => unknownAt(() => props(g).arn) || anyUnknown(g))) continue;
        if (!groups.some((g) => refersTo(tg, g) || targetGroupKey(ifKnown(() => props(g).arn)) === targetGroupKey(tg))) report(`Auto Scaling attachment "${a.name}" registers its group with target group ${String(tg)}, which is not a target group of the stack.`, a.urn);
      }
    },
  }),
];
