import type { StackConfig } from "../../infra/config/schema";
import type { NginxModel } from "../../infra/nginx/model";
import { clusterNginxModel, type ClusterNginxConfig } from "../../infra/workloads/nginx";

/** The pods' nginx model of a stack with a new VPC: its one block (the configured vpcCidr) trusted. */
export function newVpcNginxModel(config: ClusterNginxConfig & Pick<StackConfig, "vpcCidr">): NginxModel {
  return clusterNginxModel(config, [config.vpcCidr]);
}
