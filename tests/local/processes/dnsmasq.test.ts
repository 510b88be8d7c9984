import { Resolver } from "node:dns/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { hostsFile, startDnsmasq, type DnsServer } from "../../../local/processes/dnsmasq";

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
