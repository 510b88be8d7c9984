import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackConfig } from "../config/schema";
import { AUTH_TOKEN_OPTIONS, CACHE_CLUSTER_MODE, CacheEngine, finalSnapshotName, memberClusterIds, parameterGroupFamily, RATE_LIMIT_PARAMETERS, REDIS_PORT, redisUrl, replicationGroupId } from "./settings";

/** The stack settings the cache reads: a program passes its StackConfig (or these fields of it). */
export type RedisSettings = Pick<
  StackConfig,
  | "stack"
  | "namePrefix"
  | "isProd"
  | "cacheEngine"
  | "cacheEngineVersion"
  | "cacheNodeType"
  | "cacheShards"
  | "cacheReplicas"
  | "cacheMultiAz"
  | "cacheSnapshotRetentionDays"
  | "cacheSnapshotWindow"
  | "cacheMaintenanceWindow"
  | "cacheAuthTokenGeneration"
  | "cacheAuthTokenUpdateStrategy"
>;

export interface RedisArgs {
  /** Engine, size, shards and replicas, windows; prod adds protect and a final snapshot. */
  settings: RedisSettings;
  vpcId: pulumi.Input<string>;
  /** Private subnets, one per AZ. */
  subnetIds: pulumi.Input<string>[];
  /** The only source allowed to reach 6379: the Kubernetes worker nodes' security group. */
  nodeSecurityGroupId: pulumi.Input<string>;
}

/** What the component builds from: the settings resolved, plus where it goes. */
interface RedisParameters {
  /** ElastiCache replication group id (from the name prefix). */
  replicationGroupId: string;
  engine: CacheEngine;
  engineVersion: string;
  nodeType: string;
  /** Shards (node groups); changing it reshards online. */
  shards: number;
  /** Read replicas per shard besides its primary. */
  replicas: number;
  /** Multi-AZ with automatic failover. */
  multiAz: boolean;
  snapshotRetentionDays: number;
  snapshotWindow: string;
  maintenanceWindow: string;
  /** Prod: `protect`, a final snapshot on deletion. */
  isProd: boolean;
  slowLogRetentionDays: number;
  /** AUTH token generation (cacheAuthTokenGeneration): a new generation is a new token. */
  authTokenGeneration?: number;
  /** ROTATE: the new token is added beside the current one; SET: it becomes the only one. */
  authTokenUpdateStrategy?: "ROTATE" | "SET";
}

/** The cache's parameters from the stack settings (names from the prefix; slow log kept 30 days in prod, 7 otherwise). */
export function redisParameters(s: RedisSettings): RedisParameters {
  return {
    replicationGroupId: replicationGroupId(s),
    engine: s.cacheEngine,
    engineVersion: s.cacheEngineVersion,
    nodeType: s.cacheNodeType,
    shards: s.cacheShards,
    replicas: s.cacheReplicas,
    multiAz: s.cacheMultiAz,
    snapshotRetentionDays: s.cacheSnapshotRetentionDays,
    snapshotWindow: s.cacheSnapshotWindow,
    maintenanceWindow: s.cacheMaintenanceWindow,
    isProd: s.isProd,
    slowLogRetentionDays: s.isProd ? 30 : 7,
    authTokenGeneration: s.cacheAuthTokenGeneration,
    authTokenUpdateStrategy: s.cacheAuthTokenUpdateStrategy,
  };
}

/**
 * ElastiCache (Redis OSS or Valkey) for the app's rate limiter: cluster mode on with `shards`
 * shards of 1 + `replicas` nodes (keys spread by hash slot; the limiter's keys carry a hash tag),
 * TLS required, encrypted at rest, AUTH token from @pulumi/random kept secret end to end, reachable
 * on 6379 only from the node security group. The app connects to the configuration endpoint.
 */
export class Redis extends pulumi.ComponentResource {
  /** The configuration endpoint (cluster mode): one name for every shard. */
  public readonly primaryEndpoint: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** `rediss://:TOKEN@host:6379` — a Pulumi secret. */
  public readonly redisUrl: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly replicationGroupId: pulumi.Output<string>;
  /** The group's nodes (member cluster ids), known before it exists: per-node alarms use them. */
  public readonly memberClusterIds: string[];

