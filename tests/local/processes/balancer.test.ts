import { renderBalancerConfig } from "../../../local/processes/balancer";

test("the balancer's config: round robin over every pod, no retry elsewhere, a connection per request, an admin socket", () => {
  const cfg = renderBalancerConfig({ port: 8080, adminSocket: "/run/x.sock", servers: [{ name: "pod_a", port: 1 }, { name: "pod_b", port: 2 }] });
  expect(cfg).toContain("    retries 0\n");
  expect(cfg).not.toContain("redispatch");
  expect(cfg).toContain("    http-reuse never\n");
  expect(cfg).toContain("    stats socket /run/x.sock mode 600 level admin\n");
  expect(cfg.match(/^ {4}server .*$/gm)).toEqual(["    server pod_a 127.0.0.1:1", "    server pod_b 127.0.0.1:2"]);
});

test("a server name haproxy would misread, or no server at all, is refused", () => {
  expect(() => renderBalancerConfig({ port: 1, adminSocket: "/s", servers: [{ name: "pod a", port: 1 }] })).toThrow(/"pod a": use a-z, 0-9, _/);
  expect(() => renderBalancerConfig({ port: 1, adminSocket: "/s", servers: [] })).toThrow(/at least one server/);
});
