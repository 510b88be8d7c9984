import { Policies, PolicyResource, ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe, environmentConfig, ifKnown, TYPES, isProd, judge, list, judgeRequirements, masked, num, ofType, referrersOf, refersTo, Requirement, resourceRule, RuleBase, stackRule, unknownAt } from "./common";
import { type AppEnvName, SECRET_FILE_ENV } from "@edgestack/contract";
import { ownAccounts } from "./iam";
import { normalizeName } from "./route53";
import { literalCredential } from "../semantics/credentials";
import { parseStructured } from "../semantics/structured";
import { parseCidr, reaches } from "../semantics/cidr";
import { NetworkPolicyView, policiesSelecting, portsOpened, PortEntry } from "../semantics/netpol";

/**
 * The AWS services and Kubernetes kinds a team adds next to the stack (queues, streams, search domains, API
 * gateways, function URLs, shared images and snapshots, IAM users, admission webhooks): each judged by what it does —
 * data kept or moved in clear, a public entry beside the edge, a share with an account outside the stack, a
 * credential that never expires — so a new resource type cannot pass because no rule reads it.
 */

/** A rule over declared settings whose requirements differ per resource type (see `settingsRule` in common.ts). */
function settingsTableRule(rule: RuleBase & { table: Record<string, Requirement[]> }): ResourceValidationPolicy {
  return resourceRule<Record<string, unknown>>({
    ...rule,
    types: Object.keys(rule.table),
    validate: (p, ctx, report) => judgeRequirements(rule.table[ctx.args.type] ?? [], p, ctx, report),
  });
}

const truthy = (v: unknown) => v === true || v === "true";
const OPENSEARCH: Requirement[] = [
  { path: "encryptAtRest.enabled", judge: judge.oneOf([true], false) },
  { path: "nodeToNodeEncryption.enabled", judge: judge.oneOf([true], false) },
  { path: "domainEndpointOptions.enforceHttps", judge: judge.oneOf([true], true) },
  { path: "domainEndpointOptions.tlsSecurityPolicy", judge: judge.unsetOr((v) => /^Policy-Min-TLS-1-2/.test(String(v)), "it must keep TLS 1.2 as the floor (Policy-Min-TLS-1-2-…)") },
];
const CLUSTER_STORAGE: Requirement[] = [{ path: "storageEncrypted", judge: judge.oneOf([true], false) }];

/** Types whose resource policy or attribute shares them with other accounts, and how each names its grantee. */
const SHARE_TYPES = [
  "aws:ec2/amiLaunchPermission:AmiLaunchPermission",
  "aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission",
  "aws:ssm/document:Document",
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
  "aws:ram/principalAssociation:PrincipalAssociation",
  "aws:ram/resourceShare:ResourceShare",
  "aws:lambda/layerVersionPermission:LayerVersionPermission",
] as const;

/** Who a share grants: `public` for everyone, else the 12-digit accounts it names (organisation grants are none). */
function granteesOf(r: PolicyResource): { public?: string; accounts: string[] } {
  const p = r.props as Record<string, unknown>;
  const accounts = (v: unknown) => list(v as unknown[]).flatMap((x) => String(x).split(",")).map((x) => x.trim()).filter((x) => x !== "");
  switch (r.type) {
    case "aws:ec2/amiLaunchPermission:AmiLaunchPermission":
      return String(p.group ?? "") === "all" ? { public: "launch permission for group all (a public image)", accounts: [] } : { accounts: accounts(p.accountId) };
    case "aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission":
      return { accounts: accounts(p.accountId) };
    case "aws:ssm/document:Document": {
      const perms = (Array.isArray(p.permissions) ? p.permissions[0] : p.permissions) as Record<string, unknown> | undefined;
      const ids = accounts(perms?.accountIds);
      return ids.some((x) => x.toLowerCase() === "all") ? { public: "sharing with All accounts (a public document)", accounts: [] } : { accounts: ids };
    }
    case "aws:ec2/vpcPeeringConnection:VpcPeeringConnection":
      return { accounts: accounts(p.peerOwnerId) };
    case "aws:ram/principalAssociation:PrincipalAssociation":
      return { accounts: accounts(p.principal).filter((x) => /^\d{12}$/.test(x)) };
    case "aws:ram/resourceShare:ResourceShare":
      return truthy(p.allowExternalPrincipals) ? { public: "allowExternalPrincipals (shares outside the organisation)", accounts: [] } : { accounts: [] };
    case "aws:lambda/layerVersionPermission:LayerVersionPermission":
      if (String(p.principal ?? "") === "*" && !p.organizationId) return { public: "principal * without an organisation (a public layer)", accounts: [] };
      return { accounts: accounts(p.principal).filter((x) => /^\d{12}$/.test(x)) };
    default:
      return { accounts: [] };
  }
}

