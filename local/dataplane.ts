import { setTimeout as sleep } from "node:timers/promises";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { StackConfig } from "../infra/config/schema";
import { NGINX_HEALTH_PATH, NGINX_STUB_STATUS_PATH } from "../infra/nginx";
import { APP_CANARY_PODS_DNS_NAME, APP_PODS_DNS_NAME, APP_PODS_SRV_SERVICE } from "../infra/cluster/objects";
import { startDnsmasq, type DnsServer } from "./processes/dnsmasq";
import { startHaproxy, type HaproxyProcess } from "./processes/haproxy";
import { startNginx, type NginxProcess } from "./processes/nginx";
import { freePort, freePorts } from "./processes/ports";
import { startObservability, type ObservabilityStack } from "./processes/observability";
import { startRedis, type RedisProcess } from "./processes/redis";
import { sloSpec } from "../infra/config/slo";
import { makeTestCertificates, type TestCertificates } from "./processes/tls";
import { APP_MAIN, buildApp } from "./build-app";
import { EndpointController, readinessProbeFromDeployment, type EndpointChange, type ReadinessProbe } from "./endpoints";
import { renderLocalNginxConf, type LocalNginxInput } from "./nginx-conf";
import { checkPrerequisites } from "./prerequisites";
import { startReplica, type ReplicaProcess } from "./replica";
import { loadLocalStackConfig, replicaEnv, replicaInstanceId, type ConfigOverrides } from "./stack";

export interface DataPlaneOptions {
  /** Stack whose Pulumi.<stack>.yaml the data plane is built from. Default "dev". */
  stack?: string;
  /** nginx's public port on 127.0.0.1. Default: a free port. */
  port?: number;
  /** App replicas behind nginx. Default 3. */
  replicas?: number;
  /** Build the app first: "always" (the CLI), "if-stale" (tests; default), "never". */
  build?: "always" | "if-stale" | "never";
  /** Stack-config keys to change for this run, validated like the stack file (e.g. nginxRateLimitPerMinute). */
  configOverrides?: ConfigOverrides;
  /** App environment variables set on every replica after the stack-derived ones (e.g. WS_HEARTBEAT_MS). */
  appEnv?: Record<string, string>;
  /**
   * The app's SHUTDOWN_DELAY_MS. In the cluster it covers deregistration (appShutdownDelaySeconds);
   * locally the default covers what the readiness loop and nginx's re-resolution need to stop
   * sending new requests to a replica that got SIGTERM (see `deregistrationMs`).
   */
  shutdownDelayMs?: number;
  /**
   * Also open the PROXY-protocol listeners behind haproxy (`send-proxy-v2`, the NLB's stand-in):
   * a TLS port with a throw-away certificate (the NLB's 443) and a plain port (its 80). Default false.
   */
  proxyProtocol?: boolean;
  /** Keep the run directory (logs) after stop(). Default false (tests); the CLI keeps it unless --clean. */
  keepLogs?: boolean;
  /** A process died that nobody stopped (redis-server, nginx, dnsmasq, haproxy, a replica). */
  onProblem?: (message: string) => void;
  /**
   * The data plane could not recover and has stopped itself (a dnsmasq that died and could not be
   * restarted: nginx would lose the replicas at its next re-resolution). Default: onProblem.
   */
  onFatal?: (message: string) => void;
  /** A replica entered or left the DNS name nginx resolves. */
  onEndpointChange?: (change: EndpointChange) => void;
  /** The app's LOG_LEVEL. Default "info" (logs go to files in the run directory, not the terminal). */
  logLevel?: string;
  /** See LocalNginxInput.trustedProxyCidrs. Default none: only the ALB stand-in's X-Forwarded-For is believed. */
  trustedProxyCidrs?: string[];
  /** nginx worker_processes. Default 1 (as local/nginx-site.ts's). */
  nginxWorkerProcesses?: number | "auto";
  /** nginx access-log buffering; default none (lines appear at once). The cluster buffers 64k/1s. */
  nginxAccessLogBuffer?: LocalNginxInput["accessLogBuffer"];
  /** How long to wait for /health to answer 200 through nginx. Default 30 s. */
  healthTimeoutMs?: number;
  /** Progress lines (the CLI prints them). */
  log?: (line: string) => void;
  /**
   * Also run the NGINX Prometheus exporter, Prometheus (the rules generated from the stack's SLO spec,
   * scraping every replica's metrics port and the exporter) and Alertmanager. `timeScale` divides the
   * rule windows (tests), `interval` is the scrape and evaluation interval. Default off.
   */
  observe?: boolean | { timeScale?: number; interval?: string };
}

