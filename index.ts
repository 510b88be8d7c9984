/**
 * edgestack's program (Pulumi.yaml `main`): reads and validates the stack config, wires the
 * components together and exports the stack outputs. It is one consumer of the package entry
 * (infra/index.ts, package.json `main`), which holds the components, one per concern.
 */
import * as pulumi from "@pulumi/pulumi";
import { RunError } from "@pulumi/pulumi/errors";
import {
  Alb,
  Alerting,
  awsProvider,
  awsUsEast1Provider,
  bringUp,
  checkCacheSettings,
  checkClusterSettings,
  checkPlacement,
  checkWorkloadSettings,
  CiRunner,
  ciRunnerProjectName,
  EksCluster,
  Edge,
  flowLogGroupName,
  HostedZone,
  ImageRepository,
  imageRepositoryName,
  KubernetesTypeRecorder,
  LoadBalancerTarget,
  LoadBalancerTargets,
  loadStackConfig,
  nginxTierConfig,
  NGINX_SERVICE_PORT_NAMES,
  Nlb,
  type ObservedCluster,
  omittedImageProblem,
  randomProvider,
  Redis,
  deployedNginxConf,
  renderClusterNginxConf,
  trafficServiceNames,
  tlsProvider,
  Vpc,
  Workloads,
} from "./infra";

// Validated as a whole before any resource is registered: bad config fails here, nothing half-applied.
const config = loadStackConfig();
checkWorkloadSettings(config);
checkClusterSettings(config);
checkCacheSettings(config);
// Rendered (and every value validated) before any resource exists, like the config itself, with the
// configured VPC block (an existing VPC's primary block); rendered again below with every block the
// network reads (an existing VPC's, from AWS).
const nginxConf = renderClusterNginxConf(config, [config.vpcCidr]);
// Green's own nginx.conf when nginxGreenOverrides changes it (docs/traffic.md).
const greenConfig = config.nginxBlueGreen && config.nginxGreenOverrides.length > 0 ? nginxTierConfig(config, "green") : undefined;
const greenNginxConf = greenConfig && renderClusterNginxConf(greenConfig, [config.vpcCidr]);
// Every pod the stack may run at peak fits the most nodes the node groups may have.
checkPlacement(config, nginxConf);
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
const tls = tlsProvider();

// The registry the deploy workflow pushes app/Dockerfile's image to (before the workloads need it).
const image = new ImageRepository(
  "image",
  {
    name: imageRepositoryName(config),
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
    flowLogGroupName: flowLogGroupName(config),
    isProd: config.isProd,
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
    settings: config,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    privateSubnetCidrs: network.privateSubnetCidrs,
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
          projectName: ciRunnerProjectName(config),
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
  { settings: config, vpcId: network.vpcId, subnetIds: network.privateSubnetIds, nodeSecurityGroupId: cluster.nodeSecurityGroupId },
  { providers: { aws, random } },
);

// ── Edge: certificates, load balancers, CloudFront, DNS ─────────────────────────────────────
const usEast1 = awsUsEast1Provider(config);
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
      const ds = config.delegatedSubdomainDsRecords.find((d) => d.startsWith(`${name}=`));
      return { name, nameServers: servers.split(","), dsRecord: ds?.slice(name.length + 1) };
    }),
    dnssec: config.dnssecSigning ? { usEast1, protect: config.isProd } : undefined,
  },
  { providers: { aws } },
);
// Certificate-dependent resources wait for a zone that answers (see infra/bring-up.ts).
const edge = phase.edge ? new Edge("edge", { settings: config, network, zoneId: zone.zoneId, usEast1 }, { providers: { aws, random } }) : undefined;
if (!edge) {
  // Known once the zone exists: printed by the `pulumi up` that created it.
  zone.nameServers.apply((servers) => pulumi.log.warn(`delegate ${config.domain} to: ${servers.join(" ")}`));
}

// ── Alerting: recommended CloudWatch alarms to SNS topics per region, the golden-signals dashboard ──
new Alerting(
  "alerting",
  {
    settings: config,
    usEast1,
    alb: edge && {
      loadBalancerArn: edge.alb.loadBalancerArn,
      targetGroupArns: { blue: edge.alb.targetGroupArn, ...(edge.alb.greenTargetGroupArn ? { green: edge.alb.greenTargetGroupArn } : {}) },
    },
    nlb: edge && {
      loadBalancerArn: edge.nlb.loadBalancerArn,
      targetGroupArns: {
        ...edge.nlb.targetGroupArns,
        ...(edge.nlb.greenTargetGroupArns ? { "green-tls": edge.nlb.greenTargetGroupArns.tls, "green-http": edge.nlb.greenTargetGroupArns.http } : {}),
      },
    },
    distribution: edge && { id: edge.cdn.distributionId, functionNames: edge.cdn.functionNames },
    certificates: edge && [
      { arn: edge.certificates.lb.certificateArn, region: "stack" },
      { arn: edge.certificates.cdn.certificateArn, region: "us-east-1" },
    ],
    healthCheckIds: edge?.healthChecks?.ids,
    signedZoneIds: zone.signedZoneId ? [zone.signedZoneId] : [],
    cacheNodeIds: cache.memberClusterIds,
    natGatewayIds: network.natGatewayIds,
    webAclMetricName: edge?.cdn.webAclMetricName,
    cluster: observedCluster(),
  },
  { providers: { aws } },
);

