/**
 * The cluster's nginx.conf (dev and prod), run by nginx >= 1.27.3 against a real DNS server
 * (dnsmasq) standing for the cluster DNS: the upstream follows the headless Service's records
 * without a reload — pods added get traffic within seconds, pods removed get none — and a pod's
 * deliberate 503 is passed to the client and never marks the pod down.
 *
 * Only what cannot run outside a pod is rewritten: /tmp and /dev/std* paths into a prefix, the
 * listen ports and the pods' port to free loopback ports, and the resolver's address to dnsmasq's.
 */
import * as http from "node:http";
import * as https from "node:https";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { withTestAlbCertificate } from "../../harness/albTls";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { newVpcNginxModel } from "../../harness/nginx";
import { renderNginxConf } from "../../../infra/nginx";
import { APP_PODS_DNS_NAME, APP_PODS_SRV_SERVICE } from "../../../infra/cluster/objects";
import { APP_PORT } from "../../../infra/workloads/app";
import { clusterDnsIp } from "../../../infra/network/cidr";
import { startDnsmasq, type DnsServer } from "../../../local/processes/dnsmasq";
import { makeNginxPrefix, requireResolvingNginx, startNginx, type NginxProcess } from "../../../local/processes/nginx";
import { freePort, freePorts } from "../../../local/processes/ports";
import { stackConfig } from "./support";
import type { StackConfig } from "../../../infra/config/schema";
import { setTimeout as sleep } from "node:timers/promises";

interface Pod {
  address: string;
  status: number;
  hits: number;
  server: http.Server;
}

async function startPod(address: string, port: number): Promise<Pod> {
  const pod: Pod = { address, status: 200, hits: 0, server: undefined as unknown as http.Server };
  pod.server = http.createServer((_req, res) => {
    pod.hits += 1;
    res.writeHead(pod.status, { "content-type": "text/plain", ...(pod.status === 503 ? { "retry-after": "1" } : {}) });
    res.end(address);
  });
  pod.server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => pod.server.listen(port, address, () => r()));
  return pod;
}

let caFile = "";
/** A request as the ALB sends it: over TLS to the ALB listener, Host one of the stack's names (others get 421). */
function get(port: number, urlPath: string, host: string): Promise<{ status: number; body: string; upstream: string }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: "127.0.0.1", port, path: urlPath, headers: { host }, agent: false, ca: readFileSync(caFile), servername: "localhost" }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.once("end", () => resolve({ status: res.statusCode ?? 0, body, upstream: body }));
      })
      .once("error", reject);
  });
}

interface ResolvingNginx {
  dns: DnsServer;
  nginx: NginxProcess;
  listenPort: number;
  /** `n` requests in a row, counted by "status body" (the body names the pod). */
  spread(n: number): Promise<Record<string, number>>;
}

/**
 * What both discovery modes start: dnsmasq, then (once `publish` has put the pods in it) the cluster's
 * nginx.conf for `config` on a real nginx resolving through it, answering 200 before the tests run;
 * both stopped after them. Only what cannot run outside a pod is rewritten: /tmp and /dev/std* into a
 * prefix, the listen ports to free loopback ports, the resolver to dnsmasq, and with `podPort` the
 * pods' port in the A-record server line. `checkConf` sees the rendered conf first.
 */