export interface DataPlaneUrls {
  site: string;
  health: string;
  hello: string;
  ws: string;
  nginxStatus: string;
  /** https://127.0.0.1:PORT/ through haproxy (TLS) and nginx's PROXY listener; when proxyProtocol. */
  nlbTls?: string;
  /** http://127.0.0.1:PORT/ through haproxy and nginx's PROXY redirect listener; when proxyProtocol. */
  nlbHttp?: string;
}

export interface DataPlane {
  readonly stack: string;
  /** The validated stack config the run was built from (overrides applied). */
  readonly config: StackConfig;
  /** Run directory: logs (replica-<i>.log, nginx/, dnsmasq.log, haproxy.log). Removed by stop() unless keepLogs. */
  readonly dir: string;
  /** The ALB stand-in's port (haproxy, plain HTTP for clients): every URL but the NLB's goes through it. */
  readonly port: number;
  /** nginx's ALB listener behind it (TLS, the test certificate: trust `tlsCaFile`); what the ALB's target port is in the cluster. */
  readonly nginxAlbPort: number;
  /** The CA of the local certificates (nginx's ALB listener, the NLB stand-in's TLS listener). */
  readonly tlsCaFile: string;
  readonly statusPort: number;
  /** Every replica's /metrics port (on the replica's own address): the scrape target, never nginx's upstream. */
  readonly metricsPort: number;
  /** The DNS server nginx resolves the replicas through. */
  readonly dns: DnsServer;
  /** The readiness probe the loop runs (from the Deployment spec). */
  readonly readinessProbe: ReadinessProbe;
  /** haproxy's ports when proxyProtocol is on: TLS (NLB 443) and plain (NLB 80). */
  readonly nlb: { tlsPort: number; httpPort: number; caFile: string } | undefined;
  readonly urls: DataPlaneUrls;
  readonly redis: RedisProcess;
  readonly nginx: NginxProcess;
  /** Every replica started (index = position), including exited ones. */
  readonly replicas: readonly ReplicaProcess[];
  /** The canary track's replicas (config canaryImage: canaryReplicas of them, TRACK=canary, published as app-canary-pods). */
  readonly canaryReplicas: readonly ReplicaProcess[];
  /** Addresses the DNS name lists now (ready, not terminating). */
  readyAddresses(): string[];
  /** The nginx.conf nginx runs. */
  readonly nginxConf: string;
  /** With `observe`: the Prometheus, Alertmanager and exporter URLs. */
  readonly observability: ObservabilityStack | undefined;
  /** Every live process this data plane started: redis-server, replicas, nginx master and workers. */
  pids(): number[];
  /** SIGKILL replica i (a crash): it leaves DNS when the process is gone, as a dead container's pod. */
  killReplica(index: number): Promise<void>;
  /** SIGTERM replica i from outside (its readiness turns 503 at once; the probes take it out). Resolves on exit. */
  terminateReplica(index: number): Promise<void>;
  /** SIGSTOP replica i (a hung pod): its probes time out and it leaves DNS; resumeReplica sends SIGCONT. */
  stallReplica(index: number): void;
  resumeReplica(index: number): void;
  /** Scale up: a new replica, published once its readiness probe passes. Resolves when it is in DNS. */
  addReplica(): Promise<ReplicaProcess>;
  /** Scale down: replica i leaves DNS at once (terminating), then gets SIGTERM. Resolves on exit. */
  removeReplica(index: number): Promise<void>;
  /** Stops redis-server (SIGTERM); the replicas keep running. */
  stopRedis(): Promise<void>;
  /** Starts redis-server again on the same port and directory. */
  startRedis(): Promise<void>;
  /** Stops haproxy and nginx, then the replicas (graceful), then redis-server and dnsmasq; removes the run directory unless keepLogs. Idempotent. */
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} on 127.0.0.1 is already in use by another process; choose another with --port <n> (or stop what listens there)`);
    this.name = "PortInUseError";
  }
}

/** Rejects with PortInUseError when something already listens on 127.0.0.1:port. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") reject(new PortInUseError(port));
      else if (err.code === "EACCES") reject(new Error(`port ${port} on 127.0.0.1: permission denied (ports below 1024 need root); choose another with --port <n>`));
      else reject(err);
    });
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

function getStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(0));
  });
}

/** Polls `url` until it answers 200; the error names the last status seen. */
export async function waitForHttp200(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number;
  for (;;) {
    last = await getStatus(url, 2000);
    if (last === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last status: ${last === 0 ? "no answer" : last})`);
    await sleep(100);
  }
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Loopback address of replica i: its own "pod IP" (all of 127/8 is local on Linux). */
export const replicaAddress = (index: number): string => `127.0.0.${10 + index}`;
/** Replicas one data plane can have over its life (127.0.0.10 … 127.0.0.199); the canary's from 127.0.0.200. */
export const MAX_REPLICA_SLOTS = 190;
/** Slot of canary replica i (its address is replicaAddress of it). */
export const canarySlot = (index: number): number => MAX_REPLICA_SLOTS + index;

