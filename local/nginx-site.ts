import * as path from "node:path";
import { HEADERS } from "@edgestack/contract";
import { APP_PODS_SRV_SERVICE } from "../infra/cluster/objects";
import { buildNginxModel, CLUSTER_FD_LIMIT, type FixedUpstream, type NginxConfigInput, type NginxModel, type NginxPaths, type NginxSite, type NginxTarget } from "../infra/nginx";
import type { RouteEntry } from "@edgestack/contract";

/**
 * The loopback address nginx connects to local replicas from (Linux routes all of 127.0.0.0/8 to
 * loopback): the replicas trust exactly this address, so a client on 127.0.0.1 talking to a replica
 * directly is an untrusted peer whose forwarding headers are ignored.
 */
export const LOCAL_NGINX_SOURCE_ADDRESS = "127.0.0.2";

/** A local replica on loopback (no service discovery). */
export type LocalUpstream = FixedUpstream;

/**
 * Local service discovery as in the cluster: one DNS name whose A records are the ready replicas
 * (loopback addresses, one per replica, all on `port`), served by a DNS server at `resolver`.
 */
export interface LocalDiscovery {
  name: string;
  /** With config nginxServiceDiscovery dns_srv unused: each SRV record `_http._tcp.<name>` carries its replica's port. */
  port: number;
  /** "127.0.0.1:5353". */
  resolver: string;
}

/** Where a local nginx runs: loopback listeners under a prefix directory, in front of local replicas. */
export interface LocalNginxOptions {
  /** Fixed app replicas on loopback (no service discovery). Either this or `discovery`. */
  upstreams?: LocalUpstream[];
  /** The replicas through DNS, re-resolved like the cluster's headless Service. */
  discovery?: LocalDiscovery;
  /** The canary track's replicas (with config canaryImage): fixed servers or through DNS, like the stable ones. */
  canaryUpstreams?: LocalUpstream[];
  canaryDiscovery?: LocalDiscovery;
  /** Port of the ALB's (X-Forwarded-For) listener. */
  listenPort: number;
  /**
   * Certificate and key files for that listener: TLS as in the cluster (the local ALB stand-in
   * speaks TLS to it). Omitted: plain HTTP (focused tests of nginx's HTTP behaviour only).
   */
  albTls?: { certificate: string; certificateKey: string };
  /** Absolute directory holding pid, logs and temp dirs (the `-p` prefix). */
  prefix: string;
  /** Peers trusted for X-Forwarded-For / PROXY protocol; default ["127.0.0.1/32"]. */
  trustedCidrs?: string[];
  /** Optional extra listeners (omitted when not given). */
  proxyProtocolPort?: number;
  proxyProtocolHttpPort?: number;
  statusPort?: number;
  /** Default 1 (deterministic balancing for tests; nginx shares upstream state through the zone anyway). */
  workerProcesses?: number | "auto";
  /** Hard RLIMIT_NOFILE nginx runs under (sizes worker_connections); default the cluster's (CLUSTER_FD_LIMIT). */
  fdLimit?: number;
  /** The drain nginx's worker_shutdown_timeout is sized to (the local replicas' shutdown delay); default the config's. */
  drainSeconds?: number;
  /** Default "warn". */
  errorLogLevel?: NginxModel["errorLogLevel"];
  /** Default null: each line written at once, so tests and people tailing the log see it now. */
  accessLogBuffer?: NginxModel["accessLogBuffer"];
}

/** Everything directly under the prefix: nginx creates the leaf temp dirs only if their parent exists. */
export function localPaths(prefix: string): NginxPaths {
  const at = (name: string) => path.posix.join(prefix, name);
  return {
    pid: at("nginx.pid"),
    errorLog: at("error.log"),
    accessLog: at("access.log"),
    clientBodyTemp: at("client_body_temp"),
    proxyTemp: at("proxy_temp"),
    fastcgiTemp: at("fastcgi_temp"),
    uwsgiTemp: at("uwsgi_temp"),
    scgiTemp: at("scgi_temp"),
  };
}

/** A local track: fixed replicas or the ones a local DNS server names (SRV records as CoreDNS publishes them). */
function localTarget(upstreams: LocalUpstream[] | undefined, discovery: LocalDiscovery | undefined, what: string): NginxTarget {
  if (discovery === undefined) return { kind: "fixed", servers: upstreams ?? [] };
  if (upstreams !== undefined) throw new Error(`local nginx model: give either ${what}upstreams or ${what}discovery, not both`);
  return { kind: "dns", name: discovery.name, port: discovery.port, srvService: APP_PODS_SRV_SERVICE, resolver: discovery.resolver };
}

/**
 * The local data plane's nginx site: listeners on 127.0.0.1 (also answering to localhost and
 * 127.0.0.1), nginx standing in for the load balancer's hop (X-Forwarded-For, recursive, from
 * `trustedCidrs`), the replicas' own servers as the fallback (no kube-proxy here), connections to the
 * replicas from LOCAL_NGINX_SOURCE_ADDRESS, answers naming the replica that served them.
 */
export function localNginxSite(options: LocalNginxOptions): NginxSite {
  const trusted = options.trustedCidrs ?? ["127.0.0.1/32"];
  const canary = options.canaryUpstreams !== undefined || options.canaryDiscovery !== undefined ? localTarget(options.canaryUpstreams, options.canaryDiscovery, "canary") : undefined;
  return {
    mode: "local",
    address: "127.0.0.1",
    ports: { http: options.listenPort, proxyProtocolHttps: options.proxyProtocolPort, proxyProtocolHttp: options.proxyProtocolHttpPort, status: options.statusPort },
    extraServerNames: ["localhost", "127.0.0.1"],
    albTls: options.albTls ?? null,
    httpRealIp: { header: HEADERS.forwardedFor, recursive: true, trustedCidrs: [...trusted] },
    proxyProtocolTrustedCidrs: [...trusted],
    livenessAllow: ["127.0.0.1/32"],
    stable: localTarget(options.upstreams, options.discovery, ""),
    ...(canary === undefined ? {} : { canary }),
    fallback: { kind: "stable" },
    paths: localPaths(options.prefix),
    fdLimit: options.fdLimit ?? CLUSTER_FD_LIMIT,
    ...(options.workerProcesses === undefined ? {} : { workerProcesses: options.workerProcesses }),
    ...(options.drainSeconds === undefined ? {} : { drainSeconds: options.drainSeconds }),
    errorLogLevel: options.errorLogLevel ?? "warn",
    accessLogBuffer: options.accessLogBuffer ?? null,
    exposeUpstreamAddress: true,
    upstreamBindAddress: LOCAL_NGINX_SOURCE_ADDRESS,
  };
}

/** The stack's nginx model for a local nginx (buildNginxModel at localNginxSite). */
export function buildLocalNginxModel(config: NginxConfigInput, options: LocalNginxOptions, routes?: readonly RouteEntry[]): NginxModel {
  return buildNginxModel(config, localNginxSite(options), routes);
}
