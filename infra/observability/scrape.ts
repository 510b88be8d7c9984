import { stringify } from "yaml";
import { NAMESPACE } from "../cluster/objects";
import { anyTrackAppSelector, APP_METRICS_PORT } from "../workloads/app";
import { NGINX_EXPORTER_PORT, nginxLabels } from "../workloads/nginx";

/**
 * What Prometheus scrapes, defined once: the jobs (names the rules select on), the pods each job
 * covers (their labels), the container port and path. The cluster's managed scraper discovers those
 * pods through the Kubernetes API; the local `--observe` Prometheus lists the local processes that
 * play them. Both configurations are rendered from SCRAPE_JOBS, so a job, path or port changes in
 * one place. The scraper's RBAC is derived from the cluster configuration it is given.
 */

/**
 * Whether the managed scraper runs: prod or `managedPrometheus`, on a cluster the stack creates (an
 * existing cluster's scraping is its owner's). Its ENIs sit in the private subnets.
 */
export function managedScraperRuns(s: { isProd: boolean; managedPrometheus: boolean; existingKubeconfig: string }): boolean {
  return (s.isProd || s.managedPrometheus) && !s.existingKubeconfig;
}

export interface ScrapeJob {
  /** The `job` label every series of the job carries (the rules' selectors). */
  name: string;
  /** Labels every pod of the job carries (each tier and track: the pods' shared labels). */
  podLabels: Record<string, string>;
  /** The container port's name (`metrics` on the app and on the nginx exporter sidecar) and number. */
  portName: string;
  port: number;
  path: string;
}

export const SCRAPE_JOBS = {
  app: { name: "edgestack-app", podLabels: { ...anyTrackAppSelector }, portName: "metrics", port: APP_METRICS_PORT, path: "/metrics" },
  // Every nginx tier (blue, green) carries part-of and component; only the exporter sidecar has a port named metrics.
  nginx: {
    name: "edgestack-nginx",
    podLabels: { "app.kubernetes.io/part-of": nginxLabels["app.kubernetes.io/part-of"], "app.kubernetes.io/component": nginxLabels["app.kubernetes.io/component"] },
    portName: "metrics",
    port: NGINX_EXPORTER_PORT,
    path: "/metrics",
  },
} as const satisfies Record<string, ScrapeJob>;
export type ScrapeJobKey = keyof typeof SCRAPE_JOBS;

/** The job names by key (the rules' `jobs` option). */
export const SCRAPE_JOB_NAMES = { app: SCRAPE_JOBS.app.name, nginx: SCRAPE_JOBS.nginx.name } as const;

/** A Prometheus label name for a Kubernetes label (`app.kubernetes.io/name` → `app_kubernetes_io_name`). */
const metaLabel = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;

/** The scrape_configs entries, each job's target discovery given by `discover`. */
export function scrapeConfigs(discover: (key: ScrapeJobKey, job: ScrapeJob) => Record<string, unknown>): Record<string, unknown>[] {
  return (Object.entries(SCRAPE_JOBS) as [ScrapeJobKey, ScrapeJob][]).map(([key, job]) => ({ job_name: job.name, metrics_path: job.path, scheme: "http", ...discover(key, job) }));
}

export interface ClusterScrapeOptions {
  /** Scrape interval (and timeout), e.g. `30s`. */
  interval: string;
  /** The namespace the workloads run in. */
  namespace?: string;
  /** Added to every series (the cluster's name, so several stacks can share a workspace's queries). */
  externalLabels?: Record<string, string>;
}

/**
 * The cluster's scrape configuration (an Amazon Managed Service for Prometheus scraper's
 * `scrapeConfiguration`): pod discovery in the workloads' namespace only, kept to each job's pods
 * and to its named container port, with the pod, its namespace and its nginx tier or app track as labels.
 */
