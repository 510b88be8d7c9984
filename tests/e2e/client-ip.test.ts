/**
 * The address the app sees (and keys its rate limit on) cannot be forged with X-Forwarded-For:
 * locally the ALB's stand-in (haproxy) appends the client's address and nginx believes its header
 * only from the stand-in's address; with a trusted balancer CIDR configured, nginx walks
 * X-Forwarded-For past peers inside that CIDR too.
 */
import { startDataPlane, type DataPlane } from "../../local";
import { httpGet } from "../../local/load";
import { readFileSync } from "node:fs";
import * as https from "node:https";
import { connect as tlsConnect, type TLSSocket } from "node:tls";

const FORGED = { "x-forwarded-for": "6.6.6.6", "x-real-ip": "7.7.7.7" };

async function seenIp(plane: DataPlane, headers: Record<string, string>): Promise<string> {
  const answer = await httpGet(plane.urls.hello, { headers });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.body) as { clientIp: string }).clientIp;
}

async function withPlane(trustedProxyCidrs: string[] | undefined, body: (plane: DataPlane) => Promise<void>): Promise<void> {
  const plane = await startDataPlane({ replicas: 1, logLevel: "warn", trustedProxyCidrs });
  try {
    await body(plane);
  } finally {
    await plane.stop();
  }
}

/** GET over TLS straight to nginx's ALB listener (the test CA), as a peer that is not the ALB's stand-in. */
function directTls(plane: DataPlane, headers: Record<string, string>): Promise<{ status: number; body: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: "127.0.0.1", port: plane.nginxAlbPort, path: "/api/hello", headers, ca: readFileSync(plane.tlsCaFile), servername: "localhost", agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body, protocol: (res.socket as TLSSocket).getProtocol() }));
    });
    req.once("error", reject);
  });
}

test("default (the ALB's stand-in in front): a forged X-Forwarded-For / X-Real-IP does not change the client IP", async () => {
  await withPlane(undefined, async (plane) => {
    // nginx believes X-Forwarded-For from the ALB stand-in's address only.
    expect([...new Set(plane.nginxConf.match(/set_real_ip_from [^;]+;/g))]).toEqual(["set_real_ip_from 127.0.0.4/32;"]);
    expect(await seenIp(plane, {})).toBe("127.0.0.1");
    expect(await seenIp(plane, FORGED)).toBe("127.0.0.1");
    expect(await seenIp(plane, { "x-forwarded-for": "6.6.6.6, 8.8.8.8" })).toBe("127.0.0.1");
  });
});

test("the ALB's hop is TLS: nginx's ALB listener speaks TLS 1.2+ only, refuses plain HTTP, and believes no other peer's X-Forwarded-For", async () => {
  await withPlane(undefined, async (plane) => {
    expect(plane.nginxConf).toMatch(new RegExp(`listen 127\\.0\\.0\\.1:${plane.nginxAlbPort} ssl;`));
    const direct = await directTls(plane, { "x-forwarded-for": "6.6.6.6", "x-forwarded-proto": "http" });
    expect(direct.status).toBe(200);
    expect(direct.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(JSON.parse(direct.body)).toMatchObject({ clientIp: "127.0.0.1", protocol: "https" });
    // Plain HTTP on the TLS port: nginx's 400, never the site.
    const plain = await httpGet(`http://127.0.0.1:${plane.nginxAlbPort}/api/hello`);
    expect(plain.status).toBe(400);
    expect(plain.body).toMatch(/plain http on a tls port/);
    // TLS 1.1 is refused at the handshake.
    await expect(
      new Promise((resolve, reject) => {
        const s = tlsConnect({ host: "127.0.0.1", port: plane.nginxAlbPort, maxVersion: "TLSv1.1", minVersion: "TLSv1", rejectUnauthorized: false }, () => resolve(s.getProtocol()));
        s.once("error", reject);
      }),
    ).rejects.toThrow();
  });
});

test("a trusted balancer CIDR that is not the peer: the header is still ignored", async () => {
  await withPlane(["10.0.0.0/8"], async (plane) => {
    expect(plane.nginxConf).toMatch(/set_real_ip_from 10\.0\.0\.0\/8;/);
    expect(await seenIp(plane, FORGED)).toBe("127.0.0.1");
  });
});

test("the peer inside the trusted CIDR (a balancer on loopback): its X-Forwarded-For is the client", async () => {
  await withPlane(["127.0.0.1/32"], async (plane) => {
    expect(await seenIp(plane, { "x-forwarded-for": "6.6.6.6" })).toBe("6.6.6.6");
    // real_ip_recursive: the rightmost untrusted address, so the client's own forged prefix is skipped.
    expect(await seenIp(plane, { "x-forwarded-for": "9.9.9.9, 6.6.6.6" })).toBe("6.6.6.6");
  });
});

test("forged X-Forwarded-Proto / X-Forwarded-For change neither protocol nor address, through nginx or directly at a replica", async () => {
  await withPlane(undefined, async (plane) => {
    const forged = { ...FORGED, "x-forwarded-proto": "https" };
    const viaNginx = await httpGet(plane.urls.hello, { headers: forged });
    expect(JSON.parse(viaNginx.body)).toMatchObject({ clientIp: "127.0.0.1", protocol: "http" });
    expect(viaNginx.headers["strict-transport-security"]).toBeUndefined();
    // Straight at a replica: it trusts only nginx's source address (127.0.0.2), not this client.
    for (const headers of [forged, { "x-forwarded-for": "<script>alert(1)</script>" }]) {
      const direct = await httpGet(`${plane.replicas[0]!.url}/api/hello`, { headers });
      expect(JSON.parse(direct.body)).toMatchObject({ clientIp: "127.0.0.1", protocol: "http" });
    }
    // An unknown Host gets 421 from nginx's default server.
    expect((await httpGet(plane.urls.hello, { headers: { host: "evil.example" } })).status).toBe(421);
  });
});
