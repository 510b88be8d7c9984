import type * as k8s from "@pulumi/kubernetes";
import { NGINX_PORTS } from "../nginx/model";
import { anyTrackAppSelector, APP_PORT } from "./app";
import { nginxLabels } from "./nginx";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

export interface NetworkPolicyInputs {
  /** The VPC's IPv4 CIDR: nodes (kube-proxy SNATs NodePort traffic to the node address) and the load balancers. */
  vpcCidr: string;
  /** IPv4 CIDRs of the private subnets: the worker nodes (kubelet probes) and the ElastiCache nodes. */
  privateSubnetCidrs: string[];
  redisPort: number;
}

const tcp = (port: number) => ({ protocol: "TCP", port });
const selector = (labels: Record<string, string>) => ({ matchLabels: { ...labels } });
const podsOf = (labels: Record<string, string>) => ({ "app.kubernetes.io/name": labels["app.kubernetes.io/name"], "app.kubernetes.io/part-of": labels["app.kubernetes.io/part-of"] });

/** The cluster DNS pods (CoreDNS, `k8s-app: kube-dns`) in kube-system. */
export const CLUSTER_DNS_PEER = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
};

/**
 * The `edgestack` namespace's NetworkPolicies: deny everything, then exactly the flows the design needs —
 * nodes and load balancers → nginx's ports, nginx → app, kubelet (node) → app for probes, app → Redis in the private
 * subnets, every pod → cluster DNS. Policies are additive, so each allow stands on its own.
 */
export function networkPolicySpecs(i: NetworkPolicyInputs): { name: string; spec: NetworkPolicySpec }[] {
  const nginxPods = selector(podsOf(nginxLabels));
  // Both tracks' app pods (stable and canary share the component label).
  const appPods = selector(anyTrackAppSelector);
  const nodes = i.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } }));
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
        ingress: [{ from: [{ ipBlock: { cidr: i.vpcCidr } }], ports: [NGINX_PORTS.http, NGINX_PORTS.proxyProtocolHttps, NGINX_PORTS.proxyProtocolHttp, NGINX_PORTS.status].map(tcp) }],
      },
    },
    { name: "nginx-to-app", spec: { podSelector: nginxPods, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: appPods }], ports: [tcp(APP_PORT)] }] } },
    {
      name: "app-from-nginx",
      spec: {
        podSelector: appPods,
        policyTypes: ["Ingress"],
        ingress: [
          { from: [{ podSelector: nginxPods }], ports: [tcp(APP_PORT)] },
          { from: nodes, ports: [tcp(APP_PORT)] },
        ],
      },
    },
    { name: "app-to-redis", spec: { podSelector: appPods, policyTypes: ["Egress"], egress: [{ to: nodes, ports: [tcp(i.redisPort)] }] } },
  ];
}
