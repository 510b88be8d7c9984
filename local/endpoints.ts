import * as http from "node:http";
import { appDeploymentSpec } from "../infra/workloads/app";
import type { StackConfig } from "../infra/config/schema";

/**
 * The local stand-in for kubelet's readiness probes and the EndpointSlice controller: each replica
 * is probed with the Deployment's readiness settings, and the DNS name nginx resolves lists exactly
 * the replicas that are ready and not terminating — what the headless Service's records are.
 */

export interface ReadinessProbe {
  path: string;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  successThreshold: number;
}

/** The app container's readiness probe, read from the Deployment spec the cluster gets. */
export function readinessProbeFromDeployment(config: StackConfig): ReadinessProbe {
  const spec = appDeploymentSpec(config, "unused", []) as unknown as {
    template: { spec: { containers: { name: string; readinessProbe: { httpGet: { path: string }; periodSeconds?: number; timeoutSeconds?: number; failureThreshold?: number; successThreshold?: number } }[] } };
  };
  const probe = spec.template.spec.containers[0]!.readinessProbe;
  // Kubernetes' defaults for unset fields.
  return {
    path: probe.httpGet.path,
    periodSeconds: probe.periodSeconds ?? 10,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
    successThreshold: probe.successThreshold ?? 1,
  };
}

export interface ProbeState {
  ready: boolean;
  /** Consecutive results of the current streak. */
  successes: number;
  failures: number;
}

/** A new container: not ready until its first successful probe(s) (Kubernetes' initial state). */
export const INITIAL_PROBE_STATE: ProbeState = { ready: false, successes: 0, failures: 0 };

/** Kubelet's rule (pure): ready after successThreshold successes in a row, not ready after failureThreshold failures. */
export function nextProbeState(state: ProbeState, passed: boolean, probe: Pick<ReadinessProbe, "failureThreshold" | "successThreshold">): ProbeState {
  if (passed) {
    const successes = state.successes + 1;
    return { ready: state.ready || successes >= probe.successThreshold, successes, failures: 0 };
  }
  const failures = state.failures + 1;
  return { ready: state.ready && failures < probe.failureThreshold, successes: 0, failures };
}

/** One probe: an HTTP GET answered 200-399 within the timeout passes (kubelet's httpGet rule). */
export function probeOnce(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(false));
  });
}

export interface Endpoint {
  id: string;
  address: string;
  port: number;
}

export interface EndpointChange {
  id: string;
  ready: boolean;
  reason: "probe" | "terminating" | "gone";
}

/**
 * Probes every added endpoint every periodSeconds and calls `publish` with the ready addresses
 * whenever that set changes. `terminating` and `remove` take an endpoint out at once, as the
 * EndpointSlice controller does for a pod being deleted or whose container died.
 */
export class EndpointController {
  private readonly endpoints = new Map<string, { endpoint: Endpoint; state: ProbeState; terminating: boolean; timer?: NodeJS.Timeout; probing: boolean }>();
  private lastPublished = "";
  private stopped = false;

  constructor(
    private readonly probe: ReadinessProbe,
    private readonly publish: (addresses: string[]) => void,
    private readonly onChange: (change: EndpointChange) => void = () => undefined,
  ) {
    this.sync();
  }

  /** The addresses currently published (ready, not terminating). */
  readyAddresses(): string[] {
    return [...this.endpoints.values()].filter((e) => e.state.ready && !e.terminating).map((e) => e.endpoint.address);
  }

  isReady(id: string): boolean {
    const e = this.endpoints.get(id);
    return e !== undefined && e.state.ready && !e.terminating;
  }

  add(endpoint: Endpoint): void {
    const entry = { endpoint, state: INITIAL_PROBE_STATE, terminating: false, probing: false, timer: undefined as NodeJS.Timeout | undefined };
    this.endpoints.set(endpoint.id, entry);
    const tick = async () => {
      if (this.stopped || !this.endpoints.has(endpoint.id) || entry.probing) return;
      entry.probing = true;
      const passed = await probeOnce(`http://${endpoint.address}:${endpoint.port}${this.probe.path}`, this.probe.timeoutSeconds * 1000);
      entry.probing = false;
      if (this.stopped || this.endpoints.get(endpoint.id) !== entry) return;
      const before = entry.state.ready;
      entry.state = nextProbeState(entry.state, passed, this.probe);
      if (entry.state.ready !== before && !entry.terminating) this.onChange({ id: endpoint.id, ready: entry.state.ready, reason: "probe" });
      this.sync();
    };
    // The first probe at once (initialDelaySeconds 0), then every period.
    void tick();
    entry.timer = setInterval(() => void tick(), this.probe.periodSeconds * 1000);
  }

  terminating(id: string): void {
    const e = this.endpoints.get(id);
    if (e === undefined || e.terminating) return;
    e.terminating = true;
    this.onChange({ id, ready: false, reason: "terminating" });
    this.sync();
  }

  remove(id: string): void {
    const e = this.endpoints.get(id);
    if (e === undefined) return;
    clearInterval(e.timer);
    this.endpoints.delete(id);
    if (!e.terminating && e.state.ready) this.onChange({ id, ready: false, reason: "gone" });
    this.sync();
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.endpoints.values()) clearInterval(e.timer);
  }

  private sync(): void {
    const addresses = this.readyAddresses();
    const key = addresses.join(",");
    if (key === this.lastPublished && this.lastPublished !== "") return;
    this.lastPublished = key;
    this.publish(addresses);
  }
}
