import { nginxStopTiming } from "./nginx-stop";
import { z } from "zod";
import { APP_DRAIN_SECONDS, APP_ENV, ConfigError, HEADERS, routeFor, routePath } from "@edgestack/contract";
import { appEnvironmentProblems } from "./app-environment";
import { decideEnvironment, isProdStack } from "@edgestack/contract";
import {
  awsId,
  cpuQuantity,
  iamRoleArn,
  dailyWindow,
  dnsLabel,
  dnsName,
  instanceType,
  integer,
  ipv4Cidr,
  isDnsName,
  kubernetesVersion,
  memoryQuantity,
  oneOf,
  parseIpv4Cidr,
  objectivePercent,
  pinnedImage,
  plainText,
  weeklyWindow,
} from "./validators";
import { CREATABLE_VERSIONS } from "./eks-versions";
import { NAME_PREFIX_MAX_LENGTH } from "../naming";
import { AFFINITY_COOKIE, LOAD_BALANCING, NGINX_SERVICE_DISCOVERY } from "./nginx";
import { subscriptionProblem } from "./subscriptions";
import { thresholdOverrideProblem } from "@edgestack/contract";
import { configArnProblems } from "./arns";

const subscriptionIssue = (v: string, ctx: z.RefinementCtx) => {
  const problem = subscriptionProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
};
const thresholdIssue = (v: string, ctx: z.RefinementCtx) => {
  const problem = thresholdOverrideProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
};

/**
 * The one schema for the whole stack. Every key a user can set under the `edgestack:` namespace is
 * declared here with its Pulumi type, default and description; `Pulumi.yaml`'s `config:` block is
 * generated from this table (`npm run config:sync`) and a test keeps the two in step.
 */

type PulumiType = "string" | "integer" | "boolean" | "array";

interface Field<S extends z.ZodType> {
  type: PulumiType;
  schema: S;
  /** The default; `undefined` marks a required key. Optional keys default to "" or []. */
  default: z.input<S> | undefined;
  description: string;
  /** Set with `pulumi config set --secret`. */
  secret?: boolean;
}

const field = <S extends z.ZodType>(f: Field<S>): Field<S> => f;

/** Limits of AWS and Kubernetes the schema holds values to (components take them as validated). */
export const BOUNDS = {
  /** AWS WAF rate-based rule limit per 5-minute window (AWS accepts 10 and up). */
  wafRatePer5Minutes: { min: 10, max: 2_000_000_000 },
  /** Kubernetes' default NodePort range (kube-apiserver --service-node-port-range). */
  nodePort: { min: 30_000, max: 32_767 },
  /** TTL of non-alias records: under a minute floods resolvers, over a day makes changes crawl. */
  dnsTtlSeconds: { min: 60, max: 86_400 },
} as const;

/**
 * A key the app reads as the environment variable `name` (in units of `scale`: 1000 for seconds →
 * ms): its bounds are the app's own (APP_ENV in @edgestack/contract), so the stack never accepts a
 * value the app refuses.
 */
const appInteger = (name: keyof typeof APP_ENV, scale = 1) => integer(Math.ceil(APP_ENV[name].min / scale), Math.floor(APP_ENV[name].max / scale));

/** "" means "not set" for optional string keys (Pulumi project config has no null default). */
/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days; never-expire is not offered. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const optionalString = (inner: z.ZodString | z.ZodType<string>) => z.union([z.literal(""), inner]);

/** The ALB target group algorithms AWS offers (`loadBalancingAlgorithmType`). */
export const ALB_ALGORITHMS = ["round_robin", "least_outstanding_requests", "weighted_random"] as const;
/** The two nginx tiers of a blue/green deployment (config key nginxBlueGreen); blue is the original `nginx`. */
export const BLUE_GREEN_COLORS = ["blue", "green"] as const;
export type Color = (typeof BLUE_GREEN_COLORS)[number];
/** The regions Route53 health checkers run from. */
export const ROUTE53_HEALTH_CHECK_REGIONS = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"] as const;

/**
 * A path a Route53 health check may request through CloudFront: one that the contract routes to the
 * app origin uncached, so each check reaches the ALB, nginx and an app pod (a cached or static answer
 * would say nothing about them).
 */
function healthCheckPath() {
  return z
    .string()
    .regex(/^\/[A-Za-z0-9._~\-/]*$/, { error: "is not a URL path (starts with /, no query, no spaces)" })
    .max(255)
    .refine(
      (path) => {
        // Not a path at all: the pattern above already says so.
        if (!path.startsWith("/")) return true;
        const route = routeFor(path);
        return route.origin === "app" && route.cache === "none";
      },
      { error: "is not a path CloudFront forwards to the app uncached (see infra/contract.ts ROUTES); use /health" },
    );
}

