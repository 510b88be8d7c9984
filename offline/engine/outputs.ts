import { createHash } from "node:crypto";
import { memberClusterIds as memberClusterIdsOf } from "../../infra/cache/settings";
import { identityOf } from "../plan/replacements";
import type { Partition } from "../../infra/partition";
import { partitionOfRegion } from "./partitions";

/**
 * Realistic computed outputs for the resources the stack registers, so that everything downstream
 * of an id, ARN, DNS name or endpoint is exercised under mocks as it would be against AWS.
 * Values are derived from the logical name and the inputs that make up the resource's identity
 * (`identityOf`): the same program always gets the same outputs, and a replaced resource new ones.
 */

export const ACCOUNT_ID = "123456789012";

const hex = (seed: string, length: number) => createHash("sha256").update(seed).digest("hex").slice(0, length);
const upper = (seed: string, length: number) =>
  BigInt(`0x${createHash("sha256").update(seed).digest("hex")}`).toString(36).toUpperCase().slice(0, length);

/** Route53 hosted zone ids AWS uses for load-balancer aliases, per region (ALB/CLB and NLB differ). */
const ELB_ZONE_IDS: Record<string, { application: string; network: string }> = {
  "us-east-1": { application: "Z35SXDOTRQ7X7K", network: "Z26RNL4JYFTOTI" },
  "us-east-2": { application: "Z3AADJGX6KTTL2", network: "ZLMOA37VPKANP" },
  "us-west-2": { application: "Z1H1FL5HABSF5", network: "Z18D5FSROUN65G" },
  "eu-west-1": { application: "Z32O12XQLNTSW2", network: "Z2IFOLAFXWLO4F" },
  "eu-central-1": { application: "Z215JYRZR1TBD5", network: "Z3F0SRJ5LGBH90" },
};
/** CloudFront distributions are always in this hosted zone. */
export const CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2";

type Inputs = Record<string, any>;

interface MockContext {
  type: string;
  name: string;
  inputs: Inputs;
  region: string;
  /** The partition ARNs and DNS names are written in. */
  partition: Partition;
  /** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
  arn: (service: string, resource: string, r?: string) => string;
  /** What generated values derive from: the logical name and the resource's identity. */
  seed: string;
  h8: string;
  h17: string;
}

interface MockResult {
  id: string;
  outputs: Inputs;
}

/** A short digest of the resource's identity (`identityOf`): what its generated values are derived from. */
export function identityDigest(type: string, inputs: Inputs, replaceOnChanges: readonly string[] = []): string {
  return hex(identityOf(type, inputs, replaceOnChanges), 12);
}

/**
 * `identity` is the resource's `identityDigest`; the engine computes it from the registration, the
 * policy runner passes the one a plan file recorded (so an edited plan keeps its references).
 * Generated values (ids, ARNs, endpoints, auto-name suffixes) come from the logical name and the
 * resource's identity: a change that replaces the resource gives it new ones, as AWS would.
 */
export function computedOutputs(
  type: string,
  name: string,
  inputs: Inputs,
  region: string,
  identity: string = identityDigest(type, inputs),
  partition: Partition = partitionOfRegion(region),
): MockResult {
  const seed = `${name}#${identity}`;
  const c: MockContext = {
    type,
    name,
    inputs,
    region,
    partition,
    arn: (service, resource, r = region) => `arn:${partition.id}:${service}:${r}:${ACCOUNT_ID}:${resource}`,
    seed,
    h8: hex(seed, 8),
    h17: hex(seed, 17),
  };
  return (
    networkOutputs(c) ??
    loadBalancerOutputs(c) ??
    certificateOutputs(c) ??
    cloudFrontOutputs(c) ??
    storageAndDnsOutputs(c) ??
    cacheOutputs(c) ??
    clusterOutputs(c) ??
    identityOutputs(c) ??
    kubernetesOutputs(c) ??
    tlsOutputs(c) ??
    otherOutputs(c)
  );
}

