/**
 * edgestack entry program: reads and validates the stack config, wires the components together and
 * exports the stack outputs. Everything else lives in infra/, one component per concern.
 */
import * as pulumi from "@pulumi/pulumi";
import { bringUp, omittedImageProblem } from "./infra/bring-up";
import { RunError } from "@pulumi/pulumi/errors";
import { loadStackConfig } from "./infra/config";
import { Vpc } from "./infra/network/vpc";
import { Cdn } from "./infra/cdn/distribution";
import { Dns } from "./infra/dns/records";
import { HostedZone } from "./infra/dns/zone";
import { Alb } from "./infra/edge/alb";
import { ValidatedCertificate } from "./infra/edge/certificates";
import { Nlb } from "./infra/edge/nlb";
import { OriginLock } from "./infra/edge/origin-lock";
import { awsProvider, awsUsEast1Provider, randomProvider } from "./infra/providers";
import { Redis } from "./infra/cache/redis";
import { checkCacheSettings, replicationGroupId } from "./infra/cache/settings";
import { EksCluster } from "./infra/cluster/eks";
import { KubernetesTypeRecorder } from "./infra/cluster/access-rules";
import { CiRunner } from "./infra/ci/runner";
import { ciRunnerProjectName } from "./infra/ci/settings";
import { ImageRepository } from "./infra/image/repository";
import { imageRepositoryName } from "./infra/image/settings";
import { clusterName as eksClusterName } from "./infra/cluster/settings";
import { buildNginxModel, renderNginxConf } from "./infra/nginx";
import { checkWorkloadSettings } from "./infra/workloads/settings";
import { LoadBalancerTargets } from "./infra/workloads/targets";
import { Workloads } from "./infra/workloads/workloads";

// Validated as a whole before any resource is registered: bad config fails here, nothing half-applied.
const config = loadStackConfig();
checkWorkloadSettings(config);
checkCacheSettings(config);
// Rendered (and every value validated) before any resource exists, like the config itself.
const nginxModel = buildNginxModel(config, { mode: "cluster" });
const nginxConf = { text: renderNginxConf(nginxModel), workerShutdownTimeoutSeconds: nginxModel.workerShutdownTimeoutSeconds };
// Which parts this `pulumi up` can complete (a first deploy into an empty account goes in steps).
const phase = bringUp(config);
for (const step of phase.pending) void pulumi.log.warn(`first deploy, next step: ${step}`);
// Without appImage, what the stack's last deployment ran (its own outputs) decides: a first deploy
// goes on without workloads, a stack that runs them refuses (the program fails, so nothing is deleted).
const omittedImageCheck = config.appImage
  ? undefined
  : (() => {
      const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
      return pulumi.all([self.getOutput("appImage"), self.getOutput("namespace")]).apply(([appImage, namespace]) => {
        const problem = omittedImageProblem(config, { appImage, namespace });
        if (problem) throw new RunError(problem);
        return undefined;
      });
    })();

const aws = awsProvider(config);
const random = randomProvider();

// The registry the deploy workflow pushes app/Dockerfile's image to (before the workloads need it).
const image = new ImageRepository(
  "image",
  {
    name: imageRepositoryName(config.stack),
    isProd: config.isProd,
    pushRoleArn: config.ciImagePushRoleArn || undefined,
    promoteSourceRepositoryArn: config.imagePromoteSourceRepositoryArn || undefined,
  },
  { providers: { aws } },
);

const network = new Vpc(
  "network",
  {
    existingVpcId: config.vpcId || undefined,
    existingPublicSubnetIds: config.existingPublicSubnetIds,
    existingPrivateSubnetIds: config.existingPrivateSubnetIds,
    cidrBlock: config.vpcCidr,
    availabilityZoneCount: config.availabilityZoneCount,
    natGateways: config.natGateways,
  },
  { providers: { aws } },
);

