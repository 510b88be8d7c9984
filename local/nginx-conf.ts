import type { StackConfig } from "../infra/config/schema";
import { renderNginxConf, type NginxModel } from "../infra/nginx";
import { buildLocalNginxModel, type LocalDiscovery } from "./nginx-site";
import { readFileSync } from "node:fs";
import { CLUSTER_FD_LIMIT, processFdLimit } from "../infra/nginx/capacity";
import { HEADERS } from "@edgestack/contract";
import { LOCAL_ALB_SOURCE_ADDRESS, LOCAL_NLB_SOURCE_ADDRESS } from "./processes/haproxy";

export interface LocalNginxInput {
  /** Ports of fixed app replicas on 127.0.0.1 (no service discovery). One of this, `upstreams` or `discovery`. */
  upstreamPorts?: number[];
  /** Fixed app replicas by address and port (no service discovery). */
  upstreams?: { host: string; port: number }[];
  /** The replicas through DNS, as the cluster's headless Service (the local data plane). */
  discovery?: LocalDiscovery;
  /** The canary track's replicas through DNS (with config canaryImage). */
  canaryDiscovery?: LocalDiscovery;
  listenPort: number;
  statusPort: number;
  /** The PROXY-protocol listeners (the NLB's targets); their sender, on loopback, is trusted. */
  proxyProtocolPort?: number;
  proxyProtocolHttpPort?: number;
  /** nginx prefix directory (absolute): pid, logs and temp dirs live here. */
  prefix: string;
  /**
   * Peers whose X-Forwarded-For nginx believes (a load balancer in front), besides the ALB stand-in
   * (albStandIn). Default none: without a stand-in nginx is the edge, the realip module is left out
   * and a client's X-Forwarded-For can never become the client address. Pass e.g. ["127.0.0.1/32"]
   * to play a trusted balancer.
   */
  trustedProxyCidrs?: string[];
  /**
   * The ALB's stand-in (haproxy, LOCAL_ALB_SOURCE_ADDRESS) in front of the ALB listener: that listener
   * speaks TLS with this certificate and key, as in the cluster, and believes X-Forwarded-For (and
   * X-Forwarded-Proto) from the stand-in's address only (besides trustedProxyCidrs). Omitted: a plain
   * listener, the edge itself (focused tests of nginx's HTTP behaviour).
   */
  albStandIn?: { certificate: string; certificateKey: string };
  workerProcesses?: number | "auto";
  /** The replicas' drain (their shutdown delay): nginx's worker_shutdown_timeout is sized to it. Default the stack's appShutdownDelaySeconds. */
  drainSeconds?: number;
  /** As in the cluster (buffered) when given; default each line written at once. */
  accessLogBuffer?: NginxModel["accessLogBuffer"];
}

/**
 * The cluster's nginx model in local mode (same upstream algorithm, pool, retries, timeouts, limits,
 * locations and headers, built by infra/nginx from the stack config), with the replicas found
 * through a local DNS server (or, for focused tests, as explicit loopback servers).
 */
export function localNginxModel(config: StackConfig, input: LocalNginxInput): NginxModel {
  const trusted = input.trustedProxyCidrs ?? [];
  const model = buildLocalNginxModel(config, {
    upstreams: input.upstreams ?? input.upstreamPorts?.map((port) => ({ host: "127.0.0.1", port })),
    discovery: input.discovery,
    canaryDiscovery: input.canaryDiscovery,
    listenPort: input.listenPort,
    albTls: input.albStandIn,
    proxyProtocolPort: input.proxyProtocolPort,
    proxyProtocolHttpPort: input.proxyProtocolHttpPort,
    statusPort: input.statusPort,
    prefix: input.prefix,
    trustedCidrs: trusted.length > 0 ? trusted : undefined,
    workerProcesses: input.workerProcesses,
    accessLogBuffer: input.accessLogBuffer,
    // The descriptors this machine lets nginx open (it inherits our limits), as a pod's container limit.
    fdLimit: processFdLimit(readFileSync("/proc/self/limits", "utf8"), CLUSTER_FD_LIMIT),
    drainSeconds: input.drainSeconds,
  });
  if (input.albStandIn !== undefined) {
    // The ALB listener's peer is the stand-in: its X-Forwarded-For (walked from the right past trusted
    // peers) names the client, and a client's own X-Forwarded-For prefix counts only past a trusted peer.
    const alb = model.servers.find((s) => s.role === "proxy" && !s.listen.proxyProtocol);
    if (alb !== undefined && alb.role === "proxy") alb.realIp = { header: HEADERS.forwardedFor, recursive: true, trustedCidrs: [`${LOCAL_ALB_SOURCE_ADDRESS}/32`, ...trusted] };
  }
  if (trusted.length === 0) {
    // The HTTP listener is the edge; a PROXY header is believed only from the local NLB stand-in's
    // own address (haproxy's `source`), and any other peer of a PROXY listener is refused.
    for (const server of model.servers) {
      if (server.role === "status") continue;
      if (server.listen.proxyProtocol) server.realIp = { header: "proxy_protocol", recursive: false, trustedCidrs: [`${LOCAL_NLB_SOURCE_ADDRESS}/32`] };
      else if (input.albStandIn === undefined) server.realIp = null;
    }
  }
  return model;
}

export function renderLocalNginxConf(config: StackConfig, input: LocalNginxInput): string {
  return renderNginxConf(localNginxModel(config, input));
}
