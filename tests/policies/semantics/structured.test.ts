import { locationFor, listensOf, parseNginx, proxies, serversOf } from "../../../policies/semantics/nginx";
import { isTrueSetting, parseStructured } from "../../../policies/semantics/structured";

describe("structured values", () => {
  it("reads JSON and YAML alike", () => {
    expect(parseStructured('{"enableNetworkPolicy":"true"}')).toEqual({ enableNetworkPolicy: "true" });
    expect(parseStructured("enableNetworkPolicy: true\nenv:\n  A: b\n")).toEqual({ enableNetworkPolicy: true, env: { A: "b" } });
    expect(parseStructured("")).toBeUndefined();
    expect(parseStructured("key: [unclosed")).toBeUndefined();
    expect([isTrueSetting(true), isTrueSetting("True"), isTrueSetting("false"), isTrueSetting(undefined)]).toEqual([true, true, false, false]);
  });
});

describe("nginx.conf tree", () => {
  const root = parseNginx(`
    http {
      server { listen 0.0.0.0:8080; location = /health { return 200; } location /api/ { proxy_pass http://app; } location / { if ($x) { proxy_pass http://b; } } }
      server { listen 8443 proxy_protocol; } # a comment with { braces
      server { listen 0.0.0.0:9443 ssl default_server; }
    }`);
  it("finds servers, listeners and the location answering a path", () => {
    const [a, b, c] = serversOf(root);
    expect(listensOf(a)).toEqual([{ port: 8080, proxyProtocol: false, ssl: false }]);
    expect(listensOf(b)).toEqual([{ port: 8443, proxyProtocol: true, ssl: false }]);
    expect(listensOf(c)).toEqual([{ port: 9443, proxyProtocol: false, ssl: true }]);
    expect(proxies(locationFor(a, "/health")!)).toBe(false);
    expect(proxies(locationFor(a, "/api/x")!)).toBe(true);
    expect(proxies(locationFor(a, "/other")!)).toBe(true);
  });
});
