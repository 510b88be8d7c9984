/**
 * The local plane trusts exactly its own haproxy (the NLB's stand-in): a PROXY header sent straight
 * to nginx's PROXY listener by anyone else is refused, so no client picks its own address and a
 * fresh budget; haproxy's TLS port closes silent handshakes and caps connections per source, so one
 * address cannot lock honest TLS clients out. And a dnsmasq that dies is restarted with its records.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { startDataPlane, type DataPlane } from "../../local";
import { httpGet } from "../../local/load";
import { CONNECTIONS_PER_SOURCE, TLS_HANDSHAKE_TIMEOUT_SECONDS } from "../../local/processes/haproxy";

let plane: DataPlane;
const problems: string[] = [];

beforeAll(async () => {
  plane = await startDataPlane({ replicas: 1, proxyProtocol: true, logLevel: "warn", onProblem: (m) => problems.push(m) });
}, 90_000);

afterAll(async () => {
  await plane?.stop();
});

/** nginx's PROXY-protocol ports, from the conf it runs. */
const proxyPorts = () => [...plane.nginxConf.matchAll(/listen 127\.0\.0\.1:(\d+) proxy_protocol;/g)].map((m) => Number(m[1]));

function raw(port: number, data: string, localAddress = "127.0.0.1"): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1", localAddress }, () => s.write(data));
    let text = "";
    s.on("data", (c: Buffer) => (text += c.toString("latin1")));
    s.on("close", () => resolve(text));
    s.on("error", () => resolve(text));
    s.setTimeout(5000, () => s.destroy());
  });
}

function tlsHello(localAddress: string): Promise<{ status: number; clientIp?: string }> {
  const ca = readFileSync(plane.nlb!.caFile, "utf8");
  return new Promise((resolve) => {
    const tcp = net.connect({ port: plane.nlb!.tlsPort, host: "127.0.0.1", localAddress });
    const s = tls.connect({ socket: tcp, servername: "localhost", ca }, () =>
      s.write("GET /api/hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    );
    let text = "";
    s.on("data", (c: Buffer) => (text += c.toString()));
    s.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0);
      const body = text.slice(text.indexOf("\r\n\r\n") + 4);
      resolve({ status, clientIp: status === 200 ? (JSON.parse(body.slice(body.indexOf("{"), body.lastIndexOf("}") + 1)) as { clientIp: string }).clientIp : undefined });
    });
    s.on("error", () => resolve({ status: 0 }));
    s.setTimeout(8000, () => s.destroy());
  });
}

test("a PROXY header from anyone but haproxy's own address is refused (403), for every spoofed source; through haproxy the client is who it is", async () => {
  const ports = proxyPorts();
  expect(ports).toHaveLength(2);
  const statuses: Record<string, number> = {};
  for (let i = 0; i < 64; i++) {
    for (const port of ports) {
      const answer = await raw(port, `PROXY TCP4 198.51.100.${i} 127.0.0.1 40000 443\r\nGET /api/hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      const status = /^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? "none";
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }
  // Before: 256/256 spoofed sources admitted (200), each with a fresh budget.
  expect(statuses).toEqual({ "403": 128 });
  expect((await tlsHello("127.0.0.1")).clientIp).toBe("127.0.0.1");
  expect((await tlsHello("127.0.0.77")).clientIp).toBe("127.0.0.77");
});

test(`silent connections from one address to haproxy's TLS port: capped at ${CONNECTIONS_PER_SOURCE} and closed after the ${TLS_HANDSHAKE_TIMEOUT_SECONDS} s handshake bound; honest TLS clients are served`, async () => {
  const sockets: net.Socket[] = [];
  let refusedOrClosed = 0;
  try {
    for (let i = 0; i < 1000; i++) {
      const s = net.connect({ port: plane.nlb!.tlsPort, host: "127.0.0.1", localAddress: "127.0.0.66" });
      s.on("error", () => undefined);
      s.on("close", () => refusedOrClosed++);
      sockets.push(s);
    }
    await sleep(1500);
    // Everything beyond the per-source cap is refused at once.
    expect(refusedOrClosed).toBeGreaterThanOrEqual(1000 - CONNECTIONS_PER_SOURCE - 5);
    // Before: 0/3 honest TLS clients served while 5,000 silent connections were held.
    const honest = await Promise.all([tlsHello("127.0.0.67"), tlsHello("127.0.0.68"), tlsHello("127.0.0.69")]);
    expect(honest.map((h) => h.status)).toEqual([200, 200, 200]);
    // The silent ones that were let in are closed by the handshake timeout.
    await sleep(TLS_HANDSHAKE_TIMEOUT_SECONDS * 1000 + 1500);
    expect(refusedOrClosed).toBe(1000);
  } finally {
    for (const s of sockets) s.destroy();
  }
}, 30_000);

test("a dnsmasq that dies is restarted on the same address with the same records; the site keeps answering", async () => {
  const before = plane.dns.pid!;
  const published = plane.dns.published("app-pods.edgestack.svc.cluster.local");
  process.kill(before, "SIGKILL");
  const deadline = Date.now() + 10_000;
  while ((plane.dns.pid === undefined || plane.dns.pid === before) && Date.now() < deadline) await sleep(100);
  expect(plane.dns.pid).toBeDefined();
  expect(plane.dns.pid).not.toBe(before);
  expect(problems.join("\n")).toMatch(/dnsmasq .* exited on its own; restarting it/);
  expect(plane.dns.published("app-pods.edgestack.svc.cluster.local")).toEqual(published);
  // nginx keeps resolving the replicas through it.
  await sleep((plane.config.nginxResolverValidSeconds + 1) * 1000);
  for (let i = 0; i < 5; i++) expect((await httpGet(plane.urls.hello)).status).toBe(200);
}, 30_000);