/** The VPC and what hangs off it: subnets, gateways, routes, addresses, security groups and rules. */
function networkOutputs(c: MockContext): MockResult | undefined {
  const { type, arn, h17, seed } = c;
  switch (type) {
    case "aws:ec2/vpc:Vpc":
      return {
        id: `vpc-${h17}`,
        outputs: { arn: arn("ec2", `vpc/vpc-${h17}`), ipv6CidrBlock: `2600:1f18:${hex(seed, 4)}:${hex(`${seed}6`, 2)}00::/56`, defaultSecurityGroupId: `sg-${hex(`${seed}sg`, 17)}` },
      };
    case "aws:ec2/subnet:Subnet":
      return { id: `subnet-${h17}`, outputs: { arn: arn("ec2", `subnet/subnet-${h17}`) } };
    case "aws:ec2/internetGateway:InternetGateway":
      return { id: `igw-${h17}`, outputs: { arn: arn("ec2", `internet-gateway/igw-${h17}`) } };
    case "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway":
      return { id: `eigw-${h17}`, outputs: {} };
    case "aws:ec2/routeTable:RouteTable":
      return { id: `rtb-${h17}`, outputs: { arn: arn("ec2", `route-table/rtb-${h17}`) } };
    case "aws:ec2/routeTableAssociation:RouteTableAssociation":
      return { id: `rtbassoc-${h17}`, outputs: {} };
    case "aws:ec2/eip:Eip":
      return { id: `eipalloc-${h17}`, outputs: { allocationId: `eipalloc-${h17}`, publicIp: `203.0.113.${parseInt(hex(seed, 2), 16) % 250 + 1}` } };
    case "aws:ec2/natGateway:NatGateway":
      return { id: `nat-${h17}`, outputs: {} };
    case "aws:ec2/securityGroup:SecurityGroup":
    case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
      return { id: `sg-${h17}`, outputs: { arn: arn("ec2", `security-group/sg-${h17}`) } };
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
    case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
      return { id: `sgr-${h17}`, outputs: { arn: arn("ec2", `security-group-rule/sgr-${h17}`), securityGroupRuleId: `sgr-${h17}` } };
  }
  return undefined;
}

/** Load balancers, target groups, listeners and rules (ARNs, DNS names, alias zones per region). */
function loadBalancerOutputs(c: MockContext): MockResult | undefined {
  const { type, name, inputs, region, arn, h8, seed } = c;
  switch (type) {
    case "aws:lb/loadBalancer:LoadBalancer": {
      const kind = inputs.loadBalancerType === "network" ? "net" : "app";
      const lbName = (inputs.name ?? name).slice(0, 32);
      const suffix = `${kind}/${lbName}/${hex(seed, 16)}`;
      const zones = ELB_ZONE_IDS[region] ?? ELB_ZONE_IDS["us-east-1"];
      const id = arn("elasticloadbalancing", `loadbalancer/${suffix}`);
      return {
        id,
        outputs: {
          arn: id,
          arnSuffix: suffix,
          dnsName: `${inputs.ipAddressType === "dualstack" ? "dualstack." : ""}${lbName}-${h8}.${kind === "net" ? "elb" : `${region}.elb`}.${c.partition.dnsSuffix}`,
          zoneId: kind === "net" ? zones.network : zones.application,
        },
      };
    }
    case "aws:lb/targetGroup:TargetGroup": {
      const suffix = `targetgroup/${(inputs.name ?? name).slice(0, 32)}/${hex(seed, 16)}`;
      const id = arn("elasticloadbalancing", suffix);
      return { id, outputs: { arn: id, arnSuffix: suffix } };
    }
    case "aws:lb/listener:Listener":
    case "aws:lb/listenerRule:ListenerRule": {
      const id = arn("elasticloadbalancing", `listener/${hex(seed, 16)}`);
      return { id, outputs: { arn: id } };
    }
  }
  return undefined;
}

