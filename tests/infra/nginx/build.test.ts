import { buildLocalNginxModel } from "../../../local/nginx-site";
import { newVpcNginxModel } from "../../harness/nginx";
import { CLUSTER_FD_LIMIT, NGINX_POD_RESOURCES, nginxCapacity } from "../../../infra/nginx/capacity";
import { ROUTES } from "@edgestack/contract";
import {
  HTML_STALE_IF_ERROR_SECONDS,
  htmlDefaultCacheControl,
  NGINX_HEALTH_PATH,
  NGINX_LIVENESS_PATH,
  NGINX_PORTS,
  NGINX_STUB_STATUS_PATH,
  type NginxProxyServer,
  type NginxRedirectServer,
  type NginxStatusServer,
  type NginxUpstreamServer,
  renderNginxConf,
} from "../../../infra/nginx";
import { appPodsServiceSpec } from "../../../infra/workloads/app";
import { stackConfig } from "./support";

const dev = stackConfig("dev");
const prod = stackConfig("prod");

describe("cluster mode", () => {
  const model = newVpcNginxModel(prod);

  test("four listeners on the exported container ports, all addresses", () => {
    expect(model.servers.map((s) => [s.name, s.role, s.listen.port, s.listen.proxyProtocol, s.listen.address])).toEqual([
      ["alb_https", "proxy", NGINX_PORTS.http, false, "0.0.0.0"],
      ["nlb_tls", "proxy", NGINX_PORTS.proxyProtocolHttps, true, "0.0.0.0"],
      ["nlb_http", "redirect_https", NGINX_PORTS.proxyProtocolHttp, true, "0.0.0.0"],
      ["status", "status", NGINX_PORTS.status, false, "0.0.0.0"],
    ]);
    expect(NGINX_PORTS).toEqual({ http: 8080, proxyProtocolHttps: 8443, proxyProtocolHttp: 8081, status: 8082 });
  });

  test("only the VPC CIDR is trusted for the client address: CloudFront's X-Viewer-Address via the ALB, PROXY protocol from the NLB", () => {
    const [alb, nlbTls, nlbHttp] = model.servers as [NginxProxyServer, NginxProxyServer, NginxRedirectServer];
    // One address set by CloudFront's function: nothing to walk, so not recursive.
    expect(alb.realIp).toEqual({ header: "X-Viewer-Address", recursive: false, trustedCidrs: [prod.vpcCidr] });
    expect(alb.forwardedProto).toBe("header");
    expect(nlbTls.realIp).toEqual({ header: "proxy_protocol", recursive: false, trustedCidrs: [prod.vpcCidr] });
    expect(nlbTls.forwardedProto).toBe("https");
    expect(nlbHttp.realIp).toEqual({ header: "proxy_protocol", recursive: false, trustedCidrs: [prod.vpcCidr] });
    expect(nlbHttp.health.path).toBe(NGINX_HEALTH_PATH);
  });

  test("the status listener answers stub_status to loopback only, liveness to loopback and the VPC (kubelet)", () => {
    const status = model.servers[3] as NginxStatusServer;
    expect(status).toMatchObject({
      stubStatusPath: NGINX_STUB_STATUS_PATH,
      stubStatusAllow: ["127.0.0.1/32"],
      livenessPath: NGINX_LIVENESS_PATH,
      livenessAllow: ["127.0.0.1/32", prod.vpcCidr],
    });
  });

  test("dns_srv: the app pods' SRV records of the headless Service's named port, no port in the model (each record's); the fallback keeps the ClusterIP", () => {
    const srv = newVpcNginxModel({ ...prod, nginxServiceDiscovery: "dns_srv" });
    expect(srv.upstreams[0]!.servers).toEqual([expect.objectContaining({ host: "app-pods.edgestack.svc.cluster.local", service: "_http._tcp", port: null, resolve: true })]);
    expect(srv.upstreams.find((u) => u.name === "app_fallback")!.servers).toEqual([expect.objectContaining({ host: prod.appClusterIp, port: 8080, service: null })]);
    const conf = renderNginxConf(srv);
    expect(conf).toContain(`server app-pods.edgestack.svc.cluster.local service=_http._tcp weight=1 max_fails=${prod.nginxMaxFails} fail_timeout=${prod.nginxFailTimeoutSeconds}s resolve;`);
    // The Service's port name is the SRV service CoreDNS publishes.
    expect((appPodsServiceSpec().ports as { name: string }[]).map((p) => `_${p.name}._tcp`)).toEqual(["_http._tcp"]);
  });

  test("an SRV server without resolve, or with a port, is refused naming the field", () => {
    const srv = newVpcNginxModel({ ...prod, nginxServiceDiscovery: "dns_srv" });
    const bad = (server: Partial<NginxUpstreamServer>) => ({ ...srv, upstreams: srv.upstreams.map((u, i) => (i === 0 ? { ...u, servers: [{ ...u.servers[0]!, ...server }] } : u)) });
    expect(() => renderNginxConf(bad({ port: 8080 }))).toThrow(/upstreams\[0\]\.servers\[0\]\.service: "_http\._tcp" needs resolve: true and port: null/);
    expect(() => renderNginxConf(bad({ resolve: false }))).toThrow(/servers\[0\]\.service/);
    expect(() => renderNginxConf(bad({ service: "http" }))).toThrow(/servers\[0\]\.service/);
    expect(() => renderNginxConf(bad({ service: null }))).toThrow(/servers\[0\]\.port: null needs service/);
  });

  test("one resolving upstream server: the app pods' headless-Service name on 8080 through the cluster DNS, with the configured algorithm, passive checks and pool", () => {
    expect(model.upstreams).toEqual([
      {
        name: "app",
        resolver: { addresses: ["172.20.0.10"], validSeconds: prod.nginxResolverValidSeconds, timeoutSeconds: 2 },
        algorithm: prod.nginxLoadBalancing,
        zoneSize: "64k",
        servers: [
          {
            host: "app-pods.edgestack.svc.cluster.local",
            port: 8080,
            service: null,
            resolve: true,
            weight: 1,
            maxFails: prod.nginxMaxFails,
            failTimeoutSeconds: prod.nginxFailTimeoutSeconds,
            backup: false,
          },
        ],
        keepalive: { connections: prod.nginxUpstreamKeepaliveConnections, timeoutSeconds: prod.nginxUpstreamKeepaliveSeconds, requests: prod.nginxUpstreamKeepaliveRequests },
      },
      // The fallback for a request the pods' upstream has no live server for: the app's ClusterIP Service
      // (kube-proxy reaches a ready pod), one server never marked down.
      {
        name: "app_fallback",
        resolver: null,
        algorithm: "round_robin",
        zoneSize: "64k",
        servers: [{ host: prod.appClusterIp, port: 8080, service: null, resolve: false, weight: 1, maxFails: 0, failTimeoutSeconds: prod.nginxFailTimeoutSeconds, backup: false }],
        keepalive: { connections: prod.nginxUpstreamKeepaliveConnections, timeoutSeconds: prod.nginxUpstreamKeepaliveSeconds, requests: prod.nginxUpstreamKeepaliveRequests },
      },
    ]);
    expect(newVpcNginxModel({ ...prod, nginxUpstreamKeepaliveConnections: 0 }).upstreams[0].keepalive).toBeNull();
  });

  test("every proxied location falls back to the app's ClusterIP upstream when the pods' upstream has no live server", () => {
    const locations = model.servers.flatMap((s) => (s.role === "proxy" ? s.locations : s.role === "redirect_https" ? [s.health] : []));
    expect(locations.length).toBeGreaterThan(3);
    for (const l of locations) expect({ path: l.path, upstream: l.upstream, fallback: l.fallbackUpstream }).toEqual({ path: l.path, upstream: "app", fallback: "app_fallback" });
  });

  test("paths live in the image's writable /tmp; logs go to the container's stdio; no X-Upstream", () => {
    expect(model.paths).toEqual({
      pid: "/tmp/nginx.pid",
      errorLog: "/dev/stderr",
      accessLog: "/dev/stdout",
      clientBodyTemp: "/tmp/client_temp",
      proxyTemp: "/tmp/proxy_temp",
      fastcgiTemp: "/tmp/fastcgi_temp",
      uwsgiTemp: "/tmp/uwsgi_temp",
      scgiTemp: "/tmp/scgi_temp",
    });
    expect(model.exposeUpstreamAddress).toBe(false);
    // Sized from the pod's CPU limit (one worker per whole CPU), not one per node core.
    expect(model.workerProcesses).toBe(1);
  });

  test("timeouts, retries and limits come from the config", () => {
    const alb = model.servers[0] as NginxProxyServer;
    const byPath = Object.fromEntries(alb.locations.map((l) => [l.path, l]));
    // One location per contract entry, in its order.
    // Every route, then each prefix's path without its slash (served like the prefix, never redirected).
    expect(Object.keys(byPath)).toEqual([...ROUTES.map((r) => r.path), "/api", "/static"]);
    expect(byPath["/api"]).toEqual({ ...byPath["/api/"], path: "/api", match: "exact" });
    expect(byPath["/api/"]).toMatchObject({
      rateLimited: true,
      connectTimeoutSeconds: prod.proxyConnectTimeoutSeconds,
      readTimeoutSeconds: prod.proxyReadTimeoutSeconds,
      sendTimeoutSeconds: prod.proxySendTimeoutSeconds,
      immutableCacheSeconds: null,
    });
    expect(byPath["/ws"]).toMatchObject({ websocket: true, match: "exact", readTimeoutSeconds: prod.websocketReadTimeoutSeconds, sendTimeoutSeconds: prod.websocketTimeoutSeconds });
    expect(byPath["/health"]).toMatchObject({ rateLimited: false, match: "exact", readTimeoutSeconds: prod.healthCheckTimeoutSeconds });
    expect(byPath["/static/"].immutableCacheSeconds).toBe(31_536_000);
    expect(byPath["/"].rateLimited).toBe(true);
    // HTML (the default location) gets the stale-while-revalidate default; nothing else does.
    expect(byPath["/"].defaultCacheControl).toBe(
      `public, max-age=${prod.cdnHtmlDefaultTtlSeconds}, stale-while-revalidate=${prod.staleWhileRevalidateSeconds}, stale-if-error=${HTML_STALE_IF_ERROR_SECONDS}`,
    );
    for (const r of ROUTES.filter((r) => r.nginx !== "html")) expect(byPath[r.path].defaultCacheControl).toBeNull();
    for (const r of ROUTES.filter((r) => r.nginx === "health")) expect(byPath[r.path]).toMatchObject({ rateLimited: false, accessLog: false });
    const nlbTls = model.servers[1] as NginxProxyServer;
    expect(nlbTls.locations.find((l) => l.path === "/")?.defaultCacheControl).toBe(byPath["/"].defaultCacheControl);
    // After a timed-out attempt, the retries share one connect timeout: attempts of a quarter, started within three quarters.
    const quarter = Math.floor((prod.proxyConnectTimeoutSeconds * 1000) / 4);
    expect(model.retry).toEqual({
      tries: prod.nginxNextUpstreamTries,
      timeoutSeconds: prod.proxyReadTimeoutSeconds + prod.proxyConnectTimeoutSeconds,
      afterTimeout: { budgetMs: 3 * quarter, attemptTimeoutMs: quarter },
    });
    expect(model.rateLimit).toMatchObject({
      requestsPerMinute: prod.nginxRateLimitPerMinute,
      burst: prod.nginxRateLimitBurst,
      connectionsPerIp: prod.nginxConnLimitPerIp,
      status: 429,
    });
    expect(model.clientKeepaliveSeconds).toBe(prod.nginxClientKeepaliveSeconds);
    expect(model.workerConnections).toBe(nginxCapacity({ ...NGINX_POD_RESOURCES.limits, fdLimit: CLUSTER_FD_LIMIT, maxWorkerConnections: prod.nginxWorkerConnections }).workerConnections);
  });
});

