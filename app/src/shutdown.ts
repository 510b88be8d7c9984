/**
 * The steps of a graceful stop, in the order a load balancer needs them:
 *  1. report not ready at once (/readyz and /health 503) so the pod leaves DNS and the balancers deregister it;
 *  2. keep serving for the deregistration delay, because the balancer still routes new requests
 *     here until it has seen enough failed health checks / finished deregistration;
 *  3. stop accepting, let in-flight requests finish, close idle keep-alive sockets and WebSockets;
 *  4. close Redis last, since in-flight requests still need the rate limiter;
 *  5. flush the buffered logs, so the access-log lines of the last requests reach stdout.
 */
export interface ShutdownSteps {
  markDraining(): void;
  sleep(ms: number): Promise<void>;
  closeServer(): Promise<void>;
  closeRedis(): Promise<void>;
  flushLogs(): Promise<void>;
}

export async function gracefulShutdown(steps: ShutdownSteps, delayMs: number): Promise<void> {
  steps.markDraining();
  if (delayMs > 0) await steps.sleep(delayMs);
  await steps.closeServer();
  await steps.closeRedis();
  await steps.flushLogs();
}