/**
 * How long after SIGTERM new requests can still reach a replica: the probes' detection time
 * (failureThreshold periods plus one timeout) plus nginx's re-resolution interval, plus a second.
 */
export function deregistrationMs(probe: ReadinessProbe, resolverValidSeconds: number): number {
  return (probe.periodSeconds * probe.failureThreshold + probe.timeoutSeconds + resolverValidSeconds + 1) * 1000;
}

/**
 * Starts the data plane the cluster runs, on loopback: a private redis-server, N app replicas (each
 * on its own loopback address), dnsmasq publishing the ready ones under the headless Service's
 * name, a readiness loop playing kubelet + the EndpointSlice controller, and nginx rendered from the
 * stack's model resolving that name; haproxy as the ALB (TLS to nginx's ALB listener) and optionally
 * as the NLB in front of the PROXY listeners.
 * Resolves once every replica is ready and /health answers 200 through nginx. If any step fails,
 * everything already started is stopped before the error is rethrown.
 */
export async function startDataPlane(options: DataPlaneOptions = {}): Promise<DataPlane> {
  const run = new DataPlaneRun(options, await prepareDataPlane(options));
  try {
    await run.startDns();
    await run.startRedis();
    const { port, nginxAlbPort, statusPort, pp } = await pickPorts(options);
    await run.pickAppPorts(port);
    await run.startReplicas();
    const canary = await run.startCanary();
    const front = await run.startFront({ port, nginxAlbPort, statusPort, pp, canary });
    await run.startObservability(statusPort);
    run.watch();
    return run.handle({ port, nginxAlbPort, statusPort, ...front });
  } catch (err) {
    await run.stopAll();
    throw err;
  }
}

type Prepared = Awaited<ReturnType<typeof prepareDataPlane>>;

/**
 * One data plane's processes and the state they share, one method per job: the cluster DNS, Redis,
 * the replicas of each track with their readiness loops, nginx and the NLB in front, observability,
 * the watchdog, the handle the caller drives, and stopping it all (front to back).
 */
class DataPlaneRun {
  readonly dir: string;
  readonly shutdownDelayMs: number;
  readonly redisUrlFile: string;
  redis: RedisProcess | undefined;
  nginx: NginxProcess | undefined;
  dns: DnsServer | undefined;
  haproxy: HaproxyProcess | undefined;
  observability: ObservabilityStack | undefined;
  controller: EndpointController | undefined;
  canaryController: EndpointController | undefined;
  watchdog: NodeJS.Timeout | undefined;
  readonly replicas: ReplicaProcess[] = [];
  readonly canaryReplicas: ReplicaProcess[] = [];
  readonly expectedDown = new Set<string>();
  stopped: Promise<void> | undefined;
  stopping = false;
  redisStopped = false;
  appPort = 0;
  metricsPort = 0;
  /** The last SRV publication (each restarts the SRV servers behind dnsmasq); stopping waits for it. */
  srvPublished: Promise<void> = Promise.resolve();
  /** The site's own origins (nginx's port), the replicas' default WebSocket Origin allow-list. */
  siteOrigins: string[] = [];

  constructor(
    readonly options: DataPlaneOptions,
    readonly prepared: Prepared,
  ) {
    // nginx runs its workers as `nobody` when started as root: they must traverse the run directory.
    this.dir = mkdtempSync(path.join(tmpdir(), "edgestack-local-"));
    chmodSync(this.dir, 0o755);
    this.shutdownDelayMs = options.shutdownDelayMs ?? deregistrationMs(prepared.probe, prepared.config.nginxResolverValidSeconds);
    this.redisUrlFile = path.join(this.dir, "secrets", "REDIS_URL");
  }

  /** dnsmasq as the cluster DNS, and the readiness loop that publishes the stable track's ready replicas in it. */
  async startDns(): Promise<void> {
    this.prepared.log("starting dnsmasq (the cluster DNS for the replicas)…");
    this.dns = await startDnsmasq({ dir: this.dir });
    this.controller = new EndpointController(this.prepared.probe, this.publishPods(APP_PODS_DNS_NAME), this.options.onEndpointChange);
  }

