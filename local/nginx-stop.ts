import { setTimeout as sleep } from "node:timers/promises";
import type { BalancerProcess } from "./processes/balancer";
import { LOCAL_STOP_SENDING_MS } from "./processes/balancer";
import type { NginxProcess } from "./processes/nginx";

/**
 * Stops one nginx pod the way the cluster does (infra/config/nginx-stop.ts): it leaves the balancer
 * first (the EndpointSlice update of a terminating pod), nginx keeps accepting through the preStop
 * pause until no sender can still reach it, then SIGQUIT closes its listeners and finishes what it is
 * serving. A connection that reaches nginx after its listeners closed is refused, and one still in the
 * accept queue when they close is reset (nginx closes listening sockets without draining the queue,
 * and the kernel resets what it holds): the pause is what keeps both empty.
 */
export async function stopNginxPod(p: {
  balancer: Pick<BalancerProcess, "deregister">;
  /** The pod's server name in the balancer. */
  server: string;
  nginx: Pick<NginxProcess, "quit">;
  /** The preStop pause; default what the local balancer needs to stop sending (LOCAL_STOP_SENDING_MS). */
  pauseMs?: number;
}): Promise<void> {
  await p.balancer.deregister(p.server);
  await sleep(p.pauseMs ?? LOCAL_STOP_SENDING_MS);
  await p.nginx.quit();
}
