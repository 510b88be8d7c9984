import { nginxTimeSeconds, parseNginxKeepalive, proxyReadTimeouts } from "../../policies/rules/timeouts";
import { parseNginx } from "../../policies/semantics/nginx";
import { runCases } from "./fixtures/run";
import { timeoutCases } from "./fixtures/timeouts";

runCases(timeoutCases);

describe("parseNginxKeepalive", () => {
  it("separates client and upstream keepalive_timeout and ignores comments", () => {
    const conf = `http {\n # keepalive_timeout 5s;\n keepalive_timeout 75s 70s;\n upstream a { server x; keepalive 8; keepalive_timeout 1m; }\n server { keepalive_timeout 65; }\n}`;
    expect(parseNginxKeepalive(conf)).toEqual({ client: 65, upstream: 60 });
  });
  it("uses nginx defaults: 75s client, 60s for a pooling upstream, none without keepalive", () => {
    expect(parseNginxKeepalive("http { upstream a { server x; keepalive 4; } }")).toEqual({ client: 75, upstream: 60 });
    expect(parseNginxKeepalive("http { upstream a { server x; } }")).toEqual({ client: 75, upstream: undefined });
  });
  it("reads nginx time units", () => {
    expect([nginxTimeSeconds("75"), nginxTimeSeconds("1m30s"), nginxTimeSeconds("500ms"), nginxTimeSeconds("2h")]).toEqual([75, 90, 0.5, 7200]);
    expect(nginxTimeSeconds("5x")).toBeUndefined();
  });
});

describe("proxyReadTimeouts", () => {
  it("gives each proxying location its own, its server's, its http block's or nginx's 60s default", () => {
    const conf = `http { proxy_read_timeout 30s; server { location /a/ { proxy_pass http://x; } location /b/ { proxy_read_timeout 2m; proxy_pass http://x; } location = /c { return 200; } }
      server { proxy_read_timeout 5s; location / { proxy_pass http://x; } } }
      `;
    expect(proxyReadTimeouts(parseNginx(conf))).toEqual([
      { where: "/a/", seconds: 30 },
      { where: "/b/", seconds: 120 },
      { where: "/", seconds: 5 },
    ]);
    expect(proxyReadTimeouts(parseNginx("http { server { location / { proxy_pass http://x; } } }"))).toEqual([{ where: "/", seconds: 60 }]);
  });
});