/** ACM certificates with their DNS-validation records, and the validation. */
function certificateOutputs(c: MockContext): MockResult | undefined {
  const { type, inputs, region, arn, seed } = c;
  switch (type) {
    case "aws:acm/certificate:Certificate": {
      const id = arn("acm", `certificate/${hex(seed, 8)}-${hex(`${seed}1`, 4)}-${hex(`${seed}2`, 4)}-${hex(`${seed}3`, 4)}-${hex(`${seed}4`, 12)}`, inputs.region ?? region);
      const names: string[] = [inputs.domainName, ...(inputs.subjectAlternativeNames ?? [])].filter((n) => typeof n === "string");
      return {
        id,
        outputs: {
          arn: id,
          status: "ISSUED",
          domainValidationOptions: names.map((domainName) => ({
            domainName,
            resourceRecordName: `_${hex(`${seed}${domainName}`, 32)}.${domainName.replace(/^\*\./, "")}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${hex(`${domainName}${seed}`, 32)}.acm-validations.aws.`,
          })),
        },
      };
    }
    case "aws:acm/certificateValidation:CertificateValidation":
      return { id: `${new Date(0).toISOString()}`, outputs: {} };
  }
  return undefined;
}

/** CloudFront: the distribution, its function, policies and origin access control. */
function cloudFrontOutputs(c: MockContext): MockResult | undefined {
  const { type, name, inputs, seed } = c;
  switch (type) {
    case "aws:cloudfront/distribution:Distribution": {
      const id = `E${upper(seed, 13)}`;
      return {
        id,
        outputs: {
          arn: `arn:${c.partition.id}:cloudfront::${ACCOUNT_ID}:distribution/${id}`,
          domainName: `d${hex(seed, 13)}.cloudfront.net`,
          hostedZoneId: CLOUDFRONT_ZONE_ID,
          status: "Deployed",
          etag: `E${upper(`${seed}etag`, 13)}`,
        },
      };
    }
    case "aws:cloudfront/function:Function": {
      // Global like the distribution; the function's name is its id and ends its ARN.
      const functionName = inputs.name ?? `${name}-${hex(seed, 7)}`;
      return {
        id: functionName,
        outputs: {
          name: functionName,
          arn: `arn:${c.partition.id}:cloudfront::${ACCOUNT_ID}:function/${functionName}`,
          etag: `E${upper(`${seed}etag`, 13)}`,
          liveStageEtag: inputs.publish === false ? "" : `E${upper(`${seed}live`, 13)}`,
          status: "UNASSOCIATED",
        },
      };
    }
    case "aws:cloudfront/originAccessControl:OriginAccessControl":
      return { id: `E${upper(seed, 13)}`, outputs: { etag: `E${upper(`${seed}etag`, 13)}` } };
    case "aws:cloudfront/cachePolicy:CachePolicy":
    case "aws:cloudfront/originRequestPolicy:OriginRequestPolicy":
    case "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy":
      return { id: `${hex(seed, 8)}-${hex(`${seed}a`, 4)}-${hex(`${seed}b`, 4)}-${hex(`${seed}c`, 4)}-${hex(`${seed}d`, 12)}`, outputs: { etag: `E${upper(`${seed}etag`, 13)}` } };
  }
  return undefined;
}

