/**
 * edgestack entry program: reads and validates the stack config, wires the components together and
 * exports the stack outputs. Everything else lives in infra/, one component per concern.
 */
import { loadStackConfig } from "./infra/config";
import { Vpc } from "./infra/network/vpc";
import { awsProvider } from "./infra/providers";

// Validated as a whole before any resource is registered: bad config fails here, nothing half-applied.
const config = loadStackConfig();

const aws = awsProvider(config);

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

export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