export const fields = {
  // ── Stack identity and tags ────────────────────────────────────────────────────────────────
  environment: field({
    type: "string",
    schema: oneOf(["dev", "prod"] as const),
    default: "dev",
    description:
      "dev (small, cheap, single NAT) or prod (highly available, deletion protection, access logs, protect on stateful resources). A stack whose name says prod (prod, production, prd, prod-eu, eu-prod, prod-canary…) is prod when this is unset, and is refused when this says dev; a stack named dev, staging, qa… is refused when this says prod (packages/contract/src/environment.ts).",
  }),
  owner: field({ type: "string", schema: plainText(128).min(1), default: "platform-team", description: "Owner tag on every AWS resource." }),
  costCenter: field({ type: "string", schema: plainText(128).min(1), default: "edge", description: "Cost-centre tag on every AWS resource." }),
  namePrefix: field({
    type: "string",
    schema: optionalString(
      z
        .string()
        .max(NAME_PREFIX_MAX_LENGTH, { error: `is longer than ${NAME_PREFIX_MAX_LENGTH} characters (the cache's replication group id and its final snapshot must fit in 40)` })
        .regex(/^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/, { error: "is not a name prefix: lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit" }),
    ),
    default: "",
    description:
      "Prefix of every physical name AWS keeps unique in the account (EKS cluster, cache replication group, ECR repository, log groups, CloudFront policies and function, WAF); empty means edgestack-<stack>. Two stacks with different prefixes coexist in one account. Changing it replaces those resources.",
  }),

  // ── Names ──────────────────────────────────────────────────────────────────────────────────
  domain: field({ type: "string", schema: dnsName(), default: undefined, description: "Apex domain the site is served on (required), e.g. example.com." }),
  wwwSubdomain: field({ type: "string", schema: dnsLabel(), default: "www", description: "Label of the www alias (CNAME to the apex)." }),
  originSubdomain: field({ type: "string", schema: dnsLabel(), default: "origin", description: "Label of the ALB origin name CloudFront connects to." }),
  edgeSubdomain: field({ type: "string", schema: dnsLabel(), default: "edge", description: "Label of the layer-4 (NLB) name, also the SRV target." }),

  // ── Network ────────────────────────────────────────────────────────────────────────────────
  vpcId: field({ type: "string", schema: optionalString(awsId("vpc")), default: "", description: "Use this existing VPC instead of creating one (then set both subnet id lists). Its address blocks (every associated IPv4 block and its IPv6 block) are read from AWS and trusted by nginx, the app and the load balancers' egress and NetworkPolicies." }),
  existingPublicSubnetIds: field({ type: "array", schema: z.array(awsId("subnet")), default: [], description: "Public subnet ids of the existing VPC (one per AZ, at least two)." }),
  existingPrivateSubnetIds: field({ type: "array", schema: z.array(awsId("subnet")), default: [], description: "Private subnet ids of the existing VPC (one per AZ, at least two)." }),
  vpcCidr: field({ type: "string", schema: ipv4Cidr(16, 24), default: "10.0.0.0/16", description: "CIDR of the new VPC (/16 to /24); subnets are carved from it. With vpcId: the existing VPC's primary IPv4 block (the run stops, naming both, if AWS says otherwise)." }),
  availabilityZoneCount: field({ type: "integer", schema: integer(2, 6), default: 2, description: "How many availability zones the new VPC spans." }),
  natGateways: field({ type: "string", schema: oneOf(["single", "perAz"] as const), default: "single", description: "single NAT gateway (cheap) or one per AZ (survives an AZ outage)." }),

  // ── Cluster ────────────────────────────────────────────────────────────────────────────────
  kubernetesVersion: field({
    type: "string",
    schema: kubernetesVersion(),
    default: "1.35",
    description: "EKS Kubernetes version, pinned; a new cluster needs its add-on versions pinned in infra/config/eks-versions.ts. The plan warns once it leaves standard support.",
  }),
  clusterSupportType: field({
    type: "string",
    schema: oneOf(["STANDARD", "EXTENDED"] as const),
    default: "STANDARD",
    description: "EKS upgradePolicy: STANDARD lets EKS upgrade the control plane at the end of standard support (no extended-support charges); EXTENDED keeps the version, at extra cost per cluster hour.",
  }),
  metricsServerAddonVersion: field({
    type: "string",
    schema: z.string().regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, { error: "is not an EKS add-on version like v0.8.0-eksbuild.2" }),
    default: "v0.8.0-eksbuild.2",
    description: "metrics-server EKS add-on version, pinned (installed on a cluster the stack creates; the HPA's CPU metrics come from it).",
  }),
  nodeInstanceType: field({ type: "string", schema: instanceType(), default: "t3.medium", description: "EC2 instance type of the managed node group." }),
  nodeMinSize: field({ type: "integer", schema: integer(1, 100), default: 2, description: "Node group minimum size." }),
  nodeDesiredSize: field({ type: "integer", schema: integer(1, 100), default: 2, description: "Node group desired size." }),
  nodeMaxSize: field({ type: "integer", schema: integer(1, 100), default: 4, description: "Node group maximum size." }),
  clusterPublicAccessCidrs: field({
    type: "array",
    schema: z.array(ipv4Cidr(0, 32)),
    default: [],
    description: "CIDRs allowed to reach the EKS API endpoint publicly; empty keeps the endpoint private.",
  }),
  existingKubeconfig: field({
    type: "string",
    schema: z.string(),
    default: "",
    secret: true,
    description: "Kubeconfig of an existing cluster (set with --secret); when set, no EKS resources are created.",
  }),
  existingNodeSecurityGroupId: field({ type: "string", schema: optionalString(awsId("sg")), default: "", description: "Existing cluster: the worker nodes' security group." }),
  existingNodeAutoScalingGroup: field({
    type: "string",
    schema: z.union([z.literal(""), z.string().regex(/^[\w.\-:/]{1,255}$/, { error: "is not an auto scaling group name" })]),
    default: "",
    description: "Existing cluster: the nodes' auto scaling group to attach target groups to; empty uses TargetGroupBindings (AWS Load Balancer Controller).",
  }),

  // ── CI access to the cluster (docs/decisions/0004-ci-runner-in-the-vpc.md) ─────────────────
  ciDeployRoleArn: field({
    type: "string",
    schema: optionalString(iamRoleArn()),
    default: "",
    description:
      "IAM role the deploy workflow (and a first deploy) runs as: an EKS access entry maps it to the Kubernetes group edgestack:deployers, bound to a ClusterRole limited to the kinds the stack manages. Required for a cluster the stack creates.",
  }),
  ciPreviewRoleArn: field({
    type: "string",
    schema: optionalString(iamRoleArn()),
    default: "",
    description: "IAM role of the preview jobs: an EKS access entry with the AmazonEKSViewPolicy (read-only, cluster-wide).",
  }),
  clusterAdminRoleArns: field({
    type: "array",
    schema: z.array(iamRoleArn()),
    default: [],
    description: "IAM roles of people who operate the cluster (break-glass): access entries with the AmazonEKSClusterAdminPolicy. CI roles do not belong here.",
  }),
  clusterAccessBootstrap: field({
    type: "boolean",
    schema: z.boolean(),
    default: false,
    description:
      "First deploy (or a new kind in the stack): the deploy role holds the AmazonEKSClusterAdminPolicy for this run, to create its own ClusterRole and binding; turn it off with the next `pulumi up`.",
  }),
  ciRunner: field({
    type: "string",
    schema: oneOf(["none", "codebuild", "static-egress"] as const),
    default: "none",
    description:
      "Where the deploy workflow's jobs that reach the Kubernetes API run: none (no CI runner declared: deploys from wherever reaches the endpoint), codebuild (a CodeBuild-hosted GitHub Actions runner the stack creates in its private subnets, allowed to the API on 443) or static-egress (your runners, whose egress ranges ciRunnerEgressCidrs must lie inside clusterPublicAccessCidrs).",
  }),
  ciRepository: field({
    type: "string",
    schema: optionalString(z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: "is not a GitHub repository such as \"acme/edgestack\"" })),
    default: "",
    description: "With ciRunner codebuild: the GitHub repository (owner/name) whose workflow jobs the runner takes.",
  }),
  ciCodeConnectionArn: field({
    type: "string",
    schema: optionalString(z.string().regex(/^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/, { error: "is not a CodeConnections connection ARN" })),
    default: "",
    description: "With ciRunner codebuild: the AWS CodeConnections connection to GitHub the runner project authenticates with.",
  }),
  ciRunnerEgressCidrs: field({
    type: "array",
    schema: z.array(ipv4Cidr(16, 32)),
    default: [],
    description: "With ciRunner static-egress: the runners' fixed egress ranges; each must lie inside clusterPublicAccessCidrs.",
  }),
  ciImagePushRoleArn: field({
    type: "string",
    schema: optionalString(iamRoleArn()),
    default: "",
    description: "IAM role the workflow's image jobs push with: the stack attaches a policy allowing push (and pull) to this stack's image repository only.",
  }),
  imagePromoteSourceRepositoryArn: field({
    type: "string",
    schema: optionalString(z.string().regex(/^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/[a-z0-9._/-]+$/, { error: "is not an ECR repository ARN" })),
    default: "",
    description: "Prod: the repository (dev's) the image job promotes the tested digest from; the push role may pull from it, nothing more.",
  }),

  // ── Cache ──────────────────────────────────────────────────────────────────────────────────
  cacheEngine: field({ type: "string", schema: oneOf(["redis", "valkey"] as const), default: "valkey", description: "ElastiCache engine." }),
  cacheEngineVersion: field({ type: "string", schema: z.string().regex(/^\d+\.\d+$/, { error: "is not a major.minor version" }), default: "8.0", description: "Engine version (major.minor)." }),
  cacheNodeType: field({ type: "string", schema: instanceType("cache."), default: "cache.t4g.micro", description: "ElastiCache node type." }),
  cacheShards: field({
    type: "integer",
    schema: integer(1, 500),
    default: 1,
    description: "Shards (node groups) of the cluster-mode replication group; changing it reshards online. Memory per shard ≈ active clients × (7·rateLimitMax + 200 B) ÷ shards (measured black box: `npm run bench:memory`).",
  }),
  cacheReplicas: field({ type: "integer", schema: integer(0, 5), default: 1, description: "Read replicas per shard (>= 1 for failover)." }),
  cacheMultiAz: field({ type: "boolean", schema: z.boolean(), default: false, description: "Multi-AZ with automatic failover (requires cacheReplicas >= 1); forced on in prod." }),
  cacheSnapshotRetentionDays: field({ type: "integer", schema: integer(0, 35), default: 1, description: "Days of automatic snapshots kept." }),
  cacheAuthTokenGeneration: field({
    type: "integer",
    schema: integer(1, 10_000),
    default: 1,
    description:
      "Rotate the Redis AUTH token: a higher generation is a new token. Step 1: raise it with cacheAuthTokenUpdateStrategy ROTATE (ElastiCache accepts old and new, the app's pods roll onto the new one); step 2: set the strategy to SET (the old token is dropped).",
  }),
  cacheAuthTokenUpdateStrategy: field({
    type: "string",
    schema: oneOf(["ROTATE", "SET"] as const),
    default: "ROTATE",
    description: "ElastiCache authTokenUpdateStrategy: ROTATE adds the token beside the current one, SET makes it the only one (step 2 of a rotation).",
  }),
  cacheMaintenanceWindow: field({ type: "string", schema: weeklyWindow(), default: "sun:05:00-sun:06:00", description: "Weekly maintenance window (UTC)." }),
  cacheSnapshotWindow: field({ type: "string", schema: dailyWindow(), default: "03:00-04:00", description: "Daily snapshot window (UTC), must not overlap maintenance." }),

  // ── App workload ───────────────────────────────────────────────────────────────────────────
  appImage: field({
    type: "string",
    schema: optionalString(pinnedImage()),
    default: "",
    description: "App container image, pinned to a tag or digest. The deploy workflow sets it to the digest it pushed to the stack's ECR repository (output imageRepositoryUrl); empty: no workloads are deployed yet.",
  }),
  appReplicas: field({ type: "integer", schema: integer(1, 100), default: 2, description: "App replicas at deploy time." }),
  appMinReplicas: field({ type: "integer", schema: integer(1, 100), default: 2, description: "HorizontalPodAutoscaler minimum." }),
  appMaxReplicas: field({ type: "integer", schema: integer(1, 200), default: 6, description: "HorizontalPodAutoscaler maximum." }),
  appTargetCpuPercent: field({ type: "integer", schema: integer(10, 95), default: 70, description: "HPA target average CPU utilisation." }),
  appCpuRequest: field({ type: "string", schema: cpuQuantity(), default: "100m", description: "App container CPU request." }),
  appCpuLimit: field({ type: "string", schema: cpuQuantity(), default: "500m", description: "App container CPU limit." }),
  appMemoryRequest: field({ type: "string", schema: memoryQuantity(), default: "128Mi", description: "App container memory request." }),
  appMemoryLimit: field({ type: "string", schema: memoryQuantity(), default: "256Mi", description: "App container memory limit." }),
  rateLimitMax: field({ type: "integer", schema: appInteger("RATE_LIMIT_MAX"), default: APP_ENV.RATE_LIMIT_MAX.default, description: "App rate limit: requests allowed per client in one sliding window." }),
  rateLimitWindowMs: field({ type: "integer", schema: appInteger("RATE_LIMIT_WINDOW_MS"), default: APP_ENV.RATE_LIMIT_WINDOW_MS.default, description: "App rate-limit sliding window in milliseconds." }),
  rateLimitFailMode: field({ type: "string", schema: oneOf(["open", "closed"] as const), default: "open", description: "What the app's limiter does when Redis is down: open admits, closed answers 503." }),
  apiKeyNames: field({
    type: "array",
    schema: z.array(dnsLabel()),
    default: [],
    description: "One API key per name, generated by the stack (output apiKeys, secret); the app holds only their SHA-256 in the Secret app-api-keys. Rotate: add a name, hand out its key, remove the old name.",
  }),
  apiKeyGenerations: field({
    type: "array",
    schema: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?:([2-9]|[1-9]\d{1,3})$/, { error: "is not <apiKeyName>:<generation> with a generation from 2, e.g. \"partner-a:2\"" })),
    default: [],
    description:
      "Rotate an API key: <name>:<generation> (from 2); a new generation is a new key. Step 1: raise the generation and list the name in apiKeyAcceptPrevious (both keys valid, pods roll), hand out the new key; step 2: remove it from apiKeyAcceptPrevious.",
  }),
  apiKeyAcceptPrevious: field({
    type: "array",
    schema: z.array(dnsLabel()),
    default: [],
    description: "API key names whose previous generation stays valid during a rotation (see apiKeyGenerations).",
  }),
  apiKeysSecretName: field({
    type: "string",
    schema: optionalString(
      z.string().max(253).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { error: "is not a Kubernetes object name (lower-case a-z, 0-9, '-', '.')" }),
    ),
    default: "",
    description: "Use your own Kubernetes Secret (namespace edgestack) whose API_KEY_HASHES entry lists the keys' SHA-256 hex digests, comma-separated; instead of apiKeyNames.",
  }),
  wsAllowedOrigins: field({
    type: "array",
    schema: z.array(z.string().regex(/^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/, { error: "is not an origin such as https://example.com" })),
    default: [],
    description: "Browser origins allowed to open /ws; empty means the site's own (https://<domain> and https://<wwwSubdomain>.<domain>).",
  }),

  wsMaxConnectionsPerClient: field({
    type: "integer",
    schema: appInteger("WS_MAX_CONNECTIONS_PER_CLIENT"),
    default: APP_ENV.WS_MAX_CONNECTIONS_PER_CLIENT.default,
    description: "Concurrent WebSockets per client address (IPv6: per /64), enforced by each nginx pod and each app replica.",
  }),

  // ── nginx ──────────────────────────────────────────────────────────────────────────────────
  nginxImage: field({ type: "string", schema: pinnedImage(), default: "nginxinc/nginx-unprivileged:1.30.5-alpine", description: "nginx image (unprivileged variant: runs as non-root)." }),
  nginxExporterImage: field({
    type: "string",
    schema: pinnedImage(),
    default: "nginx/nginx-prometheus-exporter:0.11.0",
    description: "The NGINX Prometheus exporter, a sidecar of every nginx pod reading stub_status on loopback (the version Debian packages for the local data plane).",
  }),
  nginxReplicas: field({ type: "integer", schema: integer(0, 50), default: 2, description: "nginx replicas (blue's, with nginxBlueGreen); at least 1, and 0 only with nginxBlueGreen while blue takes no traffic." }),
  nginxLoadBalancing: field({
    type: "string",
    schema: oneOf(LOAD_BALANCING),
    default: "least_conn",
    description:
      "nginx's upstream algorithm over the app pods: round_robin (smooth weighted), least_conn, ip_hash (affinity by client /24), hash (consistent on the request URI), random (weighted), random_two_least_conn (power of two choices) or cookie_affinity (least_conn, then the edge_affinity cookie keeps a client on its pod). Least response time (least_time) is not in open-source nginx (docs/nginx.md).",
  }),
  nginxWorkerConnections: field({
    type: "integer",
    schema: integer(256, 65_536),
    default: 16_384,
    description: "Ceiling of worker_connections per nginx worker; the figure is sized from the nginx pod's memory and file-descriptor limits (docs/nginx.md, Capacity) and may be lower.",
  }),
  nginxRateLimitPerMinute: field({ type: "integer", schema: integer(1, 1_000_000), default: 600, description: "nginx limit_req rate per client IP (requests per minute)." }),
  nginxRateLimitBurst: field({ type: "integer", schema: integer(0, 100_000), default: 20, description: "nginx limit_req burst (served without delay: nodelay)." }),
  nginxConnLimitPerIp: field({ type: "integer", schema: integer(1, 65_535), default: 100, description: "nginx limit_conn: concurrent connections per client IP." }),
  nginxUpstreamKeepaliveConnections: field({ type: "integer", schema: integer(0, 10_000), default: 64, description: "Idle upstream connections kept per worker (0 disables pooling)." }),
  nginxUpstreamKeepaliveRequests: field({ type: "integer", schema: integer(1, 1_000_000), default: 1000, description: "Requests served over one pooled upstream connection before it is recycled." }),
  nginxServiceDiscovery: field({
    type: "string",
    schema: oneOf(NGINX_SERVICE_DISCOVERY),
    default: "dns_a",
    description:
      "How nginx finds the app pods through the headless Services: dns_a (A records, the port from the config) or dns_srv (the SRV records _http._tcp.<service> CoreDNS publishes for the named port: address and port per record, no port in nginx.conf). Either way re-resolved without a reload (nginxResolverValidSeconds).",
  }),
  nginxMaxFails: field({ type: "integer", schema: integer(0, 100), default: 3, description: "Passive health check: failures within fail_timeout that mark an upstream down." }),
  nginxFailTimeoutSeconds: field({ type: "integer", schema: integer(1, 3600), default: 10, description: "Passive health check window and down time." }),
  nginxResolverValidSeconds: field({
    type: "integer",
    schema: integer(1, 30),
    default: 1,
    description: "How often nginx re-resolves the app pods' DNS name (headless Service): new or removed pods are seen within about this long.",
  }),
  nginxNextUpstreamTries: field({ type: "integer", schema: integer(1, 10), default: 3, description: "Attempts for an idempotent request across upstreams." }),
  nginxHttpNodePort: field({ type: "integer", schema: integer(BOUNDS.nodePort.min, BOUNDS.nodePort.max), default: 30080, description: `NodePort of nginx's ALB listener (TLS: the ALB's HTTPS target; ${HEADERS.forwardedFor}); the NLB health-checks it over HTTPS too.` }),
  nginxProxyProtocolNodePort: field({ type: "integer", schema: integer(BOUNDS.nodePort.min, BOUNDS.nodePort.max), default: 30081, description: "NodePort of nginx's proxy-protocol TLS-terminated listener (NLB 443 target; treated as https)." }),
  nginxProxyProtocolHttpNodePort: field({ type: "integer", schema: integer(BOUNDS.nodePort.min, BOUNDS.nodePort.max), default: 30082, description: "NodePort of nginx's proxy-protocol plain listener (NLB 80 target; redirects to https)." }),
  // ── Blue/green of the nginx tier (docs/traffic.md) ──────────────────────────────────────────
  nginxBlueGreen: field({
    type: "boolean",
    schema: z.boolean(),
    default: false,
    description:
      "Run a second nginx tier, green (Deployment and NodePort Service nginx-green, own image and NodePorts, own ALB and NLB target groups), beside blue (nginx, the nginx* keys): the ALB splits by albBlueWeight/albGreenWeight, the NLB sends everything to nlbColor. See docs/traffic.md.",
  }),
  albBlueWeight: field({ type: "integer", schema: integer(0, 100), default: 100, description: "With nginxBlueGreen: percent of the ALB's requests forwarded to blue's target group (albBlueWeight + albGreenWeight = 100)." }),
  albGreenWeight: field({ type: "integer", schema: integer(0, 100), default: 0, description: "With nginxBlueGreen: percent of the ALB's requests forwarded to green's target group (albBlueWeight + albGreenWeight = 100)." }),
  nlbColor: field({
    type: "string",
    schema: oneOf(BLUE_GREEN_COLORS),
    default: "blue",
    description: "With nginxBlueGreen: the colour the NLB's listeners forward to (an NLB forward takes one target group: no weights); both colours' NLB target groups stay registered and health-checked.",
  }),
  nginxGreenOverrides: field({
    type: "array",
    schema: z.array(z.string().regex(/^[A-Za-z]+=.*$/s, { error: "is not key=value" })),
    default: [],
    description:
      "With nginxBlueGreen: green's nginx.conf differs from blue's by these stack keys, each \"key=value\" (e.g. [\"nginxLoadBalancing=random_two_least_conn\",\"proxyReadTimeoutSeconds=20\"]); only keys that shape nginx.conf alone (NGINX_TIER_KEYS), each checked by its own rule and the cross-key rules on green's values. Green gets its own ConfigMap.",
  }),
  nginxGreenImage: field({ type: "string", schema: optionalString(pinnedImage()), default: "", description: "With nginxBlueGreen: green's nginx image (unprivileged variant); empty runs nginxImage." }),
  nginxGreenReplicas: field({
    type: "integer",
    schema: integer(0, 50),
    default: 2,
    description: "With nginxBlueGreen: green's nginx replicas; 0 only while green takes no traffic (albGreenWeight 0 and nlbColor blue). nginxReplicas is blue's, likewise 0 only while blue takes none.",
  }),
  nginxGreenHttpNodePort: field({ type: "integer", schema: integer(BOUNDS.nodePort.min, BOUNDS.nodePort.max), default: 30083, description: "With nginxBlueGreen: green's NodePort for nginx's ALB listener (TLS: the ALB's HTTPS target)." }),
  nginxGreenProxyProtocolNodePort: field({ type: "integer", schema: integer(BOUNDS.nodePort.min, BOUNDS.nodePort.max), default: 30084, description: "With nginxBlueGreen: green's NodePort for the proxy-protocol TLS-terminated listener (NLB 443 target)." }),
  nginxGreenProxyProtocolHttpNodePort: field({ type: "integer", schema: integer(BOUNDS.nodePort.min, BOUNDS.nodePort.max), default: 30085, description: "With nginxBlueGreen: green's NodePort for the proxy-protocol plain listener (NLB 80 target)." }),
  serviceCidr: field({ type: "string", schema: ipv4Cidr(12, 24), default: "172.20.0.0/16", description: "Kubernetes service CIDR (set on a new EKS cluster; must match an existing cluster's)." }),
  appClusterIp: field({
    type: "string",
    schema: z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$/, { error: "is not an IPv4 address" }),
    default: "172.20.0.80",
    description: "Fixed ClusterIP of the app Service inside serviceCidr (in-cluster clients; nginx balances over the pods through the headless Service instead).",
  }),

  // ── Traffic: the canary track (docs/nginx.md "Canary") ───────────────────────────────────────
  canaryImage: field({
    type: "string",
    schema: optionalString(pinnedImage()),
    default: "",
    description:
      "Image of the canary Deployment (app-canary, pods labelled edgestack.io/track: canary), pinned like appImage; empty: no canary. Promote: set appImage to it and empty this key; roll back: set canaryWeightPercent to 0 or empty this key.",
  }),
  canaryReplicas: field({ type: "integer", schema: integer(1, 50), default: 1, description: "Replicas of the canary Deployment (with canaryImage); at least 2 in prod." }),
  canaryWeightPercent: field({
    type: "integer",
    schema: integer(0, 100),
    default: 0,
    description: "Share of requests (percent, per request) nginx sends to the canary track; 0 sends only forced requests (canaryHeader/canaryCookie). Needs canaryImage.",
  }),
  canaryHeader: field({
    type: "string",
    schema: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, { error: "is not an HTTP header name (letters, digits and '-', starting with a letter)" }),
    default: "X-Canary",
    description: "Request header that forces a track for testers: \"always\" → canary, \"never\" → stable (wins over the cookie and the weight).",
  }),
  canaryCookie: field({
    type: "string",
    schema: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, { error: "is not a cookie name nginx can read ($cookie_<name>: letters, digits and '_', starting with a letter)" }),
    default: "edge_canary",
    description: "Cookie that forces a track: \"always\" → canary, \"never\" → stable (wins over the weight).",
  }),

  // ── The timeout chain (seconds); see docs/cluster.md "Timeouts" ─────────────────────────────────────
  cdnOriginKeepaliveSeconds: field({ type: "integer", schema: integer(1, 60), default: 5, description: "CloudFront origin keep-alive timeout (must be < ALB idle timeout)." }),
  cdnOriginReadTimeoutSeconds: field({ type: "integer", schema: integer(1, 180), default: 30, description: "CloudFront origin read (response) timeout." }),
  albIdleTimeoutSeconds: field({ type: "integer", schema: integer(1, 4000), default: 60, description: "ALB idle timeout (must be < nginx client keepalive)." }),
  nginxClientKeepaliveSeconds: field({ type: "integer", schema: integer(1, 3600), default: 75, description: "nginx keepalive_timeout towards load balancers and clients." }),
  nginxUpstreamKeepaliveSeconds: field({ type: "integer", schema: integer(1, 3600), default: 60, description: "nginx upstream keepalive_timeout (must be < app keep-alive)." }),
  appKeepAliveSeconds: field({ type: "integer", schema: appInteger("KEEPALIVE_TIMEOUT_MS", 1000), default: 65, description: "App server keepAliveTimeout (must be < app headersTimeout)." }),
  appHeadersTimeoutSeconds: field({ type: "integer", schema: appInteger("HEADERS_TIMEOUT_MS", 1000), default: 66, description: "App server headersTimeout." }),
  proxyConnectTimeoutSeconds: field({ type: "integer", schema: integer(1, 75), default: 5, description: "nginx proxy_connect_timeout." }),
  proxyReadTimeoutSeconds: field({ type: "integer", schema: integer(1, 3600), default: 30, description: "nginx proxy_read_timeout for HTTP requests." }),
  proxySendTimeoutSeconds: field({ type: "integer", schema: integer(1, 3600), default: 30, description: "nginx proxy_send_timeout." }),
  websocketTimeoutSeconds: field({ type: "integer", schema: integer(60, 86_400), default: 3600, description: "nginx proxy_send_timeout of WebSocket connections (a write towards the app that cannot proceed)." }),
  websocketReadTimeoutSeconds: field({
    type: "integer",
    schema: integer(2, 300),
    default: 10,
    description:
      "nginx proxy_read_timeout of WebSocket connections: how long an upgrade waits for the app's answer before it goes to another pod, and the longest the app side of an open socket may stay silent. The app pings every open socket every third of it (WS_HEARTBEAT_MS), so only a hung pod's sockets reach it.",
  }),
  deregistrationDelaySeconds: field({ type: "integer", schema: integer(0, 3600), default: 20, description: "Load balancer deregistration delay (must be <= app shutdown delay)." }),
  appShutdownDelaySeconds: field({ type: "integer", schema: appInteger("SHUTDOWN_DELAY_MS", 1000), default: 20, description: "How long the app keeps serving after SIGTERM while load balancers deregister it." }),
  terminationGracePeriodSeconds: field({ type: "integer", schema: integer(APP_DRAIN_SECONDS, 7200), default: 45, description: "Kubernetes terminationGracePeriodSeconds (must exceed the shutdown delay)." }),

  // ── Load balancer health checks ────────────────────────────────────────────────────────────
  healthCheckIntervalSeconds: field({ type: "integer", schema: integer(5, 300), default: 15, description: "Target group health-check interval." }),
  healthCheckTimeoutSeconds: field({ type: "integer", schema: integer(2, 120), default: 5, description: "Target group health-check timeout (must be < interval)." }),
  healthyThreshold: field({ type: "integer", schema: integer(2, 10), default: 2, description: "Consecutive successes before a target is healthy." }),
  unhealthyThreshold: field({ type: "integer", schema: integer(2, 10), default: 3, description: "Consecutive failures before a target is unhealthy." }),
  albStickinessSeconds: field({ type: "integer", schema: integer(0, 604_800), default: 0, description: "ALB session-affinity cookie duration; 0 turns stickiness off." }),
  albLoadBalancingAlgorithm: field({
    type: "string",
    schema: oneOf(ALB_ALGORITHMS),
    default: "least_outstanding_requests",
    description:
      "ALB target group algorithm: round_robin (equal turns), least_outstanding_requests (fewest in-flight requests) or weighted_random (random, weights from AWS's anomaly detection when albAnomalyMitigation is on). See docs/edge.md.",
  }),
  albAnomalyMitigation: field({
    type: "boolean",
    schema: z.boolean(),
    default: false,
    description: "ALB automatic target weights: send less traffic to targets whose error rate stands out; AWS supports it only with albLoadBalancingAlgorithm weighted_random.",
  }),
  nlbElasticIps: field({ type: "boolean", schema: z.boolean(), default: false, description: "Give the NLB one Elastic IP per AZ (fixed addresses for allow-lists)." }),

  // ── CDN ────────────────────────────────────────────────────────────────────────────────────
  cdnPriceClass: field({
    type: "string",
    schema: oneOf(["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const),
    default: "PriceClass_100",
    description: "CloudFront price class.",
  }),
  cdnHtmlDefaultTtlSeconds: field({ type: "integer", schema: integer(0, 86_400), default: 60, description: "Default TTL of HTML pages: CloudFront's default, and the max-age nginx sends on HTML when the app sends no Cache-Control." }),
  cdnHtmlMaxTtlSeconds: field({ type: "integer", schema: integer(0, 31_536_000), default: 300, description: "Upper bound on HTML TTLs the origin may ask for." }),
  staleWhileRevalidateSeconds: field({ type: "integer", schema: integer(0, 86_400), default: 60, description: "stale-while-revalidate nginx sends on HTML when the app sends no Cache-Control (0 leaves it out); CloudFront honours it." }),
  wafEnabled: field({ type: "boolean", schema: z.boolean(), default: false, description: "Attach a WAFv2 web ACL (managed common rules + rate rule) to CloudFront; forced on in prod." }),
  wafRateLimitPer5Minutes: field({ type: "integer", schema: integer(BOUNDS.wafRatePer5Minutes.min, BOUNDS.wafRatePer5Minutes.max), default: 2000, description: "WAF rate-based rule: requests per client IP per 5 minutes." }),
  wafAnonymousIps: field({
    type: "string",
    schema: oneOf(["block-anonymizers", "block-all", "off"] as const),
    default: "block-anonymizers",
    description:
      "WAF AWSManagedRulesAnonymousIpList: block-anonymizers blocks requests from VPNs, Tor and proxies (AnonymousIPList) and only counts those from hosting providers' address space (HostingProviderIPList), so API clients running in a cloud still get in; block-all blocks both; off leaves the group out (not allowed in prod). See docs/edge.md.",
  }),

  // ── Service level objectives (see docs/observability.md) ──────────────────────────────────────
  sloWindowDays: field({ type: "integer", schema: integer(7, 90), default: 30, description: "SLO window (days) over which every objective's error budget is counted; the burn-rate alerts scale their factors to it." }),
  sloApiAvailabilityPercent: field({ type: "string", schema: objectivePercent(), default: "99.9", description: "API route class (/api/): share of requests that must not fail with a 5xx, in percent (a quoted decimal, below 100)." }),
  sloApiLatencyMs: field({ type: "integer", schema: appInteger("METRICS_LATENCY_THRESHOLD_MS"), default: 300, description: "API route class: the latency threshold (ms) of its latency objective." }),
  sloApiLatencyPercent: field({ type: "string", schema: objectivePercent(), default: "99", description: "API route class: share of requests answered within sloApiLatencyMs, in percent." }),
  sloSiteAvailabilityPercent: field({ type: "string", schema: objectivePercent(), default: "99.9", description: "Site route class (HTML pages and /static/ assets): share of requests that must not fail with a 5xx, in percent." }),
  sloSiteLatencyMs: field({ type: "integer", schema: appInteger("METRICS_LATENCY_THRESHOLD_MS"), default: 1000, description: "Site route class: the latency threshold (ms) of its latency objective." }),
  sloSiteLatencyPercent: field({ type: "string", schema: objectivePercent(), default: "99", description: "Site route class: share of requests answered within sloSiteLatencyMs, in percent." }),
  sloWebsocketAvailabilityPercent: field({ type: "string", schema: objectivePercent(), default: "99.9", description: "WebSocket handshake route class (/ws): share of upgrade requests that must not fail with a 5xx, in percent." }),
  sloWebsocketLatencyMs: field({ type: "integer", schema: appInteger("METRICS_LATENCY_THRESHOLD_MS"), default: 1000, description: "WebSocket handshake: the latency threshold (ms) of its latency objective (upgrade request to 101)." }),
  sloWebsocketLatencyPercent: field({ type: "string", schema: objectivePercent(), default: "99", description: "WebSocket handshake: share of upgrades answered within sloWebsocketLatencyMs, in percent." }),

  // ── DNS ────────────────────────────────────────────────────────────────────────────────────
  createHostedZone: field({ type: "boolean", schema: z.boolean(), default: false, description: "Create the Route53 hosted zone; false looks up the existing zone named after the domain." }),
  parentHostedZoneId: field({
    type: "string",
    schema: optionalString(z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: "is not a Route53 hosted zone id such as \"Z0123456789ABCDEFGHIJ\"" })),
    default: "",
    description: "With createHostedZone: the parent zone (same account) the stack writes the NS delegation into, before certificate validation.",
  }),
  parentHostedZoneName: field({
    type: "string",
    schema: optionalString(dnsName()),
    default: "",
    description: "With createHostedZone: the parent zone by name (same account, public), instead of parentHostedZoneId.",
  }),
  zoneDelegated: field({
    type: "boolean",
    schema: z.boolean(),
    default: false,
    description: "With createHostedZone and no parent zone: set true once the domain is delegated to the nameServers output. Until then `pulumi up` stops short of certificates (step one of two).",
  }),
  dnssecSigning: field({
    type: "boolean",
    schema: z.boolean(),
    default: true,
    description:
      "Sign the stack's hosted zone with DNSSEC: a KMS key (ECC_NIST_P256, us-east-1) that only Route53's DNSSEC service of this account may use, a key-signing key, zone signing, the DS record in a parent zone the stack writes the delegation into, and the two DNSSEC alarms. Required in prod. See docs/edge.md for the DS record at a registrar.",
  }),
  delegatedSubdomainDsRecords: field({
    type: "array",
    schema: z.array(z.string().regex(/^[a-z0-9.-]+=\d{1,5} \d{1,3} \d{1,3} [0-9A-Fa-f]{40,128}$/, { error: "is not <subdomain>=<key tag> <algorithm> <digest type> <digest> (the other stack's dnssecDsRecord output)" })),
    default: [],
    description: "DS records this stack writes into its own zone for a subdomain it delegates (delegatedSubdomains) that signs its zone, e.g. dev.example.com=12345 13 2 <hex digest> (the other stack's dnssecDsRecord output): the chain of trust reaches the child zone.",
  }),
  delegatedSubdomains: field({
    type: "array",
    schema: z.array(
      z.string().regex(/^[a-z0-9.-]+=[a-z0-9.-]+(,[a-z0-9.-]+){1,12}$/, { error: "is not <subdomain>=<name server>,<name server>[,…] (2 to 13 name servers)" }),
    ),
    default: [],
    description:
      "NS delegations this stack writes into its own zone for another stack's zone, e.g. dev.example.com=ns-1.awsdns-01.org,… (the other stack's nameServers output): the parent's stack delegates, so a lower environment never needs write access to a higher one's zone.",
  }),
  dnsTtlSeconds: field({ type: "integer", schema: integer(BOUNDS.dnsTtlSeconds.min, BOUNDS.dnsTtlSeconds.max), default: 300, description: "TTL of non-alias records." }),
  spfRecord: field({ type: "string", schema: plainText(2048).regex(/^v=spf1( |$)/, { error: "is not an SPF record (must start with \"v=spf1\")" }), default: "v=spf1 -all", description: "SPF TXT value at the apex." }),
  verificationTokens: field({ type: "array", schema: z.array(plainText(2048).min(1)), default: [], description: "Extra apex TXT values (site verification); long ones are split into 255-character strings." }),
  dnsFailover: field({
    type: "boolean",
    schema: z.boolean(),
    default: false,
    description:
      "Route53 health checks (through CloudFront's and the NLB's public names) and failover records: apex and edge names answer dnsFailoverSecondaryDnsName while their primary fails. The policy pack requires it in prod.",
  }),
  dnsFailoverSecondaryDnsName: field({
    type: "string",
    schema: optionalString(dnsName()),
    default: "",
    description:
      "With dnsFailover: the SECONDARY alias target (e.g. a standby load balancer serving a maintenance page, with certificates for the apex, www and edge names). Required with dnsFailover.",
  }),
  dnsFailoverSecondaryZoneId: field({
    type: "string",
    schema: optionalString(z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: "is not a Route53 hosted zone id such as \"Z35SXDOTRQ7X7K\"" })),
    default: "",
    description: "With dnsFailover: the alias hosted zone id of dnsFailoverSecondaryDnsName (the load balancer's, S3 website's or CloudFront's canonical zone). Required with dnsFailover.",
  }),
  dnsHealthCheckPath: field({
    type: "string",
    schema: healthCheckPath(),
    default: routePath("health"),
    description: "Path the Route53 health checks request over HTTPS; must be a path of @edgestack/contract that CloudFront forwards to the app uncached.",
  }),
  dnsHealthCheckIntervalSeconds: field({
    type: "integer",
    schema: integer(10, 30).refine((v) => v === 10 || v === 30, { error: "must be 10 (fast, extra cost) or 30 (standard): Route53 offers no other interval" }),
    default: 30,
    description: "Route53 health-check request interval: 30 (standard) or 10 (fast, billed extra).",
  }),
  dnsHealthCheckFailureThreshold: field({ type: "integer", schema: integer(1, 10), default: 3, description: "Consecutive Route53 health-check failures before the endpoint is unhealthy (and back)." }),
  dnsHealthCheckRegions: field({
    type: "array",
    schema: z
      .array(oneOf(ROUTE53_HEALTH_CHECK_REGIONS))
      .refine((r) => r.length === 0 || r.length >= 3, { error: "needs at least 3 regions (Route53's minimum), or none for all of them" })
      .refine((r) => new Set(r).size === r.length, { error: "names a region twice" }),
    default: [],
    description: `Regions the Route53 health checkers run from (at least 3 of ${ROUTE53_HEALTH_CHECK_REGIONS.join(", ")}); empty: all of them.`,
  }),
  srvService: field({ type: "string", schema: dnsLabel(), default: "edge", description: "SRV service label: publishes _<service>._tcp.<domain>." }),
  srvPriority: field({ type: "integer", schema: integer(0, 65_535), default: 10, description: "SRV priority." }),
  srvWeight: field({ type: "integer", schema: integer(0, 65_535), default: 5, description: "SRV weight." }),
  srvPort: field({ type: "integer", schema: integer(1, 65_535), default: 443, description: "SRV port." }),

  // ── Alerting (CloudWatch alarms, SNS topics, dashboard; docs/observability.md) ─────────────
  alertPageSubscriptions: field({
    type: "array",
    schema: z.array(z.string().superRefine((v, ctx) => subscriptionIssue(v, ctx))),
    default: [],
    description: "Who the page topic (urgent alarms) notifies: protocol:endpoint entries, e.g. email:oncall@example.com, https:https://events.example.com/hook, sqs:<queue ARN>, lambda:<function ARN>, sms:+14155550100.",
  }),
  alertTicketSubscriptions: field({
    type: "array",
    schema: z.array(z.string().superRefine((v, ctx) => subscriptionIssue(v, ctx))),
    default: [],
    description: "Who the ticket topic (non-urgent alarms) notifies: protocol:endpoint entries, as alertPageSubscriptions.",
  }),
  alarmThresholds: field({
    type: "array",
    schema: z.array(z.string().superRefine((v, ctx) => thresholdIssue(v, ctx))),
    default: [],
    description: "Thresholds over the recommended alarms' defaults: <alarm id>=<number> entries, e.g. alb.HTTPCode_ELB_5XX_Count=20 (ids and defaults in docs/observability.md).",
  }),
  cdnAdditionalMetrics: field({
    type: "boolean",
    schema: z.boolean(),
    default: false,
    description: "CloudFront additional metrics (OriginLatency, error rates per status; billed per metric) and the OriginLatency alarm; forced on in prod.",
  }),
  // ── Managed Prometheus, Container Insights and container logs (docs/observability.md) ─────────
  managedPrometheus: field({
    type: "boolean",
    schema: z.boolean(),
    default: false,
    description: "Amazon Managed Service for Prometheus: a workspace, a managed scraper of the cluster the stack creates, the SLO rules and an alert manager to the alert topics (billed per scraper hour and per sample); forced on in prod.",
  }),
  prometheusScrapeIntervalSeconds: field({ type: "integer", schema: integer(10, 300), default: 30, description: "The managed scraper's scrape interval (s): samples, and so the workspace's cost, scale with 1/interval." }),
  containerInsights: field({
    type: "boolean",
    schema: z.boolean(),
    default: true,
    description: "The amazon-cloudwatch-observability EKS add-on on a cluster the stack creates: Container Insights node metrics and their alarms, and container logs shipped to CloudWatch Logs.",
  }),
  containerLogRetentionDays: field({
    type: "integer",
    schema: z.number().int().refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), { error: `is not a CloudWatch Logs retention (${LOG_RETENTION_DAYS.join(", ")} days)` }),
    default: 14,
    description: "Days CloudWatch Logs keeps the cluster's container, node and performance logs (Container Insights log groups).",
  }),
  cloudwatchObservabilityAddonVersion: field({
    type: "string",
    schema: z.string().regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, { error: "is not an EKS add-on version like v4.1.0-eksbuild.1" }),
    default: "v4.1.0-eksbuild.1",
    description: "amazon-cloudwatch-observability EKS add-on version, pinned (aws eks describe-addon-versions --addon-name amazon-cloudwatch-observability).",
  }),
} as const;

