import type { iam, kms } from "@pulumi/aws";
import { Policies } from "@pulumi/policy";
import { hasCondition, hasPublicPrincipal, isAdminStatement, isAllow, Statement, statementsOf, values } from "./documents";
import { environmentConfig, isProd, list, masked, maskedMessage, num, Props, resourceRule, TYPES } from "./common";

type Role = Props<iam.RoleArgs>;
type KmsKey = Props<kms.KeyArgs>;

/** AWS managed policies that grant (or can grant themselves) administrator rights. */
export const ADMIN_MANAGED_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/** The policy documents a resource carries, with a label for messages. */
function documentsOf(type: string, props: Record<string, unknown>): { label: string; doc: unknown }[] {
  if (TYPES.iamRole.includes(type as never)) {
    const role = props as Role;
    const inline = masked(role.inlinePolicies) ? [{ label: "inlinePolicies", doc: role.inlinePolicies }] : list(role.inlinePolicies).map((p, i) => ({ label: `inlinePolicies[${i}]${p?.name ? ` "${p.name}"` : ""}`, doc: p?.policy }));
    return [{ label: "assumeRolePolicy", doc: role.assumeRolePolicy }, ...inline];
  }
  if (TYPES.iamPolicyDocument.includes(type as never) || TYPES.kmsKey.includes(type as never) || type === "aws:kms/keyPolicy:KeyPolicy") {
    return props.policy === undefined && !TYPES.iamPolicyDocument.includes(type as never) ? [] : [{ label: "policy", doc: props.policy }];
  }
  return [];
}

/** Managed policy ARNs a resource attaches. */
function attachedArns(type: string, props: Record<string, unknown>): unknown[] {
  if (TYPES.iamRole.includes(type as never)) return list((props as Role).managedPolicyArns as unknown[] | undefined);
  if (TYPES.iamAttachment.includes(type as never)) return [props.policyArn, ...list(props.policyArns as unknown[] | undefined)].filter((v) => v !== undefined);
  return [];
}

const IAM_TYPES = [...TYPES.iamRole, ...TYPES.iamPolicyDocument, ...TYPES.iamAttachment, ...TYPES.kmsKey, "aws:kms/keyPolicy:KeyPolicy"];

/** A web-identity trust (OIDC) without a condition lets every identity of the provider (any service account) assume the role. */
const isOpenWebIdentity = (s: Statement) =>
  isAllow(s) && typeof s.Principal === "object" && s.Principal !== null && "Federated" in s.Principal && values(s.Action).some((a) => /^sts:AssumeRoleWith(WebIdentity|SAML)$/.test(a) || a === "sts:*" || a === "*") && !hasCondition(s);

export const iamPolicies: Policies = [
  resourceRule<Record<string, unknown>>({
    name: "iam-no-admin-statement",
    description: 'No IAM policy allows action "*" on resource "*" (or NotAction on "*"): nothing in the stack gets administrator rights.',
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    validate: (props, { args }, report) => {
      for (const { label, doc } of documentsOf(args.type, props)) {
        const read = statementsOf(doc);
        if ("unreadable" in read) {
          report(`${label} of "${args.name}" ${read.unreadable}.`);
          continue;
        }
        for (const s of read.statements) {
          if (isAdminStatement(s)) report(`${label} of "${args.name}" allows ${s.NotAction !== undefined ? "NotAction" : 'action "*"'} on resource "*"${s.Sid ? ` (statement "${s.Sid}")` : ""}: grant the actions and resources the role needs.`);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "iam-no-admin-managed-policy",
    description: "No role, user or group attaches an AWS managed administrator policy (AdministratorAccess, PowerUserAccess, IAMFullAccess).",
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    config: {
      forbiddenPolicies: { type: "array", items: { type: "string" }, default: ADMIN_MANAGED_POLICIES, description: "Managed policy names (last ARN segment) never attached." },
    },
    validate: (props, { args, config }, report) => {
      const forbidden = config.forbiddenPolicies as string[];
      for (const arn of attachedArns(args.type, props)) {
        if (masked(arn)) report(`${maskedMessage(`A policy ARN attached by "${args.name}"`)}.`);
        else if (typeof arn === "string" && forbidden.includes(arn.split("/").pop() ?? "")) report(`"${args.name}" attaches ${arn}: attach a policy with only the permissions needed.`);
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "iam-no-public-principal",
    description: 'No IAM trust policy, resource policy or KMS key policy allows principal "*" (anyone) without a condition, and no web-identity trust lacks conditions.',
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    validate: (props, { args }, report) => {
      for (const { label, doc } of documentsOf(args.type, props)) {
        const read = statementsOf(doc);
        if ("unreadable" in read) continue; // reported by iam-no-admin-statement
        for (const s of read.statements) {
          if (isAllow(s) && hasPublicPrincipal(s) && !hasCondition(s)) report(`${label} of "${args.name}" allows principal "*"${s.Sid ? ` (statement "${s.Sid}")` : ""} without a condition: name the principals.`);
          if (isOpenWebIdentity(s)) report(`${label} of "${args.name}" trusts a federated provider without a condition: every identity it issues (any service account) can assume the role; add sub/aud conditions.`);
        }
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
];
