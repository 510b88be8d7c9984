import { renderHaproxyConfig } from "../../../local/processes/haproxy";
import { freePorts } from "../../../local/processes/ports";

test("the NLB stand-in: mode tcp, each listener to its nginx PROXY port with a v2 header, TLS only where a PEM is given", () => {
  const cfg = renderHaproxyConfig([
    { name: "nlb_tls", port: 40443, targetPort: 48443, tlsPem: "/tmp/x/server.pem" },
    { name: "nlb_http", port: 40080, targetPort: 48081 },
  ]);
  expect(cfg).toMatch(/^\s+mode tcp$/m);
  expect(cfg).toContain("bind 127.0.0.1:40443 ssl crt /tmp/x/server.pem\n");
  expect(cfg).toContain("server nginx 127.0.0.1:48443 send-proxy-v2\n");
  expect(cfg).toContain("bind 127.0.0.1:40080\n");
  expect(cfg).toContain("server nginx 127.0.0.1:48081 send-proxy-v2\n");
  expect(() => renderHaproxyConfig([{ name: "bad name", port: 1, targetPort: 2 }])).toThrow(/haproxy listener name "bad name"/);
});

test("freePorts: distinct ports, all free afterwards", async () => {
  const ports = await freePorts(8);
  expect(new Set(ports).size).toBe(8);
  expect(ports.every((p) => p > 0 && p < 65_536)).toBe(true);
});