// ── Cluster and cache ──────────────────────────────────────────────────────────────────────
// Every Kubernetes type the program declares, recorded as it declares them: the deploy role's
// ClusterRole is derived from them (closed once the last Kubernetes resource is declared, below).
const kubernetesTypes = new KubernetesTypeRecorder();
const cluster = new EksCluster(
  "cluster",
  {
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    clusterName: eksClusterName(config.stack),
    region: config.region,
    kubernetesVersion: config.kubernetesVersion,
    supportType: config.clusterSupportType,
    metricsServerAddonVersion: config.metricsServerAddonVersion,
    serviceCidr: config.serviceCidr,
    publicAccessCidrs: config.clusterPublicAccessCidrs,
    nodeInstanceType: config.nodeInstanceType,
    nodeScaling: { min: config.nodeMinSize, desired: config.nodeDesiredSize, max: config.nodeMaxSize },
    isProd: config.isProd,
    existing: config.existingKubeconfig
      ? {
          kubeconfig: config.existingKubeconfig,
          nodeSecurityGroupId: config.existingNodeSecurityGroupId,
          nodeAutoScalingGroupName: config.existingNodeAutoScalingGroup || undefined,
        }
      : undefined,
    access: {
      deployRoleArn: config.ciDeployRoleArn,
      previewRoleArn: config.ciPreviewRoleArn,
      adminRoleArns: config.clusterAdminRoleArns,
      bootstrap: config.clusterAccessBootstrap,
      managedTypes: kubernetesTypes.types,
    },
  },
  { providers: { aws } },
);
// The deploy jobs' runner, inside the VPC and allowed to the private API endpoint (ciRunner codebuild).
const ciRunner =
  config.ciRunner === "codebuild" && cluster.clusterSecurityGroupId
    ? new CiRunner(
        "ci-runner",
        {
          projectName: ciRunnerProjectName(config.stack),
          vpcId: network.vpcId,
          privateSubnetIds: network.privateSubnetIds,
          clusterSecurityGroupId: cluster.clusterSecurityGroupId,
          repository: config.ciRepository,
          connectionArn: config.ciCodeConnectionArn,
          logRetentionDays: config.isProd ? 90 : 14,
          isProd: config.isProd,
        },
        { providers: { aws } },
      )
    : undefined;

const cache = new Redis(
  "cache",
  {
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    nodeSecurityGroupId: cluster.nodeSecurityGroupId,
    replicationGroupId: replicationGroupId(config.stack),
    engine: config.cacheEngine,
    engineVersion: config.cacheEngineVersion,
    nodeType: config.cacheNodeType,
    shards: config.cacheShards,
    replicas: config.cacheReplicas,
    multiAz: config.cacheMultiAz,
    snapshotRetentionDays: config.cacheSnapshotRetentionDays,
    snapshotWindow: config.cacheSnapshotWindow,
    maintenanceWindow: config.cacheMaintenanceWindow,
    isProd: config.isProd,
    slowLogRetentionDays: config.isProd ? 30 : 7,
    authTokenGeneration: config.cacheAuthTokenGeneration,
    authTokenUpdateStrategy: config.cacheAuthTokenUpdateStrategy,
  },
  { providers: { aws, random } },
);

// ── Edge: certificates, load balancers, CloudFront, DNS ─────────────────────────────────────
const usEast1 = awsUsEast1Provider(config);
const names = {
  apex: config.domain,
  www: `${config.wwwSubdomain}.${config.domain}`,
  origin: `${config.originSubdomain}.${config.domain}`,
  edge: `${config.edgeSubdomain}.${config.domain}`,
};
const healthCheck = {
  intervalSeconds: config.healthCheckIntervalSeconds,
  timeoutSeconds: config.healthCheckTimeoutSeconds,
  healthyThreshold: config.healthyThreshold,
  unhealthyThreshold: config.unhealthyThreshold,
};

const zone = new HostedZone(
  "dns-zone",
  {
    domain: config.domain,
    create: config.createHostedZone,
    protect: config.isProd,
    parent: config.parentHostedZoneId ? { zoneId: config.parentHostedZoneId } : config.parentHostedZoneName ? { name: config.parentHostedZoneName } : undefined,
    delegationTtlSeconds: config.dnsTtlSeconds,
    childDelegations: config.delegatedSubdomains.map((entry) => {
      const [name, servers] = entry.split("=") as [string, string];
      return { name, nameServers: servers.split(",") };
    }),
  },
  { providers: { aws } },
);
// Certificate-dependent resources wait for a zone that answers (see infra/bring-up.ts).
const edge = phase.edge ? createEdge() : undefined;
if (!edge) {
  // Known once the zone exists: printed by the `pulumi up` that created it.
  zone.nameServers.apply((servers) => pulumi.log.warn(`delegate ${config.domain} to: ${servers.join(" ")}`));
}