  /**
   * As CoreDNS does for a headless Service: A records of the ready pods, and with dns_srv also an SRV
   * record per pod (`_http._tcp.<name>` → `<pod>.<name>` on the replicas' port). Each SRV change restarts
   * the two SRV servers behind dnsmasq one by one (local/processes/dnsmasq.ts); dnsmasq keeps running.
   */
  private publishPods(name: string): (addresses: readonly string[]) => void {
    const dns = this.dns!;
    return (addresses) => {
      dns.publish(name, addresses);
      if (this.prepared.config.nginxServiceDiscovery !== "dns_srv") return;
      const records = addresses.map((address) => ({ address, target: `${address.replaceAll(".", "-")}.${name}`, port: this.appPort }));
      for (const r of records) dns.publish(r.target, [r.address]);
      this.srvPublished = this.srvPublished
        .then(() => dns.publishSrv(`${APP_PODS_SRV_SERVICE}.${name}`, records))
        .catch((err: unknown) => this.prepared.problem(`publishing the SRV records of ${name} failed: ${String(err)}`));
    };
  }

  /** redis-server; the replicas read its URL from a private file, as pods read their mounted Secret (REDIS_URL_FILE). */
  async startRedis(): Promise<void> {
    this.prepared.log(`starting redis-server…`);
    this.redis = await startRedis();
    mkdirSync(path.join(this.dir, "secrets"), { mode: 0o700 });
    writeFileSync(this.redisUrlFile, `${this.redis.url}\n`, { mode: 0o600 });
  }

  /** The replicas' ports: one app port for every replica, free on every address (each replica has its own, as pods do), and the metrics port. */
  async pickAppPorts(nginxPort: number): Promise<void> {
    this.siteOrigins = [`http://127.0.0.1:${nginxPort}`, `http://localhost:${nginxPort}`];
    this.appPort = await freePort("0.0.0.0");
    // The replicas' /metrics port, as the Deployment's "metrics" container port: not nginx's upstream.
    do this.metricsPort = await freePort("0.0.0.0");
    while (this.metricsPort === this.appPort);
  }

  /** The stable track's replicas, all ready. */
  async startReplicas(): Promise<void> {
    const count = this.prepared.replicaCount;
    this.prepared.log(`starting ${count} app replica(s) on ${Array.from({ length: count }, (_, i) => replicaAddress(i)).join(", ")} port ${this.appPort}…`);
    await startAll(count, (i) => this.launchReplica(i));
    await this.waitReady(Array.from({ length: count }, (_, i) => replicaInstanceId(i)), 30_000);
  }

  /** With config canaryImage, the canary Deployment: its own replicas (the same app build locally, TRACK=canary) under app-canary-pods. */
  async startCanary(): Promise<boolean> {
    const { config, probe, log } = this.prepared;
    if (config.canaryImage === "") return false;
    this.canaryController = new EndpointController(probe, this.publishPods(APP_CANARY_PODS_DNS_NAME), this.options.onEndpointChange);
    log(`starting ${config.canaryReplicas} canary replica(s) (TRACK=canary, ${config.canaryWeightPercent}% of requests, forced by ${config.canaryHeader} or ${config.canaryCookie}: always|never)…`);
    await startAll(config.canaryReplicas, (i) => this.launchReplica(i, true));
    await this.waitReady(Array.from({ length: config.canaryReplicas }, (_, i) => `canary-${i}`), 30_000, this.canaryController);
    return true;
  }

  /** Every replica's /metrics address, both tracks: the Prometheus targets. */
  private appTargets(): string[] {
    return [...this.replicas, ...this.canaryReplicas].filter((r) => r !== undefined).map((r) => `${r.host}:${this.metricsPort}`);
  }

  async launchReplica(index: number, canary = false): Promise<ReplicaProcess> {
    if (index >= MAX_REPLICA_SLOTS) throw new Error(`a local data plane has at most ${MAX_REPLICA_SLOTS} replicas over its life`);
    const { config } = this.prepared;
    const slot = canary ? canarySlot(index) : index;
    const host = replicaAddress(slot);
    const instanceId = canary ? `canary-${index}` : replicaInstanceId(index);
    const endpoints = canary ? this.canaryController! : this.controller!;
    const r = await startReplica({
      index,
      instanceId,
      host,
      port: this.appPort,
      logFile: path.join(this.dir, `${instanceId}.log`),
      env: {
        ...replicaEnv(config, {
          index: slot,
          host,
          port: this.appPort,
          metricsPort: this.metricsPort,
          redisUrlFile: this.redisUrlFile,
          shutdownDelayMs: this.shutdownDelayMs,
          logLevel: this.options.logLevel ?? "info",
          siteOrigins: this.siteOrigins,
          overrides: this.options.appEnv,
        }),
        // The canary Deployment's own variables: its track, its pod name.
        ...(canary ? { TRACK: "canary", INSTANCE_ID: instanceId } : {}),
      },
    });
    if (canary) this.canaryReplicas[index] = r;
    else this.replicas[index] = r;
    // Prometheus discovers every replica started, of either track (a dead one is a down target, then stale series).
    this.observability?.setAppTargets(this.appTargets());
    endpoints.add({ id: instanceId, address: host, port: this.appPort });
    // A dead container's pod is not ready at once (kubelet reports it); the name drops it.
    void r.exited.then((e) => {
      endpoints.remove(instanceId);
      if (!this.stopping && !this.expectedDown.has(instanceId)) this.prepared.problem(`${instanceId} (pid ${r.pid}) exited (code ${e.code}, signal ${e.signal}); nginx sends its traffic to the others`);
    });
    return r;
  }