function resolvingNginx(config: StackConfig, p: { publish: (dns: DnsServer) => Promise<number | undefined>; checkConf: (conf: string) => void }): ResolvingNginx {
  let dir: string;
  const it = {} as ResolvingNginx;
  beforeAll(async () => {
    requireResolvingNginx();
    dir = mkdtempSync(path.join(tmpdir(), "edgestack-resolve-"));
    it.dns = await startDnsmasq({ dir });
    const podPort = await p.publish(it.dns);
    const prefix = makeNginxPrefix();
    let conf = renderNginxConf(newVpcNginxModel(config));
    expect(conf).toContain(`resolver ${clusterDnsIp(config.serviceCidr)} valid=${config.nginxResolverValidSeconds}s ipv6=off;`);
    p.checkConf(conf);
    // The pod's /tmp first: the test certificate's own directory is under this machine's /tmp.
    const tls = withTestAlbCertificate(conf.replaceAll("/tmp/", `${prefix}/`), prefix);
    caFile = tls.caFile;
    conf = tls.conf
      .replaceAll("/dev/stderr", `${prefix}/error.log`)
      .replaceAll("/dev/stdout", `${prefix}/access.log`)
      .replace(`resolver ${clusterDnsIp(config.serviceCidr)} `, `resolver ${it.dns.address} `);
    if (podPort !== undefined) conf = conf.replace(`server ${APP_PODS_DNS_NAME}:${APP_PORT} `, `server ${APP_PODS_DNS_NAME}:${podPort} `);
    const listens = [...new Set([...conf.matchAll(/listen 0\.0\.0\.0:(\d+)/g)].map((m) => m[1]!))];
    const picked = await freePorts(listens.length);
    const ports = new Map(listens.map((port, i) => [port, picked[i]!]));
    conf = conf.replace(/listen 0\.0\.0\.0:(\d+)/g, (_all, port: string) => `listen 127.0.0.1:${ports.get(port)}`);
    it.listenPort = ports.get("8080")!;
    it.nginx = await startNginx({ prefix, conf, ports: [...ports.values()] });
    // nginx resolves `resolve` servers right after start; until then it has none (502).
    const deadline = Date.now() + 5000;
    while ((await get(it.listenPort, "/api/x", config.domain)).status !== 200 && Date.now() < deadline) await sleep(20);
  }, 30_000);
  afterAll(async () => {
    await it.nginx?.dispose();
    await it.dns?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  it.spread = async (n) => {
    const seen: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const r = await get(it.listenPort, "/api/x", config.domain);
      seen[`${r.status} ${r.body}`] = (seen[`${r.status} ${r.body}`] ?? 0) + 1;
    }
    return seen;
  };
  return it;
}

describe.each(["dev", "prod"] as const)("stack %s: the cluster nginx.conf on a real nginx with a real DNS server", (stack) => {
  const config = { ...stackConfig(stack), nginxRateLimitPerMinute: 1_000_000, nginxRateLimitBurst: 100_000, nginxConnLimitPerIp: 10_000 };
  const pods: Pod[] = [];
  const base = stack === "dev" ? 40 : 50;
  const addr = (i: number) => `127.0.0.${base + i}`;
  let podPort: number;
  const publish = () => t.dns.publish(APP_PODS_DNS_NAME, pods.map((p) => p.address));
  const t = resolvingNginx(config, {
    publish: async () => {
      podPort = await freePort("0.0.0.0");
      pods.push(await startPod(addr(0), podPort), await startPod(addr(1), podPort));
      publish();
      return podPort;
    },
    checkConf: (conf) => expect(conf).toContain(`server ${APP_PODS_DNS_NAME}:${APP_PORT} `),
  });
  afterAll(() => {
    for (const p of pods) p.server.close();
  });

  test("balances over every address the name resolves to", async () => {
    const seen = await t.spread(20);
    expect(Object.keys(seen).sort()).toEqual([`200 ${addr(0)}`, `200 ${addr(1)}`]);
  });

  test("a pod added to DNS gets traffic within 2 s, without a reload; a pod removed gets none", async () => {
    const workers = t.nginx.workerPids();
    pods.push(await startPod(addr(2), podPort));
    publish();
    const addedAt = Date.now();
    while (pods[2]!.hits === 0 && Date.now() - addedAt < 5000) await get(t.listenPort, "/api/x", config.domain);
    expect(pods[2]!.hits).toBeGreaterThan(0);
    expect(Date.now() - addedAt).toBeLessThan(2000);

    const removed = pods.shift()!;
    publish();
    await sleep(config.nginxResolverValidSeconds * 1000 + 1000);
    const before = removed.hits;
    const seen = await t.spread(20);
    expect(removed.hits).toBe(before);
    expect(Object.keys(seen).sort()).toEqual([`200 ${addr(1)}`, `200 ${addr(2)}`]);
    // Same workers: no reload happened.
    expect(t.nginx.workerPids()).toEqual(workers);
    removed.server.close();
  });

  test("a pod's deliberate 503 reaches the client and never marks it down (max_fails counts only what breaks)", async () => {
    const pod = pods[0]!;
    // Only what this test's requests log (before nginx first resolved the name, at start, it had no server).
    const logFrom = t.nginx.readFile("error.log").length;
    pod.status = 503;
    const answers = await t.spread(config.nginxMaxFails * 6 + 6);
    pod.status = 200;
    expect(answers[`503 ${pod.address}`]).toBeGreaterThan(config.nginxMaxFails);
    // Still in rotation right after many 503s: fail_timeout never started.
    const after = await t.spread(12);
    expect(after[`200 ${pod.address}`]).toBeGreaterThan(0);
    expect(t.nginx.readFile("error.log").slice(logFrom)).not.toMatch(/no live upstreams|upstream server temporarily disabled/);
  });
});

/**
 * nginxServiceDiscovery dns_srv: the same cluster nginx.conf finding the pods through the headless
 * Service's SRV records (`_http._tcp.<name>`, as CoreDNS publishes them for the named port), served
 * by dnsmasq (`--srv-host`). nginx.conf names no pod port: each pod listens on its own, known only
 * from its record, and a record's port change is followed without a reload.
 */
describe("dns_srv: the cluster nginx.conf on a real nginx with SRV records from a real DNS server", () => {
  const config = { ...stackConfig("dev"), nginxServiceDiscovery: "dns_srv" as const, nginxRateLimitPerMinute: 1_000_000, nginxRateLimitBurst: 100_000, nginxConnLimitPerIp: 10_000 };
  const srvName = `${APP_PODS_SRV_SERVICE}.${APP_PODS_DNS_NAME}`;
  const pods: { pod: Pod; port: number; target: string }[] = [];
  const addr = (i: number) => `127.0.0.${70 + i}`;
  const publish = async () => {
    for (const p of pods) t.dns.publish(p.target, [p.pod.address]);
    await t.dns.publishSrv(srvName, pods.map((p) => ({ target: p.target, port: p.port })));
  };
  const t = resolvingNginx(config, {
    publish: async () => {
      for (let i = 0; i < 2; i++) {
        const port = await freePort("0.0.0.0");
        pods.push({ pod: await startPod(addr(i), port), port, target: `pod-${i}.${APP_PODS_DNS_NAME}` });
      }
      await publish();
      return undefined;
    },
    checkConf: (conf) => {
      // No pod port in the file: the records carry it.
      expect(conf).toContain(`server ${APP_PODS_DNS_NAME} service=${APP_PODS_SRV_SERVICE} `);
      expect(conf).not.toContain(`${APP_PODS_DNS_NAME}:`);
    },
  });
  afterAll(() => {
    for (const p of pods) p.pod.server.close();
  });

  test("balances over every SRV record, each pod on the port of its own record", async () => {
    expect(pods[0]!.port).not.toBe(pods[1]!.port);
    const seen = await t.spread(20);
    expect(Object.keys(seen).sort()).toEqual([`200 ${addr(0)}`, `200 ${addr(1)}`]);
    // Each pod listens only on its record's port, so each one served means each record's port was used.
    for (const p of pods) expect(p.pod.hits).toBeGreaterThan(0);
  });

  test("a record's port changed in DNS: traffic follows within the resolver's validity, without a reload; the old port gets none", async () => {
    const workers = t.nginx.workerPids();
    const dnsPid = t.dns.pid;
    const moved = pods[1]!;
    const newPort = await freePort("0.0.0.0");
    const old = moved.pod;
    moved.pod = await startPod(old.address, newPort);
    moved.port = newPort;
    await publish();
    const changedAt = Date.now();
    while (moved.pod.hits === 0 && Date.now() - changedAt < 10_000) await get(t.listenPort, "/api/x", config.domain);
    expect(moved.pod.hits).toBeGreaterThan(0);
    expect(Date.now() - changedAt).toBeLessThan((config.nginxResolverValidSeconds + 2) * 1000);
    // Once nginx has the new set, the old port gets nothing and no request fails.
    await sleep(config.nginxResolverValidSeconds * 1000 + 500);
    const before = old.hits;
    const seen = await t.spread(20);
    expect(old.hits).toBe(before);
    expect(Object.keys(seen).sort()).toEqual([`200 ${addr(0)}`, `200 ${addr(1)}`]);
    expect(t.nginx.workerPids()).toEqual(workers);
    // The DNS server nginx queries was not restarted for the change (dnsmasq takes SRV records only at start).
    expect(t.dns.pid).toBe(dnsPid);
    old.server.close();
  }, 30_000);
});