describe("local mode", () => {
  const model = buildLocalNginxModel(dev, {
    prefix: "/tmp/p",
    listenPort: 18080,
    upstreams: [
      { host: "127.0.0.1", port: 19001 },
      { host: "127.0.0.1", port: 19002, weight: 2, backup: true },
    ],
  });

  test("explicit loopback servers, a loopback listener trusting 127.0.0.1, paths under the prefix", () => {
    expect(model.upstreams[0].servers.map((s) => [s.host, s.port, s.weight, s.backup])).toEqual([
      ["127.0.0.1", 19001, 1, false],
      ["127.0.0.1", 19002, 2, true],
    ]);
    expect(model.servers).toHaveLength(1);
    const http = model.servers[0] as NginxProxyServer;
    expect(http.listen).toEqual({ address: "127.0.0.1", port: 18080, proxyProtocol: false });
    // Local mode keeps X-Forwarded-For (recursive) from the trusted loopback peer.
    expect(http.realIp).toEqual({ header: "X-Forwarded-For", recursive: true, trustedCidrs: ["127.0.0.1/32"] });
    expect(http.locations.find((l) => l.path === "/")?.defaultCacheControl).toBe(htmlDefaultCacheControl(dev));
    expect(Object.values(model.paths).every((p) => p?.startsWith("/tmp/p/"))).toBe(true);
    expect(model.exposeUpstreamAddress).toBe(true);
    expect(model.workerProcesses).toBe(1);
  });

  test("trusted CIDRs can be set (to prove an untrusted peer's X-Forwarded-For is ignored)", () => {
    const untrusted = buildLocalNginxModel(dev, { prefix: "/tmp/p", listenPort: 1, upstreams: [{ host: "127.0.0.1", port: 2 }], trustedCidrs: ["10.0.0.0/8"] });
    expect((untrusted.servers[0] as NginxProxyServer).realIp?.trustedCidrs).toEqual(["10.0.0.0/8"]);
  });
});

describe("HTML default Cache-Control", () => {
  test("max-age is CloudFront's default HTML TTL, then the configured stale-while-revalidate and a day of stale-if-error", () => {
    expect(htmlDefaultCacheControl({ cdnHtmlDefaultTtlSeconds: 60, staleWhileRevalidateSeconds: 30 })).toBe("public, max-age=60, stale-while-revalidate=30, stale-if-error=86400");
    expect(HTML_STALE_IF_ERROR_SECONDS).toBe(86_400);
  });

  test("a stale-while-revalidate window of 0 leaves the directive out", () => {
    expect(htmlDefaultCacheControl({ cdnHtmlDefaultTtlSeconds: 120, staleWhileRevalidateSeconds: 0 })).toBe("public, max-age=120, stale-if-error=86400");
  });

  test("follows the stack config", () => {
    const model = newVpcNginxModel({ ...dev, cdnHtmlDefaultTtlSeconds: 15, staleWhileRevalidateSeconds: 45 });
    const root = (model.servers[0] as NginxProxyServer).locations.find((l) => l.path === "/");
    expect(root?.defaultCacheControl).toBe("public, max-age=15, stale-while-revalidate=45, stale-if-error=86400");
  });
});