/** S3 buckets, the ECR repository, Route53 zones and records. */
function storageAndDnsOutputs(c: MockContext): MockResult | undefined {
  const { type, name, inputs, region, arn, seed } = c;
  switch (type) {
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      const bucket = inputs.bucket ?? `${name}-${hex(seed, 7)}`;
      return {
        id: bucket,
        outputs: {
          bucket,
          arn: `arn:${c.partition.id}:s3:::${bucket}`,
          bucketDomainName: `${bucket}.s3.${c.partition.dnsSuffix}`,
          bucketRegionalDomainName: `${bucket}.s3.${region}.${c.partition.dnsSuffix}`,
          region,
        },
      };
    }
    case "aws:ecr/repository:Repository": {
      const repoName = inputs.name ?? name;
      return {
        id: repoName,
        outputs: { arn: arn("ecr", `repository/${repoName}`), registryId: ACCOUNT_ID, repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${region}.${c.partition.dnsSuffix}/${repoName}` },
      };
    }
    case "aws:route53/zone:Zone":
      return {
        id: `Z${upper(seed, 20)}`,
        outputs: { zoneId: `Z${upper(seed, 20)}`, arn: `arn:${c.partition.id}:route53:::hostedzone/Z${upper(seed, 20)}`, nameServers: [1, 2, 3, 4].map((i) => `ns-${i}${hex(`${seed}${i}`, 2)}.awsdns-0${i}.net`) },
      };
    case "aws:route53/record:Record":
      return { id: `${inputs.zoneId}_${inputs.name}_${inputs.type}`, outputs: { fqdn: inputs.name } };
  }
  return undefined;
}

/** ElastiCache: the replication group's endpoints, its subnet and parameter groups. */
function cacheOutputs(c: MockContext): MockResult | undefined {
  const { type, name, inputs, region, arn, seed } = c;
  switch (type) {
    case "aws:elasticache/replicationGroup:ReplicationGroup": {
      const groupId = inputs.replicationGroupId ?? name;
      return {
        id: groupId,
        outputs: {
          arn: arn("elasticache", `replicationgroup:${groupId}`),
          // Cluster mode has one configuration endpoint; otherwise a primary and a reader endpoint.
          ...(inputs.clusterMode === "enabled"
            ? { configurationEndpointAddress: `clustercfg.${groupId}.${hex(seed, 6)}.${shortRegion(region)}.cache.${c.partition.dnsSuffix}` }
            : {
                primaryEndpointAddress: `master.${groupId}.${hex(seed, 6)}.${shortRegion(region)}.cache.${c.partition.dnsSuffix}`,
                readerEndpointAddress: `replica.${groupId}.${hex(seed, 6)}.${shortRegion(region)}.cache.${c.partition.dnsSuffix}`,
              }),
          port: inputs.port ?? 6379,
          memberClusters: memberClusterIds(groupId, inputs),
        },
      };
    }
    case "aws:elasticache/subnetGroup:SubnetGroup":
    case "aws:elasticache/parameterGroup:ParameterGroup": {
      // Unnamed groups get Pulumi's auto-name (logical name + random suffix, lower case).
      const groupName = inputs.name ?? `${name}-${hex(seed, 7)}`.toLowerCase();
      return { id: groupName, outputs: { name: groupName, arn: arn("elasticache", `${type.includes("subnet") ? "subnetgroup" : "parametergroup"}:${groupName}`) } };
    }
  }
  return undefined;
}

/** EKS: the cluster (endpoint, CA, OIDC issuer), the node group's auto scaling group, the launch template. */
function clusterOutputs(c: MockContext): MockResult | undefined {
  const { type, name, inputs, region, arn, h17, seed } = c;
  switch (type) {
    case "aws:eks/cluster:Cluster": {
      const clusterName = inputs.name ?? name;
      const oidc = hex(seed, 32).toUpperCase();
      return {
        id: clusterName,
        outputs: {
          name: clusterName,
          arn: arn("eks", `cluster/${clusterName}`),
          endpoint: `https://${oidc}.gr7.${region}.eks.${c.partition.dnsSuffix}`,
          certificateAuthority: { data: Buffer.from(`-----BEGIN CERTIFICATE-----\nMOCK-CA-${seed}\n-----END CERTIFICATE-----\n`).toString("base64") },
          identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.${c.partition.dnsSuffix}/id/${oidc}` }] }],
          vpcConfig: { ...(inputs.vpcConfig ?? {}), clusterSecurityGroupId: `sg-${hex(`${seed}cluster`, 17)}`, vpcId: `vpc-${hex(seed, 17)}` },
          version: inputs.version,
          status: "ACTIVE",
        },
      };
    }
    case "aws:eks/nodeGroup:NodeGroup":
      return {
        id: `${inputs.clusterName}:${inputs.nodeGroupName ?? name}`,
        outputs: {
          arn: arn("eks", `nodegroup/${inputs.clusterName}/${inputs.nodeGroupName ?? name}/${hex(seed, 8)}`),
          resources: [{ autoscalingGroups: [{ name: `eks-${inputs.nodeGroupName ?? name}-${hex(seed, 8)}` }], remoteAccessSecurityGroupId: "" }],
          status: "ACTIVE",
        },
      };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { id: `lt-${h17}`, outputs: { arn: arn("ec2", `launch-template/lt-${h17}`), latestVersion: 1, defaultVersion: 1 } };
  }
  return undefined;
}

/** KMS keys, IAM roles, policies and the OIDC provider, the WAF web ACL, log groups, generated passwords. */
function identityOutputs(c: MockContext): MockResult | undefined {
  const { type, name, inputs, arn, seed } = c;
  switch (type) {
    case "aws:kms/key:Key": {
      const keyId = `${hex(seed, 8)}-${hex(`${seed}a`, 4)}-${hex(`${seed}b`, 4)}-${hex(`${seed}c`, 4)}-${hex(`${seed}d`, 12)}`;
      return { id: keyId, outputs: { arn: arn("kms", `key/${keyId}`), keyId } };
    }
    case "aws:iam/role:Role":
      return { id: inputs.name ?? `${name}-${hex(seed, 7)}`, outputs: { arn: `arn:${c.partition.id}:iam::${ACCOUNT_ID}:role/${inputs.name ?? `${name}-${hex(seed, 7)}`}`, name: inputs.name ?? `${name}-${hex(seed, 7)}`, uniqueId: `AROA${upper(seed, 17)}` } };
    case "aws:iam/policy:Policy":
      return { id: `arn:${c.partition.id}:iam::${ACCOUNT_ID}:policy/${inputs.name ?? name}`, outputs: { arn: `arn:${c.partition.id}:iam::${ACCOUNT_ID}:policy/${inputs.name ?? name}` } };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
      const id = `arn:${c.partition.id}:iam::${ACCOUNT_ID}:oidc-provider/${String(inputs.url ?? name).replace(/^https:\/\//, "")}`;
      return { id, outputs: { arn: id } };
    }
    case "aws:wafv2/webAcl:WebAcl": {
      const id = `${hex(seed, 8)}-${hex(`${seed}a`, 4)}-${hex(`${seed}b`, 4)}-${hex(`${seed}c`, 4)}-${hex(`${seed}d`, 12)}`;
      return { id, outputs: { arn: `arn:${c.partition.id}:wafv2:us-east-1:${ACCOUNT_ID}:global/webacl/${inputs.name ?? name}/${id}`, capacity: 725 } };
    }
    case "aws:sns/topic:Topic": {
      // A topic's id is its ARN, in the region of the provider that created it.
      const topicName = inputs.name ?? `${name}-${hex(seed, 7)}`;
      return { id: arn("sns", topicName), outputs: { arn: arn("sns", topicName), name: topicName } };
    }
    case "aws:sns/topicPolicy:TopicPolicy":
      // Its id and arn are the topic's ARN.
      return { id: String(inputs.arn), outputs: { arn: inputs.arn } };
    case "aws:cloudwatch/metricAlarm:MetricAlarm": {
      const alarmName = inputs.name ?? `${name}-${hex(seed, 7)}`;
      return { id: alarmName, outputs: { arn: arn("cloudwatch", `alarm:${alarmName}`) } };
    }
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: inputs.name ?? name, outputs: { arn: arn("logs", `log-group:${inputs.name ?? name}`) } };
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString": {
      // A stand-in of the requested length from the password alphabet the config allows.
      const length = Number(inputs.length ?? 32);
      const alphabet = inputs.special === false ? "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789" : "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_";
      const digest = createHash("sha512").update(seed).digest();
      const result = Array.from({ length }, (_, i) => alphabet[digest[i % digest.length] % alphabet.length]).join("");
      return { id: "none", outputs: { result, bcryptHash: `$2a$10$${hex(seed, 53)}` } };
    }
  }
  return undefined;
}

/** Kubernetes objects: the name (generated when unset), namespace and uid. */
function kubernetesOutputs(c: MockContext): MockResult | undefined {
  const { type, name, inputs, seed } = c;
  if (type.startsWith("kubernetes:")) {
    const metadata = (inputs.metadata ?? {}) as Inputs;
    const objectName = metadata.name ?? `${name}-${hex(seed, 8)}`;
    const namespace = metadata.namespace;
    return {
      id: namespace ? `${namespace}/${objectName}` : objectName,
      outputs: { metadata: { ...metadata, name: objectName, uid: `${hex(seed, 8)}-${hex(`${seed}u`, 4)}-${hex(`${seed}i`, 4)}-${hex(`${seed}d`, 4)}-${hex(`${seed}x`, 12)}` } },
    };
  }
  return undefined;
}

/**
 * The tls provider's key and self-signed certificate: PEM-shaped stand-ins derived from the identity
 * (no key material is generated under mocks; the provider marks privateKeyPem secret, as the program does).
 */
function tlsOutputs(c: MockContext): MockResult | undefined {
  const { type, seed } = c;
  const pem = (label: string, s: string) => `-----BEGIN ${label}-----\n${Buffer.from(createHash("sha512").update(s).digest()).toString("base64")}\n-----END ${label}-----\n`;
  if (type === "tls:index/privateKey:PrivateKey") {
    return { id: hex(seed, 40), outputs: { privateKeyPem: pem("PRIVATE KEY", `${seed}key`), publicKeyPem: pem("PUBLIC KEY", `${seed}pub`) } };
  }
  if (type === "tls:index/selfSignedCert:SelfSignedCert") {
    return { id: hex(seed, 32), outputs: { certPem: pem("CERTIFICATE", `${seed}cert`), readyForRenewal: false } };
  }
  return undefined;
}

/** Providers, and any other type: an id and an ARN from the logical name. */
function otherOutputs(c: MockContext): MockResult {
  const { type, name, arn, seed } = c;
  if (type.startsWith("pulumi:providers:")) return { id: `${hex(seed, 8)}-provider`, outputs: {} };
  const [pkg, mod] = type.split(/[:/]/);
  const service = pkg === "aws" ? mod : pkg;
  return { id: `${name}-${hex(seed, 8)}`, outputs: { arn: arn(service, `${name}-${hex(seed, 8)}`) } };
}

/**
 * ElastiCache's member cluster ids: `<group>-<shard>-<node>` in cluster mode (0001-001), `<group>-<node>`
 * (001) otherwise, one per node of the group.
 */
function memberClusterIds(groupId: string, inputs: Inputs): string[] {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  if (inputs.clusterMode === "enabled") return memberClusterIdsOf(groupId, Number(inputs.numNodeGroups ?? 1), Number(inputs.replicasPerNodeGroup ?? 0));
  const nodes = Number(inputs.numCacheClusters ?? 1 + Number(inputs.replicasPerNodeGroup ?? 0));
  return Array.from({ length: nodes }, (_, n) => `${groupId}-${pad(n + 1, 3)}`);
}

function shortRegion(region: string): string {
  const [area, direction, number] = region.split("-");
  return `${area}${direction.slice(0, 1)}${number}`;
}