/** An unauthenticated entry a type opens to the internet outside CloudFront and its WAF, or undefined. */
function publicEntry(r: PolicyResource, resources: PolicyResource[]): string | undefined {
  const p = r.props as Record<string, unknown>;
  switch (r.type) {
    case "aws:lambda/functionUrl:FunctionUrl":
      return String(p.authorizationType ?? "") === "NONE" ? "a function URL with authorizationType NONE" : undefined;
    case "aws:apigatewayv2/route:Route": {
      const auth = String(p.authorizationType ?? "NONE");
      return auth === "NONE" ? `route ${String(p.routeKey ?? "?")} with no authorization (HTTP/WebSocket APIs are public)` : undefined;
    }
    case "aws:apigateway/method:Method": {
      if (String(p.authorization ?? "NONE") !== "NONE") return undefined;
      // A method of a private REST API is reachable only through its VPC endpoints (its policy decides who).
      const api = ofType(resources, ["aws:apigateway/restApi:RestApi"]).find((a) => refersTo(p.restApi, a));
      if (api && unknownAt(() => JSON.stringify(api.props.endpointConfiguration))) return undefined;
      const types = list(ifKnown(() => (api?.props.endpointConfiguration as { types?: unknown } | undefined)?.types) as unknown[]).map(String);
      return types.includes("PRIVATE") ? undefined : `method ${String(p.httpMethod ?? "?")} with authorization NONE`;
    }
    default:
      return undefined;
  }
}

/** Environment variables a service resource keeps in its own configuration, as name/value pairs. */
function environmentOf(r: PolicyResource): { name: string; value: unknown }[] {
  const p = r.props as Record<string, unknown>;
  const pairs = (o: unknown) => Object.entries((o ?? {}) as Record<string, unknown>).map(([name, value]) => ({ name, value }));
  const containerEnv = (defs: unknown) => {
    const parsed = typeof defs === "string" ? parseStructured(defs) : defs;
    return list(parsed as Record<string, unknown>[] | Record<string, unknown>).flatMap((c) => list(c?.environment as { name?: unknown; value?: unknown }[]).map((e) => ({ name: String(e?.name ?? ""), value: e?.value })));
  };
  switch (r.type) {
    case "aws:lambda/function:Function":
      return pairs((at(p, "environment.variables").value as Record<string, unknown> | undefined) ?? {});
    case "aws:ecs/taskDefinition:TaskDefinition":
      return containerEnv(p.containerDefinitions);
    case "aws:batch/jobDefinition:JobDefinition":
      return containerEnv(p.containerProperties);
    case "aws:apprunner/service:Service":
      return pairs(at(p, "sourceConfiguration.imageRepository.imageConfiguration.runtimeEnvironmentVariables").value);
    case "aws:elasticbeanstalk/environment:Environment":
      return list(p.settings as { namespace?: unknown; name?: unknown; value?: unknown }[])
        .filter((s) => String(s?.namespace ?? "") === "aws:elasticbeanstalk:application:environment")
        .map((s) => ({ name: String(s.name ?? ""), value: s.value }));
    default:
      return [];
  }
}

/** The log group a service writes to by a name it derives itself (creating it, unencrypted and kept forever, when absent). */
function implicitLogGroup(r: PolicyResource): string | undefined {
  const p = r.props as Record<string, unknown>;
  if (r.type === "aws:eks/cluster:Cluster") {
    if (list(p.enabledClusterLogTypes as unknown[]).length === 0 || typeof p.name !== "string") return undefined;
    return `/aws/eks/${p.name}/cluster`;
  }
  if (r.type === "aws:lambda/function:Function") {
    const found = at(p, "loggingConfig.logGroup");
    if (found.unknown) return undefined;
    const own = found.value;
    if (typeof own === "string" && own !== "") return own;
    return typeof p.name === "string" ? `/aws/lambda/${p.name}` : undefined;
  }
  return undefined;
}