  async waitReady(ids: string[], timeoutMs: number, endpoints = this.controller): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ids.every((id) => endpoints!.isReady(id))) {
      if (Date.now() > deadline) throw new Error(`replicas ${ids.filter((id) => !endpoints!.isReady(id)).join(", ")} did not pass their readiness probe (${this.prepared.probe.path}) within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /**
   * nginx (once the SRV records are published), haproxy as the ALB (TLS to nginx's ALB listener) and,
   * with proxyProtocol, as the NLB; resolves when /health answers 200 through them.
   */
  async startFront(p: {
    port: number;
    nginxAlbPort: number;
    statusPort: number;
    pp: ProxyProtocolPorts | undefined;
    canary: boolean;
  }): Promise<{ nginxConf: string; nlb: DataPlane["nlb"]; urls: DataPlaneUrls; tlsCaFile: string }> {
    const { config, log, stack } = this.prepared;
    await this.srvPublished;
    const certs = localCertificates(this.dir);
    log(`starting nginx (ALB listener TLS on 127.0.0.1:${p.nginxAlbPort}; ${config.nginxLoadBalancing}, upstream ${APP_PODS_DNS_NAME} via ${this.dns!.address}, config from stack ${stack})…`);
    const started = await startLocalNginx({
      options: this.options,
      config,
      dir: this.dir,
      dnsAddress: this.dns!.address,
      canary: p.canary,
      appPort: this.appPort,
      port: p.nginxAlbPort,
      statusPort: p.statusPort,
      pp: p.pp,
      shutdownDelayMs: this.shutdownDelayMs,
      certs,
    });
    this.nginx = started.nginx;
    const { nlb } = await startLoadBalancers(this.dir, { port: p.port, nginxAlbPort: p.nginxAlbPort }, p.pp, certs, log, (h) => (this.haproxy = h));
    const urls = dataPlaneUrls(p.port, p.statusPort, nlb);
    await waitForHttp200(urls.health, this.options.healthTimeoutMs ?? 30_000);
    return { nginxConf: started.conf, nlb, urls, tlsCaFile: certs.caFile };
  }

  /** With `observe`: the nginx exporter, Prometheus and Alertmanager (rules from the stack's SLO spec). */
  async startObservability(statusPort: number): Promise<void> {
    const { observe } = this.options;
    if (observe === undefined || observe === false) return;
    const tuning = observe === true ? {} : observe;
    this.prepared.log("starting the nginx exporter, Prometheus and Alertmanager (rules from the stack's SLO spec)…");
    this.observability = await startObservability({
      dir: this.dir,
      spec: sloSpec(this.prepared.config),
      nginxStatusPort: statusPort,
      appTargets: this.appTargets(),
      timeScale: tuning.timeScale,
      interval: tuning.interval,
    });
  }

  /** The watchdog over the servers (a replica's own exit is reported where it is launched). */
  watch(): void {
    const [redis, nginx, dns, haproxy] = [this.redis!, this.nginx!, this.dns!, this.haproxy];
    this.watchdog = watchDataPlane({
      dir: this.dir,
      servers: [
        { name: "redis-server", running: () => redis.running, expectedDown: () => this.redisStopped },
        { name: "nginx", running: () => nginx.running },
        { name: "dnsmasq", running: () => dns.running, expectedDown: () => this.stopping },
        ...(haproxy ? [{ name: "haproxy", running: () => haproxy.running }] : []),
      ],
      dns,
      problem: this.prepared.problem,
      fatal: (message) => void this.stopOnce().then(() => (this.options.onFatal ?? this.prepared.problem)(message)),
    });
  }

  stopOnce(): Promise<void> {
    return (this.stopped ??= this.stopAll());
  }

  async stopReplica(r: ReplicaProcess): Promise<void> {
    if (!r.running) return;
    const timer = setTimeout(() => void r.kill(), this.shutdownDelayMs + 10_000);
    await r.terminate();
    clearTimeout(timer);
  }

  /** Front to back: no new traffic, then drain the replicas, then their Redis and the DNS; the run directory unless keepLogs. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    this.controller?.stop();
    this.canaryController?.stop();
    await this.observability?.stop().catch(() => undefined);
    await this.haproxy?.stop().catch(() => undefined);
    await this.nginx?.stop().catch(() => undefined);
    await Promise.all([...this.replicas, ...this.canaryReplicas].map((r) => this.stopReplica(r)));
    await this.redis?.dispose().catch(() => undefined);
    await this.srvPublished;
    await this.dns?.stop().catch(() => undefined);
    if (!this.options.keepLogs) rmSync(this.dir, { recursive: true, force: true });
  }

  private replicaAt(index: number): ReplicaProcess {
    const r = this.replicas[index];
    if (r === undefined) throw new Error(`no replica ${index}: this data plane has replicas 0..${this.replicas.length - 1}`);
    return r;
  }

  /** What the caller drives: the started processes, their addresses, and the operations on them. */
  handle(front: { port: number; nginxAlbPort: number; statusPort: number; nginxConf: string; nlb: DataPlane["nlb"]; urls: DataPlaneUrls; tlsCaFile: string }): DataPlane {
    const [redis, nginx, dns, haproxy, controller] = [this.redis!, this.nginx!, this.dns!, this.haproxy, this.controller!];
    const { replicas, canaryReplicas, observability } = this;
    return {
      stack: this.prepared.stack,
      config: this.prepared.config,
      dir: this.dir,
      port: front.port,
      nginxAlbPort: front.nginxAlbPort,
      tlsCaFile: front.tlsCaFile,
      statusPort: front.statusPort,
      metricsPort: this.metricsPort,
      dns,
      readinessProbe: this.prepared.probe,
      nlb: front.nlb,
      urls: front.urls,
      redis,
      nginx,
      replicas,
      canaryReplicas,
      nginxConf: front.nginxConf,
      observability,
      readyAddresses: () => controller.readyAddresses(),
      pids() {
        const live: number[] = [];
        if (redis.pid !== undefined) live.push(redis.pid);
        for (const r of [...replicas, ...canaryReplicas]) if (r.running) live.push(r.pid);
        if (nginx.pid !== undefined) live.push(nginx.pid, ...nginx.workerPids());
        if (dns.pid !== undefined) live.push(dns.pid);
        live.push(...dns.srvPids());
        if (haproxy?.pid !== undefined) live.push(haproxy.pid);
        if (observability !== undefined) live.push(...observability.pids());
        return live;
      },
      killReplica: async (index) => {
        const r = this.replicaAt(index);
        this.expectedDown.add(r.instanceId);
        await r.kill();
      },
      terminateReplica: async (index) => {
        const r = this.replicaAt(index);
        this.expectedDown.add(r.instanceId);
        await r.terminate();
      },
      stallReplica: (index) => this.replicaAt(index).stall(),
      resumeReplica: (index) => this.replicaAt(index).resume(),
      addReplica: async () => {
        const r = await this.launchReplica(replicas.length);
        await this.waitReady([r.instanceId], 30_000);
        return r;
      },
      removeReplica: async (index) => {
        const r = this.replicaAt(index);
        this.expectedDown.add(r.instanceId);
        controller.terminating(r.instanceId);
        await this.stopReplica(r);
      },
      stopRedis: async () => {
        this.redisStopped = true;
        await redis.stop();
      },
      startRedis: async () => {
        if (!redis.running) await redis.restart();
        this.redisStopped = false;
      },
      stop: () => this.stopOnce(),
    };
  }
}

/**
 * What a data plane needs before it starts anything: the checked options, the tools on PATH, the
 * stack's config and the readiness probe its Deployment declares, a free port, a built app.
 */
async function prepareDataPlane(options: DataPlaneOptions) {
  const stack = options.stack ?? "dev";
  const replicaCount = checkedReplicaCount(options);
  const log = options.log ?? (() => undefined);
  const problem = options.onProblem ?? ((m: string) => log(m));
  checkPrerequisites();
  const config = loadLocalStackConfig(stack, options.configOverrides);
  const probe = readinessProbeFromDeployment(config);
  if (options.port !== undefined) await assertPortFree(options.port);
  if (options.build !== "never") await buildApp(options.build ?? "if-stale", log);
  else if (!existsSync(APP_MAIN)) throw new Error(`${APP_MAIN} does not exist: build the app first (npm run --workspace app build)`);
  return { stack, replicaCount, log, problem, config, probe };
}

/** Launches `count` replicas at once; the first failure is thrown once all have settled. */
async function startAll(count: number, launch: (index: number) => Promise<unknown>): Promise<void> {
  const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => launch(i)));
  const failed = started.find((x): x is PromiseRejectedResult => x.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

/** Renders the stack's nginx.conf for loopback (upstreams by the cluster DNS name) and starts nginx on it. */
async function startLocalNginx(p: {
  options: DataPlaneOptions;
  config: ReturnType<typeof loadLocalStackConfig>;
  dir: string;
  dnsAddress: string;
  canary: boolean;
  appPort: number;
  port: number;
  statusPort: number;
  pp: { tls: number; http: number } | undefined;
  shutdownDelayMs: number;
  certs: TestCertificates;
}): Promise<{ nginx: NginxProcess; conf: string }> {
  const { options, config, dnsAddress, appPort, port, statusPort, pp } = p;
  const prefix = path.join(p.dir, "nginx");
  mkdirSync(prefix);
  const conf = renderLocalNginxConf(config, {
    discovery: { name: APP_PODS_DNS_NAME, port: appPort, resolver: dnsAddress },
    ...(p.canary ? { canaryDiscovery: { name: APP_CANARY_PODS_DNS_NAME, port: appPort, resolver: dnsAddress } } : {}),
    listenPort: port,
    albStandIn: { certificate: p.certs.certFile, certificateKey: p.certs.keyFile },
    statusPort,
    proxyProtocolPort: pp?.tls,
    proxyProtocolHttpPort: pp?.http,
    prefix,
    trustedProxyCidrs: options.trustedProxyCidrs,
    workerProcesses: options.nginxWorkerProcesses,
    accessLogBuffer: options.nginxAccessLogBuffer,
    drainSeconds: Math.max(1, Math.ceil(p.shutdownDelayMs / 1000)),
  });
  const nginx = await startNginx({ prefix, conf, ports: [port, statusPort, ...(pp ? [pp.tls, pp.http] : [])] }).catch((err: unknown) => {
    // Someone took the port between our check and nginx's bind.
    if (/Address already in use/.test(describe(err))) throw new PortInUseError(port);
    throw err;
  });
  return { nginx, conf };
}

/**
 * Watches the data plane's servers: one that stops on its own is reported, except the cluster DNS,
 * which is restarted as kubelet restarts CoreDNS (same port, same records). If it cannot be, `fatal`
 * is called (nginx would drop every replica at its next re-resolution).
 */
function watchDataPlane(p: {
  dir: string;
  servers: Parameters<typeof watchServers>[0];
  dns: DnsServer;
  problem: (message: string) => void;
  fatal: (message: string) => void;
}): NodeJS.Timeout {
  const { dns, problem } = p;
  const restartDns = () => {
    problem(`dnsmasq (the replicas' DNS, ${dns.address}) exited on its own; restarting it with the same records; logs in ${p.dir}`);
    dns.restart().then(
      () => problem(`dnsmasq restarted on ${dns.address} (pid ${dns.pid})`),
      (err: unknown) => p.fatal(`dnsmasq could not be restarted (${describe(err)}); stopping the data plane: without its DNS nginx loses every replica`),
    );
  };
  return watchServers(p.servers, (name) => (name === "dnsmasq" ? restartDns() : problem(`${name} is not running (it was not stopped by this data plane); logs in ${p.dir}`)));
}

/** The replica count the options ask for, checked (1..64), and the port, if one is given. */
function checkedReplicaCount(options: DataPlaneOptions): number {
  const replicaCount = options.replicas ?? 3;
  if (!Number.isInteger(replicaCount) || replicaCount < 1 || replicaCount > 64) {
    throw new Error(`replicas: ${JSON.stringify(options.replicas)} must be a whole number from 1 to 64`);
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)) {
    throw new Error(`port: ${JSON.stringify(options.port)} must be a whole number from 1 to 65535`);
  }
  return replicaCount;
}