function createEdge() {
  const lbCertificate = new ValidatedCertificate(
    "lb-certificate",
    { domainName: names.origin, subjectAlternativeNames: [names.edge], zoneId: zone.zoneId, validationTtlSeconds: config.dnsTtlSeconds },
    { providers: { aws } },
  );
  // CloudFront only takes certificates from us-east-1.
  const cdnCertificate = new ValidatedCertificate(
    "cdn-certificate",
    { domainName: names.apex, subjectAlternativeNames: [names.www], zoneId: zone.zoneId, validationTtlSeconds: config.dnsTtlSeconds },
    { providers: { aws: usEast1 } },
  );
  const originLock = new OriginLock("origin-lock", { providers: { random } });

  const alb = new Alb(
    "alb",
    {
      vpcId: network.vpcId,
      vpcCidr: network.cidrBlock,
      publicSubnetIds: network.publicSubnetIds,
      ipv6: network.ipv6,
      certificateArn: lbCertificate.certificateArn,
      originVerifyHeader: originLock.header,
      targetNodePort: config.nginxHttpNodePort,
      idleTimeoutSeconds: config.albIdleTimeoutSeconds,
      deregistrationDelaySeconds: config.deregistrationDelaySeconds,
      stickinessSeconds: config.albStickinessSeconds,
      healthCheck,
      isProd: config.isProd,
    },
    { providers: { aws } },
  );

  const nlb = new Nlb(
    "nlb",
    {
      vpcId: network.vpcId,
      vpcCidr: network.cidrBlock,
      publicSubnetIds: network.publicSubnetIds,
      ipv6: network.ipv6,
      certificateArn: lbCertificate.certificateArn,
      tlsNodePort: config.nginxProxyProtocolNodePort,
      httpNodePort: config.nginxProxyProtocolHttpNodePort,
      healthCheckNodePort: config.nginxHttpNodePort,
      deregistrationDelaySeconds: config.deregistrationDelaySeconds,
      healthCheck,
      elasticIps: config.nlbElasticIps,
      isProd: config.isProd,
    },
    { providers: { aws } },
  );

  const cdn = new Cdn(
    "cdn",
    {
      stack: config.stack,
      aliases: [names.apex, names.www],
      certificateArn: cdnCertificate.certificateArn,
      appOriginDomainName: names.origin,
      originVerifyHeader: originLock.header,
      originKeepaliveSeconds: config.cdnOriginKeepaliveSeconds,
      originReadTimeoutSeconds: config.cdnOriginReadTimeoutSeconds,
      priceClass: config.cdnPriceClass,
      htmlDefaultTtlSeconds: config.cdnHtmlDefaultTtlSeconds,
      htmlMaxTtlSeconds: config.cdnHtmlMaxTtlSeconds,
      isProd: config.isProd,
      waf: { enabled: config.wafEnabled, ratePer5Minutes: config.wafRateLimitPer5Minutes },
      usEast1,
    },
    { providers: { aws } },
  );

  const dns = new Dns(
    "dns",
    {
      zoneId: zone.zoneId,
      domain: config.domain,
      wwwSubdomain: config.wwwSubdomain,
      originSubdomain: config.originSubdomain,
      edgeSubdomain: config.edgeSubdomain,
      ttlSeconds: config.dnsTtlSeconds,
      spfRecord: config.spfRecord,
      verificationTokens: config.verificationTokens,
      srv: { service: config.srvService, priority: config.srvPriority, weight: config.srvWeight, port: config.srvPort },
      loadBalancersIpv6: network.ipv6,
      aliasTargets: {
        cdn: { dnsName: cdn.domainName, zoneId: cdn.hostedZoneId },
        alb: { dnsName: alb.dnsName, zoneId: alb.zoneId },
        nlb: { dnsName: nlb.dnsName, zoneId: nlb.zoneId },
      },
    },
    { providers: { aws } },
  );
  return { alb, nlb, cdn, dns };
}

