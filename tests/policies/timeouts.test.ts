import { nginxTimeSeconds, parseNginxKeepalive } from "../../policies/rules/timeouts";
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
