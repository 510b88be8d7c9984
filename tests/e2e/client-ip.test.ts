/**
 * The address the app sees (and keys its rate limit on) cannot be forged with X-Forwarded-For:
 * locally nginx is the edge and believes nobody's header; with a trusted balancer CIDR configured,
 * nginx takes the client address from X-Forwarded-For only when the peer is inside that CIDR.
 */
import { startDataPlane, type DataPlane } from "../../local";
import { httpGet } from "../../local/load";

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

test("default (nginx is the edge): a forged X-Forwarded-For / X-Real-IP does not change the client IP", async () => {
  await withPlane(undefined, async (plane) => {
    expect(plane.nginxConf).not.toMatch(/set_real_ip_from/);
    expect(await seenIp(plane, {})).toBe("127.0.0.1");
    expect(await seenIp(plane, FORGED)).toBe("127.0.0.1");
    expect(await seenIp(plane, { "x-forwarded-for": "6.6.6.6, 8.8.8.8" })).toBe("127.0.0.1");
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
