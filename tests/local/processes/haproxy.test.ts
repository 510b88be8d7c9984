import { LOCAL_ALB_SOURCE_ADDRESS, LOCAL_NLB_SOURCE_ADDRESS, renderHaproxyConfig } from "../../../local/processes/haproxy";

test("the ALB stand-in: mode http, the client's address appended to X-Forwarded-For, X-Forwarded-Proto replaced, TLS to nginx from its own address, no PROXY header", () => {
  const cfg = renderHaproxyConfig([{ name: "alb", port: 18080, targetPort: 18443, alb: true }]);
  const frontend = cfg.slice(cfg.indexOf("frontend alb"), cfg.indexOf("backend alb_nginx"));
  expect(frontend).toMatch(/mode http\n\s+bind 127\.0\.0\.1:18080\n/);
  expect(frontend).toContain("option forwardfor");
  expect(frontend).toContain("http-request set-header X-Forwarded-Proto http");
  expect(cfg).toContain(`server nginx 127.0.0.1:18443 ssl verify none alpn http/1.1 source ${LOCAL_ALB_SOURCE_ADDRESS}`);
  expect(cfg).not.toContain("send-proxy");
});
import { freePorts } from "../../../local/processes/ports";

test("the NLB stand-in: mode tcp, each listener to its nginx PROXY port with a v2 header, TLS only where a PEM is given", () => {
  const cfg = renderHaproxyConfig([
    { name: "nlb_tls", port: 40443, targetPort: 48443, tlsPem: "/tmp/x/server.pem" },
    { name: "nlb_http", port: 40080, targetPort: 48081 },
  ]);
  expect(cfg).toMatch(/^\s+mode tcp$/m);
  expect(cfg).toContain("bind 127.0.0.1:40443 ssl crt /tmp/x/server.pem\n");
  // From an address of its own, the only one nginx's PROXY listeners trust.
  expect(cfg).toContain(`server nginx 127.0.0.1:48443 send-proxy-v2 source ${LOCAL_NLB_SOURCE_ADDRESS}\n`);
  expect(cfg).toContain("bind 127.0.0.1:40080\n");
  expect(cfg).toContain(`server nginx 127.0.0.1:48081 send-proxy-v2 source ${LOCAL_NLB_SOURCE_ADDRESS}\n`);
  // A handshake bound on the TLS listener only, and a per-source connection cap on both.
  expect(cfg.match(/timeout client 5s/g)).toHaveLength(1);
  expect(cfg.match(/tcp-request connection reject if \{ sc_conn_cur\(0\) gt \d+ \}/g)).toHaveLength(2);
  expect(() => renderHaproxyConfig([{ name: "bad name", port: 1, targetPort: 2 }])).toThrow(/haproxy listener name "bad name"/);
});

test("freePorts: distinct ports, all free afterwards", async () => {
  const ports = await freePorts(8);
  expect(new Set(ports).size).toBe(8);
  expect(ports.every((p) => p > 0 && p < 65_536)).toBe(true);
});
