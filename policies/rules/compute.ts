import type { ebs, ec2, eks } from "@pulumi/aws";
import { CREDENTIAL_VALUES, credentialValuesIn, literalCredential } from "../semantics/credentials";
import { Policies } from "@pulumi/policy";
import { describe, ifKnown, isSet, list, masked, maskedMessage, num, obj, ofType, Props, refersTo, resourceRule, SECRET_PLACEHOLDER, settingsRule, siblings, stackRule, TYPES, unknownAt } from "./common";
import { parseStructured, isTrueSetting } from "../semantics/structured";
import { bootstrapWeaknesses, decodeUserData } from "../semantics/userdata";
import { publicCidrs, publicSources } from "./securitygroups";
import { coverage, describeCoverage } from "../semantics/cidr";

type Cluster = Props<eks.ClusterArgs>;
type LaunchTemplate = Props<ec2.LaunchTemplateArgs>;
type Instance = Props<ec2.InstanceArgs>;
type Volume = Props<ebs.VolumeArgs>;

/** Every EKS control-plane log type. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

const isTrue = (v: unknown) => v === true || v === "true";

/** IMDS settings that allow IMDSv1 or let containers reach the node's credentials through extra hops. */
function metadataProblems(m: { httpTokens?: string; httpEndpoint?: string; httpPutResponseHopLimit?: number } | undefined, maxHops: number): string[] {
  if (m?.httpEndpoint === "disabled") return [];
  const problems: string[] = [];
  if (m?.httpTokens !== "required") problems.push(`metadataOptions.httpTokens is ${m?.httpTokens ?? "unset (IMDSv1 allowed)"}; it must be "required" (IMDSv2 only)`);
  // Unset, the AMI decides (EKS AL2023 AMIs are registered with a hop limit of 2): judged as what it does, not as absent.
  const hops = num(m?.httpPutResponseHopLimit);
  if (hops === undefined || hops > maxHops) problems.push(`metadataOptions.httpPutResponseHopLimit is ${m?.httpPutResponseHopLimit ?? "unset (the AMI's default, 2 on EKS AMIs)"}; it must be at most ${maxHops}`);
  return problems;
}

const imdsConfig = {
  maxHopLimit: { type: "integer" as const, minimum: 1, maximum: 2, default: 1, description: "Largest IMDS hop limit allowed. 1 keeps containers (one hop further) away from the node role; pods get AWS credentials through IRSA. Raise to 2 only for nodes whose pods must reach IMDS." },
};

/** User data as text: launch templates take base64 (`userData`), instances plain text (`userData`) or `userDataBase64`. */
function userDataTexts(p: Record<string, unknown>, launchTemplate: boolean): string[] {
  const encoded = launchTemplate ? p.userData : p.userDataBase64;
  const decoded = encoded === SECRET_PLACEHOLDER ? undefined : decodeUserData(encoded);
  const plain = !launchTemplate && typeof p.userData === "string" && p.userData !== "" ? p.userData : undefined;
  return [decoded, plain].filter((t): t is string => t !== undefined);
}