/** The cluster the managed scraper and Container Insights attach to: one the stack creates (an existing cluster's are its owner's). */
function observedCluster(): ObservedCluster | undefined {
  const { clusterArn, clusterSecurityGroupId, oidcProviderArn, oidcIssuerUrl, rbacProvider } = cluster;
  if (!clusterArn || !clusterSecurityGroupId || !oidcProviderArn || !oidcIssuerUrl || !rbacProvider) return undefined;
  return {
    name: cluster.clusterName,
    arn: clusterArn,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    clusterSecurityGroupId,
    nodeSecurityGroupId: cluster.nodeSecurityGroupId,
    oidcProviderArn,
    oidcIssuerUrl,
    rbacProvider,
    ready: cluster.provider,
    serviceNames: trafficServiceNames(config),
  };
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
        nginxConf: deployedNginxConf(config, nginxConf, network.trustedCidrs),
        // Green's own ConfigMap only when its nginx.conf differs from blue's (both take the same blocks).
        ...(greenConfig && greenNginxConf && greenNginxConf.text !== nginxConf.text ? { greenNginxConf: deployedNginxConf(greenConfig, greenNginxConf, network.trustedCidrs) } : {}),
        trustedCidrs: network.trustedCidrs,
        vpcCidrs: network.cidrBlocks,
        privateSubnetCidrs: network.privateSubnetCidrs,
        redisPort: cache.port,
      },
      { providers: { kubernetes: kubernetesProvider, random, tls }, transformations: [kubernetesTypes.record] },
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
        { name: "alb-http", loadBalancer: "alb", targetGroupArn: alb.targetGroupArn, nodePort: config.nginxHttpNodePort, servicePortName: NGINX_SERVICE_PORT_NAMES.alb },
        // The NLB's target groups health-check nginx's HTTP NodePort (its /health passthrough).
        {
          name: "nlb-tls",
          loadBalancer: "nlb",
          targetGroupArn: nlb.targetGroupArns.tls,
          nodePort: config.nginxProxyProtocolNodePort,
          healthCheckNodePort: config.nginxHttpNodePort,
          servicePortName: NGINX_SERVICE_PORT_NAMES.nlbTls,
        },
        {
          name: "nlb-http",
          loadBalancer: "nlb",
          targetGroupArn: nlb.targetGroupArns.http,
          nodePort: config.nginxProxyProtocolHttpNodePort,
          healthCheckNodePort: config.nginxHttpNodePort,
          servicePortName: NGINX_SERVICE_PORT_NAMES.nlbHttp,
        },
        // green's target groups on green's NodePorts (blue/green): the same three, from the same load balancers.
        ...greenTargets(alb, nlb, workloads),
      ],
      nodeSecurityGroupId: cluster.nodeSecurityGroupId,
      registration: cluster.nodeAutoScalingGroupNames
        ? { kind: "autoScalingGroup", autoScalingGroupNames: cluster.nodeAutoScalingGroupNames }
        : { kind: "targetGroupBinding", namespace: workloads.namespace, serviceName: workloads.nginxServiceName },
    },
    { providers: { aws, kubernetes: kubernetesProvider }, transformations: [kubernetesTypes.record] },
  );
}
kubernetesTypes.close();

/** green's ALB and NLB targets with blue/green (none without): green's NodePorts, green's Service. */
function greenTargets(alb: Alb, nlb: Nlb, w: Workloads): LoadBalancerTarget[] {
  if (!alb.greenTargetGroupArn || !nlb.greenTargetGroupArns || !w.nginxGreenServiceName) return [];
  const serviceName = w.nginxGreenServiceName;
  const healthCheckNodePort = config.nginxGreenHttpNodePort;
  return [
    { name: "alb-http-green", loadBalancer: "alb", targetGroupArn: alb.greenTargetGroupArn, nodePort: config.nginxGreenHttpNodePort, servicePortName: NGINX_SERVICE_PORT_NAMES.alb, serviceName },
    { name: "nlb-tls-green", loadBalancer: "nlb", targetGroupArn: nlb.greenTargetGroupArns.tls, nodePort: config.nginxGreenProxyProtocolNodePort, healthCheckNodePort, servicePortName: NGINX_SERVICE_PORT_NAMES.nlbTls, serviceName },
    { name: "nlb-http-green", loadBalancer: "nlb", targetGroupArn: nlb.greenTargetGroupArns.http, nodePort: config.nginxGreenProxyProtocolHttpNodePort, healthCheckNodePort, servicePortName: NGINX_SERVICE_PORT_NAMES.nlbHttp, serviceName },
  ];
}

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
/** With dnssecSigning: the zone's DS record, for the parent stack's delegatedSubdomainDsRecords or the registrar. */
export const dnssecDsRecord = zone.dsRecord;
export const imageRepositoryUrl = image.repositoryUrl;
/** The image the workloads run: the deploy workflow's digest lives in the stack's state, not in Pulumi.<stack>.yaml. */
export const appImage = config.appImage || omittedImageCheck;
export const recordNames = edge?.dns.recordNames;
/** Route53 health check ids (site through CloudFront, edge through the NLB) with dnsFailover: for HealthCheckStatus alarms. */
export const healthCheckIds = edge?.healthChecks?.ids;
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