export const servicePolicies: Policies = [
  settingsTableRule({
    name: "data-services-encrypted",
    description:
      "Data services a team adds beside the stack keep their data encrypted at rest and in transit, judged per type with the provider's default for an unset value: SQS queues (SSE-SQS or a KMS key; not sqsManagedSseEnabled false without one), Kinesis streams (KMS), the Glue Data Catalog (SSE-KMS, connection passwords encrypted), Athena workgroups (encrypted results, enforced on every query), ElastiCache clusters outside a replication group (in-transit TLS), OpenSearch/Elasticsearch domains (at rest, node to node, HTTPS only, TLS 1.2 floor), DocumentDB and Neptune clusters (storage), DAX (server-side, TLS endpoint), MSK (TLS client-broker and in-cluster), API Gateway caches (encrypted) and the account's EBS encryption by default. It does not judge which KMS key (customer-managed or AWS-owned).",
    enforcementLevel: "mandatory",
    table: {
      "aws:sqs/queue:Queue": [
        { path: "sqsManagedSseEnabled", judge: (v, p) => (v === false || v === "false") && !p.kmsMasterKeyId ? "is false and no kmsMasterKeyId is set: messages are stored unencrypted" : undefined },
      ],
      "aws:kinesis/stream:Stream": [{ path: "encryptionType", judge: judge.oneOf(["KMS"], "NONE") }],
      "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": [
        { path: "dataCatalogEncryptionSettings.encryptionAtRest.catalogEncryptionMode", judge: judge.oneOf(["SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"], "DISABLED") },
        { path: "dataCatalogEncryptionSettings.connectionPasswordEncryption.returnConnectionPasswordEncrypted", judge: judge.oneOf([true], false) },
      ],
      "aws:athena/workgroup:Workgroup": [
        { path: "configuration.resultConfiguration.encryptionConfiguration.encryptionOption", judge: judge.present("query results are written unencrypted; set SSE_S3, SSE_KMS or CSE_KMS") },
        { path: "configuration.enforceWorkgroupConfiguration", judge: judge.oneOf([true], true) },
      ],
      "aws:elasticache/cluster:Cluster": [
        { path: "transitEncryptionEnabled", judge: (v, p) => (p.replicationGroupId ? undefined : truthy(v) ? undefined : `is ${v === undefined ? "unset (false)" : JSON.stringify(v)}; clients talk to the cache in clear (set it true)`) },
      ],
      "aws:opensearch/domain:Domain": OPENSEARCH,
      "aws:elasticsearch/domain:Domain": OPENSEARCH,
      "aws:docdb/cluster:Cluster": CLUSTER_STORAGE,
      "aws:neptune/cluster:Cluster": CLUSTER_STORAGE,
      "aws:dax/cluster:Cluster": [
        { path: "serverSideEncryption.enabled", judge: judge.oneOf([true], false) },
        { path: "clusterEndpointEncryptionType", judge: judge.oneOf(["TLS"], "NONE") },
      ],
      "aws:msk/cluster:Cluster": [
        { path: "encryptionInfo.encryptionInTransit.clientBroker", judge: judge.oneOf(["TLS"], "TLS") },
        { path: "encryptionInfo.encryptionInTransit.inCluster", judge: judge.oneOf([true], true) },
      ],
      "aws:apigateway/methodSettings:MethodSettings": [
        { path: "settings.cacheDataEncrypted", judge: (v, p) => (truthy(at(p, "settings.cachingEnabled").value) && !truthy(v) ? `is ${v === undefined ? "unset (false)" : JSON.stringify(v)} while caching is on: cached responses are stored unencrypted` : undefined) },
      ],
      "aws:ebs/encryptionByDefault:EncryptionByDefault": [{ path: "enabled", judge: judge.oneOf([true], true) }],
    },
  }),
  settingsTableRule({
    name: "api-gateway-stages-logged",
    description: "API Gateway stages (REST and HTTP/WebSocket) write access logs to a destination (accessLogSettings.destinationArn): without them a request through the API leaves no trace of who called what. It does not judge the log format or the destination's retention.",
    enforcementLevel: "mandatory",
    table: {
      "aws:apigateway/stage:Stage": [{ path: "accessLogSettings.destinationArn", judge: judge.present("the stage keeps no access log") }],
      "aws:apigatewayv2/stage:Stage": [{ path: "accessLogSettings.destinationArn", judge: judge.present("the stage keeps no access log") }],
    },
  }),
  stackRule({
    name: "edge-only-public-entry",
    description:
      "Traffic from the internet enters through the edge (CloudFront with its WAF, the origin-locked ALB, the NLB): no other resource opens an unauthenticated endpoint beside it — a Lambda function URL with authorizationType NONE, an HTTP/WebSocket API route without authorization (the default), or a REST API method with authorization NONE on an API that is not PRIVATE. It does not judge what an authorizer accepts, nor Lambda permissions (iam-no-public-principal).",
    enforcementLevel: "mandatory",
    judges: ["aws:lambda/functionUrl:FunctionUrl", "aws:apigatewayv2/route:Route", "aws:apigateway/method:Method"],
    validate: (resources, _ctx, report) => {
      for (const r of ofType(resources, ["aws:lambda/functionUrl:FunctionUrl", "aws:apigatewayv2/route:Route", "aws:apigateway/method:Method"])) {
        const why = ifKnown(() => publicEntry(r, resources));
        if (why) report(`${describe(r)} is ${why}: anyone on the internet calls it directly, past CloudFront, the WAF and the rate limits; require IAM or an authorizer, or serve it through the edge.`, r.urn);
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "iam-no-long-lived-user-credentials",
    description:
      "No long-lived IAM user credential: access keys, console passwords (login profiles), service-specific credentials (CodeCommit, Keyspaces), signing certificates and SSH public keys never expire by themselves and leak with a laptop or a CI log. People sign in through the identity centre, CI through OIDC roles, workloads through IRSA. It does not judge IAM users themselves or their policies (the iam-* rules).",
    enforcementLevel: "mandatory",
    types: ["aws:iam/accessKey:AccessKey", "aws:iam/userLoginProfile:UserLoginProfile", "aws:iam/serviceSpecificCredential:ServiceSpecificCredential", "aws:iam/signingCertificate:SigningCertificate", "aws:iam/sshKey:SshKey"],
    validate: (p, { args }, report) => {
      report(`${describe(args)} gives IAM user ${JSON.stringify(ifKnown(() => p.user ?? p.username) ?? "?")} a long-lived credential: use a role (OIDC for CI, the identity centre for people) with short-lived sessions.`);
    },
  }),
  stackRule({
    name: "resources-shared-within-trusted-accounts",
    description:
      "Nothing the stack shares reaches the public or an account outside the stack's and trustedAccounts: AMI launch permissions (group all, or another account), EBS snapshot create-volume permissions, SSM documents' share permissions (All, or other accounts), VPC peering connections to another account, RAM principal associations and shares allowing external principals, Lambda layer permissions (* without an organisation). Organisation and OU grants pass. It does not judge resource policies (iam-no-public-principal) or replication (the *-replication-stays-in-account rules).",
    enforcementLevel: "mandatory",
    judges: SHARE_TYPES,
    config: { trustedAccounts: { type: "array", items: { type: "string" }, default: [], description: "Other AWS accounts resources may be shared with." } },
    validate: (resources, { config }, report) => {
      const shares = ofType(resources, SHARE_TYPES);
      if (shares.length === 0) return;
      const trusted = new Set([...ownAccounts(resources), ...(config.trustedAccounts as string[])]);
      for (const r of shares) {
        const g = ifKnown(() => granteesOf(r));
        if (!g) continue;
        if (g.public) report(`${describe(r)} shares publicly: ${g.public}; anyone may copy what it holds.`, r.urn);
        const foreign = g.accounts.filter((a) => !trusted.has(a));
        if (foreign.length > 0) report(`${describe(r)} shares with account ${foreign.join(", ")}, not this stack's (list it in trustedAccounts if intended).`, r.urn);
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "service-config-no-literal-credentials",
    description:
      "No credential as a literal in the environment a service keeps in its own configuration — Lambda functions, ECS task definitions, Batch job definitions, App Runner services, Elastic Beanstalk environments — judged by value (AWS keys, private keys, tokens, a password inside a URL) and by name (policies/semantics/credentials.ts): whoever may read the function's or task's configuration reads it. Reference Secrets Manager or SSM SecureString instead. It does not judge the values' origin (a Pulumi secret is plaintext to the service too).",
    enforcementLevel: "mandatory",
    types: ["aws:lambda/function:Function", "aws:ecs/taskDefinition:TaskDefinition", "aws:batch/jobDefinition:JobDefinition", "aws:apprunner/service:Service", "aws:elasticbeanstalk/environment:Environment"],
    validate: (_p, { args }, report) => {
      for (const e of ifKnown(() => environmentOf({ type: args.type, props: args.props } as PolicyResource)) ?? []) {
        const why = masked(e.value) ? (literalCredential(e.name, "x") ? `a secret value for ${e.name}` : undefined) : literalCredential(e.name, e.value);
        if (why) report(`${describe(args)} keeps ${why} in its environment (${e.name}): readable by anyone who may read its configuration; reference Secrets Manager or an SSM SecureString.`);
      }
    },
  }),
  stackRule({
    name: "service-log-groups-declared",
    description:
      "A service that writes to a log group it names itself has that group declared in the stack (so the stack sets its retention and key): an EKS cluster with control-plane logging (`/aws/eks/<name>/cluster`), a Lambda function (`/aws/lambda/<name>` or its loggingConfig's group). Otherwise the service creates the group on first write, unencrypted and kept forever. It does not judge the group's retention or key (log-group-retention, container-logs-retained).",
    enforcementLevel: "mandatory",
    judges: ["aws:eks/cluster:Cluster", "aws:lambda/function:Function"],
    validate: (resources, _ctx, report) => {
      const groups = ofType(resources, ["aws:cloudwatch/logGroup:LogGroup"]);
      if (groups.some((g) => unknownAt(() => g.props.name))) return;
      const names = new Set(groups.map((g) => String(ifKnown(() => g.props.name) ?? "")));
      for (const r of ofType(resources, ["aws:eks/cluster:Cluster", "aws:lambda/function:Function"])) {
        const name = ifKnown(() => implicitLogGroup(r));
        if (name === undefined) continue;
        const own = name.startsWith("arn:") ? groups.some((g) => refersTo(name, g) || name.endsWith(`:log-group:${String(ifKnown(() => g.props.name))}`)) : names.has(name);
        if (!own) report(`${describe(r)} writes to log group ${name}, which the stack does not declare: the service creates it unencrypted and keeps it forever; declare it with a retention and a KMS key.`, r.urn);
      }
    },
  }),
  stackRule({
    name: "log-groups-in-use",
    description:
      "Every log group the stack declares in AWS's namespace (`/aws/...`, where services write) is one something writes to: a resource names it (by name or ARN: a flow log, a WAF logging configuration, a CodeBuild project, a cache's log delivery), or a service writes it by convention (an EKS cluster's `/aws/eks/<name>/cluster`, the Container Insights add-on's `/aws/containerinsights/<cluster>/<kind>`, a Lambda function's `/aws/lambda/<name>`). A renamed group keeps its retention and key for nobody while the service writes a group of its own, unencrypted and kept forever; the group is reported (service-log-groups-declared and container-logs-retained report the service). It does not judge what a group keeps, nor groups outside /aws/ (an application writes those by its own code).",
    enforcementLevel: "mandatory",
    judges: ["aws:cloudwatch/logGroup:LogGroup"],
    validate: (resources, _ctx, report) => {
      const groups = ofType(resources, ["aws:cloudwatch/logGroup:LogGroup"]);
      if (groups.length === 0) return;
      const conventional = new Set<string>();
      for (const r of ofType(resources, ["aws:eks/cluster:Cluster", "aws:lambda/function:Function"])) {
        const name = ifKnown(() => implicitLogGroup(r));
        if (name) conventional.add(name);
      }
      const clusters = ofType(resources, ["aws:eks/cluster:Cluster"]);
      for (const a of ofType(resources, ["aws:eks/addon:Addon"])) {
        if (ifKnown(() => a.props.addonName) !== "amazon-cloudwatch-observability") continue;
        const ref = ifKnown(() => a.props.clusterName);
        const cluster = clusters.find((c) => refersTo(ref, c));
        const clusterName = cluster ? ifKnown(() => cluster.props.name) : ref;
        if (typeof clusterName === "string") for (const kind of ["application", "dataplane", "host", "performance"]) conventional.add(`/aws/containerinsights/${clusterName}/${kind}`);
      }
      // Writers name a group by its ARN, whose region and account the plan may spell differently from the group's own output.
      const writers = resources.filter((r) => !r.type.startsWith("pulumi:") && !r.type.startsWith("aws:iam/") && !r.type.startsWith("aws:kms/") && r.type !== "aws:cloudwatch/logGroup:LogGroup");
      let texts: string[] | undefined;
      for (const g of groups) {
        const name = ifKnown(() => g.props.name);
        // Only AWS's own namespace: a service writes /aws/<service>/..., an application writes a group of any name by its own code.
        if (typeof name !== "string" || !name.startsWith("/aws/") || conventional.has(name)) continue;
        const { referrers, unknown } = referrersOf(resources, g, ["name"]);
        if (unknown || referrers.some((r) => writers.includes(r))) continue;
        texts ??= writers.map((r) => ifKnown(() => JSON.stringify(r.props)) ?? "");
        if (texts.some((t) => t.includes(`:log-group:${name}"`) || t.includes(`:log-group:${name}:`))) continue;
        report(`Log group "${g.name}" (${name}) is written by nothing: no resource names it and no service of the stack writes it by convention, so whatever it was declared for writes to a group the stack does not manage (unencrypted, kept forever); name it as its service writes it.`, g.urn);
      }
    },
  }),
  stackRule({
    name: "app-limiter-store-reachable",
    description:
      "A workload running the app with its limiter failing open (RATE_LIMIT_FAIL open, the default) whose pods a Service selects can reach the cache the stack declares: its namespace's NetworkPolicies, once combined, let its pods send to every cache subnet's CIDR on the replication group's port, and the cache's security groups admit something on that port. Otherwise every limiter check fails and the app admits every request unlimited, silently (docs/app.md, docs/cluster.md). It does not judge which source the security group admits (redis-ingress-from-security-groups-only) nor a cache outside the stack.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.replicationGroup, ...TYPES.networkPolicy],
    validate: (resources, _ctx, report) => {
      const group = ofType(resources, TYPES.replicationGroup)[0];
      if (!group) return;
      const port = num(ifKnown(() => group.props.port)) ?? 6379;
      const subnetGroup = ofType(resources, TYPES.cacheSubnetGroup).find((g) => refersTo(ifKnown(() => group.props.subnetGroupName), g));
      const subnets = list(ifKnown(() => subnetGroup?.props.subnetIds as unknown[])).map((id) => ofType(resources, TYPES.subnet).find((sn) => refersTo(id, sn)));
      const cidrs = subnets.map((sn) => ifKnown(() => sn?.props.cidrBlock)).filter((c): c is string => typeof c === "string");
      if (cidrs.length === 0 || cidrs.length < subnets.length) return; // not resolvable in this plan (preview, or subnets outside it)
      const policies = ofType(resources, TYPES.networkPolicy);
      if (policies.some((np) => unknownAt(() => JSON.stringify(np.props)))) return;
      const views: NetworkPolicyView[] = policies.map((np) => {
        const p = np.props as { metadata?: { namespace?: string }; spec?: Record<string, never> };
        return { name: np.name, namespace: String(p.metadata?.namespace ?? "default"), podSelector: p.spec?.podSelector, policyTypes: p.spec?.policyTypes, ingress: p.spec?.ingress, egress: p.spec?.egress };
      });
      const admitsPort = (ports: PortEntry[] | undefined) => portsOpened(ports).all || list(ports).some((e) => (num(e?.port) ?? -1) <= port && port <= (num(e?.endPort) ?? num(e?.port) ?? -1) && String(e?.protocol ?? "TCP").toUpperCase() === "TCP");
      const groupSgs = list(ifKnown(() => group.props.securityGroupIds as unknown[]));
      const ruleTypes = [...TYPES.vpcIngressRule, ...TYPES.ec2SecurityGroupRule];
      // A group or rule not known yet (preview) may be the one that admits the port.
      const sgUnknown =
        unknownAt(() => JSON.stringify(group.props.securityGroupIds)) ||
        ofType(resources, TYPES.securityGroup).some((sg) => unknownAt(() => JSON.stringify(sg.props))) ||
        resources.some((r) => ruleTypes.includes(r.type as never) && unknownAt(() => JSON.stringify(r.props)));
      const sgOpen = ofType(resources, TYPES.securityGroup)
        .filter((sg) => groupSgs.some((id) => refersTo(id, sg)))
        .some(
          (sg) =>
            list(ifKnown(() => sg.props.ingress as { fromPort?: unknown; toPort?: unknown }[])).some((r) => (num(r?.fromPort) ?? 0) <= port && port <= (num(r?.toPort) ?? 65535)) ||
            resources.filter((r) => ruleTypes.includes(r.type as never) && refersTo(ifKnown(() => r.props.securityGroupId), sg) && String(ifKnown(() => r.props.type) ?? "ingress") === "ingress").some((r) => {
              const proto = String(ifKnown(() => r.props.ipProtocol ?? r.props.protocol) ?? "");
              return proto === "-1" || proto === "all" || ((num(ifKnown(() => r.props.fromPort)) ?? 0) <= port && port <= (num(ifKnown(() => r.props.toPort)) ?? 65535));
            }),
        );
      for (const w of ofType(resources, TYPES.workload)) {
        const tmpl = ifKnown(() => JSON.parse(JSON.stringify((w.props.spec as { template?: unknown } | undefined)?.template ?? {})) as { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { env?: { name?: string; value?: unknown }[] }[] } });
        if (!tmpl) continue;
        const env = list(tmpl.spec?.containers).flatMap((c) => list(c?.env));
        // The app's own variables (@edgestack/contract): the Redis URL (or the file holding it) and the fail mode.
        const redisNames: string[] = ["REDIS_URL" satisfies AppEnvName, SECRET_FILE_ENV.REDIS_URL];
        if (!env.some((e) => redisNames.includes(String(e?.name)))) continue;
        if (String(env.find((e) => e?.name === ("RATE_LIMIT_FAIL" satisfies AppEnvName))?.value ?? "open") !== "open") continue;
        const why: string[] = [];
        if (!sgOpen && !sgUnknown) why.push(`no rule of the cache's security groups admits port ${port}`);
        const pod = { namespace: String(ifKnown(() => (w.props.metadata as { namespace?: string } | undefined)?.namespace) ?? "default"), labels: tmpl.metadata?.labels ?? {} };
        // Only pods that take requests (a Service selects them) admit anyone through a failed-open limiter.
        const served = ofType(resources, TYPES.service).some((svc) => {
          const sp = ifKnown(() => JSON.parse(JSON.stringify(svc.props)) as { metadata?: { namespace?: string }; spec?: { selector?: Record<string, string> } });
          if (!sp) return true; // not known yet: assume it may
          const selector = sp.spec?.selector ?? {};
          return String(sp.metadata?.namespace ?? "default") === pod.namespace && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => pod.labels[k] === String(v));
        });
        if (!served) continue;
        const selecting = policiesSelecting(pod, views, "egress");
        if (selecting.length > 0) {
          const unreached = cidrs.filter((cidr) => {
            const target = parseCidr(cidr);
            return !target || !selecting.some((np) => list(np.egress).some((rule) => admitsPort(rule?.ports) && (list(rule?.to).length === 0 || list(rule?.to).some((peer) => typeof peer?.ipBlock?.cidr === "string" && reaches([peer.ipBlock.cidr], [target], peer.ipBlock.except ?? [])))));
          });
          if (unreached.length > 0) why.push(`its NetworkPolicies let it send to ${unreached.join(", ")} on port ${port} from none of its egress rules`);
        }
        if (why.length > 0) report(`"${w.name}" runs the app's limiter failing open against the cache "${group.name}", but ${why.join(", and ")}: every limiter check fails and every request is admitted unlimited.`, w.urn);
      }
    },
  }),
  stackRule({
    name: "route53-delegations-signed-prod",
    description:
      "In prod (where the zone is DNSSEC-signed, route53-dnssec-prod), every NS delegation the stack writes below a zone's apex has a DS record of the stack at the same name in the same zone: a delegation without one leaves the subdomain outside the chain of trust, so its answers can be forged. It does not judge whether the child zone signs (its DS values come from config).",
    enforcementLevel: "mandatory",
    judges: ["aws:route53/record:Record"],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const records = ofType(resources, ["aws:route53/record:Record"]);
      const typeOf = (r: PolicyResource) => String(ifKnown(() => r.props.type) ?? "").toUpperCase();
      const key = (r: PolicyResource) => `${String(ifKnown(() => r.props.zoneId) ?? "")}|${normalizeName(ifKnown(() => r.props.name))}`;
      // A record whose type, zone or name is not known yet (preview) may be the DS record a delegation needs.
      if (records.some((r) => ["type", "zoneId", "name"].some((k) => unknownAt(() => (r.props as Record<string, unknown>)[k])))) return;
      const zones = ofType(resources, ["aws:route53/zone:Zone"]);
      if (zones.some((z) => unknownAt(() => z.props.name))) return;
      const ds = new Set(records.filter((r) => typeOf(r) === "DS").map(key));
      // A zone's own NS set sits at its apex.
      const apexes = new Set(zones.map((z) => normalizeName(ifKnown(() => z.props.name))));
      for (const ns of records.filter((r) => typeOf(r) === "NS")) {
        if (!isProd(config, ns.urn)) continue;
        const name = normalizeName(ifKnown(() => ns.props.name));
        if (apexes.has(name)) continue;
        if (!ds.has(key(ns))) report(`NS record "${ns.name}" delegates ${name} without a DS record of the stack beside it: the subdomain falls outside the zone's DNSSEC chain of trust; add the child zone's DS record.`, ns.urn);
      }
    },
  }),
  stackRule({
    name: "managed-prometheus-watchdog-watched-prod",
    description:
      "In prod, every Amazon Managed Service for Prometheus alert manager definition that routes the always-firing Watchdog to an SNS topic has a CloudWatch alarm on that topic's NumberOfMessagesPublished (AWS/SNS, TopicName dimension) comparing below a threshold, treating missing data as breaching, with alarm actions (docs/observability.md, watchdog): without it a dead rule evaluation or alert manager silences every Prometheus alert unnoticed. Reported on the workspace. It does not judge who reads the alarm's topic.",
    enforcementLevel: "mandatory",
    judges: ["aws:amp/alertManagerDefinition:AlertManagerDefinition", "aws:amp/workspace:Workspace"],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const alarms = ofType(resources, ["aws:cloudwatch/metricAlarm:MetricAlarm"]);
      const workspaces = ofType(resources, ["aws:amp/workspace:Workspace"]);
      for (const def of ofType(resources, ["aws:amp/alertManagerDefinition:AlertManagerDefinition"])) {
        if (!isProd(config, def.urn)) continue;
        const text = ifKnown(() => def.props.definition);
        if (typeof text !== "string" || !/alertname\s*=\s*"?Watchdog"?/.test(text)) continue;
        // The receiver the Watchdog route names, and its topics.
        const receiver = /-\s*receiver:\s*(\S+)\s*\n\s*matchers:\s*\n\s*-\s*alertname\s*=\s*"?Watchdog"?/.exec(text)?.[1];
        const block = receiver ? new RegExp(`-\\s*name:\\s*${receiver}\\s*\\n([\\s\\S]*?)(?=\\n\\s*-\\s*name:|$)`).exec(text)?.[1] : undefined;
        const topics = [...(block ?? "").matchAll(/topic_arn:\s*(arn:[^\s"]+)/g)].map((m) => m[1].split(":").pop() ?? "");
        const watched = topics.some((topic) =>
          alarms.some((a) => {
            const p = (ifKnown(() => a.props) ?? {}) as Record<string, unknown>;
            const dims = (p.dimensions ?? {}) as Record<string, unknown>;
            return p.namespace === "AWS/SNS" && p.metricName === "NumberOfMessagesPublished" && dims.TopicName === topic && /^LessThan/.test(String(p.comparisonOperator ?? "")) && p.treatMissingData === "breaching" && p.actionsEnabled !== false && list(p.alarmActions as unknown[]).length > 0 && num(p.threshold) !== undefined;
          }),
        );
        if (watched) continue;
        const workspace = workspaces.find((w) => refersTo(ifKnown(() => def.props.workspaceId), w)) ?? workspaces[0];
        const message = `Alert manager definition "${def.name}" sends the Watchdog to ${topics.join(", ") || "no SNS topic"}, but no CloudWatch alarm pages when it stops arriving (AWS/SNS NumberOfMessagesPublished below a threshold, missing data breaching, with actions): a dead Prometheus pipeline would silence every alert unnoticed.`;
        report(message, (workspace ?? def).urn);
        if (workspace) report(message, def.urn);
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-admission-webhooks-in-cluster",
    description:
      "Admission webhooks (mutating and validating) call a Service in the cluster, never a URL outside it, and none intercepts Secrets: the API server sends every object it admits — a Secret's data included — to the webhook, so an outside URL or a webhook on secrets hands them to whoever runs it. It does not judge what an in-cluster webhook does.",
    enforcementLevel: "mandatory",
    types: ["kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration", "kubernetes:admissionregistration.k8s.io/v1beta1:MutatingWebhookConfiguration", "kubernetes:admissionregistration.k8s.io/v1beta1:ValidatingWebhookConfiguration"],
    validate: (p, { args }, report) => {
      for (const w of list(p.webhooks as Record<string, unknown>[])) {
        const name = String(w?.name ?? "?");
        const url = at(w, "clientConfig.url").value;
        if (typeof url === "string" && url !== "") report(`${describe(args)} webhook ${name} calls ${url}, outside the cluster: every object it admits leaves the cluster; point clientConfig at a Service.`);
        for (const rule of list(w?.rules as Record<string, unknown>[])) {
          const groups = list(rule?.apiGroups as string[]).map(String);
          const kinds = list(rule?.resources as string[]).map(String);
          if ((groups.includes("") || groups.includes("*")) && kinds.some((k) => k === "*" || k === "*/*" || k === "secrets" || k.startsWith("secrets/"))) report(`${describe(args)} webhook ${name} intercepts Secrets (${kinds.join(", ")}): the API server sends it their data.`);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-priority-class-no-global-preemption",
    description:
      "No PriorityClass is the global default while preempting (preemptionPolicy unset means PreemptLowerPriority): every pod that names no class would then evict lower-priority pods — the nodes' add-ons and the stack's own tiers — to make room. It does not judge classes pods name explicitly.",
    enforcementLevel: "mandatory",
    types: ["kubernetes:scheduling.k8s.io/v1:PriorityClass", "kubernetes:scheduling.k8s.io/v1beta1:PriorityClass"],
    validate: (p, { args }, report) => {
      if (truthy(p.globalDefault) && String(p.preemptionPolicy ?? "PreemptLowerPriority") !== "Never") report(`${describe(args)} is the global default (value ${String(p.value)}) and preempts: every pod without a class may evict others; set preemptionPolicy Never or globalDefault false.`);
    },
  }),
];
