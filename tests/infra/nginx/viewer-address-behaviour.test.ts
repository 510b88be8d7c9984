/**
 * The cluster ALB listener's client address, proven with the real nginx: the `realIp` the cluster
 * model gives `alb_https` (CloudFront's X-Viewer-Address) is put on a loopback listener, trusting
 * 127.0.0.1 (the test client plays the ALB) or not. The rest of the file is the local model.
 */
import { newVpcNginxModel } from "../../harness/nginx";
import * as http from "node:http";
import { waitUntil } from "../../harness/wait";
import { type NginxModel, type NginxProxyServer, type NginxRealIp } from "../../../infra/nginx";
import { countBy, echoOf, get, NO_LIMITS, stackConfig, startBackend, startLocalNginx, type Backend, type LocalNginx } from "./support";

const clusterAlbRealIp = (newVpcNginxModel(stackConfig("dev")).servers[0] as NginxProxyServer).realIp as NginxRealIp;
const withClusterRealIp = (trustedCidrs: string[]) => (model: NginxModel) => {
  (model.servers[0] as NginxProxyServer).realIp = { ...clusterAlbRealIp, trustedCidrs };
};

let backend: Backend;
let trusted: LocalNginx;
let untrusted: LocalNginx;
let limited: LocalNginx;
let agent: http.Agent;

beforeAll(async () => {
  backend = await startBackend("app1");
  const upstreams = [{ host: "127.0.0.1" as const, port: backend.port }];
  [trusted, untrusted, limited] = await Promise.all([
    startLocalNginx(upstreams, { config: NO_LIMITS, edit: withClusterRealIp(["127.0.0.1/32"]) }),
    // A trusted range that excludes 127.0.0.1: the test client is then an untrusted peer.
    startLocalNginx(upstreams, { config: NO_LIMITS, edit: withClusterRealIp(["10.0.0.0/8"]) }),
    startLocalNginx(upstreams, { config: { nginxRateLimitPerMinute: 1, nginxRateLimitBurst: 3, nginxConnLimitPerIp: 100 }, edit: withClusterRealIp(["127.0.0.1/32"]) }),
  ]);
  agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
});

afterAll(async () => {
  agent?.destroy();
  await Promise.all([trusted?.nginx.dispose(), untrusted?.nginx.dispose(), limited?.nginx.dispose()]);
  await backend?.kill();
});

test("the cluster's ALB listener reads X-Viewer-Address, not recursively", () => {
  expect(clusterAlbRealIp.header).toBe("X-Viewer-Address");
  expect(clusterAlbRealIp.recursive).toBe(false);
  expect(trusted.nginx.readFile("nginx.conf")).toContain("real_ip_header X-Viewer-Address;");
});

describe("from a trusted peer (the ALB)", () => {
  test("X-Viewer-Address becomes the client address: X-Real-IP and the last X-Forwarded-For entry the app sees", async () => {
    // As the ALB sends it: X-Forwarded-For carries whatever the viewer claimed, then the CloudFront edge's address.
    const echo = echoOf(await get(agent, trusted.port, "/api/ip", { "X-Viewer-Address": "198.51.100.7", "X-Forwarded-For": "10.1.2.3, 130.176.0.15" }));
    expect(echo.xRealIp).toBe("198.51.100.7");
    // The app (trusting nginx's CIDR) gets exactly the viewer: nothing the viewer claimed survives.
    expect(echo.xForwardedFor).toBe("198.51.100.7");
  });

  test("an IPv6 viewer address is taken as well", async () => {
    expect(echoOf(await get(agent, trusted.port, "/api/ip", { "X-Viewer-Address": "2001:db8::7" })).xRealIp).toBe("2001:db8::7");
  });

  test("X-Forwarded-For is no longer a source on this listener: without X-Viewer-Address the peer's address stands", async () => {
    const echo = echoOf(await get(agent, trusted.port, "/api/ip", { "X-Forwarded-For": "203.0.113.9" }));
    expect(echo.xRealIp).toBe("127.0.0.1");
    expect(echo.xForwardedFor).toBe("127.0.0.1");
  });

  test("the access log records the viewer as remote_addr and the ALB as the peer", async () => {
    await get(agent, trusted.port, "/api/logged", { "X-Viewer-Address": "198.51.100.44" });
    // nginx writes a request's line when the request ends, which may be just after the client has its answer.
    await waitUntil(() => trusted.nginx.readFile("access.log").includes("/api/logged"));
    const entry = trusted.nginx
      .readFile("access.log")
      .split("\n")
      .filter((l) => l.includes("/api/logged"))
      .map((l) => JSON.parse(l) as { remote_addr: string; peer_addr: string })
      .at(-1);
    expect(entry).toMatchObject({ remote_addr: "198.51.100.44", peer_addr: "127.0.0.1" });
  });

  test("limit_req counts per viewer address: one viewer is refused while another viewer behind the same peer is not", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await get(agent, limited.port, `/api/v/${i}`, { "X-Viewer-Address": "198.51.100.7" })).status);
    // 1 request at the rate (one a minute) plus a burst of 3; the rest are refused.
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(countBy(statuses).get(429)).toBe(6);
    // Same peer (127.0.0.1, as every request through one CloudFront edge and the ALB), different viewer: its own budget.
    expect((await get(agent, limited.port, "/api/v/other", { "X-Viewer-Address": "198.51.100.8" })).status).toBe(200);
    // The limited viewer stays limited whatever X-Forwarded-For it sends.
    expect((await get(agent, limited.port, "/api/v/again", { "X-Viewer-Address": "198.51.100.7", "X-Forwarded-For": "192.0.2.200" })).status).toBe(429);
  });
});

describe("from an untrusted peer", () => {
  test("a forged X-Viewer-Address is ignored: the peer's address is the client address", async () => {
    const echo = echoOf(await get(agent, untrusted.port, "/api/ip", { "X-Viewer-Address": "198.51.100.7" }));
    expect(echo.xRealIp).toBe("127.0.0.1");
    expect(echo.xForwardedFor).toBe("127.0.0.1");
  });
});
