/**
 * The edgestack package entry: the components, their `Args` and settings types, the config schema
 * and the helpers a Pulumi program needs to compose them. Importing it registers nothing and reads
 * no config (a test holds it to that); `index.ts` at the repository root is one program built from
 * it, `examples/` holds another. package.json's `main` and `types` point here.
 *
 * Components take the stack settings they read as `settings` (a `Pick` of StackConfig): a program
 * passes the config it loaded with `loadStackConfig()` (or `parseStackConfig` on its own values),
 * plus the outputs of the components it wires them to. Physical names start with the config's
 * `namePrefix` (see ./naming.ts), so two programs with different prefixes coexist in one account.
 */

// ── Config ─────────────────────────────────────────────────────────────────────────────────────
export { BLUE_GREEN_COLORS, colorTakesTraffic, ConfigError, fields, loadStackConfig, NGINX_TIER_KEYS, nginxTierConfig, parseStackConfig, TIMEOUT_CHAIN } from "./config";
export type { Color, FieldName, StackConfig } from "./config";
export { flowLogGroupName, physicalNamePrefix, NAME_PREFIX_MAX_LENGTH } from "./naming";
export type { Naming } from "./naming";
export { bringUp, omittedImageProblem } from "./bring-up";
export type { BringUp } from "./bring-up";
export { checkCacheSettings } from "./cache/settings";
export { checkPlacement, stackPlacement } from "./capacity/stack";
export { checkWorkloadSettings } from "./workloads/settings";
export type { WorkloadSettings } from "./workloads/settings";

// ── Providers ──────────────────────────────────────────────────────────────────────────────────
export { awsProvider, awsUsEast1Provider, defaultTags, randomProvider, tlsProvider } from "./providers";

// ── Components ─────────────────────────────────────────────────────────────────────────────────
export { Vpc } from "./network/vpc";
export type { VpcArgs } from "./network/vpc";
export { EksCluster, existingCluster } from "./cluster/eks";
export { NodeAutoscaler } from "./cluster/autoscaler";
export type { NodeAutoscalerArgs } from "./cluster/autoscaler";
export type { ClusterAccessArgs, EksClusterArgs, EksClusterSettings, ExistingCluster } from "./cluster/eks";
export { checkClusterSettings, clusterName, clusterSettingsProblems } from "./cluster/settings";
export { KubernetesTypeRecorder } from "./cluster/access-rules";
export { CiRunner } from "./ci/runner";
export type { CiRunnerArgs } from "./ci/runner";
export { ciRunnerProjectName } from "./ci/settings";
export { Redis, redisParameters } from "./cache/redis";
export type { RedisArgs, RedisSettings } from "./cache/redis";
export { replicationGroupId } from "./cache/settings";
export { ImageRepository } from "./image/repository";
export type { ImageRepositoryArgs } from "./image/repository";
export { imageRepositoryName } from "./image/settings";
export { HostedZone } from "./dns/zone";
export type { HostedZoneArgs, ParentZone } from "./dns/zone";
export { Dns, dnsPlanInput } from "./dns/records";
export { HealthChecks, healthCheckInputs } from "./dns/health-checks";
export type { HealthChecksArgs, HealthCheckSettings as DnsHealthCheckSettings } from "./dns/health-checks";
export type { AliasDestination, DnsArgs, DnsSettings } from "./dns/records";
export { ValidatedCertificate } from "./edge/certificates";
export type { ValidatedCertificateArgs } from "./edge/certificates";
export { OriginLock } from "./edge/origin-lock";
export type { OriginVerifyHeader } from "./edge/origin-lock";
export { Alb, albBalancingInputs, albForwardAction } from "./edge/alb";
export type { AlbAlgorithm, AlbBalancing, AlbArgs, AlbBlueGreen, ColorWeights, HealthCheckSettings, PublicLoadBalancerPlacement } from "./edge/alb";
export { Nlb, nlbColors } from "./edge/nlb";
export type { NlbArgs, NlbBlueGreen } from "./edge/nlb";
export { Edge, edgeNames, loadBalancerHealthCheck } from "./edge/edge";
export type { EdgeArgs, EdgeNetwork, EdgeSettings } from "./edge/edge";
export { LogBucket } from "./edge/log-bucket";
export type { LogBucketArgs } from "./edge/log-bucket";
export { Cdn } from "./cdn/distribution";
export type { CdnArgs, CdnSettings } from "./cdn/distribution";
export { policyName } from "./cdn/cache-rules";
export { EdgeWaf } from "./cdn/waf";
export type { EdgeWafArgs } from "./cdn/waf";
export { StaticBucket } from "./cdn/static-bucket";
export type { StaticBucketArgs } from "./cdn/static-bucket";
export { StaticAssets } from "./cdn/static-assets";
export type { StaticAssetsArgs } from "./cdn/static-assets";
export { trafficServiceNames, Workloads } from "./workloads/workloads";
export { clusterNginxModel, deployedNginxConf, renderClusterNginxConf } from "./workloads/nginx";
export type { NginxConf } from "./workloads/nginx";
export { NGINX_SERVICE_PORT_NAMES } from "./workloads/nginx";
export type { WorkloadsArgs } from "./workloads/workloads";
export { LoadBalancerTargets } from "./workloads/targets";
export type { LoadBalancerTargetsArgs, LoadBalancerTarget, LoadBalancerSource, TargetRegistration } from "./workloads/targets";

export { Alerting, elbArnSuffix } from "./observability/alerting";
export type { AlertingArgs, AlertingSettings, ObservedCluster } from "./observability/alerting";
export { ManagedPrometheus } from "./observability/managed-prometheus";
export { ContainerInsights } from "./observability/container-insights";
export { clusterScrapeConfig, localScrapeConfigs, SCRAPE_JOBS, scraperRbac } from "./observability/scrape";
export { AlertTopics, alertKeyPolicy, alertTopicPolicy } from "./observability/topics";
// The partition the policy builders take (read from the provider: partitionOf).
export { accountRoot, arnOf, partitionOf } from "./partition";
export type { Partition } from "./partition";
export type { AlertTopicsArgs } from "./observability/topics";
export { alarmSpecs, RECOMMENDED_ALARMS } from "@edgestack/contract";
export type { AlarmSpec, MonitoredResource, RecommendedAlarm } from "@edgestack/contract";
export { dashboardBody } from "./observability/dashboard";

// ── nginx ──────────────────────────────────────────────────────────────────────────────────────
export { buildNginxModel, renderNginxConf } from "./nginx";
