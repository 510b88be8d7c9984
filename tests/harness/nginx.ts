import type { StackConfig } from "../../infra/config/schema";
import type { NginxConfigInput } from "../../infra/nginx/build";
import type { NginxModel } from "../../infra/nginx/model";
import { clusterNginxModel } from "../../infra/workloads/nginx";

/** The pods' nginx model of a stack with a new VPC: its one block (the configured vpcCidr) trusted. */
export function newVpcNginxModel(config: NginxConfigInput & Pick<StackConfig, "vpcCidr">): NginxModel {
  return clusterNginxModel(config, [config.vpcCidr]);
}