interface ProxyProtocolPorts {
  /** nginx's PROXY-protocol listeners (TLS-terminated and plain). */
  tls: number;
  http: number;
  /** haproxy's (the NLB's) listeners in front of them. */
  nlbTls: number;
  nlbHttp: number;
}

/** The ALB stand-in's public port, nginx's ALB and status ports and, with proxyProtocol, the PROXY listeners and haproxy's: distinct, picked together (sequential picks can repeat one). */
async function pickPorts(options: DataPlaneOptions): Promise<{ port: number; nginxAlbPort: number; statusPort: number; pp?: ProxyProtocolPorts }> {
  const picked = await freePorts(7);
  const port = options.port ?? picked[0]!;
  const [nginxAlbPort, statusPort, tls, http_, nlbTls, nlbHttp] = picked.filter((p) => p !== port);
  return { port, nginxAlbPort: nginxAlbPort!, statusPort: statusPort!, pp: options.proxyProtocol ? { tls: tls!, http: http_!, nlbTls: nlbTls!, nlbHttp: nlbHttp! } : undefined };
}

/** A throw-away CA and a loopback certificate (nginx's ALB listener, the NLB stand-in's TLS listener) under the run directory. */
function localCertificates(dir: string): TestCertificates {
  const certDir = path.join(dir, "tls");
  mkdirSync(certDir);
  return makeTestCertificates(certDir);
}

