import type { iam, kms } from "@pulumi/aws";
import { Policies, PolicyResource } from "@pulumi/policy";
import { accessLevel, accountWideKeyGrant, KMS_USE_ACTIONS, tagScopedWrites, conditionAccounts, namedKeyManager, escalations, grantedActions, isOpenWebIdentity, isPublicGrant, mismatchedActions, principalsOf, restrictingConditions, unscopedGrants } from "../semantics/iam";
import { isAdminStatement, isAllow, Statement, statementsOf } from "./documents";
import { describe, environmentConfig, ifKnown, isProd, list, masked, maskedMessage, num, ofType, Props, refersTo, resourceRule, stackRule, TYPES } from "./common";

type Role = Props<iam.RoleArgs>;
type KmsKey = Props<kms.KeyArgs>;

/** AWS managed policies that grant (or can grant themselves) administrator rights. */
export const ADMIN_MANAGED_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];
/**
 * AWS managed policies that read the data of a whole service or account on every resource (every object, parameter,
 * table item or queue message; ReadOnlyAccess includes s3:Get* and ssm:Get*): read-only by name, a data leak by effect.
 */
export const DATA_READ_MANAGED_POLICIES = ["ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "AmazonSSMReadOnlyAccess", "AmazonDynamoDBReadOnlyAccess", "AmazonSQSReadOnlyAccess", "AmazonKinesisReadOnlyAccess", "AWSLambda_ReadOnlyAccess", "AmazonRDSReadOnlyAccess", "CloudWatchLogsReadOnlyAccess", "AWSBackupOperatorAccess", "job-function/DatabaseAdministrator"];
/** IAM resources that are long-lived credentials of a user (keys, passwords, service passwords). */

type DocKind = "identity" | "trust" | "resource";

/** Resources whose `policy` input is a resource policy (who may use the resource). */
export const RESOURCE_POLICY_TYPES = [
  ...TYPES.kmsKey,
  "aws:kms/keyPolicy:KeyPolicy",
  "aws:kms/replicaKey:ReplicaKey",
  "aws:ecr/repositoryPolicy:RepositoryPolicy",
  "aws:ecr/registryPolicy:RegistryPolicy",
  "aws:sns/topicPolicy:TopicPolicy",
  "aws:sns/topic:Topic",
  "aws:sqs/queuePolicy:QueuePolicy",
  "aws:sqs/queue:Queue",
  "aws:secretsmanager/secretPolicy:SecretPolicy",
  "aws:secretsmanager/secret:Secret",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
  "aws:opensearch/domainPolicy:DomainPolicy",
  "aws:glacier/vault:Vault",
  "aws:lambda/permission:Permission",
  ...TYPES.bucketPolicy,
  "aws:s3/accessPoint:AccessPoint",
  "aws:s3control/accessPointPolicy:AccessPointPolicy",
  "aws:s3control/bucketPolicy:BucketPolicy",
  "aws:efs/fileSystemPolicy:FileSystemPolicy",
  "aws:backup/vaultPolicy:VaultPolicy",
  "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
  "aws:apigateway/restApiPolicy:RestApiPolicy",
  // Grants that carry no document but admit a principal all the same: read as one statement each.
  "aws:kms/grant:Grant",
  "aws:eks/accessEntry:AccessEntry",
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
];

/** A principal ARN, account id, service name or "*" as a statement's Principal. */
function principalOf(value: unknown): unknown {
  const v = String(value ?? "");
  if (v === "*") return "*";
  if (/\.amazonaws\.com(\.cn)?$/.test(v)) return { Service: v };
  return { AWS: v };
}

/** The policy documents a resource carries, with their kind and a label for messages. */
export function documentsOf(type: string, props: Record<string, unknown>): { label: string; doc: unknown; kind: DocKind }[] {
  if (TYPES.iamRole.includes(type as never)) {
    const role = props as Role;
    const inline = masked(role.inlinePolicies)
      ? [{ label: "inlinePolicies", doc: role.inlinePolicies, kind: "identity" as const }]
      : list(role.inlinePolicies).map((p, i) => ({ label: `inlinePolicies[${i}]${p?.name ? ` "${p.name}"` : ""}`, doc: p?.policy, kind: "identity" as const }));
    return [{ label: "assumeRolePolicy", doc: role.assumeRolePolicy, kind: "trust" }, ...inline];
  }
  if (TYPES.iamPolicyDocument.includes(type as never)) return [{ label: "policy", doc: props.policy, kind: "identity" }];
  if (type === "aws:lambda/permission:Permission") {
    // A permission is one statement: principal, action, and the source it is limited to.
    const cond: Record<string, Record<string, unknown>> = {};
    if (typeof props.sourceArn === "string") cond.ArnLike = { "aws:SourceArn": props.sourceArn };
    if (typeof props.sourceAccount === "string") cond.StringEquals = { ...(cond.StringEquals ?? {}), "aws:SourceAccount": props.sourceAccount };
    if (typeof props.principalOrgId === "string") cond.StringEquals = { ...(cond.StringEquals ?? {}), "aws:PrincipalOrgID": props.principalOrgId };
    const principal = String(props.principal ?? "");
    const Principal = principal === "*" ? "*" : /^\d{12}$|^arn:/.test(principal) ? { AWS: principal } : { Service: principal };
    return [{ label: "permission", doc: { Statement: [{ Effect: "Allow", Principal, Action: props.action, Resource: "*", Condition: cond }] }, kind: "resource" }];
  }
  if (type === "aws:kms/grant:Grant") {
    // A grant is a key-policy statement kept outside the policy: its grantee may run its operations on the key.
    const Action = list(props.operations as string[] | undefined).map((o) => `kms:${o}`);
    return [{ label: "grant", doc: { Statement: [{ Effect: "Allow", Principal: principalOf(props.granteePrincipal), Action, Resource: "*" }] }, kind: "resource" }];
  }
  if (type === "aws:eks/accessEntry:AccessEntry" || type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation") {
    // An access entry admits its principal to the cluster's API (an association adds a policy to the same principal).
    return [{ label: "principalArn", doc: { Statement: [{ Effect: "Allow", Principal: principalOf(props.principalArn), Action: "eks:AccessKubernetesApi", Resource: "*" }] }, kind: "resource" }];
  }
  if (type === "aws:opensearch/domainPolicy:DomainPolicy") return [{ label: "accessPolicies", doc: props.accessPolicies, kind: "resource" }];
  if (type === "aws:glacier/vault:Vault") return props.accessPolicy === undefined ? [] : [{ label: "accessPolicy", doc: props.accessPolicy, kind: "resource" }];
  if (type === "aws:cloudwatch/logResourcePolicy:LogResourcePolicy") return [{ label: "policyDocument", doc: props.policyDocument, kind: "resource" }];
  if (RESOURCE_POLICY_TYPES.includes(type)) return props.policy === undefined ? [] : [{ label: "policy", doc: props.policy, kind: "resource" }];
  return [];
}

/** Managed policy ARNs a resource attaches. */
function attachedArns(type: string, props: Record<string, unknown>): unknown[] {
  if (TYPES.iamRole.includes(type as never)) return list((props as Role).managedPolicyArns as unknown[] | undefined);
  if (TYPES.iamAttachment.includes(type as never)) return [props.policyArn, ...list(props.policyArns as unknown[] | undefined)].filter((v) => v !== undefined);
  return [];
}

const IAM_TYPES = [...TYPES.iamRole, ...TYPES.iamPolicyDocument, ...TYPES.iamAttachment, ...RESOURCE_POLICY_TYPES];
const sid = (s: Statement) => (s.Sid ? ` (statement "${s.Sid}")` : "");

/** Accounts AWS services write from (ELB access-log delivery, per region): trusted as principals of log buckets. */
export const AWS_SERVICE_ACCOUNTS = ["127311923021", "033677994240", "027434742980", "797873946194", "985666609251", "054676820928", "156460612806", "652711504416", "009996457667", "897822967062", "582318560864", "600734575887", "383597477331", "114774131450", "783225319266", "718504428378", "507241528517", "048591011584", "190560391635", "076674570225"];

/** The account the stack deploys into: the account most ARNs of its resources name. */
export function ownAccounts(resources: PolicyResource[]): Set<string> {
  const known = ownAccountsOf.get(resources);
  if (known) return known;
  const found = countOwnAccounts(resources);
  ownAccountsOf.set(resources, found);
  return found;
}

/** ownAccounts per stack: a run hands every stack policy the same resources, and several rules ask. */
const ownAccountsOf = new WeakMap<readonly PolicyResource[], Set<string>>();

function countOwnAccounts(resources: PolicyResource[]): Set<string> {
  const counts = new Map<string, number>();
  for (const r of resources) {
    const text = ifKnown(() => JSON.stringify(r.props)) ?? "";
    for (const m of text.matchAll(/arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/g)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return new Set(best ? [best[0]] : []);
}

/** Services whose resource-policy grants need no source condition (they write only for the account that asked). */
const SERVICES_WITHOUT_SOURCE = ["logdelivery.elasticloadbalancing.amazonaws.com", "elasticloadbalancing.amazonaws.com"];
/**
 * Services whose role trust carries no source context (EC2 instance profiles, the EKS control plane and
 * its node/pod identities): the only ones a role may trust without aws:SourceAccount/SourceArn.
 */
const TRUST_WITHOUT_SOURCE = ["ec2.amazonaws.com", "eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "pods.eks.amazonaws.com"];

/** A legacy CloudFront origin access identity as an AWS principal. */
const OAI_PRINCIPAL = /^arn:aws[\w-]*:iam::cloudfront:user\/CloudFront Origin Access Identity (\S+)$/;
/** The AWS principals a statement names (strings of its Principal.AWS). */
const awsPrincipals = (s: Statement): string[] => {
  const p = s.Principal as Record<string, unknown> | string | undefined;
  return typeof p === "object" && p !== null ? list(p.AWS as string[] | string | undefined).filter((v): v is string => typeof v === "string") : [];
};
/** The values a statement's conditions give the keys matching `key` (under any operator). */
const conditionValues = (s: Statement, key: RegExp): string[] =>
  Object.values(s.Condition ?? {}).flatMap((body) => Object.entries((body ?? {}) as Record<string, unknown>).filter(([k]) => key.test(k)).flatMap(([, v]) => list(v as string[] | string).map(String)));
/** The ids of the stack's VPCs and VPC endpoints (what aws:SourceVpc/SourceVpce may name). */
function declaredNetworkIds(resources: PolicyResource[]): Set<string> {
  return new Set(ofType(resources, ["aws:ec2/vpc:Vpc", "aws:ec2/vpcEndpoint:VpcEndpoint"]).map((r) => String(ifKnown(() => (r.props as Record<string, unknown>).id) ?? "")).filter((x) => x !== ""));
}
/** Resource types that hold credentials (a secret's value). */
const SECRET_STORE_TYPES = ["aws:secretsmanager/secretPolicy:SecretPolicy", "aws:secretsmanager/secret:Secret"];
/** Condition keys that narrow a principal only to an organisation (or a path of it): many accounts. */
const ORG_KEYS = ["aws:principalorgid", "aws:principalorgpaths", "aws:sourceorgid", "aws:sourceorgpaths"];
/** Services and AWS-owned accounts that deliver logs into a bucket or log group. */
const DELIVERY_SERVICES = ["logdelivery.elasticloadbalancing.amazonaws.com", "elasticloadbalancing.amazonaws.com", "delivery.logs.amazonaws.com", "logging.s3.amazonaws.com"];
/** What log delivery needs: write the objects or events, check the bucket's ACL, find the bucket. */
const DELIVERY_ACTIONS = ["s3:putobject", "s3:getbucketacl", "s3:listbucket", "logs:createlogstream", "logs:putlogevents"];
const isDeliveryOnly = (who: ReturnType<typeof principalsOf>) =>
  !who.anyone && who.federated.length === 0 && who.services.length + who.accounts.length > 0 && who.services.every((x) => DELIVERY_SERVICES.includes(x)) && who.accounts.every((a) => AWS_SERVICE_ACCOUNTS.includes(a));

export const iamPolicies: Policies = [
  resourceRule<Record<string, unknown>>({
    name: "iam-no-admin-statement",
    description: 'No IAM policy allows action "*" on resource "*" (or NotAction on "*"): nothing in the stack gets administrator rights; and no identity policy allows action "*" (every action of every service) or NotAction (every action but some) on any resource.',
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    validate: (props, { args }, report) => {
      for (const { label, doc, kind } of documentsOf(args.type, props)) {
        const read = statementsOf(doc);
        if ("unreadable" in read) {
          report(`${label} of "${args.name}" ${read.unreadable}.`);
          continue;
        }
        if (kind !== "identity") continue;
        for (const s of read.statements) {
          if (isAdminStatement(s)) report(`${label} of "${args.name}" allows ${s.NotAction !== undefined ? "NotAction" : 'action "*"'} on resource "*"${sid(s)}: grant the actions and resources the role needs.`);
          else if (isAllow(s) && list(s.Action as string[] | string).some((a) => a === "*" || a === "*:*")) report(`${label} of "${args.name}" allows action "*" (every action of every service)${sid(s)}: grant the actions the role needs.`);
          // NotAction grants every action AWS has or will add except those listed, on whatever the resources allow: never least privilege.
          else if (isAllow(s) && s.NotAction !== undefined) report(`${label} of "${args.name}" allows NotAction [${list(s.NotAction as string[] | string).join(", ")}] on ${JSON.stringify(s.Resource ?? s.NotResource)}${sid(s)}: every other action (of every service, present and future) on those resources; list the actions the role needs.`);
        }
      }
    },
  }),
  stackRule({
    name: "iam-least-privilege",
    description:
      "No identity (role, user, group) holds, across all its inline and attached documents of the stack, privilege escalation: permission-management actions (by the AWS action catalogue's access level, wildcards expanded) on every resource, a whole service on every resource, iam:PassRole on any role with an action that launches compute, identity takeover (sts:AssumeRole, access keys, SSM commands) or account-wide secret reads; tampering with or copying out every resource of a kind (TAMPER_ACTIONS: log groups and retention, flow logs, trails, keys' state, a registry's scanning and immutability, snapshot copies); and, whatever the resource, IAM permission management on a wildcard pattern of identities or on the principal's own ARN, EKS access-entry management (admin of the cluster it names), changing who reaches a cluster or cache (EXPOSURE_OF_RESOURCE_ACTIONS) and role chaining (sts:AssumeRole*); and no write on every resource scoped only by resource tags naming none of the stack's clusters.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.iamRole, ...TYPES.iamAttachment, ...IAM_TYPES],
    validate: (resources, _ctx, report) => {
      const roles = ofType(resources, TYPES.iamRole);
      const docsOf = (r: PolicyResource) => documentsOf(r.type, ifKnown(() => ({ ...r.props })) ?? {}).filter((d) => d.kind === "identity");
      const principals = new Map<PolicyResource, { holder: PolicyResource; statements: Statement[] }[]>();
      const add = (principal: PolicyResource, holder: PolicyResource, statements: Statement[]) => principals.set(principal, [...(principals.get(principal) ?? []), { holder, statements }]);
      for (const r of resources.filter((x) => IAM_TYPES.includes(x.type))) {
        for (const d of docsOf(r)) {
          const read = ifKnown(() => statementsOf(d.doc));
          if (!read || "unreadable" in read) continue;
          // A policy document counts for the role it is attached to (RolePolicy role, attachments of a Policy), else for itself.
          const roleRef = ifKnown(() => r.props.role);
          const role = roles.find((x) => refersTo(roleRef, x));
          const attachedTo = ofType(resources, TYPES.iamAttachment)
            .filter((a) => refersTo(ifKnown(() => a.props.policyArn), r))
            .map((a) => roles.find((x) => refersTo(ifKnown(() => a.props.role), x)))
            .filter((x): x is PolicyResource => x !== undefined);
          const owners = TYPES.iamRole.includes(r.type as never) ? [r] : role ? [role] : attachedTo.length > 0 ? attachedTo : [r];
          for (const o of owners) add(o, r, read.statements);
        }
      }
      // The stack's own names a resource tag may carry (its clusters'): a tag naming none of them is shared with other stacks.
      const stackNames = ofType(resources, TYPES.eksCluster).map((c) => ifKnown(() => (c.props as Record<string, unknown>).name)).filter((n): n is string => typeof n === "string" && n !== "");
      for (const [principal, held] of principals) {
        const all = held.flatMap((h) => h.statements);
        for (const st of stackNames.length > 0 ? all : []) {
          const { tags, actions } = tagScopedWrites(st);
          if (actions.length === 0 || tags.some((t) => stackNames.some((n) => t.toLowerCase().includes(n.toLowerCase())))) continue;
          const holder = held.find((h) => h.statements.includes(st))?.holder ?? principal;
          report(`${describe(principal)}: allows ${actions.slice(0, 4).join(", ")} on every resource tagged ${tags.join(", ")}${sid(st)}, a tag that names none of the stack's clusters (${stackNames.join(", ")}): every other cluster's or team's resources carrying it are in reach; scope the tag to this stack (k8s.io/cluster-autoscaler/<cluster>=owned).`, holder.urn);
        }
        // The principal's own names (role name, physical id, ARN): a grant on them is a grant to itself.
        const self = ["name", "id", "arn"].map((k) => ifKnown(() => (principal.props as Record<string, unknown>)[k])).filter((v): v is string => typeof v === "string" && v !== "");
        for (const f of escalations(all, self)) {
          if (/administrator rights|NotAction/.test(f.why)) continue; // iam-no-admin-statement
          const holder = held.find((h) => h.statements.includes(f.statement))?.holder ?? principal;
          const message = `${describe(principal)}: ${f.why}.`;
          report(message, holder.urn);
          if (holder !== principal) report(message, principal.urn);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "iam-actions-scoped-to-resources",
    description:
      'No identity policy grants, on every resource ("*", a wildcard account or service, NotResource), an action that AWS lets scope to a resource (the action catalogue lists resource types for it: s3:PutObject, logs:PutLogEvents, ec2:CreateNetworkInterface, eks:DescribeNodegroup), unless a condition on the resource (aws:ResourceTag, aws:ResourceAccount, or a key of the action\'s resource types such as ec2:Subnet) narrows it. Actions that take only "*" (Describe*, ecr:GetAuthorizationToken) are not judged.',
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    validate: (props, { args }, report) => {
      for (const { label, doc, kind } of documentsOf(args.type, props)) {
        if (kind !== "identity") continue;
        const read = statementsOf(doc);
        if ("unreadable" in read) continue; // reported by iam-no-admin-statement
        for (const s of read.statements) {
          if (isAdminStatement(s) || list(s.Action as string[] | string).some((a) => a === "*" || a === "*:*")) continue; // reported by iam-no-admin-statement
          const actions = unscopedGrants(s);
          if (actions.length > 0) {
            report(`${label} of "${args.name}" grants ${actions.slice(0, 6).join(", ")}${actions.length > 6 ? `, … ${actions.length} in all` : ""} on every resource${sid(s)}, though AWS scopes them to resources: name the resources (ARNs in this account) or add a condition on them.`);
          }
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "iam-actions-match-resources",
    description:
      "Every action a policy statement (identity, trust or resource policy) grants or denies applies to at least one of its Resource entries, by the ARN formats of the action's resource types in AWS's action catalogue (s3:GetObject names objects, bucket/*, not the bucket); an action that takes only \"*\" is not named on a specific ARN. A mismatched grant does nothing, so the statement is not doing what it was written for, and a mismatched Deny protects nothing.",
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    validate: (props, { args }, report) => {
      for (const { label, doc } of documentsOf(args.type, props)) {
        const read = statementsOf(doc);
        if ("unreadable" in read) continue; // reported by iam-no-admin-statement
        for (const s of read.statements) {
          const actions = mismatchedActions(s);
          if (actions.length > 0) report(`${label} of "${args.name}"${sid(s)}: ${actions.join(", ")} ${actions.length > 1 ? "apply" : "applies"} to none of its resources (${JSON.stringify(s.Resource)}), so the statement has no effect for ${actions.length > 1 ? "them" : "it"}: name the resource type the action takes (objects are bucket/*).`);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "iam-no-admin-managed-policy",
    description: "No role, user or group attaches an AWS managed administrator policy (AdministratorAccess, PowerUserAccess, IAMFullAccess), one that reads a whole service's or the account's data (ReadOnlyAccess, AmazonS3ReadOnlyAccess, AmazonSSMReadOnlyAccess, ...: DATA_READ_MANAGED_POLICIES) or a whole-service or job-function one (names matching forbiddenPolicyPatterns: *FullAccess, *ReadWrite, job-function/*Administrator, *AdminAccess, *PowerUser).",
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    config: {
      forbiddenPolicies: { type: "array", items: { type: "string" }, default: [...ADMIN_MANAGED_POLICIES, ...DATA_READ_MANAGED_POLICIES.map((n) => n.split("/").pop()!)], description: "Managed policy names (last ARN segment) never attached." },
      forbiddenPolicyPatterns: { type: "array", items: { type: "string" }, default: ["FullAccess$", "^AWS.*FullAccess", "ReadWrite$", "Administrator$", "AdminAccess$", "PowerUser$", "PowerUserAccess$"], description: "Regular expressions of AWS managed policy names never attached (a whole service on every resource, job-function administrators, power users)." },
    },
    validate: (props, { args, config }, report) => {
      const patterns = (config.forbiddenPolicyPatterns as string[]).map((x) => new RegExp(x));
      const forbidden = [...(config.forbiddenPolicies as string[])];
      for (const arn of attachedArns(args.type, props)) {
        if (masked(arn)) report(`${maskedMessage(`A policy ARN attached by "${args.name}"`)}.`);
        else if (typeof arn === "string" && (forbidden.includes(arn.split("/").pop() ?? "") || (/^arn:aws[\w-]*:iam::aws:policy\//.test(arn) && patterns.some((re) => re.test(arn.split("/").pop() ?? ""))))) {
          report(`"${args.name}" attaches ${arn}: attach a policy with only the permissions needed.`);
        }
      }
    },
  }),
  stackRule({
    name: "iam-no-public-principal",
    description:
      'No trust or resource policy (KMS, S3, ECR, SNS, SQS, Secrets Manager, Lambda permissions, ...) lets anyone in: principal "*", any account, or a wildcard ARN without a condition that actually restricts the caller or source (aws:SourceArn/SourceAccount/SourceVpce/PrincipalOrgID/narrow SourceIp...; not aws:Referer, aws:SecureTransport, UserAgent or IfExists/negated operators); no web-identity trust without an exact :sub; no service principal on a resource policy, or in a role trust (except those of EC2 and EKS, which carry no source), without a source condition; no role trust naming everyone even under a condition; no other account trusted without a restricting condition; no public or service principal whose conditions pin another account (kms:CallerAccount, aws:SourceAccount, the account of aws:SourceArn/PrincipalArn).',
    enforcementLevel: "mandatory",
    judges: [...IAM_TYPES],
    config: { trustedAccounts: { type: "array", items: { type: "string" }, default: [], description: "Other AWS accounts that may be named as principals without a condition." } },
    validate: (resources, { config }, report) => {
      const trusted = new Set([...ownAccounts(resources), ...AWS_SERVICE_ACCOUNTS, ...(config.trustedAccounts as string[])]);
      const network = declaredNetworkIds(resources);
      // The roles the stack's nodes run as: every process on a node (every pod with the host's network) holds them.
      const nodeRoles = ofType(resources, ["aws:eks/nodeGroup:NodeGroup", "aws:eks/fargateProfile:FargateProfile"])
        .map((g) => ifKnown(() => (g.props as Record<string, unknown>).nodeRoleArn ?? (g.props as Record<string, unknown>).podExecutionRoleArn))
        .filter((v): v is string => typeof v === "string" && v.startsWith("arn:"));
      const identities = new Set(ofType(resources, ["aws:cloudfront/originAccessIdentity:OriginAccessIdentity"]).map((o) => String(ifKnown(() => (o.props as Record<string, unknown>).id) ?? "")).filter((x) => x !== ""));
      for (const r of resources.filter((x) => IAM_TYPES.includes(x.type))) {
        for (const { label, doc, kind } of documentsOf(r.type, ifKnown(() => ({ ...r.props })) ?? {})) {
          if (kind === "identity") continue;
          const read = ifKnown(() => statementsOf(doc));
          if (!read || "unreadable" in read) continue; // unknown during preview, or reported by iam-no-admin-statement
          for (const s of read.statements) {
            if (!isAllow(s)) continue;
            const who = principalsOf(s);
            const restricting = restrictingConditions(s);
            const where = `${label} of "${r.name}"${sid(s)}`;
            if (isPublicGrant(s)) {
              const conds = Object.values(s.Condition ?? {}).flatMap((b) => Object.keys(b ?? {}));
              report(`${where} allows principal "*" (anyone)${conds.length ? ` with only ${conds.join(", ")}, which restrict no caller` : " without a condition"}: name the principals or add a condition on aws:SourceArn/SourceAccount/PrincipalOrgID.`, r.urn);
            }
            if (isOpenWebIdentity(s)) report(`${where} trusts a federated provider without an exact :sub condition (only ${Object.values(s.Condition ?? {}).flatMap((b) => Object.keys(b ?? {})).join(", ") || "nothing"}): every identity it issues can assume the role.`, r.urn);
            if (kind === "resource" && restricting.length === 0 && who.services.some((x) => !SERVICES_WITHOUT_SOURCE.includes(x))) {
              report(`${where} lets ${who.services.join(", ")} act without an aws:SourceArn/SourceAccount condition: any account's use of the service could reach this resource (confused deputy).`, r.urn);
            }
            if (kind === "trust" && restricting.length === 0 && who.services.some((x) => !TRUST_WITHOUT_SOURCE.includes(x))) {
              report(`${where} lets ${who.services.filter((x) => !TRUST_WITHOUT_SOURCE.includes(x)).join(", ")} assume the role without an aws:SourceAccount/SourceArn condition: a resource of any account using the service could act as this role (confused deputy).`, r.urn);
            }
            // A role the stack declares is for its own services and identities: a trust naming everyone is too wide even when conditioned (an organisation, a VPC).
            if (kind === "trust" && who.anyone && !isPublicGrant(s)) {
              report(`${where} lets any principal assume the role under ${Object.values(s.Condition ?? {}).flatMap((b) => Object.keys(b ?? {})).join(", ")}: name the roles or accounts that need it.`, r.urn);
            }
            // A public or service principal pinned by its conditions to another account grants that account.
            if (who.anyone || who.services.length > 0) {
              const pinned = conditionAccounts(s).filter((a) => !trusted.has(a));
              if (pinned.length > 0 && restricting.length > 0) report(`${where} lets ${who.anyone ? "any principal" : who.services.join(", ")} in on behalf of account ${pinned.join(", ")} (its conditions pin that account), which is not this stack's (list it in trustedAccounts if intended).`, r.urn);
            }
            // A web-identity trust through another account's identity provider: that account decides who the identities are.
            const foreignIdp = who.federated.map((f) => /^arn:[^:]*:iam::(\d{12}):(oidc|saml)-provider\//.exec(f)?.[1]).filter((a): a is string => a !== undefined && !trusted.has(a));
            if (foreignIdp.length > 0) report(`${where} trusts an identity provider of account ${foreignIdp.join(", ")}, not this stack's: that account's provider vouches for the identities (list it in trustedAccounts if intended).`, r.urn);
            // A legacy CloudFront origin access identity is a principal of its own: one the stack does not declare serves another distribution.
            for (const oai of awsPrincipals(s).map((v) => OAI_PRINCIPAL.exec(v)?.[1]).filter((x): x is string => x !== undefined)) {
              if (!identities.has(oai)) report(`${where} admits CloudFront origin access identity ${oai}, which this stack does not declare: the distribution that uses it (any account's) reads through it.`, r.urn);
            }
            // A VPC or VPC endpoint condition restricts only to a network the stack owns: another one's id admits whoever sits there.
            if (who.anyone && restricting.length > 0 && restricting.every((k) => /^aws:sourcevpce?$/i.test(k))) {
              const ids = conditionValues(s, /^aws:sourcevpce?$/i).filter((v) => !network.has(v));
              if (ids.length > 0) report(`${where} admits any principal calling through ${ids.join(", ")}, which is no VPC or VPC endpoint of this stack: whoever uses that network or endpoint gets in.`, r.urn);
            }
            // A resource policy that lets the nodes' role write hands that write to every pod.
            if (kind === "resource") {
              const nodes = awsPrincipals(s).filter((v) => nodeRoles.includes(v));
              // Cryptographic use of a key (Decrypt is "Write" in AWS's catalogue) changes no resource: only the key's own rules judge it.
              const writes = nodes.length > 0 ? grantedActions(s).filter((a) => /Write|Permissions management/.test(accessLevel(a) ?? "") && !KMS_USE_ACTIONS.some((u) => u.toLowerCase() === a.toLowerCase())) : [];
              if (writes.length > 0) report(`${where} lets ${nodes.join(", ")}, the role the stack's nodes run as, ${writes.slice(0, 4).join(", ")}${writes.length > 4 ? `, … ${writes.length} in all` : ""}: every process on a node holds that role's credentials, so every pod may; grant it to the workload's own role.`, r.urn);
            }
            // A credential store opened to a whole organisation (keys: kms-key-policy-delegates-to-iam judges principal "*"): every account of it (and whoever compromises one) reads it.
            if (who.anyone && SECRET_STORE_TYPES.includes(r.type) && restricting.length > 0 && restricting.every((k) => ORG_KEYS.includes(k.toLowerCase()))) {
              report(`${where} admits any principal of the organisation (${restricting.join(", ")}): every account of it reads ${describe(r)}; name the roles that need it.`, r.urn);
            }
            // A delivery principal (an AWS service writing logs, or the account AWS writes them from) is there to write, nothing more.
            if (kind === "resource" && isDeliveryOnly(who)) {
              const beyond = grantedActions(s).filter((a) => !DELIVERY_ACTIONS.includes(a.toLowerCase()));
              if (beyond.length > 0) report(`${where} grants the log-delivery principals ${who.services.concat(who.accounts).join(", ")} ${beyond.slice(0, 5).join(", ")}${beyond.length > 5 ? `, … ${beyond.length} in all` : ""}: a delivery service only writes (s3:PutObject, the ACL check); more lets whoever acts as it read, delete or re-point the resource.`, r.urn);
            }
            const foreign = who.accounts.filter((a) => /^\d{12}$/.test(a) && !trusted.has(a));
            if (foreign.length > 0 && restricting.length === 0) report(`${where} lets account ${foreign.join(", ")} in without a condition; that account is not this stack's (list it in trustedAccounts if intended).`, r.urn);
          }
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "kms-key-policy-delegates-to-iam",
    description:
      'A KMS key policy (a key, a separate KeyPolicy, a replica key) admits principals by name (the account root, which delegates to IAM, or named roles and services): a statement with principal "*" (or any account) lets every principal that matches its conditions use the key with no IAM policy of its own, even when kms:CallerAccount or aws:PrincipalAccount narrow it to this account. It allows principal "*" only for cryptographic use through one service (an exact kms:ViaService), as AWS-managed keys do; never for managing the key (PutKeyPolicy, ScheduleKeyDeletion, kms:*). Conditions on the encryption context restrict nobody for such a principal (the caller writes them). A named principal other than an account root (a role, a user, a service) gets only cryptographic use (KMS_USE_ACTIONS), never management: the root delegates to IAM, a named role manages the key whatever IAM says. Whether other accounts get in is iam-no-public-principal\'s question.',
    enforcementLevel: "mandatory",
    types: [...TYPES.kmsKey, "aws:kms/keyPolicy:KeyPolicy", "aws:kms/replicaKey:ReplicaKey"],
    validate: (props, { args }, report) => {
      const read = statementsOf(props.policy);
      if (props.policy === undefined || "unreadable" in read) return; // no policy: the default one (the account root); unreadable: iam-no-admin-statement
      for (const s of read.statements) {
        const why = accountWideKeyGrant(s) ?? namedKeyManager(s);
        if (why) report(`Key policy of "${args.name}"${sid(s)} ${why}: name the account root (delegating to IAM) or the roles and services that need the key.`);
      }
    },
  }),
  resourceRule<KmsKey>({
    name: "kms-key-rotation",
    description: "Symmetric KMS keys rotate automatically (enableKeyRotation: true).",
    enforcementLevel: "mandatory",
    types: TYPES.kmsKey,
    validate: (p, { args }, report) => {
      const spec = p.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
      if (spec === "SYMMETRIC_DEFAULT" && p.enableKeyRotation !== true) report(`KMS key "${args.name}" must set enableKeyRotation: true (it is ${p.enableKeyRotation ?? "unset, which is off"}).`);
      if (p.isEnabled === false) report(`KMS key "${args.name}" is disabled (isEnabled: false): what it encrypts becomes unreadable.`);
    },
  }),
  resourceRule<KmsKey>({
    name: "kms-deletion-window-prod",
    description: "In prod, KMS keys wait at least 30 days before deletion (the maximum), so a mistaken deletion can be cancelled.",
    enforcementLevel: "mandatory",
    types: TYPES.kmsKey,
    config: { ...environmentConfig, minDays: { type: "integer", minimum: 7, maximum: 30, default: 30, description: "Smallest deletionWindowInDays allowed in prod." } },
    validate: (p, { args, config }, report) => {
      if (!isProd(config, args)) return;
      const days = p.deletionWindowInDays === undefined ? 30 : num(p.deletionWindowInDays);
      if (days === undefined || days < Number(config.minDays)) report(`KMS key "${args.name}" in a prod stack has deletionWindowInDays ${p.deletionWindowInDays}; it must be at least ${config.minDays}.`);
    },
  }),
  stackRule({
    name: "service-role-trusts-its-service-only",
    description:
      "A role the stack hands to a service (an EKS cluster's roleArn, a node group's nodeRoleArn, a Fargate profile's podExecutionRoleArn, a CodeBuild project's serviceRole, a flow log's iamRoleArn) trusts that service's principal and nothing else: a second service (ec2.amazonaws.com on the control-plane role lets any instance profile carry the cluster's rights), an account, or a web identity without an exact :sub, in the same trust lends the role to whoever those are. Roles the stack does not hand to one of these services are not judged here (iam-no-public-principal judges every trust).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.iamRole],
    validate: (resources, _ctx, report) => {
      const consumers: { types: string[]; key: string; service: string }[] = [
        { types: [...TYPES.eksCluster], key: "roleArn", service: "eks.amazonaws.com" },
        { types: ["aws:eks/nodeGroup:NodeGroup"], key: "nodeRoleArn", service: "ec2.amazonaws.com" },
        { types: ["aws:eks/fargateProfile:FargateProfile"], key: "podExecutionRoleArn", service: "eks-fargate-pods.amazonaws.com" },
        { types: ["aws:codebuild/project:Project"], key: "serviceRole", service: "codebuild.amazonaws.com" },
        { types: ["aws:ec2/flowLog:FlowLog"], key: "iamRoleArn", service: "vpc-flow-logs.amazonaws.com" },
      ];
      const roles = ofType(resources, TYPES.iamRole);
      const wanted = new Map<PolicyResource, Set<string>>();
      for (const c of consumers) {
        for (const r of ofType(resources, c.types)) {
          const ref = ifKnown(() => (r.props as Record<string, unknown>)[c.key]);
          const role = roles.find((x) => refersTo(ref, x, ["name", "arn"]));
          if (role) wanted.set(role, (wanted.get(role) ?? new Set()).add(c.service));
        }
      }
      for (const [role, services] of wanted) {
        const doc = ifKnown(() => (role.props as Record<string, unknown>).assumeRolePolicy);
        if (doc === undefined || masked(doc)) continue;
        const parsed = statementsOf(doc);
        if (!("statements" in parsed)) continue;
        const extra = new Set<string>();
        for (const st of parsed.statements.filter(isAllow)) {
          const who = principalsOf(st);
          if (who.anyone) extra.add("anyone");
          for (const sv of who.services) if (!services.has(sv)) extra.add(sv);
          for (const a of who.accounts) extra.add(`account ${a}`);
          // A web identity pinned to one service account (IRSA) is judged by iam-no-public-principal: only an open one lends the role here.
          if (who.federated.length > 0 && isOpenWebIdentity(st)) for (const f of who.federated) extra.add(f);
        }
        if (extra.size > 0) report(`Role "${role.name}" is the ${[...services].join(", ")} role of this stack but also trusts ${[...extra].join(", ")}: whoever that is may assume it and act with the service's rights; trust only ${[...services].join(", ")}.`, role.urn);
      }
    },
  }),
];
