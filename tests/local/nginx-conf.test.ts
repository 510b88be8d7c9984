import { loadLocalStackConfig } from "../../local/stack";
import { localNginxModel, renderLocalNginxConf } from "../../local/nginx-conf";
import { writeAndCheckNginxConfig, makeNginxPrefix } from "../../local/processes/nginx";
import { rmSync } from "node:fs";

const config = loadLocalStackConfig("dev");
const input = { upstreamPorts: [41001, 41002, 41003], listenPort: 40080, statusPort: 40081, prefix: "/tmp/edgestack-test-prefix" };

test("the stack's model in local mode: loopback upstream servers, its algorithm, pool, retries and limits", () => {
  const model = localNginxModel(config, input);
  expect(model.mode).toBe("local");
  const app = model.upstreams[0]!;
  expect(app.algorithm).toBe(config.nginxLoadBalancing);
  expect(app.servers.map((s) => `${s.host}:${s.port}`)).toEqual(["127.0.0.1:41001", "127.0.0.1:41002", "127.0.0.1:41003"]);
  expect(app.servers.every((s) => s.maxFails === config.nginxMaxFails && s.failTimeoutSeconds === config.nginxFailTimeoutSeconds)).toBe(true);
  expect(app.keepalive).toEqual({ connections: config.nginxUpstreamKeepaliveConnections, timeoutSeconds: config.nginxUpstreamKeepaliveSeconds, requests: config.nginxUpstreamKeepaliveRequests });
  expect(model.retry.tries).toBe(config.nginxNextUpstreamTries);
  expect(model.rateLimit).toMatchObject({ requestsPerMinute: config.nginxRateLimitPerMinute, burst: config.nginxRateLimitBurst, connectionsPerIp: config.nginxConnLimitPerIp });
  expect(model.servers.map((s) => `${s.role}:${s.listen.address}:${s.listen.port}`)).toEqual(["proxy:127.0.0.1:40080", "status:127.0.0.1:40081"]);
});

test("no trusted proxy by default: nginx is the edge, so the realip module is not configured", () => {
  const text = renderLocalNginxConf(config, input);
  expect(text).not.toMatch(/set_real_ip_from|real_ip_header/);
  expect(text).toContain("proxy_set_header X-Forwarded-For $remote_addr;");
});

test("behind the ALB stand-in: the ALB listener is TLS as in the cluster and believes X-Forwarded-For from the stand-in's address (and trusted CIDRs) only", () => {
  const albStandIn = { certificate: "/tmp/edgestack-test-prefix/tls/server.crt", certificateKey: "/tmp/edgestack-test-prefix/tls/server.key" };
  const model = localNginxModel(config, { ...input, albStandIn, trustedProxyCidrs: ["10.0.0.0/8"] });
  const alb = model.servers.find((s) => s.role === "proxy")!;
  expect(alb.role === "proxy" && alb.tls).toMatchObject({ ...albStandIn, protocols: ["TLSv1.2", "TLSv1.3"] });
  expect(alb.role === "proxy" && alb.realIp).toEqual({ header: "X-Forwarded-For", recursive: true, trustedCidrs: ["127.0.0.4/32", "10.0.0.0/8"] });
  const text = renderLocalNginxConf(config, { ...input, albStandIn });
  expect(text).toMatch(/listen 127\.0\.0\.1:40080 ssl;/);
  expect([...new Set(text.match(/set_real_ip_from [^;]+;/g))]).toEqual(["set_real_ip_from 127.0.0.4/32;"]);
});

test("trusted proxy CIDRs are passed through", () => {
  const text = renderLocalNginxConf(config, { ...input, trustedProxyCidrs: ["127.0.0.1/32"] });
  expect(text).toMatch(/set_real_ip_from 127\.0\.0\.1\/32;\s+real_ip_header X-Forwarded-For;/);
});

test("pooling off (nginxUpstreamKeepaliveConnections 0) renders `keepalive 0` (nginx >= 1.29.7 pools by default)", () => {
  const text = renderLocalNginxConf(loadLocalStackConfig("dev", { nginxUpstreamKeepaliveConnections: 0 }), input);
  expect(text).not.toMatch(/^\s*keepalive [1-9]\d*;/m);
  expect(text).toMatch(/^\s*keepalive 0;$/m);
  expect(renderLocalNginxConf(config, input)).toMatch(new RegExp(`^\\s*keepalive ${config.nginxUpstreamKeepaliveConnections};`, "m"));
});

test("the rendered file passes nginx -t", async () => {
  const prefix = makeNginxPrefix();
  try {
    const result = await writeAndCheckNginxConfig(prefix, renderLocalNginxConf(config, { ...input, prefix }));
    expect(result.output).toMatch(/test is successful/);
    expect(result.ok).toBe(true);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

test("discovery: the replicas through the headless Service's name and the local DNS server, re-resolved as in the cluster", async () => {
  const discovery = { name: "app-pods.edgestack.svc.cluster.local", port: 41000, resolver: "127.0.0.1:41053" };
  const text = renderLocalNginxConf(config, { listenPort: 40080, statusPort: 40081, prefix: "/tmp/edgestack-test-prefix", discovery });
  expect(text).toMatch(/^\s+server app-pods\.edgestack\.svc\.cluster\.local:41000 weight=1 max_fails=\d+ fail_timeout=\d+s resolve;$/m);
  expect(text).toMatch(new RegExp(`^\\s+resolver 127\\.0\\.0\\.1:41053 valid=${config.nginxResolverValidSeconds}s ipv6=off;$`, "m"));
  expect(text).not.toMatch(/server 127\.0\.0\.1:/);
  const prefix = makeNginxPrefix();
  try {
    const result = await writeAndCheckNginxConfig(prefix, renderLocalNginxConf(config, { listenPort: 40080, statusPort: 40081, prefix, discovery }));
    expect(result.output).toMatch(/test is successful/);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});