export function clusterScrapeConfig(o: ClusterScrapeOptions): Record<string, unknown> {
  const namespace = o.namespace ?? NAMESPACE;
  return {
    global: { scrape_interval: o.interval, scrape_timeout: o.interval, ...(o.externalLabels ? { external_labels: o.externalLabels } : {}) },
    scrape_configs: scrapeConfigs((_key, job) => {
      const labels = Object.entries(job.podLabels);
      return {
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [namespace] } }],
        relabel_configs: [
          { action: "keep", source_labels: labels.map(([k]) => metaLabel(k)), separator: ";", regex: labels.map(([, v]) => v).join(";") },
          { action: "keep", source_labels: ["__meta_kubernetes_pod_container_port_name", "__meta_kubernetes_pod_container_port_number"], separator: ";", regex: `${job.portName};${job.port}` },
          // Pending or finished pods have no address to scrape.
          { action: "drop", source_labels: ["__meta_kubernetes_pod_phase"], regex: "Pending|Succeeded|Failed" },
          { action: "replace", source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
          { action: "replace", source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
          { action: "replace", source_labels: [metaLabel("app.kubernetes.io/name")], target_label: "workload" },
        ],
      };
    }),
  };
}

/** The scrape configuration as the scraper takes it (YAML). */
export function renderScrapeConfig(config: Record<string, unknown>): string {
  return stringify(config, { lineWidth: 0 });
}

export interface LocalTargets {
  /** A file_sd file listing the app replicas' metrics addresses (rewritten as replicas come and go). */
  appTargetsFile: string;
  /** The local exporter's address. */
  nginxExporter: string;
}

/** The local data plane's scrape_configs: the same jobs and paths, the processes that play the pods as targets. */
export function localScrapeConfigs(t: LocalTargets): Record<string, unknown>[] {
  return scrapeConfigs((key) =>
    key === "app" ? { file_sd_configs: [{ files: [t.appTargetsFile], refresh_interval: "1s" }] } : { static_configs: [{ targets: [t.nginxExporter] }] },
  );
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** What each Kubernetes service-discovery role reads (Prometheus' kubernetes_sd_configs documentation). */
const DISCOVERY_RESOURCES: Record<string, string[]> = {
  pod: ["pods"],
  service: ["services"],
  endpoints: ["endpoints", "services", "pods"],
  node: ["nodes"],
};

/**
 * The RBAC a scraper needs for a scrape configuration: for each namespace its discovery is limited
 * to, a Role reading exactly the resources its discovery roles watch; a configuration discovering
 * in every namespace (or anything else this function does not know) is refused rather than granted
 * cluster-wide reads.
 */
export function scraperRbac(config: Record<string, unknown>): { namespace: string; rules: PolicyRule[] }[] {
  const byNamespace = new Map<string, Set<string>>();
  for (const job of (config.scrape_configs as Record<string, unknown>[] | undefined) ?? []) {
    for (const sd of (job.kubernetes_sd_configs as Record<string, unknown>[] | undefined) ?? []) {
      const role = String(sd.role);
      const resources = DISCOVERY_RESOURCES[role];
      if (!resources || role === "node") throw new Error(`scrape job ${String(job.job_name)}: discovery role "${role}" needs cluster-wide reads; this scraper is granted namespaced reads only`);
      const names = (sd.namespaces as { names?: string[] } | undefined)?.names;
      if (!names || names.length === 0) throw new Error(`scrape job ${String(job.job_name)}: discovery in every namespace needs cluster-wide reads; name the namespaces`);
      for (const ns of names) {
        const set = byNamespace.get(ns) ?? new Set<string>();
        resources.forEach((r) => set.add(r));
        byNamespace.set(ns, set);
      }
    }
  }
  return [...byNamespace].map(([namespace, resources]) => ({ namespace, rules: [{ apiGroups: [""], resources: [...resources].sort(), verbs: ["get", "list", "watch"] }] }));
}

/**
 * The Kubernetes user a managed scraper's identity is mapped to: Amazon Managed Service for
 * Prometheus creates the scraper's EKS access entry with this username (its documented RBAC binds it).
 */
export const MANAGED_SCRAPER_USER = "aps-collector-user";
