import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { alertmanagerConfig, prometheusRules, renderAlertmanagerConfig, renderRules, type RuleOptions } from "../../infra/observability/rules";
import { localScrapeConfigs, SCRAPE_JOB_NAMES } from "../../infra/observability/scrape";
import type { SloSpec } from "../../infra/config/slo";
import { nginxExporterArgs } from "../../infra/workloads/nginx";
import { stopOnExit, terminate } from "./children";
import { observabilityTool } from "./observability-tools";
import { freePorts, waitForPort } from "./ports";

/**
 * The local data plane's observability (`--observe`): the NGINX Prometheus exporter beside nginx,
 * Prometheus scraping the replicas' metrics ports and the exporter with the rules generated from the
 * stack's SLO spec, and Alertmanager receiving its alerts. Debian's binaries, each its own process
 * group, on free loopback ports; stop() ends exactly these pids.
 */

export interface ObservabilityOptions {
  dir: string;
  spec: SloSpec;
  /** nginx's internal status port (stub_status on loopback). */
  nginxStatusPort: number;
  /** Every replica's metrics address (host:port), as the cluster's pod discovery would list them. */
  appTargets: string[];
  /** Divides the rule windows (the e2e test's factor); 1 = production windows. */
  timeScale?: number;
  /** Scrape and rule evaluation interval (default 5s; scaled runs want 1s). */
  interval?: string;
}

export interface ObservabilityStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  exporterUrl: string;
  pids(): number[];
  /** Rewrites the app targets (a replica added or removed) and reloads Prometheus' file discovery. */
  setAppTargets(targets: string[]): void;
  stop(): Promise<void>;
}

interface Child {
  proc: ChildProcess;
  exited: Promise<unknown>;
}

function start(binary: string, args: string[], log: string): Child {
  const out = openSync(log, "a");
  const proc = spawn(binary, args, { stdio: ["ignore", out, out], detached: true });
  stopOnExit(proc, "SIGKILL");
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  return { proc, exited };
}

/** The job names the rules select on: the cluster's (infra/observability/scrape.ts). */
export const LOCAL_JOBS = SCRAPE_JOB_NAMES;

/** Resolves once `url` answers 200 (Prometheus answers 503 until its storage is open). */
async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startObservability(o: ObservabilityOptions): Promise<ObservabilityStack> {
  const dir = path.join(o.dir, "observe");
  mkdirSync(dir, { recursive: true });
  const [promPort, amPort, amCluster, exporterPort] = await freePorts(4);
  const interval = o.interval ?? "5s";
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.splice(0).map((c) => (c.proc.exitCode === null && c.proc.signalCode === null ? terminate(c.proc, c.exited) : Promise.resolve())));
  };
  try {
    // The same exporter flags as the cluster's sidecar, pointed at this nginx's status port.
    const exporterArgs = nginxExporterArgs(o.nginxStatusPort, `127.0.0.1:${exporterPort}`);
    children.push(start(observabilityTool("prometheus-nginx-exporter"), exporterArgs, path.join(dir, "nginx-exporter.log")));

    const promUrl = `http://127.0.0.1:${promPort}`;
    const amUrl = `http://127.0.0.1:${amPort}`;
    const options: RuleOptions = {
      jobs: LOCAL_JOBS,
      runbookUrl: `file://${path.resolve(__dirname, "..", "..", "docs", "observability.md")}`,
      dashboardUrl: `${promUrl}/alerts`,
      timeScale: o.timeScale ?? 1,
      evaluationInterval: interval,
    };
    writeFileSync(path.join(dir, "rules.yml"), renderRules(prometheusRules(o.spec, options)));
    const targetsFile = path.join(dir, "app-targets.json");
    const writeTargets = (targets: string[]) => writeFileSync(targetsFile, JSON.stringify([{ targets, labels: {} }]));
    writeTargets(o.appTargets);
    writeFileSync(
      path.join(dir, "prometheus.yml"),
      stringify({
        global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
        rule_files: [path.join(dir, "rules.yml")],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        // The cluster's jobs, paths and ports (one definition); the local processes stand in for the pods.
        scrape_configs: localScrapeConfigs({ appTargetsFile: targetsFile, nginxExporter: `127.0.0.1:${exporterPort}` }),
      }),
    );
    const groupWait = o.timeScale !== undefined && o.timeScale > 1 ? "1s" : "30s";
    writeFileSync(path.join(dir, "alertmanager.yml"), renderAlertmanagerConfig(alertmanagerConfig({ page: {}, ticket: {}, watchdog: {} }, { groupWait, groupInterval: groupWait === "1s" ? "5s" : "5m" })));
    mkdirSync(path.join(dir, "alertmanager-data"), { recursive: true });
    children.push(
      start(
        observabilityTool("prometheus-alertmanager"),
        [`--config.file=${path.join(dir, "alertmanager.yml")}`, `--storage.path=${path.join(dir, "alertmanager-data")}`, `--web.listen-address=127.0.0.1:${amPort}`, `--cluster.listen-address=127.0.0.1:${amCluster}`, "--cluster.advertise-address=127.0.0.1:" + amCluster],
        path.join(dir, "alertmanager.log"),
      ),
    );
    // Alertmanager first: an alert Prometheus cannot deliver waits for the next resend.
    await waitForPort(amPort, 30_000);
    const scaled = o.timeScale !== undefined && o.timeScale > 1;
    children.push(
      start(
        observabilityTool("prometheus"),
        [
          `--config.file=${path.join(dir, "prometheus.yml")}`,
          `--storage.tsdb.path=${path.join(dir, "prometheus-data")}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          // Firing alerts are re-sent every minute by default; a scaled run re-sends every 2 s.
          ...(scaled ? ["--rules.alert.resend-delay=2s"] : []),
        ],
        path.join(dir, "prometheus.log"),
      ),
    );
    await Promise.all([waitForPort(exporterPort, 20_000), waitReady(`${promUrl}/-/ready`, 30_000), waitReady(`${amUrl}/-/ready`, 30_000)]);
    return {
      prometheusUrl: promUrl,
      alertmanagerUrl: amUrl,
      exporterUrl: `http://127.0.0.1:${exporterPort}/metrics`,
      pids: () => children.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null).map((c) => c.proc.pid!),
      setAppTargets: writeTargets,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