  constructor(name: string, input: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:cache:Redis", name, {}, opts);
    const args = { ...redisParameters(input.settings), vpcId: input.vpcId, subnetIds: input.subnetIds, nodeSecurityGroupId: input.nodeSecurityGroupId };

    const family = parameterGroupFamily(args.engine, args.engineVersion);
    const failover = args.multiAz;
    if (!Number.isInteger(args.shards) || args.shards < 1) throw new Error(`edgestack:cacheShards (${args.shards}) must be a positive integer`);
    if (failover && args.replicas < 1) throw new Error(`edgestack:cacheReplicas (${args.replicas}) must be at least 1 for multi-AZ failover`);

    const subnetGroup = new aws.elasticache.SubnetGroup(
      `${name}-subnets`,
      { description: `${args.replicationGroupId}: private subnets`, subnetIds: args.subnetIds },
      { parent: this },
    );

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: `${args.replicationGroupId}: Redis from the Kubernetes nodes only`,
        // No egress: ElastiCache never opens connections; without inline rules the provider also
        // removes AWS's default allow-all egress rule.
        tags: { Name: `${name}-cache` },
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-nodes`,
      {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: args.nodeSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: REDIS_PORT,
        toPort: REDIS_PORT,
        description: "Redis/TLS from the Kubernetes worker nodes",
      },
      { parent: this },
    );

    const parameterGroup = new aws.elasticache.ParameterGroup(
      `${name}-params`,
      { family, description: `${args.replicationGroupId}: rate-limit store (${family})`, parameters: [...RATE_LIMIT_PARAMETERS] },
      { parent: this },
    );

    const slowLog = new aws.cloudwatch.LogGroup(
      `${name}-slow-log`,
      { name: `/aws/elasticache/${args.replicationGroupId}/slow-log`, retentionInDays: args.slowLogRetentionDays },
      { parent: this, protect: args.isProd },
    );

    // Two-step rotation without an outage: a new generation with ROTATE (both tokens valid while the
    // app's pods roll onto the new REDIS_URL), then SET with the same generation (the old one goes).
    const generation = args.authTokenGeneration ?? 1;
    const token = new random.RandomPassword(generation <= 1 ? `${name}-auth-token` : `${name}-auth-token-g${generation}`, { ...AUTH_TOKEN_OPTIONS }, { parent: this });
    const authToken = pulumi.secret(token.result);

    const group = new aws.elasticache.ReplicationGroup(
      `${name}-group`,
      {
        replicationGroupId: args.replicationGroupId,
        description: "edgestack rate-limit store",
        engine: args.engine,
        engineVersion: args.engineVersion,
        nodeType: args.nodeType,
        port: REDIS_PORT,
        clusterMode: CACHE_CLUSTER_MODE ? "enabled" : "disabled",
        numNodeGroups: args.shards,
        replicasPerNodeGroup: args.replicas,
        // Cluster mode requires it; a shard without a replica simply has nothing to promote.
        automaticFailoverEnabled: true,
        multiAzEnabled: failover,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [securityGroup.id],
        parameterGroupName: parameterGroup.name,
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        atRestEncryptionEnabled: true,
        authToken,
        authTokenUpdateStrategy: args.authTokenUpdateStrategy ?? "ROTATE",
        autoMinorVersionUpgrade: true,
        snapshotRetentionLimit: args.snapshotRetentionDays,
        snapshotWindow: args.snapshotWindow,
        maintenanceWindow: args.maintenanceWindow,
        finalSnapshotIdentifier: args.isProd ? finalSnapshotName(args.replicationGroupId) : undefined,
        // Changes wait for the maintenance window instead of restarting nodes mid-day.
        applyImmediately: false,
        logDeliveryConfigurations: [{ destination: slowLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" }],
      },
      { parent: this, protect: args.isProd },
    );

    this.primaryEndpoint = group.configurationEndpointAddress;
    this.port = group.port.apply((port) => port ?? REDIS_PORT);
    this.redisUrl = pulumi.secret(pulumi.all([group.configurationEndpointAddress, this.port, authToken]).apply(([host, port, t]) => redisUrl(host, port, t)));
    this.securityGroupId = securityGroup.id;
    this.replicationGroupId = group.id;
    this.memberClusterIds = memberClusterIds(args.replicationGroupId, args.shards, args.replicas);
    this.registerOutputs({ primaryEndpoint: this.primaryEndpoint, port: this.port, redisUrl: this.redisUrl });
  }
}
