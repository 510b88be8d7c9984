/**
 * How an nginx pod stops without resetting a connection: first every path into it must stop sending
 * new connections (the preStop pause: nginx still accepts meanwhile), then nginx stops gracefully
 * (SIGQUIT: listeners closed, in-flight requests finished, WebSockets cut after
 * worker_shutdown_timeout), then the process exits, all inside terminationGracePeriodSeconds. A
 * connection that reaches the pod after the listeners closed (or sits in the accept queue when they
 * close) is reset, so the pause is derived from how long the senders take to stop, not picked.
 *
 * Pure; the one place the preStop pause and nginx's graceful-stop timeout come from (the Deployment
 * of every tier, blue and green, and the nginx model), checked at program start (schema).
 */
import type { StackConfig } from "./schema";

/**
 * The nginx Service's externalTrafficPolicy: "Cluster", every node forwards its NodePorts to any ready
 * nginx pod, so the target groups (instance targets: the nodes) keep every node registered and healthy
 * while a pod stops; "Local" would send only to the node's own pods and rely on the target groups'
 * health checks (kube-proxy's health-check NodePort) to stop sending to a node that has none left.
 */
export const NGINX_EXTERNAL_TRAFFIC_POLICY: "Cluster" | "Local" = "Cluster";

/**
 * Seconds until kube-proxy on every node has dropped a terminating pod from a Service's endpoints:
 * the EndpointSlice update (the pod turns not-ready when it starts terminating) plus kube-proxy's
 * rule sync (iptables/nftables minSyncPeriod 1 s by default; several seconds on a busy node).
 */
export const ENDPOINT_PROPAGATION_SECONDS = 5;

/** Seconds nginx needs after its workers are gone to exit (pid file, master shutdown). */
export const NGINX_EXIT_SECONDS = 1;

/**
 * The facts of the path into an nginx pod that its stop depends on (the same for blue's and green's,
 * the ALB's and the NLB's target groups: one set of health-check keys). The target groups'
 * deregistration delay is not among them: targets are nodes, deregistered when a node leaves (an
 * Auto Scaling scale-in waits that delay before terminating it), never when an nginx pod stops.
 */
export type NginxStopConfig = Pick<StackConfig, "terminationGracePeriodSeconds" | "appShutdownDelaySeconds" | "healthCheckIntervalSeconds" | "healthCheckTimeoutSeconds" | "unhealthyThreshold">;

export interface NginxStopTiming {
  /** Until no sender (kube-proxy; with "Local" the load balancers) starts a new connection to the stopping pod. */
  stopSendingSeconds: number;
  /** Why: which sender takes that long. */
  stopSendingReason: string;
  /** The preStop pause: nginx keeps accepting until every sender has stopped. */
  preStopSeconds: number;
  /** nginx's worker_shutdown_timeout: the app's drain, within what the grace period leaves after the pause. */
  workerShutdownTimeoutSeconds: number;
  /** What is wrong with the config for this stop (empty: it fits the grace period). */
  problems: string[];
}

/**
 * The stop of an nginx pod from the stack's facts. `drainSeconds`: what worker_shutdown_timeout is
 * sized to (default the app's shutdown delay, so nginx cuts WebSockets no later than the app drains).
 */
export function nginxStopTiming(c: NginxStopConfig, policy: "Cluster" | "Local" = NGINX_EXTERNAL_TRAFFIC_POLICY, drainSeconds = c.appShutdownDelaySeconds): NginxStopTiming {
  // "Local": the node's health-check NodePort fails once its last local pod is not ready; a target group
  // stops sending to the node after unhealthyThreshold failed checks (the last one may take its timeout).
  const healthChecks = (c.unhealthyThreshold - 1) * c.healthCheckIntervalSeconds + c.healthCheckTimeoutSeconds;
  const stopSendingSeconds = policy === "Cluster" ? ENDPOINT_PROPAGATION_SECONDS : ENDPOINT_PROPAGATION_SECONDS + healthChecks;
  const stopSendingReason =
    policy === "Cluster"
      ? `kube-proxy on every node drops the pod from the NodePorts' endpoints (${ENDPOINT_PROPAGATION_SECONDS} s); the target groups keep sending to the nodes (externalTrafficPolicy Cluster), never to the pod`
      : `the target groups see the node fail ${c.unhealthyThreshold} health checks every ${c.healthCheckIntervalSeconds} s (timeout ${c.healthCheckTimeoutSeconds} s) after its endpoints change (${ENDPOINT_PROPAGATION_SECONDS} s)`;
  const preStopSeconds = stopSendingSeconds;
  const left = c.terminationGracePeriodSeconds - preStopSeconds - NGINX_EXIT_SECONDS;
  const workerShutdownTimeoutSeconds = Math.max(1, Math.min(drainSeconds, left));
  const problems: string[] = [];
  if (left < 1) {
    problems.push(
      `edgestack:terminationGracePeriodSeconds (${c.terminationGracePeriodSeconds}) must be at least ${preStopSeconds + NGINX_EXIT_SECONDS + 1}: an nginx pod pauses ${preStopSeconds} s before it stops (${stopSendingReason}), then needs at least 1 s to finish requests and ${NGINX_EXIT_SECONDS} s to exit`,
    );
  }
  return { stopSendingSeconds, stopSendingReason, preStopSeconds, workerShutdownTimeoutSeconds, problems };
}