/**
 * haproxy as the load balancers: the ALB (`mode http` on `port`, clients in plain HTTP; X-Forwarded-For
 * and X-Forwarded-Proto as the ALB sets them; TLS to nginx's ALB listener, the certificate not
 * verified) and, with proxyProtocol, the NLB: TLS and plain listeners sending PROXY v2 to nginx's PROXY
 * listeners. `started` receives the process as soon as it runs, so a later failure stops it.
 */
export async function startLoadBalancers(
  dir: string,
  alb: { port: number; nginxAlbPort: number },
  pp: ProxyProtocolPorts | undefined,
  certs: TestCertificates,
  log: (message: string) => void,
  started: (haproxy: HaproxyProcess) => void,
): Promise<{ nlb: DataPlane["nlb"] }> {
  const pem = path.join(path.dirname(certs.certFile), "server.pem");
  if (!existsSync(pem)) writeFileSync(pem, readFileSync(certs.certFile, "utf8") + readFileSync(certs.keyFile, "utf8"), { mode: 0o600 });
  log(
    `starting haproxy (the ALB: HTTP on 127.0.0.1:${alb.port}, TLS to nginx${pp ? `; the NLB: TLS on 127.0.0.1:${pp.nlbTls}, plain on 127.0.0.1:${pp.nlbHttp}, PROXY v2 to nginx` : ""})…`,
  );
  started(
    await startHaproxy({
      dir,
      listeners: [
        { name: "alb", port: alb.port, targetPort: alb.nginxAlbPort, alb: true },
        ...(pp
          ? [
              { name: "nlb_tls", port: pp.nlbTls, targetPort: pp.tls, tlsPem: pem },
              { name: "nlb_http", port: pp.nlbHttp, targetPort: pp.http },
            ]
          : []),
      ],
    }),
  );
  return { nlb: pp ? { tlsPort: pp.nlbTls, httpPort: pp.nlbHttp, caFile: certs.caFile } : undefined };
}