export type FieldName = keyof typeof fields;
type Fields = typeof fields;

/** The typed, validated stack configuration the program is built from. */
export type StackConfig = { [K in FieldName]: z.output<Fields[K]["schema"]> } & {
  /** The Pulumi stack name (dev, prod, …). */
  stack: string;
  /** Derived: true in prod. */
  isProd: boolean;
  /** `aws:region`, the AWS provider's own key, validated with the rest. */
  region: string;
};

/** The contract's one configuration error (a RunError to the program runner: message, no stack trace). */
export { ConfigError };

const NAMESPACE = "edgestack";
const key = (name: string) => `${NAMESPACE}:${name}`;
const show = (value: unknown) => JSON.stringify(value);

/**
 * Turns raw config strings (as Pulumi hands them to a program: `edgestack:key` → string) into the
 * typed StackConfig, or throws a ConfigError listing every problem. Pure: no Pulumi runtime needed.
 */
export function parseStackConfig(raw: Record<string, string>, stack: string): StackConfig {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};

  for (const rawKey of Object.keys(raw).sort()) {
    if (!rawKey.startsWith(`${NAMESPACE}:`)) continue;
    const name = rawKey.slice(NAMESPACE.length + 1);
    if (!(name in fields)) problems.push(`${rawKey}: is not a known key (see docs/configuration.md)`);
  }

  for (const [name, def] of Object.entries(fields) as [FieldName, Field<z.ZodType>][]) {
    const text = raw[key(name)];
    let value: unknown;
    if (text === undefined) {
      if (def.default === undefined) {
        problems.push(`${key(name)}: is required (${def.description})`);
        continue;
      }
      value = def.default;
    } else {
      const decoded = decode(text, def.type);
      if (!decoded.ok) {
        problems.push(`${key(name)}: ${show(text)} ${decoded.error}`);
        continue;
      }
      value = decoded.value;
    }
    const result = def.schema.safeParse(value);
    if (!result.success) {
      problems.push(...issueProblems(key(name), value, result.error.issues));
      continue;
    }
    values[name] = result.data;
  }

  const region = raw["aws:region"];
  if (region === undefined) problems.push(`aws:region: is required (e.g. pulumi config set aws:region eu-west-1)`);
  else if (!/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(region)) problems.push(`aws:region: ${show(region)} is not an AWS region such as "eu-west-1"`);
  else {
    // Every ARN the config holds (edgestack keys as parsed, the providers' own keys such as aws:assumeRole as written)
    // against the stack's partition, and where a key's resource must be in the stack's region, its region.
    const configured = { ...Object.fromEntries(Object.entries(values).map(([name, v]) => [key(name), v])), ...Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith(`${NAMESPACE}:`) && k !== "aws:region")) };
    problems.push(...configArnProblems(configured, region));
  }

  // Prod when the config or the stack name says so; a name and config that disagree are refused (packages/contract/src/environment.ts).
  if (values.environment !== undefined) {
    const decision = decideEnvironment(stack, raw[key("environment")] === undefined ? undefined : (values.environment as string));
    if (decision.conflict) problems.push(`${key("environment")}: ${decision.conflict}`);
    else values.environment = decision.environment;
  }
  if (problems.length === 0) problems.push(...crossFieldProblems({ ...values, stack } as StackConfig));
  if (problems.length === 0) problems.push(...tierConfigOf(values as StackConfig, "green").problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const config = values as StackConfig;
  config.stack = stack;
  config.region = region as string;
  config.isProd = isProdStack(stack, config.environment);
  if (config.isProd) {
    // Prod is highly available by definition; these are not left to a forgotten flag.
    config.cacheMultiAz = true;
    config.wafEnabled = true;
  }
  return config;
}

