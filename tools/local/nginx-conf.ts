import type { StackConfig } from "../../infra/config/schema";
import { buildNginxModel, renderNginxConf, type NginxModel } from "../../infra/nginx";

export interface LocalNginxInput {
  /** Ports of the app replicas on 127.0.0.1. */
  upstreamPorts: number[];
  listenPort: number;
  statusPort: number;
  /** nginx prefix directory (absolute): pid, logs and temp dirs live here. */
  prefix: string;
  /**
   * Peers whose X-Forwarded-For nginx believes (a load balancer in front). Locally nginx *is* the
   * edge, so the default is none: the realip module is left out and a client's X-Forwarded-For can
   * never become the client address. Pass e.g. ["127.0.0.1/32"] to play a trusted balancer.
   */
  trustedProxyCidrs?: string[];
  workerProcesses?: number | "auto";
  /** As in the cluster (buffered) when given; default each line written at once. */
  accessLogBuffer?: NginxModel["accessLogBuffer"];
}

/**
 * The cluster's nginx model in local mode (same upstream algorithm, pool, retries, timeouts, limits,
 * locations and headers, built by infra/nginx from the stack config), with loopback replicas as
 * explicit upstream servers.
 */
export function localNginxModel(config: StackConfig, input: LocalNginxInput): NginxModel {
  const trusted = input.trustedProxyCidrs ?? [];
  const model = buildNginxModel(config, {
    mode: "local",
    upstreams: input.upstreamPorts.map((port) => ({ host: "127.0.0.1" as const, port })),
    listenPort: input.listenPort,
    statusPort: input.statusPort,
    prefix: input.prefix,
    trustedCidrs: trusted.length > 0 ? trusted : undefined,
    workerProcesses: input.workerProcesses,
    accessLogBuffer: input.accessLogBuffer,
  });
  if (trusted.length === 0) {
    for (const server of model.servers) if (server.role !== "status") server.realIp = null;
  }
  return model;
}

export function renderLocalNginxConf(config: StackConfig, input: LocalNginxInput): string {
  return renderNginxConf(localNginxModel(config, input));
}