// ── Kubernetes workloads and their load-balancer targets ──────────────────────────────────
const kubernetesProvider = cluster.provider;
// Only an image something built: the digest the deploy workflow pushed, or one set explicitly.
const workloads = phase.workloads
  ? new Workloads(
      "workloads",
      {
        settings: config,
        kubernetesVersion: config.kubernetesVersion,
        redisUrl: cache.redisUrl,
        nginxConf,
        vpcCidr: network.cidrBlock,
        privateSubnetCidrs: network.privateSubnetCidrs,
        redisPort: cache.port,
      },
      { providers: { kubernetes: kubernetesProvider }, transformations: [kubernetesTypes.record] },
    )
  : undefined;
if (workloads && edge) {
  const { alb, nlb } = edge;
  new LoadBalancerTargets(
    "lb-targets",
    {
      loadBalancers: [
        { name: "alb", securityGroupId: alb.securityGroupId },
        { name: "nlb", securityGroupId: nlb.securityGroupId },
      ],
      targets: [
        { name: "alb-http", loadBalancer: "alb", targetGroupArn: alb.targetGroupArn, nodePort: config.nginxHttpNodePort, servicePortName: "http" },
        // The NLB's target groups health-check nginx's HTTP NodePort (its /health passthrough).
        {
          name: "nlb-tls",
          loadBalancer: "nlb",
          targetGroupArn: nlb.targetGroupArns.tls,
          nodePort: config.nginxProxyProtocolNodePort,
          healthCheckNodePort: config.nginxHttpNodePort,
          servicePortName: "pp-https",
        },
        {
          name: "nlb-http",
          loadBalancer: "nlb",
          targetGroupArn: nlb.targetGroupArns.http,
          nodePort: config.nginxProxyProtocolHttpNodePort,
          healthCheckNodePort: config.nginxHttpNodePort,
          servicePortName: "pp-http",
        },
      ],
      nodeSecurityGroupId: cluster.nodeSecurityGroupId,
      registration: cluster.nodeAutoScalingGroupName
        ? { kind: "autoScalingGroup", autoScalingGroupName: cluster.nodeAutoScalingGroupName }
        : { kind: "targetGroupBinding", namespace: workloads.namespace, serviceName: workloads.nginxServiceName },
    },
    { providers: { aws, kubernetes: kubernetesProvider }, transformations: [kubernetesTypes.record] },
  );
}
kubernetesTypes.close();

// Outputs of parts a bring-up step has not created yet are left out until it has.
export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const siteUrl = `https://${config.domain}`;
export const albDnsName = edge?.alb.dnsName;
export const nlbDnsName = edge?.nlb.dnsName;
/** The NLB's fixed public addresses (nlbElasticIps), for allow-lists; empty without them. */
export const nlbAddresses = edge ? pulumi.all(edge.nlb.publicIps) : undefined;
export const distributionId = edge?.cdn.distributionId;
export const distributionDomainName = edge?.cdn.domainName;
export const staticBucketName = edge?.cdn.staticBucketName;
export const hostedZoneId = zone.zoneId;
/** Delegate the domain to these (at the parent zone or registrar) when the stack created the zone. */
export const nameServers = zone.nameServers;
export const imageRepositoryUrl = image.repositoryUrl;
/** The image the workloads run: the deploy workflow's digest lives in the stack's state, not in Pulumi.<stack>.yaml. */
export const appImage = config.appImage || omittedImageCheck;
export const recordNames = edge?.dns.recordNames;
export const clusterName = cluster.clusterName;
export const kubeconfig = cluster.kubeconfig;
export const redisEndpoint = cache.primaryEndpoint;
export const redisPort = cache.port;
export const namespace = workloads?.namespace;
/** What the next `pulumi up` of a first deploy needs; empty once the stack is complete. */
export const pendingSteps = phase.pending;
export const apiKeys = workloads?.apiKeys;
/** The CodeBuild project the deploy workflow's cluster jobs run on (runs-on: codebuild-<name>-…). */
export const ciRunnerProject = ciRunner?.projectName;