/** One problem line per zod issue: the key (and index), the offending value, the message. */
function issueProblems(label: string, value: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const at = issue.path.length ? `[${issue.path.join("][")}]` : "";
    const offending = issue.path.reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown>)?.[p as PropertyKey], value);
    return `${label}${at}: ${show(offending)} ${issue.message}`;
  });
}

function decode(text: string, type: PulumiType): { ok: true; value: unknown } | { ok: false; error: string } {
  switch (type) {
    case "string":
      return { ok: true, value: text };
    case "integer":
      return /^-?\d+$/.test(text.trim()) ? { ok: true, value: Number(text) } : { ok: false, error: "must be a whole number" };
    case "boolean":
      return text === "true" || text === "false" ? { ok: true, value: text === "true" } : { ok: false, error: "must be true or false" };
    case "array":
      try {
        const parsed: unknown = JSON.parse(text);
        return Array.isArray(parsed) ? { ok: true, value: parsed } : { ok: false, error: "must be a list" };
      } catch {
        return { ok: false, error: "must be a list" };
      }
  }
}

type Less = [FieldName, FieldName, "<" | "<="];

/**
 * The timeout chain: each hop must give up on an idle connection before the hop behind it does,
 * or the hop in front reuses a connection the other side has just closed (sporadic 502s).
 */
