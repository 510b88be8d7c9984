/**
 * How many connections an nginx pod holds, derived from what the pod is given (CPU and memory
 * limits, the file-descriptor limit of its container) instead of nginx's defaults. Pure.
 *
 * - workers: one per whole CPU of the limit (at least one). `auto` would start one per *node* core
 *   and multiply the memory a pod needs by the node's size.
 * - connections per worker: what memory and descriptors allow, at most the configured ceiling
 *   (`nginxWorkerConnections`). A proxied request or WebSocket is two connections (client and
 *   upstream), each one descriptor.
 * - worker_rlimit_nofile: connections plus the descriptors a worker holds besides them (listeners,
 *   log files, resolver sockets, temp files). Without it a worker keeps the container's soft limit
 *   (often 1024) whatever worker_connections says.
 * - WebSockets per pod: at most WEBSOCKET_SHARE of the pod's connections, so a pod full of
 *   WebSockets still has room for HTTP requests and health checks (nginx answers a JSON 503
 *   beyond it instead of resetting connections once a worker runs out).
 */

import { cpuMillis, memoryBytes } from "../workloads/quantities";

/** The nginx container's resources (requests and limits), the figures the capacity is sized from. */
export const NGINX_POD_RESOURCES = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } } as const;

/**
 * The hard RLIMIT_NOFILE nginx may raise its soft limit to in the cluster's containers (EKS AMIs'
 * containerd gives containers a hard limit of at least 65536; an unprivileged process can raise its
 * soft limit up to the hard one, not beyond).
 */
export const CLUSTER_FD_LIMIT = 65_536;

/** Memory one connection costs at most: its pool, buffers (proxy_buffer_size each way for a WebSocket) and event structures. */
export const MEMORY_PER_CONNECTION_BYTES = 16 * 1024;
/** Memory a pod needs before any connection: master and worker processes, the shared zones (limit_req/limit_conn 10 MiB each). */
export const BASE_MEMORY_BYTES = 64 * 1024 * 1024;
/** Descriptors a worker holds besides connections. */
export const FD_SLACK = 64;
/** Share of a pod's connections WebSockets may hold (two connections each); the rest stays for HTTP. */
export const WEBSOCKET_SHARE = 0.75;

export interface NginxPodLimits {
  /** CPU limit, a Kubernetes quantity ("1", "500m"). */
  cpu: string;
  /** Memory limit, a Kubernetes quantity ("256Mi"). */
  memory: string;
  /** Hard RLIMIT_NOFILE of the container. */
  fdLimit: number;
  /** Ceiling per worker (the stack's nginxWorkerConnections). */
  maxWorkerConnections: number;
}

export interface NginxCapacity {
  workerProcesses: number;
  workerConnections: number;
  workerRlimitNofile: number;
  /** workerProcesses × workerConnections. */
  connectionsPerPod: number;
  /** Concurrent WebSockets (or long requests) one pod holds: WEBSOCKET_SHARE of its connections, two each. */
  webSocketsPerPod: number;
  /** What bounded workerConnections. */
  boundBy: "memory" | "file descriptors" | "nginxWorkerConnections";
}

export class NginxCapacityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NginxCapacityError";
  }
}

export function nginxCapacity(limits: NginxPodLimits): NginxCapacity {
  const cpu = cpuMillis(limits.cpu);
  const memory = memoryBytes(limits.memory);
  const workerProcesses = Math.max(1, Math.floor(cpu / 1000));
  const byMemory = Math.floor((memory - BASE_MEMORY_BYTES) / MEMORY_PER_CONNECTION_BYTES / workerProcesses);
  const byFds = limits.fdLimit - FD_SLACK;
  const workerConnections = Math.min(byMemory, byFds, limits.maxWorkerConnections);
  if (workerConnections < 256) {
    throw new NginxCapacityError(
      `nginx pod limits (cpu ${limits.cpu}, memory ${limits.memory}, ${limits.fdLimit} file descriptors) leave ${workerConnections} connections per worker; at least 256 are needed (more memory or fewer CPUs per pod)`,
    );
  }
  const connectionsPerPod = workerProcesses * workerConnections;
  return {
    workerProcesses,
    workerConnections,
    workerRlimitNofile: workerConnections + FD_SLACK,
    connectionsPerPod,
    webSocketsPerPod: Math.floor((connectionsPerPod * WEBSOCKET_SHARE) / 2),
    boundBy: workerConnections === limits.maxWorkerConnections ? "nginxWorkerConnections" : workerConnections === byFds ? "file descriptors" : "memory",
  };
}

/** The hard RLIMIT_NOFILE of this process (Linux /proc); `fallback` when it cannot be read or is unlimited. */
export function processFdLimit(limitsText: string, fallback: number): number {
  const m = /^Max open files\s+\S+\s+(\d+|unlimited)/m.exec(limitsText);
  if (m === null || m[1] === "unlimited") return fallback;
  return Number(m[1]);
}
