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