export const TIMEOUT_CHAIN: Less[] = [
  ["cdnOriginKeepaliveSeconds", "albIdleTimeoutSeconds", "<"],
  ["albIdleTimeoutSeconds", "nginxClientKeepaliveSeconds", "<"],
  ["nginxUpstreamKeepaliveSeconds", "appKeepAliveSeconds", "<"],
  ["appKeepAliveSeconds", "appHeadersTimeoutSeconds", "<"],
  ["deregistrationDelaySeconds", "appShutdownDelaySeconds", "<="],
  ["appShutdownDelaySeconds", "terminationGracePeriodSeconds", "<"],
];

function crossFieldProblems(c: StackConfig): string[] {
  const keyProblems: string[] = [];
  if (c.apiKeyNames.length > 0 && c.apiKeysSecretName !== "") {
    keyProblems.push(`${key("apiKeysSecretName")} (${show(c.apiKeysSecretName)}) and ${key("apiKeyNames")} (${show(c.apiKeyNames)}): set one, not both`);
  }
  if (new Set(c.apiKeyNames).size !== c.apiKeyNames.length) keyProblems.push(`${key("apiKeyNames")}: ${show(c.apiKeyNames)} has a name twice`);
  const rotated = c.apiKeyGenerations.map((entry) => entry.split(":")[0]!);
  for (const name of rotated) {
    if (!c.apiKeyNames.includes(name)) keyProblems.push(`${key("apiKeyGenerations")}: ${show(name)} is not in ${key("apiKeyNames")} (${show(c.apiKeyNames)})`);
  }
  if (new Set(rotated).size !== rotated.length) keyProblems.push(`${key("apiKeyGenerations")}: ${show(c.apiKeyGenerations)} names a key twice`);
  for (const name of c.apiKeyAcceptPrevious) {
    if (!rotated.includes(name)) keyProblems.push(`${key("apiKeyAcceptPrevious")}: ${show(name)} has no generation above 1 in ${key("apiKeyGenerations")}, so there is no previous key`);
  }
  return [...keyProblems, ...otherCrossFieldProblems(c)];
}