export const computePolicies: Policies = [
  resourceRule<Cluster>({
    name: "eks-endpoint-restricted",
    description: "The EKS API endpoint is private (endpointPrivateAccess true, always), and public only to listed CIDRs (never a /0 or a set covering more than a /8) or not at all; the listed CIDRs together hold no more public addresses than a /16 (`maxPublicPrefix`): the API is an administrator's door, opened to offices and runners, not to an ISP's or a cloud's whole block.",
    enforcementLevel: "mandatory",
    types: TYPES.eksCluster,
    config: { maxPublicPrefix: { type: "integer", minimum: 8, maximum: 32, default: 16, description: "The public IPv4 addresses the endpoint's CIDRs may hold together, as a prefix length (16: at most a /16's worth)." } },
    validate: (p, { args, config }, report) => {
      const vpc = p.vpcConfig;
      if (masked(vpc) || masked(vpc?.publicAccessCidrs)) return report(`${maskedMessage(`vpcConfig of EKS cluster "${args.name}"`)}.`);
      // Without the private endpoint the nodes (and the CI runner) reach the API over the internet, through NAT.
      if (String(vpc?.endpointPrivateAccess) !== "true") report(`EKS cluster "${args.name}" has no private API endpoint (endpointPrivateAccess ${vpc?.endpointPrivateAccess ?? "unset: false"}): nodes and in-VPC clients reach the API over the internet; set endpointPrivateAccess: true.`);
      if (vpc?.endpointPublicAccess === false) return;
      const cidrs = list(vpc?.publicAccessCidrs).filter((c): c is string => typeof c === "string");
      if (cidrs.length === 0) return report(`EKS cluster "${args.name}" has a public endpoint open to 0.0.0.0/0 (publicAccessCidrs unset); set endpointPublicAccess: false or list the CIDRs allowed.`);
      const open = publicCidrs(cidrs);
      if (open.length > 0) report(`EKS cluster "${args.name}" allows its public endpoint from ${open.join(", ")}, more than a /8 of the internet together; list specific CIDRs or make it private.`);
      else {
        const prefix = Number(config.maxPublicPrefix ?? 16);
        const c = coverage(cidrs, [], { maxV4Prefix: prefix, maxV6Prefix: 48 });
        if (c.broad) report(`EKS cluster "${args.name}" allows its public endpoint from ${publicSources(cidrs).join(", ")}: ${describeCoverage(c)}, more than a /${prefix} of public addresses together; list the offices' and runners' own ranges.`);
      }
    },
  }),
  stackRule({
    name: "eks-secrets-encryption",
    description: "EKS clusters encrypt Kubernetes Secrets with a KMS key declared in the stack (envelope encryption).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.kmsKey, ...TYPES.eksCluster],
    config: {
      externalKeyArns: { type: "array", items: { type: "string" }, default: [], description: "KMS key ARNs managed outside this stack that may encrypt cluster secrets." },
    },
    validate: (resources, { config }, report) => {
      const keys = ofType(resources, TYPES.kmsKey);
      for (const c of ofType(resources, TYPES.eksCluster)) {
        if (unknownAt(() => (c.props as Cluster).encryptionConfig?.resources)) continue; // known after deployment
        const enc = ifKnown(() => (c.props as Cluster).encryptionConfig);
        if (masked(enc)) {
          report(`${maskedMessage(`encryptionConfig of EKS cluster "${c.name}"`)}.`, c.urn);
          continue;
        }
        if (enc === undefined || !list(enc.resources).includes("secrets")) {
          report(`EKS cluster "${c.name}" does not encrypt Secrets: set encryptionConfig { resources: ["secrets"], provider: { keyArn } }.`, c.urn);
          continue;
        }
        if (unknownAt(() => enc.provider?.keyArn)) continue;
        const keyArn = enc.provider?.keyArn;
        if (typeof keyArn !== "string" || keyArn === "") report(`EKS cluster "${c.name}" has no encryptionConfig.provider.keyArn.`, c.urn);
        else if (!keys.some((k) => refersTo(keyArn, k, ["keyId"])) && !(config.externalKeyArns as string[]).includes(keyArn)) {
          report(`EKS cluster "${c.name}" encrypts Secrets with ${keyArn}, which is no KMS key of this stack (deleted?); declare the key, or list it in externalKeyArns.`, c.urn);
        }
      }
    },
  }),
  resourceRule<Cluster>({
    name: "eks-access-entries-only",
    description:
      "EKS clusters grant API access only through access entries (accessConfig.authenticationMode API: no aws-auth ConfigMap, whose grants no policy of the plan can see) and give their creator no hidden cluster-admin (bootstrapClusterCreatorAdminPermissions false; unset is true): every grant is an access entry the pack judges.",
    enforcementLevel: "mandatory",
    types: TYPES.eksCluster,
    validate: (p, { args }, report) => {
      if (masked(p.accessConfig)) return report(`${maskedMessage(`accessConfig of EKS cluster "${args.name}"`)}.`);
      const access = (obj(p.accessConfig) ?? {}) as { authenticationMode?: unknown; bootstrapClusterCreatorAdminPermissions?: unknown };
      // The API's default is CONFIG_MAP for a cluster created without accessConfig.
      const mode = String(access.authenticationMode ?? "CONFIG_MAP");
      if (mode !== "API") report(`EKS cluster "${args.name}" authenticates through ${mode} (accessConfig.authenticationMode): the aws-auth ConfigMap can grant cluster access outside any access entry; set API.`);
      if (access.bootstrapClusterCreatorAdminPermissions !== false && access.bootstrapClusterCreatorAdminPermissions !== "false") {
        report(`EKS cluster "${args.name}" gives whoever creates it cluster-admin (accessConfig.bootstrapClusterCreatorAdminPermissions ${access.bootstrapClusterCreatorAdminPermissions === undefined ? "unset: true" : String(access.bootstrapClusterCreatorAdminPermissions)}): set false and grant access through access entries.`);
      }
    },
  }),
  resourceRule<Cluster>({
    name: "eks-control-plane-logs",
    description: `EKS clusters send every control-plane log type to CloudWatch (${EKS_LOG_TYPES.join(", ")}).`,
    enforcementLevel: "mandatory",
    types: TYPES.eksCluster,
    validate: (p, { args }, report) => {
      if (masked(p.enabledClusterLogTypes)) return report(`${maskedMessage(`enabledClusterLogTypes of EKS cluster "${args.name}"`)}.`);
      const on = list(p.enabledClusterLogTypes);
      const missing = EKS_LOG_TYPES.filter((t) => !on.includes(t));
      if (missing.length > 0) report(`EKS cluster "${args.name}" does not log ${missing.join(", ")}; enable every control-plane log type.`);
    },
  }),
  resourceRule<LaunchTemplate | Instance>({
    name: "ec2-imdsv2",
    description: "Launch templates and instances require IMDSv2 (httpTokens required) with a declared hop limit of at most `maxHopLimit` (default 1: containers cannot reach the node role).",
    enforcementLevel: "mandatory",
    types: [...TYPES.launchTemplate, ...TYPES.instance],
    config: imdsConfig,
    validate: (p, { args, config }, report) => {
      if (masked(p.metadataOptions)) return report(`${maskedMessage(`metadataOptions of "${args.name}"`)}.`);
      for (const m of metadataProblems(p.metadataOptions as never, Number(config.maxHopLimit))) report(`"${args.name}": ${m}.`);
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "ec2-user-data-no-secrets",
    description: "Launch-template and instance user data hold no credentials (AWS keys, private keys): user data is readable by anyone who can describe the instance and by every process on it through IMDS.",
    enforcementLevel: "mandatory",
    types: [...TYPES.launchTemplate, ...TYPES.instance],
    validate: (p, { args }, report) => {
      const lt = TYPES.launchTemplate.includes(args.type as never);
      // The base64 form too: a credential's own encoding shows in it.
      const encoded = lt ? p.userData : p.userDataBase64;
      const text = [...userDataTexts(p, lt), typeof encoded === "string" && encoded !== SECRET_PLACEHOLDER ? encoded : ""].join("\n");
      // Values that are credentials whatever their name (policies/semantics/credentials.ts).
      for (const [re, what] of CREDENTIAL_VALUES) if (re.test(text)) report(`${describe(args)} has ${what} in its user data; give the instance a role (or fetch secrets at boot from Secrets Manager) instead.`);
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "ec2-node-bootstrap-hardened",
    description:
      "Launch-template and instance user data do not weaken the node they boot (policies/semantics/userdata.ts): no kubelet setting, in a nodeadm NodeConfig, a kubelet config file a script writes or a bootstrap flag, that accepts anonymous requests, authorizes every request (AlwaysAllow), opens the unauthenticated read-only port or stops certificate rotation (CIS EKS 3.2); no code fetched over plain HTTP and run or installed. It does not judge what a script does otherwise, nor user data it cannot read (masked).",
    enforcementLevel: "mandatory",
    types: [...TYPES.launchTemplate, ...TYPES.instance],
    validate: (p, { args }, report) => {
      // The decoded text only (the credentials rule also reads the base64 form, which would end a YAML document here).
      const texts = userDataTexts(p, TYPES.launchTemplate.includes(args.type as never));
      for (const why of new Set(texts.flatMap(bootstrapWeaknesses))) report(`${describe(args)}: its user data ${why.startsWith("runs") ? why : `sets ${why}`}; boot nodes with the AMI's kubelet defaults and fetch code over HTTPS from a source you pin.`);
    },
  }),
  settingsRule({
    name: "eks-supported-version",
    description: "EKS clusters, and managed node groups that pin a version of their own (their kubelets), run a Kubernetes version no older than `minimumVersion` (default: the oldest version still in EKS extended support when the pack was released). A node group without a version runs its cluster's. It does not judge the skew between a node group and its cluster beyond that floor.",
    enforcementLevel: "mandatory",
    types: [...TYPES.eksCluster, "aws:eks/nodeGroup:NodeGroup"],
    config: { minimumVersion: { type: "string", pattern: "^1\\.\\d+$", default: "1.32", description: "Oldest Kubernetes minor version (1.N) a cluster may run." } },
    requirements: [
      {
        path: "version",
        judge: (v, p, config) => {
          const minor = (x: unknown) => Number(/^1\.(\d+)/.exec(String(x))?.[1]);
          const min = String(config.minimumVersion);
          if (v === undefined && p.nodeRoleArn !== undefined) return undefined; // a node group runs its cluster's version
          return v === undefined ? "is unset (EKS picks its default, which moves)" : minor(v) >= minor(min) ? undefined : `is ${String(v)}, older than ${min}: out of EKS support`;
        },
      },
    ],
  }),
  settingsRule({
    name: "eks-node-group-no-open-ssh",
    description: "EKS node groups give no SSH access, or give it only from named source security groups (an SSH key without them opens port 22 to the internet).",
    enforcementLevel: "mandatory",
    types: ["aws:eks/nodeGroup:NodeGroup"],
    requirements: [
      {
        path: "remoteAccess",
        judge: (v) => {
          const ra = obj(Array.isArray(v) ? v[0] : v) as { ec2SshKey?: unknown; sourceSecurityGroupIds?: unknown[] } | undefined;
          if (!ra || !isSet(ra.ec2SshKey)) return undefined;
          return list(ra.sourceSecurityGroupIds).length > 0 ? undefined : `names SSH key ${JSON.stringify(ra.ec2SshKey)} without sourceSecurityGroupIds: port 22 is open to 0.0.0.0/0; use SSM Session Manager, or name the source groups`;
        },
      },
    ],
  }),
  stackRule({
    name: "eks-network-policy-enforced",
    description: "An EKS cluster the stack creates runs the vpc-cni add-on with enableNetworkPolicy, so Kubernetes NetworkPolicies are enforced rather than silently ignored.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.eksCluster, "aws:eks/addon:Addon"],
    validate: (resources, _ctx, report) => {
      // An add-on whose name or cluster is unknown (preview) may be this one.
      const addons = ofType(resources, ["aws:eks/addon:Addon"]).filter((a) => unknownAt(() => a.props.addonName) || ifKnown(() => a.props.addonName) === "vpc-cni");
      for (const c of ofType(resources, TYPES.eksCluster)) {
        const mine = addons.filter((a) => unknownAt(() => a.props.clusterName) || refersTo(ifKnown(() => a.props.clusterName), c) || siblings(a, c));
        if (mine.some((a) => unknownAt(() => a.props.addonName)) || (mine.length === 0 && addons.length > 0 && unknownAt(() => c.props.name))) continue;
        if (mine.length === 0) {
          report(`EKS cluster "${c.name}" has no vpc-cni add-on with enableNetworkPolicy: its NetworkPolicies would not be enforced.`, c.urn);
          continue;
        }
        for (const a of mine) {
          if (unknownAt(() => a.props.configurationValues)) continue;
          const raw = ifKnown(() => a.props.configurationValues);
          if (masked(raw)) {
            report(`${maskedMessage(`configurationValues of add-on "${a.name}"`)}.`, a.urn);
            continue;
          }
          // configurationValues is JSON or YAML (the add-on's schema accepts both).
          const values = parseStructured(raw) as { enableNetworkPolicy?: unknown } | undefined;
          const enabled = typeof values === "object" && values !== null ? values.enableNetworkPolicy : undefined;
          if (!isTrueSetting(enabled)) report(`vpc-cni add-on "${a.name}" of cluster "${c.name}" does not set enableNetworkPolicy: "true"; NetworkPolicies would be ignored.`, a.urn);
        }
      }
    },
  }),
  stackRule({
    name: "eks-node-group-launch-template",
    description: "EKS managed node groups launch from a launch template declared in the stack (where IMDSv2 and encrypted volumes are checked), not EKS's default template.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.launchTemplate, "aws:eks/nodeGroup:NodeGroup"],
    validate: (resources, _ctx, report) => {
      const templates = ofType(resources, TYPES.launchTemplate);
      for (const g of ofType(resources, ["aws:eks/nodeGroup:NodeGroup"])) {
        if (unknownAt(() => (g.props as { launchTemplate?: { id?: unknown; name?: unknown } }).launchTemplate?.id)) continue;
        const lt = ifKnown(() => (g.props as { launchTemplate?: { id?: unknown; name?: unknown } }).launchTemplate);
        if (masked(lt)) report(`${maskedMessage(`launchTemplate of node group "${g.name}"`)}.`, g.urn);
        else if (lt === undefined) report(`Node group "${g.name}" has no launchTemplate: EKS's default template allows IMDSv1; use a launch template requiring IMDSv2 with encrypted volumes.`, g.urn);
        else if (!templates.some((t) => refersTo(lt.id, t) || refersTo(lt.name, t))) report(`Node group "${g.name}" uses launch template ${String(lt.id ?? lt.name)}, which is no launch template of this stack (deleted?).`, g.urn);
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "ec2-ebs-encrypted",
    description: "EBS volumes (launch-template block devices, instance root and extra devices, standalone volumes) are encrypted.",
    enforcementLevel: "mandatory",
    types: [...TYPES.launchTemplate, ...TYPES.instance, ...TYPES.ebsVolume],
    validate: (p, { args }, report) => {
      if (TYPES.ebsVolume.includes(args.type as never)) {
        if (!isTrue((p as Volume).encrypted)) report(`EBS volume "${args.name}" must set encrypted: true.`);
        return;
      }
      if (TYPES.launchTemplate.includes(args.type as never)) {
        const lt = p as LaunchTemplate;
        if (masked(lt.blockDeviceMappings)) return report(`${maskedMessage(`blockDeviceMappings of "${args.name}"`)}.`);
        const ebsDevices = list(lt.blockDeviceMappings).filter((b) => b?.ebs !== undefined);
        if (list(lt.blockDeviceMappings).length === 0) report(`Launch template "${args.name}" declares no block device, so the AMI's (possibly unencrypted) root volume is used; declare it with ebs.encrypted: true.`);
        for (const b of ebsDevices) if (!isTrue(b.ebs?.encrypted)) report(`Launch template "${args.name}" device ${b.deviceName ?? "?"} is not encrypted (ebs.encrypted must be true).`);
        return;
      }
      const inst = p as Instance;
      if (!isTrue(inst.rootBlockDevice?.encrypted)) report(`Instance "${args.name}" must encrypt its root volume (rootBlockDevice.encrypted: true).`);
      for (const b of list(inst.ebsBlockDevices)) if (!isTrue(b?.encrypted)) report(`Instance "${args.name}" device ${b?.deviceName ?? "?"} is not encrypted.`);
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "codebuild-webhook-runner-jobs-only",
    description:
      "A CodeBuild webhook starts builds only for GitHub Actions job requests (a filter group whose EVENT filter is WORKFLOW_JOB_QUEUED and nothing else) of its own repository (no organisation or enterprise scopeConfiguration unless every filter group names the repository with REPOSITORY_NAME): without filter groups every push and pull request of the repository, forks' included, runs code on the runner inside the VPC with its role.",
    enforcementLevel: "mandatory",
    types: ["aws:codebuild/webhook:Webhook"],
    validate: (p, { args }, report) => {
      const groups = ifKnown(() => list(p.filterGroups as { filters?: { type?: unknown; pattern?: unknown; excludeMatchedPattern?: unknown }[] }[] | undefined));
      if (groups === undefined) return;
      // An organisation- or enterprise-wide runner runs the jobs of every repository there (one anybody creates, a fork
      // inside the organisation) inside the VPC with the runner's role, unless each filter group names the repository.
      const scope = String(ifKnown(() => (p.scopeConfiguration as { scope?: unknown } | undefined)?.scope) ?? "");
      if (scope !== "" && scope !== "GITHUB_REPOSITORY") {
        const named = groups.length > 0 && groups.every((g) => list(g?.filters).some((f) => f?.type === "REPOSITORY_NAME" && !isTrue(f?.excludeMatchedPattern) && !/[*?]/.test(String(f?.pattern ?? "*"))));
        if (!named) report(`Webhook "${args.name}" is scoped to ${scope} (scopeConfiguration): every repository there can run jobs on the runner inside the VPC with its role; scope it to the repository, or filter each group on REPOSITORY_NAME.`);
      }
      if (groups.length === 0) return report(`Webhook "${args.name}" has no filter groups: every repository event (pushes, pull requests from forks) starts a build on the runner.`);
      for (const [i, g] of groups.entries()) {
        const events = list(g?.filters).filter((f) => f?.type === "EVENT" && !isTrue(f?.excludeMatchedPattern));
        const patterns = events.flatMap((f) => String(f?.pattern ?? "").split(",").map((x) => x.trim()));
        if (events.length === 0 || patterns.some((x) => x !== "WORKFLOW_JOB_QUEUED")) report(`Webhook "${args.name}" filter group ${i} starts builds for ${patterns.length ? patterns.join(", ") : "every event"}, not only WORKFLOW_JOB_QUEUED (the runner's jobs).`);
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "codebuild-projects-hardened",
    description:
      "Every CodeBuild project (the CI runner) builds unprivileged (no Docker daemon on the host kernel), in an image of its own account's registry or a CodeBuild curated one (not another account's ECR), verifies its source's certificate (no insecureSsl), holds no credential in a plain-text environment variable (judged by value and by name, policies/semantics/credentials.ts), nor by value in any other field (a token in the source URL, a key in an inline build spec), keeps a build log (CloudWatch Logs, on unless disabled, or S3), never stores logs or artifacts with encryption disabled, and encrypts any artifacts it stores with a customer-managed key (encryptionKey).",
    enforcementLevel: "mandatory",
    types: ["aws:codebuild/project:Project"],
    validate: (p, { args }, report) => {
      const env = obj(p.environment) as { privilegedMode?: unknown; environmentVariables?: { name?: unknown; value?: unknown; type?: unknown }[] } | undefined;
      for (const v of list(env?.environmentVariables)) {
        if (String(v?.type ?? "PLAINTEXT") !== "PLAINTEXT") continue;
        const what = literalCredential(String(v?.name ?? ""), v?.value);
        if (what) report(`CodeBuild project "${args.name}" keeps ${what} in its plain-text environment variable ${String(v?.name)} (shown to anyone who can read the project or its builds): use type SECRETS_MANAGER or PARAMETER_STORE.`);
      }
      // The build image runs every job with the runner's role inside the VPC: one from another account's registry is
      // code that account can replace at will.
      const image = String((env as { image?: unknown } | undefined)?.image ?? "");
      const imageAccount = /^(\d{12})\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com/.exec(image)?.[1];
      const roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(String(p.serviceRole ?? ""))?.[1];
      if (imageAccount && roleAccount && imageAccount !== roleAccount) report(`CodeBuild project "${args.name}" builds in image ${image}, from the registry of account ${imageAccount}, not the project's (${roleAccount}): that account can replace the code every build runs with the runner's role; use a CodeBuild curated image or one of this account's repositories.`);

      // The same credentials in any other field: a token in the source URL, a key in an inline build spec.
      for (const [path, what] of ifKnown(() => credentialValuesIn(JSON.parse(JSON.stringify(p)), ["environment.environmentVariables"])) ?? []) {
        report(`CodeBuild project "${args.name}" keeps ${what} in ${path} (shown to anyone who can read the project or its builds): connect the source through CodeConnections and read secrets from Secrets Manager.`);
      }
      const source = (obj(p.source) ?? {}) as { insecureSsl?: unknown };
      if (isTrue(source.insecureSsl)) report(`CodeBuild project "${args.name}" fetches its source without verifying the server's certificate (source.insecureSsl): anyone on the path can serve it code.`);
      if (isTrue(env?.privilegedMode)) report(`CodeBuild project "${args.name}" builds in privileged mode: a build step gets a Docker daemon with root on the build host; build images without it (kaniko, buildx to a remote builder).`);
      const logs = (obj(p.logsConfig) ?? {}) as { cloudwatchLogs?: { status?: unknown }; s3Logs?: { status?: unknown; encryptionDisabled?: unknown } };
      const cloudwatch = String(logs.cloudwatchLogs?.status ?? "ENABLED") !== "DISABLED";
      const s3 = String(logs.s3Logs?.status ?? "DISABLED") === "ENABLED";
      if (!cloudwatch && !s3) report(`CodeBuild project "${args.name}" keeps no build log (CloudWatch Logs disabled, no S3 logs): nothing records what a build ran.`);
      if (s3 && isTrue(logs.s3Logs?.encryptionDisabled)) report(`CodeBuild project "${args.name}" writes its S3 build logs with encryption disabled.`);
      const artifacts = [obj(p.artifacts), ...list(p.secondaryArtifacts as unknown[]).map(obj)].filter((a): a is Record<string, unknown> => a !== undefined);
      const stored = artifacts.filter((a) => String(a.type ?? "NO_ARTIFACTS") !== "NO_ARTIFACTS" && String(a.type) !== "CODEPIPELINE");
      for (const a of stored) if (isTrue(a.encryptionDisabled)) report(`CodeBuild project "${args.name}" stores ${String(a.type)} artifacts with encryption disabled.`);
      if (stored.length > 0 && !isSet(p.encryptionKey)) report(`CodeBuild project "${args.name}" stores ${stored.map((a) => String(a.type)).join(", ")} artifacts encrypted with the AWS-managed key only; set encryptionKey to a customer-managed KMS key.`);
    },
  }),
  stackRule({
    name: "eks-pod-identity-associations-stack-roles",
    description:
      "Every EKS Pod Identity association — an aws:eks/podIdentityAssociation, or an entry of an add-on's own podIdentityAssociations — hands its service account a role the stack declares whose trust admits EKS Pod Identity (pods.eks.amazonaws.com), never a role outside the stack (a deploy, CI or admin role, another account's), never a chained targetRoleArn outside the stack, and never a namespace's default service account (every pod that names no account would hold the role). The role's permissions are judged by the IAM rules.",
    enforcementLevel: "mandatory",
    judges: ["aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws:eks/addon:Addon"],
    validate: (resources, _ctx, report) => {
      const roles = ofType(resources, TYPES.iamRole);
      const podRole = (ref: unknown) => {
        const role = roles.find((r) => refersTo(ref, r, ["name", "arn"]));
        if (!role) return { role, trusted: false };
        // A trust not known yet (preview) is not judged.
        if (unknownAt(() => (role.props as Record<string, unknown>).assumeRolePolicy)) return { role, trusted: true };
        const doc = ifKnown(() => (role.props as Record<string, unknown>).assumeRolePolicy);
        const text = typeof doc === "string" ? doc : JSON.stringify(doc ?? "");
        return { role, trusted: text.includes("pods.eks.amazonaws.com") };
      };
      const judge = (holder: { name: string; urn: string }, where: string, a: { roleArn?: unknown; targetRoleArn?: unknown; serviceAccount?: unknown }) => {
        if (a.roleArn === undefined || unknownAt(() => a.roleArn)) return;
        const { role, trusted } = podRole(a.roleArn);
        if (!role) report(`${where} hands service account ${String(a.serviceAccount ?? "?")} the role ${String(a.roleArn)}, which the stack does not declare: pods get rights written for someone else (a deploy, CI or another account's role); declare a role for the workload.`, holder.urn);
        else if (!trusted) report(`${where} hands service account ${String(a.serviceAccount ?? "?")} role "${role.name}", whose trust does not admit EKS Pod Identity (pods.eks.amazonaws.com): it is some other service's role.`, holder.urn);
        if (a.targetRoleArn !== undefined && a.targetRoleArn !== null && !unknownAt(() => a.targetRoleArn) && !roles.some((r) => refersTo(a.targetRoleArn, r, ["name", "arn"]))) {
          report(`${where} chains into ${String(a.targetRoleArn)} (targetRoleArn), a role the stack does not declare: its pods act as that role.`, holder.urn);
        }
        if (String(a.serviceAccount ?? "") === "default") report(`${where} binds the role to a default service account: every pod of the namespace that names no account holds it.`, holder.urn);
      };
      for (const r of ofType(resources, ["aws:eks/podIdentityAssociation:PodIdentityAssociation"])) {
        const p = ifKnown(() => ({ ...(r.props as Record<string, unknown>) })) ?? {};
        judge(r, `Pod Identity association "${r.name}"`, p);
      }
      for (const r of ofType(resources, ["aws:eks/addon:Addon"])) {
        const entries = list(ifKnown(() => (r.props as Record<string, unknown>).podIdentityAssociations as unknown[]));
        for (const e of entries) judge(r, `Add-on "${r.name}"'s pod identity association`, (e ?? {}) as Record<string, unknown>);
      }
    },
  }),
];
