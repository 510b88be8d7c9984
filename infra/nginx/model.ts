/**
 * The typed nginx model: plain data that `renderNginxConf` turns into a complete nginx.conf.
 * Built from the stack config by `buildNginxModel` (cluster ConfigMap and local data plane alike);
 * every value in it is checked by `validateNginxModel` before it reaches the file.
 */

import { NGINX_STATUS_PATHS, PORTS, routePath } from "@edgestack/contract";
import type { z } from "zod";
import type { nginxModelSchema } from "./validate";

/** Container ports of the nginx pod (the Kubernetes Service/NodePorts and probes target these). */
export const NGINX_PORTS = PORTS.nginx;

/** Shallow liveness of nginx itself on the status port (kubelet liveness/readiness probes). */
export const NGINX_LIVENESS_PATH = NGINX_STATUS_PATHS.liveness;
/** stub_status on the status port, answered to loopback only (an exporter sidecar). */
export const NGINX_STUB_STATUS_PATH = NGINX_STATUS_PATHS.stubStatus;
/**
 * The app's health route, passed through on every public listener (the load balancers' target
 * check): 200 while the pod can serve (its body reports Redis), 503 only while it drains.
 */
export const NGINX_HEALTH_PATH = routePath("health");

/**
 * What makes nginx try the next server and count a failure toward max_fails: only answers that mean
 * the pod is broken. Never http_503: the app's 503s are deliberate (draining /health, fail-closed
 * limiter with Retry-After) and must reach the client instead of marking every pod down.
 */
export const NGINX_NEXT_UPSTREAM = ["error", "timeout", "http_502", "http_504"] as const;

export { AFFINITY_COOKIE, LOAD_BALANCING, type LoadBalancing, NGINX_SERVICE_DISCOVERY, type NginxServiceDiscovery } from "../config/nginx";

export const ERROR_LOG_LEVELS = ["debug", "info", "notice", "warn", "error", "crit"] as const;
export type ErrorLogLevel = (typeof ERROR_LOG_LEVELS)[number];

/**
 * The model's types, inferred from its zod schema (./validate.ts: every field with its checks and
 * its meaning), so the model is defined once.
 */
export type NginxModel = z.infer<typeof nginxModelSchema>;
export type NginxPaths = NginxModel["paths"];
export type NginxMimeType = NginxModel["mimeTypes"][number];
export type NginxGzip = NginxModel["gzip"];
export type NginxRateLimit = NginxModel["rateLimit"];
/**
 * Concurrent WebSockets (`limit_conn` on the WebSocket location): per client (the real address after
 * the real-IP step, IPv6 by /64) and per pod (one key for all), so a few addresses cannot take every
 * connection a pod has and HTTP keeps its share.
 */
export type NginxWebSocketLimits = NginxModel["webSockets"];
export type NginxRetry = NginxModel["retry"];
export type NginxHeader = NginxModel["securityHeaders"][number];
export type NginxHsts = NonNullable<NginxModel["hsts"]>;
export type NginxUpstream = NginxModel["upstreams"][number];
export type NginxUpstreamServer = NginxUpstream["servers"][number];
export type NginxUpstreamKeepalive = NonNullable<NginxUpstream["keepalive"]>;
/** The DNS server an upstream re-resolves its `resolve` servers through. */
export type NginxResolver = NonNullable<NginxUpstream["resolver"]>;
/**
 * The canary track: every proxied request gets a track, `canary` or `stable`, and goes to that track's
 * upstream. Precedence: the forcing header ("always" → canary, "never" → stable), then the forcing
 * cookie (same values), then the weight (per request, nginx's split_clients on the request id). The
 * track is in the access log (`track`) so each track's error rate can be compared.
 */
export type NginxCanary = NonNullable<NginxModel["canary"]>;
export type NginxServer = NginxModel["servers"][number];
/** A public listener that proxies to the app. */
export type NginxProxyServer = Extract<NginxServer, { role: "proxy" }>;
/** A public plain-HTTP listener that only redirects to https (health checks pass through). */
export type NginxRedirectServer = Extract<NginxServer, { role: "redirect_https" }>;
/** Internal listener: stub_status and a shallow liveness answer of nginx itself. */
export type NginxStatusServer = Extract<NginxServer, { role: "status" }>;
export type NginxListen = NginxServer["listen"];
/** TLS on a proxy listener (the ALB's hop): certificate and key files, protocols, TLS 1.2 ciphers. */
export type NginxListenerTls = NonNullable<NginxProxyServer["tls"]>;
export type NginxRealIp = NonNullable<NginxProxyServer["realIp"]>;
export type NginxLocation = NginxProxyServer["locations"][number];

/** The values of the canary header and cookie that force a track. */
export const CANARY_FORCE = { always: "canary", never: "stable" } as const;
