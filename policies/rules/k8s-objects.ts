/**
 * Kubernetes objects that grant by another route than the pod spec or RBAC: a Secret's values printed in the plan, a
 * ServiceAccount's AWS role (IRSA), a TargetGroupBinding (which Service a load balancer reaches, and which addresses
 * the controller opens on the nodes), a StorageClass's encryption, and the system priority classes.
 */
import { Policies, PolicyResource } from "@pulumi/policy";
import { coverage, within } from "../semantics/cidr";
import { ifKnown, list, masked, num, ofType, referenceTo, resourceRule, stackRule, TYPES, unknownAt } from "./common";
import { podTemplateOf, POD_TYPES } from "./podsecurity";

const SECRET = "kubernetes:core/v1:Secret";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const TARGET_GROUP_BINDINGS = ["kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "kubernetes:elbv2.k8s.aws/v1:TargetGroupBinding"];
const STORAGE_CLASSES = ["kubernetes:storage.k8s.io/v1:StorageClass", "kubernetes:storage.k8s.io/v1beta1:StorageClass"];
const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

/** The keys of a Secret's data/stringData whose values the plan prints (not Pulumi secrets); "*" for the whole field. */
export function clearSecretKeys(field: unknown): string[] {
  if (field === undefined || field === null || masked(field)) return [];
  if (typeof field !== "object") return typeof field === "string" && field !== "" ? ["*"] : [];
  return Object.entries(field as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null && v !== "" && !masked(v))
    .map(([k]) => k);
}

/**
 * Whether an IAM trust policy (JSON text) lets exactly this service account assume the role through web identity:
 * an Allow of sts:AssumeRoleWithWebIdentity for a Federated principal whose `:sub` condition (StringEquals, or
 * StringLike without a wildcard) names system:serviceaccount:NAMESPACE:NAME.
 */
export function trustsServiceAccount(policy: unknown, namespace: string, name: string): boolean {
  let doc: { Statement?: unknown } | undefined;
  try {
    doc = typeof policy === "string" ? JSON.parse(policy) : (policy as never);
  } catch {
    return false;
  }
  const want = `system:serviceaccount:${namespace}:${name}`;
  return list(doc?.Statement as Record<string, unknown>[]).some((s) => {
    const actions = list(s?.Action as string[]).map(String);
    const federated = typeof s?.Principal === "object" && s?.Principal !== null && "Federated" in (s.Principal as object);
    if (s?.Effect !== "Allow" || !federated || !actions.some((a) => a === "sts:AssumeRoleWithWebIdentity")) return false;
    const conditions = (s?.Condition ?? {}) as Record<string, Record<string, unknown>>;
    return Object.entries(conditions).some(([op, block]) => {
      if (op !== "StringEquals" && op !== "StringLike") return false;
      return Object.entries(block ?? {}).some(([key, v]) => {
        if (!key.endsWith(":sub")) return false;
        const values = list(v as string[]).map(String);
        return values.length > 0 && values.every((x) => x === want);
      });
    });
  });
}

/**
 * The service accounts (namespace, name) a role's web-identity trust names in an exact :sub
 * (system:serviceaccount:NS:NAME, StringEquals or StringLike without a wildcard).
 */
export function trustedServiceAccounts(policy: unknown): { namespace: string; name: string }[] {
  let doc: { Statement?: unknown } | undefined;
  try {
    doc = typeof policy === "string" ? JSON.parse(policy) : (policy as never);
  } catch {
    return [];
  }
  const out: { namespace: string; name: string }[] = [];
  for (const s of list(doc?.Statement as Record<string, unknown>[])) {
    const federated = typeof s?.Principal === "object" && s?.Principal !== null && "Federated" in (s.Principal as object);
    if (s?.Effect !== "Allow" || !federated) continue;
    for (const [op, block] of Object.entries((s?.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
      if (!/^(StringEquals|StringLike)$/i.test(op)) continue;
      for (const [key, v] of Object.entries(block ?? {})) {
        if (!key.endsWith(":sub")) continue;
        for (const x of list(v as string[]).map(String)) {
          const m = /^system:serviceaccount:([^:*?]+):([^:*?]+)$/.exec(x);
          if (m) out.push({ namespace: m[1], name: m[2] });
        }
      }
    }
  }
  return out;
}

/**
 * Whether the resources come from a plan that masks secrets (some top-level input printed as [secret]); a run that
 * unwraps secrets (in process, or the CLI's policy analyzer) shows none. Read once per resource list.
 */
const masksSeen = new WeakMap<readonly PolicyResource[], boolean>();
export function showsMasks(resources: readonly PolicyResource[]): boolean {
  let seen = masksSeen.get(resources);
  if (seen === undefined) {
    seen = resources.some((r) => Object.keys(r.props ?? {}).some((k) => masked(ifKnown(() => (r.props as Record<string, unknown>)[k]))));
    if (Object.isFrozen(resources)) masksSeen.set(resources, seen);
  }
  return seen;
}

/** A Kubernetes object's metadata (name, namespace, annotations), known values only. */
const meta = (r: PolicyResource) => (ifKnown(() => JSON.parse(JSON.stringify(r.props.metadata ?? {}))) ?? {}) as { name?: string; namespace?: string; annotations?: Record<string, unknown> };

export const k8sObjectPolicies: Policies = [
  stackRule({
    name: "k8s-secret-values-masked",
    description:
      "Every value of a Kubernetes Secret the stack declares (data and stringData) is a Pulumi secret, printed as [secret] in the plan: a Secret written as literal (or base64) text is readable in the plan, the state, every preview and the PR's plan diff, whatever RBAC guards the object in the cluster. Judged on plan files (npm run plan -- --json), which mask secrets; an in-process or CLI run hands policies secrets unwrapped, so there it judges nothing. It judges that the values are secret, not what they are (ConfigMaps and env values are judged by k8s-no-literal-credentials).",
    enforcementLevel: "mandatory",
    judges: [SECRET],
    validate: (resources, _ctx, report) => {
      const secrets = ofType(resources, [SECRET]);
      if (secrets.length === 0 || !showsMasks(resources)) return;
      for (const r of secrets) {
        for (const field of ["data", "stringData"]) {
          if (unknownAt(() => r.props[field])) continue;
          const keys = clearSecretKeys(ifKnown(() => r.props[field]));
          if (keys.length > 0) report(`Secret "${r.name}" has ${field} ${keys.includes("*") ? "" : `key(s) ${keys.join(", ")} `}in clear in the plan (not a Pulumi secret: base64 is no encryption): pass the value as pulumi.secret(...) or from a secret config key.`, r.urn);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-service-account-roles-trust-them",
    description:
      "A ServiceAccount annotated with an AWS role (eks.amazonaws.com/role-arn, IRSA) names a role the stack declares whose trust policy admits exactly that account through the cluster's OIDC provider (sts:AssumeRoleWithWebIdentity with a :sub of system:serviceaccount:NAMESPACE:NAME): never another account's role, the node role or a role another workload uses, so the annotation cannot hand a pod rights the role was not written for. Conversely, no role's web-identity trust names a namespace's default service account (every pod there that names none). Roles outside the stack may be listed in externalServiceAccountRoles. It does not judge the role's permissions (the IAM rules do).",
    enforcementLevel: "mandatory",
    judges: [SERVICE_ACCOUNT, "aws:iam/role:Role"],
    config: { externalServiceAccountRoles: { type: "array", items: { type: "string" }, default: [], description: "Role ARNs outside the stack that ServiceAccounts may name in eks.amazonaws.com/role-arn (their trust is reviewed where they are declared)." } },
    validate: (resources, { config }, report) => {
      const roles = ofType(resources, ["aws:iam/role:Role"]).map((r) => ({ r, refers: referenceTo(r) }));
      // The converse: a role's web-identity trust names the account every pod of a namespace runs as (its default).
      // An account the stack does not declare is not judged: creating one takes rights the deploy identity lacks.
      const allAccounts = ofType(resources, [SERVICE_ACCOUNT]);
      for (const { r } of roles) {
        for (const sa of trustedServiceAccounts(ifKnown(() => r.props.assumeRolePolicy))) {
          if (sa.name === "default") report(`Role "${r.name}" trusts the default service account of namespace ${sa.namespace} (web identity): every pod there that names no account can take the role.`, r.urn);
        }
      }
      const accounts = allAccounts.filter((a) => meta(a).annotations?.[IRSA_ANNOTATION] !== undefined || unknownAt(() => (a.props.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations?.[IRSA_ANNOTATION]));
      if (accounts.length === 0) return;
      const external = config.externalServiceAccountRoles as string[];
      for (const a of accounts) {
        const m = meta(a);
        const arn = m.annotations?.[IRSA_ANNOTATION];
        if (typeof arn !== "string" || masked(arn) || external.includes(arn)) continue; // unknown until the role exists
        const namespace = String(m.namespace ?? "default");
        const name = String(m.name ?? a.name);
        const role = roles.find((x) => x.refers(arn));
        if (!role) {
          report(`ServiceAccount "${a.name}" (${namespace}/${name}) assumes ${arn}, a role the stack does not declare: its pods get rights nobody reviewed here (another account's or a shared role); declare the role with a trust for this account, or list it in externalServiceAccountRoles.`, a.urn);
          continue;
        }
        if (unknownAt(() => role.r.props.assumeRolePolicy)) continue;
        if (!trustsServiceAccount(ifKnown(() => role.r.props.assumeRolePolicy), namespace, name)) report(`ServiceAccount "${a.name}" (${namespace}/${name}) names role "${role.r.name}", whose trust policy does not admit exactly system:serviceaccount:${namespace}:${name} through web identity: the annotation hands the pods a role written for something else (the nodes, another workload).`, a.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-target-group-bindings-edge-only",
    description:
      "Every TargetGroupBinding (AWS Load Balancer Controller) registers a NodePort Service of the stack whose bound port's nodePort is the target group's port (the edge's nginx, as the stack binds it), never another Service (the app behind nginx's limits, a status port), and its networking rules, which the controller turns into node security-group rules, admit no broad share of the internet and nothing outside the stack's VPC. It does not judge the target group itself (the load-balancer rules do).",
    enforcementLevel: "mandatory",
    judges: [...TARGET_GROUP_BINDINGS],
    validate: (resources, _ctx, report) => {
      const bindings = ofType(resources, TARGET_GROUP_BINDINGS);
      if (bindings.length === 0) return;
      const services = ofType(resources, TYPES.service);
      const groups = ofType(resources, TYPES.targetGroup).map((tg) => ({ tg, refers: referenceTo(tg, ["name", "arn"]) }));
      const vpcs = ofType(resources, TYPES.vpc);
      // The VPC's blocks, when all are known (preview: an unknown block could hold the peer, so only breadth is judged).
      const vpcBlocks = vpcs.some((v) => ["cidrBlock", "ipv6CidrBlock"].some((k) => unknownAt(() => v.props[k]))) ? [] : vpcs.flatMap((v) => ["cidrBlock", "ipv6CidrBlock"].map((k) => ifKnown(() => v.props[k])).filter((c): c is string => typeof c === "string" && c !== ""));
      for (const b of bindings) {
        const spec = ifKnown(() => JSON.parse(JSON.stringify(b.props.spec ?? {}))) as { targetGroupARN?: string; serviceRef?: { name?: string; port?: number | string }; networking?: { ingress?: { from?: { ipBlock?: { cidr?: string } }[] }[] } } | undefined;
        if (!spec) continue; // known after deployment
        const ns = meta(b).namespace ?? "default";
        const svc = services.find((s) => meta(s).name === spec.serviceRef?.name && (meta(s).namespace ?? "default") === ns);
        // Names and namespaces unknown (preview): which Service is bound can't be decided yet.
        const namesUnknown = [b, ...services].some((r) => unknownAt(() => JSON.stringify(r.props.metadata ?? {})));
        if (namesUnknown) {
          // judged once the names are known
        } else if (!svc) {
          report(`TargetGroupBinding "${b.name}" registers Service ${ns}/${spec.serviceRef?.name ?? "?"}, which the stack does not declare: the load balancer reaches pods nobody reviewed here.`, b.urn);
        } else if (!unknownAt(() => JSON.stringify(svc.props.spec ?? {}))) {
          const svcSpec = (ifKnown(() => JSON.parse(JSON.stringify(svc.props.spec ?? {}))) ?? {}) as { type?: string; ports?: { name?: string; port?: number; nodePort?: number }[] };
          const port = list(svcSpec.ports).find((p) => p?.name === spec.serviceRef?.port || num(p?.port) === num(spec.serviceRef?.port));
          const tg = groups.find((g) => g.refers(spec.targetGroupARN));
          const tgPort = tg && !unknownAt(() => tg.tg.props.port) ? num(ifKnown(() => tg.tg.props.port)) : undefined;
          if (svcSpec.type !== "NodePort" || !port || num(port.nodePort) === undefined) report(`TargetGroupBinding "${b.name}" registers Service "${svc.name}" port ${String(spec.serviceRef?.port)}, which is no node port of a NodePort Service: the load balancer reaches pods past the edge's nginx (its limits and header handling).`, b.urn);
          else if (tgPort !== undefined && num(port.nodePort) !== tgPort) report(`TargetGroupBinding "${b.name}" registers node port ${String(port.nodePort)} of Service "${svc.name}" in target group "${tg!.tg.name}", whose port is ${tgPort}: the load balancer sends its traffic to another listener than the one its health checks and security-group rules were made for.`, b.urn);
        }
        for (const rule of list(spec.networking?.ingress)) {
          for (const peer of list(rule?.from)) {
            const cidr = peer?.ipBlock?.cidr;
            if (typeof cidr !== "string") continue;
            if (coverage([cidr]).broad || (vpcBlocks.length > 0 && !within([cidr], vpcBlocks))) report(`TargetGroupBinding "${b.name}" lets the controller open the nodes to ${cidr}${coverage([cidr]).broad ? " (a broad share of the internet)" : ", beyond the stack's VPC"}: clients there reach the node ports without CloudFront, the WAF or the origin lock; admit the load balancer's security group.`, b.urn);
          }
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-ebs-storage-encrypted",
    description: "Every StorageClass that provisions EBS volumes (ebs.csi.aws.com, the in-tree kubernetes.io/aws-ebs) sets parameters.encrypted \"true\": volumes a claim gets otherwise follow the account's default, which the stack does not set (CIS EKS, checkov CKV_AWS_3's neighbour). Other provisioners are judged by k8s-no-host-storage (node filesystems).",
    enforcementLevel: "mandatory",
    types: STORAGE_CLASSES,
    validate: (p, { args }, report) => {
      const provisioner = String(ifKnown(() => p.provisioner) ?? "");
      if (!/^(ebs\.csi\.aws\.com|kubernetes\.io\/aws-ebs)$/.test(provisioner)) return;
      if (unknownAt(() => (p.parameters as Record<string, unknown> | undefined)?.encrypted)) return;
      const encrypted = ifKnown(() => (p.parameters as Record<string, unknown> | undefined)?.encrypted);
      if (String(encrypted ?? "").trim().toLowerCase() !== "true") report(`StorageClass "${args.name}" provisions EBS volumes (${provisioner}) with encrypted ${encrypted === undefined ? "unset" : JSON.stringify(encrypted)}: every claim of it gets an unencrypted volume; set parameters.encrypted "true" (and kmsKeyId for the stack's key).`);
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-system-priority-reserved",
    description:
      "The system priority classes stay with what keeps the cluster running: system-node-critical only for DaemonSets (node agents), system-cluster-critical only for pods whose service account is in apiServiceAccounts (the stack's cluster add-ons, such as the Cluster Autoscaler). A workload at either class preempts the nodes' agents and the control plane's add-ons when capacity is short (NSA/CISA hardening: limit priority to what needs it). It does not judge the stack's own PriorityClasses (k8s-priority-class-no-global-preemption).",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    config: { apiServiceAccounts: { type: "array", items: { type: "string" }, default: ["cluster-autoscaler"], description: "Service accounts whose pods call the Kubernetes API (the stack's cluster add-ons); only they may run at system-cluster-critical." } },
    validate: (p, { args, config }, report) => {
      const spec = (ifKnown(() => podTemplateOf(args.type, p).spec) ?? {}) as { priorityClassName?: unknown; serviceAccountName?: unknown };
      const cls = spec.priorityClassName;
      if (cls === "system-node-critical" && !/:DaemonSet$/.test(args.type)) report(`"${args.name}" runs at system-node-critical, the class of the nodes' own agents (DaemonSets): under pressure it preempts them.`);
      if (cls === "system-cluster-critical" && !(config.apiServiceAccounts as string[]).includes(String(spec.serviceAccountName ?? "default"))) report(`"${args.name}" runs at system-cluster-critical with service account ${String(spec.serviceAccountName ?? "default")}, which is not a cluster add-on of apiServiceAccounts: under pressure it preempts the add-ons that keep the cluster running.`);
    },
  }),
];