function otherCrossFieldProblems(c: StackConfig): string[] {
  const problems: string[] = [];
  if (!c.dnssecSigning && isProdStack(c.stack, c.environment)) problems.push(`${key("dnssecSigning")}: false is not allowed in prod: the zone must be signed (policy route53-dnssec-prod)`);
  if (c.wafAnonymousIps === "off" && isProdStack(c.stack, c.environment)) problems.push(`${key("wafAnonymousIps")}: "off" is not allowed in prod: the web ACL must block anonymizing proxies (use block-anonymizers)`);
  const order = (a: FieldName, b: FieldName, op: "<" | "<=", why: string) => {
    const x = c[a] as number;
    const y = c[b] as number;
    if (op === "<" ? !(x < y) : !(x <= y)) {
      problems.push(`${key(a)} (${x}) must be ${op === "<" ? "less than" : "at most"} ${key(b)} (${y}): ${why}`);
    }
  };
  for (const [a, b, op] of TIMEOUT_CHAIN) order(a, b, op, "timeout chain, see README \"Timeouts\"");
  if (c.terminationGracePeriodSeconds < c.appShutdownDelaySeconds + APP_DRAIN_SECONDS) {
    problems.push(
      `${key("terminationGracePeriodSeconds")} (${c.terminationGracePeriodSeconds}) must be at least ${key("appShutdownDelaySeconds")} (${c.appShutdownDelaySeconds}) + ${APP_DRAIN_SECONDS} s: after its shutdown delay the app needs time to finish in-flight requests before the kubelet kills it`,
    );
  }
  // Every variable the Deployment hands the app, checked with the schema the app parses with.
  problems.push(...appEnvironmentProblems(c, [c.vpcCidr]));
  // nginx's stop: the preStop pause (until nothing sends to the pod), its drain and its exit within the grace period.
  problems.push(...nginxStopTiming(c).problems);
  order("healthCheckTimeoutSeconds", "healthCheckIntervalSeconds", "<", "a health check must time out before the next one starts");
  order("nodeMinSize", "nodeDesiredSize", "<=", "node group sizes must satisfy min <= desired <= max");
  order("nodeDesiredSize", "nodeMaxSize", "<=", "node group sizes must satisfy min <= desired <= max");
  order("appMinReplicas", "appMaxReplicas", "<=", "HPA bounds");
  order("appMinReplicas", "appReplicas", "<=", "the deploy-time replica count must lie within the HPA bounds");
  order("appReplicas", "appMaxReplicas", "<=", "the deploy-time replica count must lie within the HPA bounds");
  if (c.cdnHtmlDefaultTtlSeconds > c.cdnHtmlMaxTtlSeconds) {
    problems.push(`${key("cdnHtmlDefaultTtlSeconds")} (${c.cdnHtmlDefaultTtlSeconds}) must be at most ${key("cdnHtmlMaxTtlSeconds")} (${c.cdnHtmlMaxTtlSeconds})`);
  }
  const nodePorts = [
    "nginxHttpNodePort",
    "nginxProxyProtocolNodePort",
    "nginxProxyProtocolHttpNodePort",
    ...(c.nginxBlueGreen ? (["nginxGreenHttpNodePort", "nginxGreenProxyProtocolNodePort", "nginxGreenProxyProtocolHttpNodePort"] as const) : []),
  ] as const;
  for (const [i, a] of nodePorts.entries()) {
    for (const b of nodePorts.slice(i + 1)) {
      if (c[a] === c[b]) problems.push(`${key(b)} (${c[b]}) must differ from ${key(a)} (${c[a]})`);
    }
  }
  if (!ipInCidr(c.appClusterIp, c.serviceCidr)) {
    problems.push(`${key("appClusterIp")}: ${show(c.appClusterIp)} is not inside ${key("serviceCidr")} (${c.serviceCidr})`);
  }
  const prod = c.environment === "prod";
  if ((c.cacheMultiAz || prod) && c.cacheReplicas < 1) {
    problems.push(`${key("cacheReplicas")} (${c.cacheReplicas}) must be at least 1 when multi-AZ failover is on (${key("cacheMultiAz")} or environment prod)`);
  }
  // ElastiCache's ceiling for one cluster-mode replication group (Redis OSS >= 5.0.6, Valkey).
  if (c.cacheShards * (1 + c.cacheReplicas) > 500) {
    problems.push(`${key("cacheShards")} (${c.cacheShards}) × (1 + ${key("cacheReplicas")} (${c.cacheReplicas})) is more than the 500 nodes a replication group can have`);
  }
  if (prod && c.appMinReplicas < 2) {
    problems.push(`${key("appMinReplicas")} (${c.appMinReplicas}) must be at least 2 in prod: one replica cannot survive a node drain`);
  }
  problems.push(...blueGreenProblems(c));
  if (c.vpcId) {
    for (const list of ["existingPublicSubnetIds", "existingPrivateSubnetIds"] as const) {
      if (c[list].length < 2) problems.push(`${key(list)}: ${show(c[list])} needs at least two subnet ids when ${key("vpcId")} is set`);
    }
  } else {
    for (const list of ["existingPublicSubnetIds", "existingPrivateSubnetIds"] as const) {
      if (c[list].length > 0) problems.push(`${key(list)}: ${show(c[list])} is only used with ${key("vpcId")}; set it or remove this key`);
    }
  }
  if (c.existingKubeconfig) {
    if (!c.existingNodeSecurityGroupId) {
      problems.push(`${key("existingNodeSecurityGroupId")}: is required when ${key("existingKubeconfig")} names an existing cluster`);
    }
  } else if (c.existingNodeSecurityGroupId || c.existingNodeAutoScalingGroup) {
    problems.push(`${key(c.existingNodeSecurityGroupId ? "existingNodeSecurityGroupId" : "existingNodeAutoScalingGroup")}: only applies with ${key("existingKubeconfig")}`);
  }
  const parent = c.parentHostedZoneId ? "parentHostedZoneId" : c.parentHostedZoneName ? "parentHostedZoneName" : undefined;
  if (c.parentHostedZoneId && c.parentHostedZoneName) {
    problems.push(`${key("parentHostedZoneName")}: set either ${key("parentHostedZoneId")} or ${key("parentHostedZoneName")}, not both`);
  }
  if (!c.createHostedZone) {
    if (parent) problems.push(`${key(parent)}: only applies with ${key("createHostedZone")} true (an existing zone is already delegated)`);
    if (c.zoneDelegated) problems.push(`${key("zoneDelegated")}: only applies with ${key("createHostedZone")} true`);
  } else if (parent && c.zoneDelegated) {
    problems.push(`${key("zoneDelegated")}: not needed with ${key(parent)}: the stack writes the delegation itself`);
  }
  const delegated = c.delegatedSubdomains.map((entry) => entry.split("=")[0]);
  for (const entry of c.delegatedSubdomainDsRecords) {
    const name = entry.split("=")[0]!;
    if (!delegated.includes(name)) problems.push(`${key("delegatedSubdomainDsRecords")}: ${show(name)} is not delegated by this stack (${key("delegatedSubdomains")}): a DS record without the NS delegation breaks nothing but proves nothing`);
  }
  for (const entry of c.delegatedSubdomains) {
    const [name, servers] = entry.split("=") as [string, string];
    if (!name.endsWith(`.${c.domain}`)) problems.push(`${key("delegatedSubdomains")}: ${show(name)} is not a subdomain of ${key("domain")} (${show(c.domain)})`);
    for (const server of servers.split(",")) if (!isDnsName(server)) problems.push(`${key("delegatedSubdomains")}: ${show(server)} is not a name server's DNS name`);
  }
  if (c.parentHostedZoneName && !c.domain.endsWith(`.${c.parentHostedZoneName}`)) {
    problems.push(`${key("parentHostedZoneName")}: ${show(c.parentHostedZoneName)} is not a parent of ${key("domain")} (${show(c.domain)})`);
  }
  if (!c.existingKubeconfig && !CREATABLE_VERSIONS.includes(c.kubernetesVersion)) {
    problems.push(
      `${key("kubernetesVersion")}: ${show(c.kubernetesVersion)} has no pinned EKS add-on versions for a new cluster; use ${CREATABLE_VERSIONS.map(show).join(", ")} (infra/config/eks-versions.ts)`,
    );
  }
  problems.push(...ciAccessProblems(c));
  problems.push(...trafficProblems(c));
  if (c.clusterPublicAccessCidrs.some((cidr) => cidr.endsWith("/0"))) {
    problems.push(`${key("clusterPublicAccessCidrs")}: ${show(c.clusterPublicAccessCidrs)} opens the cluster API to the internet; list your own CIDRs`);
  }
  return problems;
}

