import { Resolver } from "node:dns/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { hostsFile, srvServersFile, startDnsmasq, type DnsServer } from "../../../local/processes/dnsmasq";

let dir: string;
let dns: DnsServer;
const resolver = new Resolver({ timeout: 1000, tries: 1 });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "edgestack-dnsmasq-test-"));
  dns = await startDnsmasq({ dir });
  resolver.setServers([dns.address]);
});
afterAll(async () => {
  await dns?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("hostsFile: one line per address", () => {
  expect(hostsFile("a.example", ["127.0.0.10", "127.0.0.11"])).toBe("127.0.0.10 a.example\n127.0.0.11 a.example\n");
  expect(hostsFile("a.example", [])).toBe("");
});

test("the real dnsmasq answers what was published last, at once, with TTL 0", async () => {
  const name = "app-pods.edgestack.svc.cluster.local";
  dns.publish(name, ["127.0.0.10", "127.0.0.11"]);
  await new Promise((r) => setTimeout(r, 50));
  expect((await resolver.resolve4(name)).sort()).toEqual(["127.0.0.10", "127.0.0.11"]);
  dns.publish(name, ["127.0.0.12"]);
  await new Promise((r) => setTimeout(r, 50));
  expect(await resolver.resolve4(name, { ttl: true })).toEqual([{ address: "127.0.0.12", ttl: 0 }]);
  dns.publish(name, []);
  await new Promise((r) => setTimeout(r, 50));
  await expect(resolver.resolve4(name)).rejects.toThrow();
  expect(dns.running).toBe(true);
});

test("it answers no other name (no upstream servers)", async () => {
  await expect(resolver.resolve4("example.com")).rejects.toThrow();
});

describe("SRV records", () => {
  const name = "_http._tcp.app-pods.edgestack.svc.cluster.local";
  const target = (i: number) => `pod-${i}.app-pods.edgestack.svc.cluster.local`;

  test("srvServersFile forwards each SRV name to every SRV server", () => {
    expect(srvServersFile(["_http._tcp.a", "_http._tcp.b"], [5353, 5354])).toBe(
      "server=/_http._tcp.a/127.0.0.1#5353\nserver=/_http._tcp.a/127.0.0.1#5354\nserver=/_http._tcp.b/127.0.0.1#5353\nserver=/_http._tcp.b/127.0.0.1#5354\n",
    );
    expect(srvServersFile([], [5353])).toBe("");
  });

  test("changing the records never restarts the DNS server nginx queries: every query during 5 changes is answered, each change at once", async () => {
    const pid = dns.pid;
    dns.publish(target(0), ["127.0.0.10"]);
    await dns.publishSrv(name, [{ target: target(0), port: 1000 }]);
    expect(await resolver.resolveSrv(name)).toEqual([{ name: target(0), port: 1000, priority: 0, weight: 1 }]);
    // Queries back to back while the records change: a restarting server would refuse or miss some.
    let querying = true;
    const failures: string[] = [];
    let answered = 0;
    const querier = (async () => {
      while (querying && failures.length < 100) {
        try {
          const [a, b] = await Promise.all([resolver.resolveSrv(name), resolver.resolve4(target(0))]);
          if (a.length !== 1 || b.length !== 1) failures.push(JSON.stringify([a, b]));
          answered += 1;
        } catch (err) {
          failures.push(String(err));
        }
      }
    })();
    const seen: number[][] = [];
    try {
      for (let port = 1001; port <= 1005; port++) {
        await dns.publishSrv(name, [{ target: target(0), port }]);
        seen.push((await resolver.resolveSrv(name)).map((r) => r.port));
      }
    } finally {
      querying = false;
      await querier;
    }
    expect(seen).toEqual([[1001], [1002], [1003], [1004], [1005]]);
    expect(failures).toEqual([]);
    console.log(`SRV changes: ${answered} query pairs answered during 5 changes, ${failures.length} failed`);
    expect(answered).toBeGreaterThan(20);
    expect(dns.pid).toBe(pid);
    expect(dns.running).toBe(true);
    // No records: the name has none, the main server still runs.
    await dns.publishSrv(name, []);
    await expect(resolver.resolveSrv(name)).rejects.toThrow();
    expect(dns.pid).toBe(pid);
  });

  test("an SRV server that dies is replaced by restart() without touching the main server", async () => {
    dns.publish(target(1), ["127.0.0.11"]);
    await dns.publishSrv(name, [{ target: target(1), port: 2000 }]);
    const pid = dns.pid;
    expect(dns.srvPids()).toHaveLength(2);
    process.kill(dns.srvPids()[0]!, "SIGKILL");
    const deadline = Date.now() + 5000;
    while (dns.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(dns.running).toBe(false);
    await dns.restart();
    expect(dns.running).toBe(true);
    expect(dns.pid).toBe(pid);
    expect(await resolver.resolveSrv(name)).toEqual([{ name: target(1), port: 2000, priority: 0, weight: 1 }]);
  });
});
