import { buildLocalNginxModel } from "../../../local/nginx-site";
import { newVpcNginxModel } from "../../harness/nginx";
import { CLUSTER_FD_LIMIT, NGINX_POD_RESOURCES, nginxCapacity } from "../../../infra/nginx/capacity";
import { hstsValue, TRACE_IDS } from "@edgestack/contract";
import { LOAD_BALANCING, NGINX_PORTS, NginxModelError, renderNginxConf, type NginxModel } from "../../../infra/nginx";
import { blockOf, serverBlocks, stackConfig } from "./support";

const dev = stackConfig("dev");
const prod = stackConfig("prod");
const cluster = (config = dev) => newVpcNginxModel(config);
const local = (edit?: (m: NginxModel) => void) => {
  const m = buildLocalNginxModel(dev, {
    prefix: "/tmp/edgestack-nginx-unit",
    listenPort: 18080,
    upstreams: [
      { host: "127.0.0.1", port: 19001 },
      { host: "127.0.0.1", port: 19002, weight: 3 },
    ],
  });
  edit?.(m);
  return m;
};
const lines = (block: string) => block.split("\n").map((l) => l.trim());

describe("cluster mode (the ConfigMap's nginx.conf)", () => {
  const conf = renderNginxConf(cluster());

  test("is self-contained and runs in a read-only container: pid, temp paths and logs under /tmp or stdio", () => {
    expect(conf).not.toMatch(/^\s*include\b/m);
    expect(conf).not.toMatch(/^\s*user\b/m);
    expect(conf).toMatch(/^pid \/tmp\/nginx\.pid;$/m);
    expect(conf).toMatch(/^error_log \/dev\/stderr warn;$/m);
    // Buffered: one write per 64k or per second rather than one per request.
    expect(conf).toMatch(/^\s+access_log \/dev\/stdout edge_json buffer=64k flush=1s if=\$edge_loggable;$/m);
    for (const d of ["client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path"]) {
      expect(conf).toMatch(new RegExp(`^\\s+${d} /tmp/[a-z_]+;$`, "m"));
    }
    expect(blockOf(conf, "types")).toContain("text/css css;");
  });

  test("worker settings and client keep-alive come from the stack config", () => {
    // Sized from the nginx pod's limits (infra/nginx/capacity.ts): one worker per whole CPU, never "auto".
    expect(conf).toMatch(/^worker_processes 1;$/m);
    expect(conf).toMatch(/^worker_rlimit_nofile \d+;$/m);
    const capacity = nginxCapacity({ ...NGINX_POD_RESOURCES.limits, fdLimit: CLUSTER_FD_LIMIT, maxWorkerConnections: dev.nginxWorkerConnections });
    expect(blockOf(conf, "events")).toContain(`worker_connections ${capacity.workerConnections};`);
    expect(conf).toContain(`worker_rlimit_nofile ${capacity.workerRlimitNofile};`);
    expect(conf).toContain(`keepalive_timeout ${dev.nginxClientKeepaliveSeconds}s;`);
    // Client connections (the load balancers' pooled ones) carry 10,000 requests, not nginx's 1000.
    expect(conf).toMatch(/^ {4}keepalive_requests 10000;$/m);
    expect(conf).toContain(`worker_shutdown_timeout ${Math.min(dev.appShutdownDelaySeconds, dev.terminationGracePeriodSeconds - 5)}s;`);
    expect(conf).toMatch(/^\s+server_tokens off;$/m);
  });

  test("the upstream resolves the app pods through the cluster DNS, with passive health checks and a keep-alive pool after the algorithm", () => {
    const upstream = lines(blockOf(conf, "upstream app"));
    expect(upstream).toContain(
      `server app-pods.edgestack.svc.cluster.local:8080 weight=1 max_fails=${dev.nginxMaxFails} fail_timeout=${dev.nginxFailTimeoutSeconds}s resolve;`,
    );
    expect(upstream).toContain(`resolver 172.20.0.10 valid=${dev.nginxResolverValidSeconds}s ipv6=off;`);
    expect(upstream).toContain("least_conn;");
    expect(upstream).toContain(`keepalive ${dev.nginxUpstreamKeepaliveConnections};`);
    expect(upstream).toContain(`keepalive_timeout ${dev.nginxUpstreamKeepaliveSeconds}s;`);
    expect(upstream).toContain(`keepalive_requests ${dev.nginxUpstreamKeepaliveRequests};`);
    expect(upstream.indexOf("least_conn;")).toBeLessThan(upstream.indexOf(`keepalive ${dev.nginxUpstreamKeepaliveConnections};`));
    expect(upstream).toContain("zone app 64k;");
  });

  test("one server per trust path, on the exported container ports, each with a default server for unknown Hosts", () => {
    const [alb, albDefault, nlbTls, nlbTlsDefault, nlbHttp, nlbHttpDefault, status] = serverBlocks(conf);
    // The ALB's hop is TLS: the mounted Secret's pair, TLS 1.2/1.3, forward-secret AEAD ciphers, on the named and the default server.
    const albTls = [
      `listen 0.0.0.0:${NGINX_PORTS.http} ssl;`,
      "ssl_certificate /etc/nginx/edgestack-tls/tls.crt;",
      "ssl_certificate_key /etc/nginx/edgestack-tls/tls.key;",
      "ssl_protocols TLSv1.2 TLSv1.3;",
      "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384;",
      "ssl_session_tickets off;",
    ];
    expect(lines(alb)).toEqual(expect.arrayContaining(albTls));
    expect(lines(albDefault!)).toEqual(expect.arrayContaining(albTls.slice(1)));
    for (const pp of [nlbTls, nlbTlsDefault, nlbHttp, nlbHttpDefault, status]) expect(pp).not.toMatch(/\bssl\b/);
    expect(lines(alb)).toEqual(expect.arrayContaining([
      `set_real_ip_from ${dev.vpcCidr};`,
      "real_ip_header X-Viewer-Address;",
      "set $edge_proto $edge_header_proto_alb_https;",
    ]));
    for (const [server, listen] of [
      [albDefault, `listen 0.0.0.0:${NGINX_PORTS.http} ssl default_server;`],
      [nlbTlsDefault, `listen 0.0.0.0:${NGINX_PORTS.proxyProtocolHttps} proxy_protocol default_server;`],
      [nlbHttpDefault, `listen 0.0.0.0:${NGINX_PORTS.proxyProtocolHttp} proxy_protocol default_server;`],
    ] as const) {
      expect(lines(server!)).toEqual(expect.arrayContaining([listen, `server_name "";`]));
      // A PROXY listener first refuses peers other than its load balancer (403), then unknown Hosts (421).
      const guard = server === albDefault ? [] : [`if ($edge_untrusted_peer_${server === nlbTlsDefault ? "nlb_tls" : "nlb_http"}) {`, "return 403;", "}"];
      expect(lines(blockOf(server!, "location /"))).toEqual(["location / {", ...guard, "return 421;", "}"]);
      expect(blockOf(server!, "location = /health")).toContain("proxy_pass http://app;");
    }
    expect(alb.match(/set_real_ip_from/g)).toHaveLength(1);
    // One address from CloudFront's function: not recursive, and the trust argument is in the file.
    expect(alb).not.toContain("real_ip_recursive");
    expect(alb).not.toContain("real_ip_header X-Forwarded-For");
    expect(alb).toMatch(/# X-Viewer-Address: the viewer's address, set by CloudFront's viewer-request function/);
    expect(alb).toMatch(/only requests carrying CloudFront's secret X-Origin-Verify header/);
    // X-Forwarded-For still reaches the app, now ending in the viewer's address ($remote_addr).
    expect(lines(blockOf(alb, "location /api/"))).toContain("proxy_set_header X-Forwarded-For $remote_addr;");

    expect(lines(nlbTls)).toEqual(expect.arrayContaining([
      `listen 0.0.0.0:${NGINX_PORTS.proxyProtocolHttps} proxy_protocol;`,
      `set_real_ip_from ${dev.vpcCidr};`,
      "real_ip_header proxy_protocol;",
      "set $edge_proto https;",
    ]));

    expect(lines(nlbHttp)).toEqual(expect.arrayContaining([`listen 0.0.0.0:${NGINX_PORTS.proxyProtocolHttp} proxy_protocol;`, "return 301 https://$edge_redirect_host_nlb_http$request_uri;"]));
    expect(blockOf(nlbHttp, "location = /health")).toContain("proxy_pass http://app;");
    expect(nlbHttp).not.toContain("Strict-Transport-Security");

    expect(lines(status)).toEqual(expect.arrayContaining([`listen 0.0.0.0:${NGINX_PORTS.status} default_server;`, "stub_status;"]));
    expect(lines(blockOf(status, "location = /nginx_status"))).toEqual(["location = /nginx_status {", "stub_status;", "allow 127.0.0.1/32;", "deny all;", "}"]);
    // No `return` in the liveness location: it would answer before allow/deny run.
    expect(lines(blockOf(status, "location = /nginx-health"))).toEqual(["location = /nginx-health {", "allow 127.0.0.1/32;", `allow ${dev.vpcCidr};`, "deny all;", "try_files /nginx-liveness-has-no-file @liveness;", "}"]);
  });

  test("locations: limits on API and default, never on /health; WebSocket upgrade with long timeouts; static caching", () => {
    const [alb] = serverBlocks(conf);
    const health = blockOf(alb, "location = /health");
    const api = blockOf(alb, "location /api/");
    const root = blockOf(alb, "location /");
    const ws = blockOf(alb, "location = /ws");
    const stat = blockOf(alb, "location /static/");
    const limitReq = `limit_req zone=per_ip_requests burst=${dev.nginxRateLimitBurst} nodelay;`;
    const limitConn = `limit_conn per_ip_connections ${dev.nginxConnLimitPerIp};`;
    for (const b of [api, root]) expect(lines(b)).toEqual(expect.arrayContaining([limitReq, limitConn]));
    expect(health).not.toContain("limit_");
    expect(lines(health)).toEqual(expect.arrayContaining([`proxy_read_timeout ${dev.healthCheckTimeoutSeconds}s;`, "access_log off;"]));

    expect(lines(ws)).toEqual(expect.arrayContaining([
      "proxy_set_header Upgrade $http_upgrade;",
      "proxy_set_header Connection $connection_upgrade;",
      // Short: it bounds the wait for the upgrade's answer (the app pings open sockets within it).
      `proxy_read_timeout ${dev.websocketReadTimeoutSeconds}s;`,
      `proxy_send_timeout ${dev.websocketTimeoutSeconds}s;`,
      // A client that stops reading is closed after 10 s of blocked writes, not the default 60.
      "send_timeout 10s;",
      // A timed-out upgrade goes to another pod in this phase, then to the fallback's one attempt.
      "proxy_next_upstream error timeout http_502 http_504;",
      `proxy_next_upstream_timeout ${dev.websocketReadTimeoutSeconds + dev.proxyConnectTimeoutSeconds}s;`,
      "error_page 502 = @edge_fallback_exact_2fws;",
      "error_page 504 = @edge_retry_fallback_exact_2fws;",
    ]));
    expect(ws).not.toContain(`Connection ""`);
    // No phase shortens a socket's read timeout: it is the open socket's idle timer for life.
    const wsFallback = blockOf(alb, "location @edge_retry_fallback_exact_2fws");
    expect(lines(wsFallback)).toEqual(expect.arrayContaining([`proxy_read_timeout ${dev.websocketReadTimeoutSeconds}s;`, "proxy_next_upstream off;"]));
    expect(alb).not.toContain("location @edge_retry_exact_2fws");
    expect(lines(api).filter((l) => l.startsWith("send_timeout"))).toEqual([]);

    expect(lines(api)).toEqual(expect.arrayContaining([
      "proxy_http_version 1.1;",
      `proxy_set_header Connection "";`,
      "proxy_set_header Host $host;",
      "proxy_set_header X-Real-IP $remote_addr;",
      "proxy_set_header X-Forwarded-For $remote_addr;",
      "proxy_set_header X-Forwarded-Proto $edge_proto;",
      "proxy_set_header X-Request-ID $edge_request_id;",
      "proxy_set_header X-Amz-Cf-Id $edge_cf_id;",
      "proxy_set_header X-Amzn-Trace-Id $edge_amzn_trace_id;",
      `proxy_connect_timeout ${dev.proxyConnectTimeoutSeconds}s;`,
      `proxy_read_timeout ${dev.proxyReadTimeoutSeconds}s;`,
      `proxy_send_timeout ${dev.proxySendTimeoutSeconds}s;`,
      // Never http_503: a deliberate 503 (draining /health, fail-closed API) must not mark a pod down.
      // A timed-out attempt ends this phase: the short retries follow (error_page 504 to its retry location).
      "proxy_next_upstream error http_502 http_504;",
      `proxy_next_upstream_tries ${dev.nginxNextUpstreamTries};`,
      `proxy_next_upstream_timeout ${dev.proxyReadTimeoutSeconds + dev.proxyConnectTimeoutSeconds}s;`,
    ]));
    expect(conf).not.toContain("non_idempotent");
    expect(api).not.toContain("expires");
    expect(api).not.toContain("Cache-Control");

    // The year-long header only on 200/304 (a map on $status): never on a redirect or an error.
    expect(lines(stat)).toEqual(expect.arrayContaining(["add_header Cache-Control $edge_immutable_31536000 always;", "proxy_hide_header Cache-Control;"]));
    expect(lines(blockOf(conf, "map $status $edge_immutable_31536000"))).toEqual(expect.arrayContaining(["default $upstream_http_cache_control;", `"~^(200|304)$" "public, max-age=31536000, immutable";`]));
    expect(stat).not.toContain("expires");
  });

  test("HTML (location /) gets the stale-while-revalidate Cache-Control when the upstream sends none; other locations are untouched", () => {
    const expected = `public, max-age=${dev.cdnHtmlDefaultTtlSeconds}, stale-while-revalidate=${dev.staleWhileRevalidateSeconds}, stale-if-error=86400`;
    expect(lines(blockOf(conf, `map "$request_method $status" $edge_default_cache_control_1`))).toEqual([
      `map "$request_method $status" $edge_default_cache_control_1 {`,
      `default "";`,
      `"~^(GET|HEAD) (200|304)$" "${expected}";`,
      "}",
    ]);
    expect(lines(blockOf(conf, "map $upstream_http_cache_control $edge_cache_control_1"))).toEqual([
      "map $upstream_http_cache_control $edge_cache_control_1 {",
      "default $upstream_http_cache_control;",
      `"" $edge_default_cache_control_1;`,
      "}",
    ]);
    const [alb, , nlbTls] = serverBlocks(conf);
    for (const server of [alb!, nlbTls!]) {
      expect(lines(blockOf(server, "location /"))).toEqual(expect.arrayContaining(["proxy_hide_header Cache-Control;", "add_header Cache-Control $edge_cache_control_1 always;"]));
    }
    for (const head of ["location = /health", "location = /ws", "location /api/"]) expect(blockOf(alb, head)).not.toContain("Cache-Control");
    // One value, one pair of maps.
    expect(conf.match(/map \$upstream_http_cache_control/g)).toHaveLength(1);
  });

  test("every proxied location repeats the security headers (add_header in a location drops inherited ones)", () => {
    const [alb] = serverBlocks(conf);
    for (const head of ["location = /health", "location = /ws", "location /api/", "location /static/", "location /"]) {
      expect(lines(blockOf(alb, head))).toEqual(expect.arrayContaining([
        `add_header X-Content-Type-Options "nosniff" always;`,
        `add_header X-Frame-Options "DENY" always;`,
        `add_header Referrer-Policy "strict-origin-when-cross-origin" always;`,
        "add_header Strict-Transport-Security $edge_hsts always;",
      ]));
    }
    expect(conf).not.toContain("X-Upstream");
  });

  test("rate-limit zones, JSON access log, gzip and the maps", () => {
    expect(conf).toContain(`limit_req_zone $edge_client zone=per_ip_requests:10m rate=${dev.nginxRateLimitPerMinute}r/m;`);
    expect(conf).toContain("limit_conn_zone $edge_client zone=per_ip_connections:10m;");
    expect(conf).toContain("limit_req_status 429;");
    expect(conf).toContain("limit_conn_status 429;");
    expect(conf).toMatch(/log_format edge_json escape=json '\{"time":"\$time_iso8601".*\}';/);
    expect(conf).toMatch(/^\s+gzip on;$/m);
    expect(conf).toMatch(/^\s+gzip_types [^;]*application\/json[^;]*;$/m);
    expect(lines(blockOf(conf, "map $http_upgrade $connection_upgrade"))).toEqual(expect.arrayContaining(["default upgrade;", `"" "";`]));
    expect(lines(blockOf(conf, "map $http_x_request_id $edge_request_id"))).toContain("default $request_id;");
    expect(lines(blockOf(conf, "map $edge_proto $edge_hsts"))).toContain(`https "${hstsValue()}";`);
  });

  test("the trace ids: each map admits only the contract's pattern, the log carries each, every proxied location passes them", () => {
    expect(lines(blockOf(conf, "map $http_x_request_id $edge_request_id"))).toEqual(expect.arrayContaining(["default $request_id;", `"~${TRACE_IDS.requestId.pattern}" $http_x_request_id;`]));
    // The edge's ids only where the listener trusts them ($edge_ids_trusted = 1), with the contract's pattern.
    const body = (pattern: string) => pattern.slice(1, -1);
    expect(lines(blockOf(conf, `map "$edge_ids_trusted:$http_x_amz_cf_id" $edge_cf_id`)).slice(1, -1)).toEqual([`default "";`, `"~^1:(${body(TRACE_IDS.cloudFrontId.pattern)})$" $1;`]);
    expect(lines(blockOf(conf, `map "$edge_ids_trusted:$http_x_amzn_trace_id" $edge_amzn_trace_id`)).slice(1, -1)).toEqual([`default "";`, `"~^1:(${body(TRACE_IDS.amznTraceId.pattern)})$" $1;`]);
    // Every server says whether it trusts them: the ALB's listener by its trusted-peer flag, every PROXY listener never.
    const servers = conf.split(/\n(?=\s*server \{)/).slice(1).filter((b) => /set \$edge_proto/.test(b));
    expect(servers.length).toBeGreaterThan(2);
    for (const server of servers) {
      const trustedLine = /set \$edge_ids_trusted (\S+);/.exec(server)?.[1];
      expect(trustedLine).toEqual(/listen \S+ proxy_protocol/.test(server) || !/set \$edge_proto \$edge_header_proto_/.test(server) ? "0" : expect.stringMatching(/^\$edge_trusted_peer_/));
    }
    const format = /log_format edge_json[^\n]*/.exec(conf)![0];
    for (const [field, variable] of [["request_id", "$edge_request_id"], ["cf_id", "$edge_cf_id"], ["amzn_trace_id", "$edge_amzn_trace_id"]]) {
      expect(format).toContain(`"${field}":"${variable}"`);
    }
    const proxyPasses = conf.split("\n").filter((l) => l.trim().startsWith("proxy_pass ")).length;
    expect(proxyPasses).toBeGreaterThan(0);
    for (const header of ["X-Amz-Cf-Id $edge_cf_id", "X-Amzn-Trace-Id $edge_amzn_trace_id"]) {
      expect(conf.split("\n").filter((l) => l.trim() === `proxy_set_header ${header};`)).toHaveLength(proxyPasses);
    }
  });

  test("prod renders its own values", () => {
    const text = renderNginxConf(cluster(prod));
    expect(text).toContain(`rate=${prod.nginxRateLimitPerMinute}r/m;`);
    expect(text).toContain(`burst=${prod.nginxRateLimitBurst} nodelay;`);
    expect(text).toContain(`set_real_ip_from ${prod.vpcCidr};`);
    expect(text).toContain(`server_name ${prod.domain} www.${prod.domain}`);
  });

  test("is deterministic", () => {
    expect(renderNginxConf(cluster())).toBe(conf);
  });
});

describe("upstream algorithms", () => {
  const expected: Record<(typeof LOAD_BALANCING)[number], string | null> = {
    round_robin: null,
    least_conn: "least_conn;",
    ip_hash: "ip_hash;",
    hash: "hash $request_uri consistent;",
    random: "random;",
    random_two_least_conn: "random two least_conn;",
    cookie_affinity: "least_conn;",
  };
  test.each(LOAD_BALANCING)("%s", (algorithm) => {
    const upstream = lines(blockOf(renderNginxConf(cluster({ ...dev, nginxLoadBalancing: algorithm })), "upstream app"));
    const directives = upstream.filter((l) => /^(least_conn|ip_hash|hash|random)\b/.test(l));
    expect(directives).toEqual(expected[algorithm] === null ? [] : [expected[algorithm]]);
    // Only cookie affinity sets a cookie; the balancing method comes before it (nginx's order).
    const sticky = upstream.filter((l) => l.startsWith("sticky"));
    expect(sticky).toEqual(algorithm === "cookie_affinity" ? ["sticky cookie edge_affinity path=/ httponly samesite=lax secure;"] : []);
    if (algorithm === "cookie_affinity") expect(upstream.indexOf(sticky[0])).toBeGreaterThan(upstream.indexOf("least_conn;"));
  });

  test("the affinity cookie is Secure only in the cluster (the local data plane is plain http)", () => {
    const upstream = lines(blockOf(renderNginxConf(local((m) => (m.upstreams[0].algorithm = "cookie_affinity"))), "upstream app"));
    expect(upstream).toContain("sticky cookie edge_affinity path=/ httponly samesite=lax;");
  });

  test.each(["random", "hash", "ip_hash", "random_two_least_conn"] as const)("backup servers are refused with %s, naming the server", (algorithm) => {
    expect(() =>
      renderNginxConf(
        local((m) => {
          m.upstreams[0].algorithm = algorithm;
          m.upstreams[0].servers[1].backup = true;
        }),
      ),
    ).toThrow(/upstreams\[0\]\.servers\[1\]\.backup: true is not allowed/);
  });

  test("a burst of 0 renders limit_req without burst/nodelay (nginx refuses burst=0)", () => {
    const api = blockOf(serverBlocks(renderNginxConf(cluster({ ...dev, nginxRateLimitBurst: 0 })))[0], "location /api/");
    expect(lines(api)).toContain("limit_req zone=per_ip_requests;");
  });

  test("keepalive 0 turns the pool off: `keepalive 0` (nginx >= 1.29.7 pools by default), no pool settings", () => {
    const upstream = lines(blockOf(renderNginxConf(cluster({ ...dev, nginxUpstreamKeepaliveConnections: 0 })), "upstream app"));
    expect(upstream.filter((l) => l.startsWith("keepalive"))).toEqual(["keepalive 0;"]);
  });

  test("weights and backup servers", () => {
    const conf = renderNginxConf(local((m) => (m.upstreams[0].servers[1].backup = true)));
    const upstream = lines(blockOf(conf, "upstream app"));
    expect(upstream).toContain(`server 127.0.0.1:19001 weight=1 max_fails=${dev.nginxMaxFails} fail_timeout=${dev.nginxFailTimeoutSeconds}s;`);
    expect(upstream).toContain(`server 127.0.0.1:19002 weight=3 max_fails=${dev.nginxMaxFails} fail_timeout=${dev.nginxFailTimeoutSeconds}s backup;`);
  });
});

describe("local mode", () => {
  const conf = renderNginxConf(local());

  test("writes each access-log line at once unless asked to buffer like the cluster", () => {
    expect(conf).toMatch(/^\s+access_log \/\S+\/access\.log edge_json if=\$edge_loggable;$/m);
    const buffered = renderNginxConf(local((m) => (m.accessLogBuffer = { sizeKb: 16, flushSeconds: 2 })));
    expect(buffered).toMatch(/^\s+access_log \/\S+\/access\.log edge_json buffer=16k flush=2s if=\$edge_loggable;$/m);
  });

  test("listens on loopback, trusts 127.0.0.1 and keeps pid, logs and temp dirs under the prefix", () => {
    const [http] = serverBlocks(conf);
    expect(lines(http)).toEqual(
      expect.arrayContaining(["listen 127.0.0.1:18080;", "set_real_ip_from 127.0.0.1/32;", "real_ip_header X-Forwarded-For;", "real_ip_recursive on;"]),
    );
    expect(http).not.toContain("X-Viewer-Address");
    expect(lines(blockOf(http, "location /"))).toContain("add_header Cache-Control $edge_cache_control_1 always;");
    expect(conf).toMatch(/^pid \/tmp\/edgestack-nginx-unit\/nginx\.pid;$/m);
    expect(conf).toMatch(/^error_log \/tmp\/edgestack-nginx-unit\/error\.log warn;$/m);
    expect(conf).toContain("client_body_temp_path /tmp/edgestack-nginx-unit/client_body_temp;");
    expect(conf).not.toMatch(/\/tmp\/(client_temp|proxy_temp);/);
    expect(conf).toMatch(/^worker_processes 1;$/m);
  });

  test("only the listeners asked for, and the X-Upstream debugging header", () => {
    // The listener's server and its default server (unknown Hosts).
    expect(serverBlocks(conf)).toHaveLength(2);
    expect(conf).toContain("add_header X-Upstream $upstream_addr always;");
  });
});

test("the renderer validates first: an invalid model renders nothing", () => {
  const model = local((m) => (m.upstreams[0].servers[0].host = "127.0.0.1;include /etc/passwd"));
  expect(() => renderNginxConf(model)).toThrow(NginxModelError);
  expect(() => renderNginxConf(model)).toThrow(`nginx.upstreams[0].servers[0].host: "127.0.0.1;include /etc/passwd" contains ";"`);
});