/**
 * CI must be able to reach the Kubernetes API it deploys to, as the role the cluster knows. Refused:
 * a CodeBuild runner without its repository and connection or on a cluster the stack does not own
 * (its security group cannot be opened to the runner), and static-egress runners whose ranges the
 * public endpoint does not admit (or with a private-only endpoint).
 */
function ciAccessProblems(c: StackConfig): string[] {
  const problems: string[] = [];
  const creates = !c.existingKubeconfig;
  if (!creates && (c.ciDeployRoleArn || c.ciPreviewRoleArn || c.clusterAdminRoleArns.length > 0 || c.clusterAccessBootstrap)) {
    problems.push(`${key("ciDeployRoleArn")}/${key("ciPreviewRoleArn")}/${key("clusterAdminRoleArns")}/${key("clusterAccessBootstrap")}: only apply to a cluster the stack creates (an existing cluster's access is managed where it was created)`);
  }
  if (c.ciDeployRoleArn && c.ciDeployRoleArn === c.ciPreviewRoleArn) {
    problems.push(`${key("ciPreviewRoleArn")}: ${show(c.ciPreviewRoleArn)} is also ${key("ciDeployRoleArn")}; the preview role must be a separate, read-only role`);
  }
  for (const arn of c.clusterAdminRoleArns) {
    if (arn === c.ciDeployRoleArn || arn === c.ciPreviewRoleArn) problems.push(`${key("clusterAdminRoleArns")}: ${show(arn)} is a CI role; CI never gets cluster admin`);
  }
  if (c.ciRunner === "codebuild") {
    if (!creates) problems.push(`${key("ciRunner")}: "codebuild" needs a cluster the stack creates (its security group is opened to the runner); use "static-egress" for ${key("existingKubeconfig")}`);
    if (creates && !c.ciRepository) problems.push(`${key("ciRepository")}: is required with ${key("ciRunner")} "codebuild" (the repository whose jobs the runner takes)`);
    if (creates && !c.ciCodeConnectionArn) problems.push(`${key("ciCodeConnectionArn")}: is required with ${key("ciRunner")} "codebuild" (the runner's connection to GitHub)`);
  } else if (c.ciRunner === "static-egress") {
    if (c.ciRunnerEgressCidrs.length === 0) problems.push(`${key("ciRunnerEgressCidrs")}: is required with ${key("ciRunner")} "static-egress" (the runners' fixed egress ranges)`);
    if (creates && c.clusterPublicAccessCidrs.length === 0) {
      problems.push(`${key("ciRunner")}: "static-egress" runners cannot reach a private-only endpoint; list their ranges in ${key("clusterPublicAccessCidrs")} or use "codebuild"`);
    }
    for (const cidr of c.ciRunnerEgressCidrs) {
      if (creates && c.clusterPublicAccessCidrs.length > 0 && !c.clusterPublicAccessCidrs.some((allowed) => cidrWithin(cidr, allowed))) {
        problems.push(`${key("ciRunnerEgressCidrs")}: ${show(cidr)} is not inside ${key("clusterPublicAccessCidrs")} (${show(c.clusterPublicAccessCidrs)}): the runner could not reach the API endpoint`);
      }
    }
  }
  if (c.ciRunner !== "static-egress" && c.ciRunnerEgressCidrs.length > 0) problems.push(`${key("ciRunnerEgressCidrs")}: only applies with ${key("ciRunner")} "static-egress"`);
  if (c.ciRunner !== "codebuild" && (c.ciRepository || c.ciCodeConnectionArn)) {
    problems.push(`${key(c.ciRepository ? "ciRepository" : "ciCodeConnectionArn")}: only applies with ${key("ciRunner")} "codebuild"`);
  }
  return problems;
}

