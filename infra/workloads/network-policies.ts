import type * as k8s from "@pulumi/kubernetes";
import { NGINX_PORTS } from "../nginx/model";
import { anyTrackAppSelector, APP_METRICS_PORT, APP_PORT } from "./app";
import { NGINX_EXPORTER_PORT, nginxLabels } from "./nginx";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

export interface NetworkPolicyInputs {
  /** Every block of the VPC (Vpc.cidrBlocks): nodes (kube-proxy SNATs NodePort traffic to the node address) and the load balancers. */
  vpcCidrs: string[];
  /** IPv4 CIDRs of the private subnets: the worker nodes (kubelet probes) and the ElastiCache nodes. */
  privateSubnetCidrs: string[];
  redisPort: number;
  /** The nginx tiers' pod name labels beyond blue's `nginx` (green's with nginxBlueGreen): each gets nginx's flows. */
  extraNginxTiers?: string[];
  /**
   * The managed Prometheus scraper runs: its ENIs in the private subnets connect to the metrics ports
   * (it is no pod, so no pod selector can name it; the node security group admits only the scraper's group on those ports).
   */
  managedScraper?: boolean;
}

const tcp = (port: number) => ({ protocol: "TCP", port });
const selector = (labels: Record<string, string>) => ({ matchLabels: { ...labels } });
const podsOf = (labels: Record<string, string>) => ({ "app.kubernetes.io/name": labels["app.kubernetes.io/name"], "app.kubernetes.io/part-of": labels["app.kubernetes.io/part-of"] });

/** The cluster DNS pods (CoreDNS, `k8s-app: kube-dns`) in kube-system. */
export const CLUSTER_DNS_PEER = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
};

/** The namespace the metrics scraper runs in (kube-prometheus-stack's and most agents' convention). */
export const METRICS_SCRAPER_NAMESPACE = "monitoring";

/**
 * The metrics scraper: pods labelled `edgestack.io/metrics-scraper: "true"` in the `monitoring`
 * namespace (an in-cluster Prometheus agent or collector that remote-writes). The namespace is named
 * by the label the API server sets (`kubernetes.io/metadata.name`, which no tenant can forge), since
 * a pod label alone can be carried by any pod of any namespace. The only peer admitted on the metrics
 * ports; nginx, the load balancers and the nodes are not.
 */
export const METRICS_SCRAPER_PEER = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": METRICS_SCRAPER_NAMESPACE } },
  podSelector: { matchLabels: { "edgestack.io/metrics-scraper": "true" } },
};

/**
 * The `edgestack` namespace's NetworkPolicies: deny everything, then exactly the flows the design needs —
 * nodes and load balancers → nginx's ports, nginx → app, kubelet (node) → app for probes, app → Redis in the private
 * subnets, every pod → cluster DNS. Policies are additive, so each allow stands on its own.
 */
export function networkPolicySpecs(i: NetworkPolicyInputs): { name: string; spec: NetworkPolicySpec }[] {
  const nginxPods = selector(podsOf(nginxLabels));
  const nginxPorts = [NGINX_PORTS.http, NGINX_PORTS.proxyProtocolHttps, NGINX_PORTS.proxyProtocolHttp, NGINX_PORTS.status];
  const fromVpc = i.vpcCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  const extraTiers = (i.extraNginxTiers ?? []).map((tier) => [tier, selector(podsOf({ ...nginxLabels, "app.kubernetes.io/name": tier }))] as const);
  // Both tracks' app pods (stable and canary share the component label): served, probed, scraped alike.
  const appPods = selector(anyTrackAppSelector);
  const nodes = i.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  const scrapers = [METRICS_SCRAPER_PEER, ...(i.managedScraper ? nodes : [])];
  return [
    { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    {
      name: "dns",
      spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [CLUSTER_DNS_PEER], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] }] },
    },
    {
      name: "nginx-from-vpc",
      spec: {
        podSelector: nginxPods,
        policyTypes: ["Ingress"],
        ingress: [{ from: fromVpc, ports: [NGINX_PORTS.http, NGINX_PORTS.proxyProtocolHttps, NGINX_PORTS.proxyProtocolHttp, NGINX_PORTS.status].map(tcp) }],
      },
    },
    { name: "nginx-to-app", spec: { podSelector: nginxPods, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: appPods }], ports: [tcp(APP_PORT)] }] } },
    // Another nginx tier (blue/green): the same two flows for its pods, which blue's selector does not match.
    ...extraTiers.flatMap(([tier, pods]) => [
      { name: `${tier}-from-vpc`, spec: { podSelector: pods, policyTypes: ["Ingress"], ingress: [{ from: fromVpc, ports: nginxPorts.map(tcp) }] } },
      { name: `${tier}-to-app`, spec: { podSelector: pods, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: appPods }], ports: [tcp(APP_PORT)] }] } },
    ]),
    {
      name: "app-from-nginx",
      spec: {
        podSelector: appPods,
        policyTypes: ["Ingress"],
        ingress: [
          { from: [{ podSelector: nginxPods }, ...extraTiers.map(([, pods]) => ({ podSelector: pods }))], ports: [tcp(APP_PORT)] },
          { from: nodes, ports: [tcp(APP_PORT)] },
        ],
      },
    },
    {
      name: "app-metrics-from-scraper",
      spec: { podSelector: appPods, policyTypes: ["Ingress"], ingress: [{ from: scrapers, ports: [tcp(APP_METRICS_PORT)] }] },
    },
    {
      name: "nginx-exporter-from-scraper",
      spec: { podSelector: nginxPods, policyTypes: ["Ingress"], ingress: [{ from: scrapers, ports: [tcp(NGINX_EXPORTER_PORT)] }] },
    },
    { name: "app-to-redis", spec: { podSelector: appPods, policyTypes: ["Egress"], egress: [{ to: nodes, ports: [tcp(i.redisPort)] }] } },
  ];
}