/** The URLs a data plane answers on. */
export function dataPlaneUrls(port: number, statusPort: number, nlb: DataPlane["nlb"]): DataPlaneUrls {
  const base = `http://127.0.0.1:${port}`;
  return {
    site: `${base}/`,
    health: `${base}${NGINX_HEALTH_PATH}`,
    hello: `${base}/api/hello`,
    ws: `ws://127.0.0.1:${port}/ws`,
    nginxStatus: `http://127.0.0.1:${statusPort}${NGINX_STUB_STATUS_PATH}`,
    ...(nlb ? { nlbTls: `https://127.0.0.1:${nlb.tlsPort}/`, nlbHttp: `http://127.0.0.1:${nlb.httpPort}/` } : {}),
  };
}

interface WatchedServer {
  name: string;
  running: () => boolean;
  /** Down on purpose (stopped through the data plane): not a problem. */
  expectedDown?: () => boolean;
}

/** Reports a server that died on its own, once per death, checking every half second. */
function watchServers(servers: WatchedServer[], report: (name: string) => void): NodeJS.Timeout {
  const reported = new Set<string>();
  const timer = setInterval(() => {
    for (const server of servers) {
      if (server.running() || server.expectedDown?.()) reported.delete(server.name);
      else if (!reported.has(server.name)) {
        reported.add(server.name);
        report(server.name);
      }
    }
  }, 500);
  timer.unref();
  return timer;
}

/** Last lines of each replica's log (for failure messages). */
export function replicaLogTails(plane: Pick<DataPlane, "dir">, lines = 10): string {
  try {
    return readdirSync(plane.dir)
      .filter((f) => f.endsWith(".log"))
      .map((f) => `--- ${f}\n${readFileSync(path.join(plane.dir, f), "utf8").trimEnd().split("\n").slice(-lines).join("\n")}`)
      .join("\n");
  } catch {
    return "";
  }
}