/** The ALB algorithm's companions and the DNS failover keys, which only make sense together. */
function trafficProblems(c: StackConfig): string[] {
  const problems: string[] = [];
  if (c.albAnomalyMitigation && c.albLoadBalancingAlgorithm !== "weighted_random") {
    problems.push(
      `${key("albAnomalyMitigation")}: true needs ${key("albLoadBalancingAlgorithm")} weighted_random (AWS mitigates anomalies only with it), not ${show(c.albLoadBalancingAlgorithm)}`,
    );
  }
  if (c.canaryImage === "") {
    if (c.canaryWeightPercent > 0) problems.push(`${key("canaryWeightPercent")} (${c.canaryWeightPercent}) needs ${key("canaryImage")}: there is no canary track to send traffic to`);
  } else if (c.environment === "prod" && c.canaryReplicas < 2) {
    problems.push(`${key("canaryReplicas")} (${c.canaryReplicas}) must be at least 2 in prod: one replica cannot survive a node drain`);
  } else if (c.canaryImage === c.appImage) {
    problems.push(`${key("canaryImage")}: ${show(c.canaryImage)} is appImage itself; a canary runs a different image (promoted: empty canaryImage)`);
  }
  if (c.canaryCookie === AFFINITY_COOKIE) problems.push(`${key("canaryCookie")}: ${show(c.canaryCookie)} is the affinity cookie nginx sets itself (cookie_affinity)`);
  const secondary = ["dnsFailoverSecondaryDnsName", "dnsFailoverSecondaryZoneId"] as const;
  if (c.dnsFailover) {
    for (const k of secondary) if (!c[k]) problems.push(`${key(k)}: is required when ${key("dnsFailover")} is true (the SECONDARY record's target)`);
    if (c.dnsFailoverSecondaryDnsName && [c.domain, `${c.wwwSubdomain}.${c.domain}`, `${c.edgeSubdomain}.${c.domain}`].includes(c.dnsFailoverSecondaryDnsName)) {
      problems.push(`${key("dnsFailoverSecondaryDnsName")}: ${show(c.dnsFailoverSecondaryDnsName)} is one of the names that fail over to it; name the standby target itself`);
    }
  } else {
    for (const k of secondary) if (c[k]) problems.push(`${key(k)}: only applies with ${key("dnsFailover")} true`);
  }
  return problems;
}

/** Whether IPv4 block `inner` lies entirely inside block `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseIpv4Cidr(inner);
  const b = parseIpv4Cidr(outer);
  if (!a || !b || a.prefix < b.prefix) return false;
  const mask = b.prefix === 0 ? 0 : (0xffffffff << (32 - b.prefix)) >>> 0;
  return ((a.network & mask) >>> 0) === b.network;
}

/** Per colour of the nginx tier: the keys of its replicas and of its ALB weight. */
export const COLOR_KEYS = {
  blue: { replicas: "nginxReplicas", weight: "albBlueWeight" },
  green: { replicas: "nginxGreenReplicas", weight: "albGreenWeight" },
} as const satisfies Record<Color, { replicas: FieldName; weight: FieldName }>;

/** The keys that only mean something with nginxBlueGreen on (blue's weight included: without green it is 100). */
const BLUE_GREEN_ONLY_KEYS = [
  "albBlueWeight",
  "albGreenWeight",
  "nlbColor",
  "nginxGreenImage",
  "nginxGreenOverrides",
  "nginxGreenReplicas",
  "nginxGreenHttpNodePort",
  "nginxGreenProxyProtocolNodePort",
  "nginxGreenProxyProtocolHttpNodePort",
] as const satisfies readonly FieldName[];

/**
 * The stack keys a colour's nginx.conf may set on its own (nginxGreenOverrides): they shape only
 * nginx.conf. Keys that also shape the app (websocketReadTimeoutSeconds sets its ping interval), the
 * load balancers, the pods (grace period, images) or the names are shared by both colours.
 */
export const NGINX_TIER_KEYS = [
  "nginxLoadBalancing",
  "nginxServiceDiscovery",
  "nginxWorkerConnections",
  "nginxRateLimitPerMinute",
  "nginxRateLimitBurst",
  "nginxConnLimitPerIp",
  "nginxUpstreamKeepaliveConnections",
  "nginxUpstreamKeepaliveRequests",
  "nginxUpstreamKeepaliveSeconds",
  "nginxMaxFails",
  "nginxFailTimeoutSeconds",
  "nginxNextUpstreamTries",
  "nginxClientKeepaliveSeconds",
  "nginxResolverValidSeconds",
  "proxyConnectTimeoutSeconds",
  "proxyReadTimeoutSeconds",
  "proxySendTimeoutSeconds",
  "websocketTimeoutSeconds",
] as const satisfies readonly FieldName[];

/**
 * A colour's config for its nginx.conf: blue's is the stack's; green's the stack's with
 * nginxGreenOverrides applied, each value decoded and checked by its key's own rule, then every
 * cross-key rule on the result. Throws ConfigError naming nginxGreenOverrides and the key.
 */
export function nginxTierConfig(c: StackConfig, color: Color): StackConfig {
  const { config, problems } = tierConfigOf(c, color);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function tierConfigOf(c: StackConfig, color: Color): { config: StackConfig; problems: string[] } {
  if (color === "blue" || c.nginxGreenOverrides.length === 0) return { config: c, problems: [] };
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const where = `${key("nginxGreenOverrides")} (green's nginx)`;
  for (const entry of c.nginxGreenOverrides) {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at);
    const text = entry.slice(at + 1);
    if (!(NGINX_TIER_KEYS as readonly string[]).includes(name)) {
      problems.push(`${where}: ${show(name)} cannot differ between colours (allowed: ${NGINX_TIER_KEYS.join(", ")})`);
      continue;
    }
    if (name in values) {
      problems.push(`${where}: ${show(name)} is set twice`);
      continue;
    }
    const def = fields[name as FieldName];
    const decoded = decode(text, def.type);
    const parsed = decoded.ok ? def.schema.safeParse(decoded.value) : undefined;
    if (!decoded.ok) problems.push(`${where}: ${name} ${show(text)} ${decoded.error}`);
    else if (!parsed!.success) problems.push(...issueProblems(`${where}: ${name}`, decoded.value, parsed!.error.issues));
    else values[name] = parsed!.data;
  }
  const config = { ...c, ...values } as StackConfig;
  if (problems.length === 0) problems.push(...crossFieldProblems(config).map((p) => `${where}: ${p}`));
  return { config, problems };
}

/** Whether a colour takes traffic: a share of the ALB's requests, or the NLB's connections. */
export function colorTakesTraffic(c: Pick<StackConfig, "nginxBlueGreen" | "albBlueWeight" | "albGreenWeight" | "nlbColor">, color: Color): boolean {
  if (!c.nginxBlueGreen) return color === "blue";
  return c[COLOR_KEYS[color].weight] > 0 || c.nlbColor === color;
}

/**
 * The blue/green keys: weights are percentages of the ALB's requests (summing to 100), a colour may
 * run no replicas only while it takes no traffic (in prod a serving colour needs two, to survive a
 * node drain), and the green keys only apply with nginxBlueGreen on.
 */
function blueGreenProblems(c: StackConfig): string[] {
  const problems: string[] = [];
  if (!c.nginxBlueGreen) {
    for (const k of BLUE_GREEN_ONLY_KEYS) {
      if (JSON.stringify(c[k]) !== JSON.stringify(fields[k].default)) problems.push(`${key(k)} (${show(c[k])}): only applies with ${key("nginxBlueGreen")} true (default ${show(fields[k].default)})`);
    }
  } else if (c.albBlueWeight + c.albGreenWeight !== 100) {
    problems.push(
      `${key("albBlueWeight")} (${c.albBlueWeight}) + ${key("albGreenWeight")} (${c.albGreenWeight}) = ${c.albBlueWeight + c.albGreenWeight}: the weights are percentages of the ALB's requests and must add up to 100`,
    );
  }
  const prod = c.environment === "prod";
  for (const color of BLUE_GREEN_COLORS) {
    if (color === "green" && !c.nginxBlueGreen) continue;
    const replicasKey = COLOR_KEYS[color].replicas;
    const replicas = c[replicasKey];
    const why = c.nginxBlueGreen ? ` while ${color} takes traffic (${key(COLOR_KEYS[color].weight)} ${c[COLOR_KEYS[color].weight]}, ${key("nlbColor")} ${c.nlbColor})` : "";
    if (!colorTakesTraffic(c, color)) continue;
    if (replicas < 1) problems.push(`${key(replicasKey)} (${replicas}) must be at least 1${why}: only a colour that takes no traffic may be scaled to 0`);
    else if (prod && replicas < 2) problems.push(`${key(replicasKey)} (${replicas}) must be at least 2 in prod${why}: one replica cannot survive a node drain`);
  }
  return problems;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const block = parseIpv4Cidr(cidr);
  const octets = ip.split(".").map(Number);
  if (!block || octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o > 255)) return false;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = block.prefix === 0 ? 0 : (0xffffffff << (32 - block.prefix)) >>> 0;
  return ((address & mask) >>> 0) === block.network;
}

/** The `config:` block of Pulumi.yaml, generated from the field table. */
export function projectConfigBlock(): Record<string, { type: PulumiType; description: string; secret?: true; default?: unknown; items?: { type: "string" } }> {
  const block: ReturnType<typeof projectConfigBlock> = {};
  for (const [name, def] of Object.entries(fields) as [string, Field<z.ZodType>][]) {
    block[key(name)] = {
      type: def.type,
      ...(def.type === "array" ? { items: { type: "string" as const } } : {}),
      description: def.secret ? `${def.description} Secret.` : def.description,
      ...(def.secret ? { secret: true } : {}),
      ...(def.default !== undefined ? { default: def.default } : {}),
    };
  }
  return block;
}
