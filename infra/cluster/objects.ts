/**
 * Names of the Kubernetes objects other layers address by name: the nginx model resolves the app pods
 * through the headless Service's DNS name, the workloads declare that Service and its namespace.
 * Kept below both so neither imports the other for a name.
 */

/** The namespace the stack's workloads run in. */
export const NAMESPACE = "edgestack";
/** Headless Service: its DNS name resolves to the ready app pods' IPs (nginx's resolving upstream). */
export const APP_PODS_SERVICE = "app-pods";
/** The name nginx re-resolves; EKS's cluster domain is cluster.local. */
export const APP_PODS_DNS_NAME = `${APP_PODS_SERVICE}.${NAMESPACE}.svc.cluster.local`;
/** The app Services' port name: the headless Services' SRV records are `_<name>._tcp.<service DNS name>`. */
export const APP_PORT_NAME = "http";
/** The SRV service prefix of the app pods' port (CoreDNS answers SRV for named ports of headless Services). */
export const APP_PODS_SRV_SERVICE = `_${APP_PORT_NAME}._tcp`;
/** The canary track's Deployment (config canaryImage). */
export const APP_CANARY_NAME = "app-canary";
/** The canary's headless Service: nginx's canary upstream resolves its ready pods through it. */
export const APP_CANARY_PODS_SERVICE = "app-canary-pods";
export const APP_CANARY_PODS_DNS_NAME = `${APP_CANARY_PODS_SERVICE}.${NAMESPACE}.svc.cluster.local`;
