/**
 * The configured upstream algorithm, proven with the real nginx in front of loopback backends:
 * distribution per algorithm, and a dead backend skipped without a single failed client request.
 */
import * as http from "node:http";
import type { LoadBalancing } from "../../../infra/nginx";
import { freePort } from "../../../local/processes/ports";
import {countBy, echoOf, get, NO_LIMITS, nginxBehaviour } from "./support";

const t = nginxBehaviour(8);


async function setup(algorithm: LoadBalancing, specs: { name: string; weight?: number; delayMs?: number }[], extra: { deadPorts?: number[] } = {}) {
  const started = await Promise.all(specs.map((s) => t.backend(s.name, { delayMs: s.delayMs })));
  const upstreams = [
    ...started.map((b, i) => ({ host: "127.0.0.1" as const, port: b.port, weight: specs[i].weight ?? 1 })),
    ...(extra.deadPorts ?? []).map((port) => ({ host: "127.0.0.1" as const, port })),
  ];
  const nginx = await t.nginx(upstreams, { config: { ...NO_LIMITS, nginxLoadBalancing: algorithm } });
  return { nginx, backends: started };
}

async function sequential(port: number, paths: string[], headers: (i: number) => Record<string, string> = () => ({})) {
  const served: string[] = [];
  for (const [i, path] of paths.entries()) {
    const reply = await get(t.agent, port, path, headers(i));
    expect(reply.status).toBe(200);
    served.push(echoOf(reply).backend);
  }
  return served;
}

/** `loops` concurrent clients each sending `each` requests one after another. */
async function concurrent(port: number, loops: number, each: number): Promise<string[]> {
  const served: string[] = [];
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (let i = 0; i < each; i++) {
        const reply = await get(t.agent, port, "/api/work");
        expect(reply.status).toBe(200);
        served.push(echoOf(reply).backend);
      }
    }),
  );
  return served;
}

test("round robin spreads requests evenly", async () => {
  const { nginx } = await setup("round_robin", [{ name: "a" }, { name: "b" }, { name: "c" }]);
  const counts = countBy(await sequential(nginx.port, Array.from({ length: 300 }, (_, i) => `/api/rr/${i}`)));
  expect([counts.get("a"), counts.get("b"), counts.get("c")]).toEqual([100, 100, 100]);
});

test("weights split traffic in proportion", async () => {
  const { nginx } = await setup("round_robin", [
    { name: "w1", weight: 1 },
    { name: "w2", weight: 2 },
    { name: "w3", weight: 3 },
  ]);
  const counts = countBy(await sequential(nginx.port, Array.from({ length: 600 }, (_, i) => `/api/w/${i}`)));
  expect([counts.get("w1"), counts.get("w2"), counts.get("w3")]).toEqual([100, 200, 300]);
});

describe("a slow backend", () => {
  const slowShare = (served: string[]) => served.filter((b) => b === "slow").length / served.length;

  test("least_conn sends most requests to the idle backend; round robin does not", async () => {
    const least = await setup("least_conn", [{ name: "slow", delayMs: 300 }, { name: "fast" }]);
    const leastShare = slowShare(await concurrent(least.nginx.port, 4, 15));
    const rr = await setup("round_robin", [{ name: "slow", delayMs: 300 }, { name: "fast" }]);
    const rrShare = slowShare(await concurrent(rr.nginx.port, 4, 6));
    expect(leastShare).toBeLessThan(0.25);
    expect(rrShare).toBeGreaterThanOrEqual(0.4);
  });

  test("random two least_conn avoids the busy backend and uses every idle one", async () => {
    const { nginx } = await setup("random_two_least_conn", [{ name: "slow", delayMs: 300 }, { name: "fast1" }, { name: "fast2" }]);
    const served = await concurrent(nginx.port, 4, 15);
    expect(slowShare(served)).toBeLessThan(0.25);
    expect(served).toContain("fast1");
    expect(served).toContain("fast2");
  });
});

test("ip_hash keeps each client network on one backend (client address from trusted X-Forwarded-For)", async () => {
  const { nginx } = await setup("ip_hash", [{ name: "a" }, { name: "b" }, { name: "c" }]);
  const byClient = new Map<string, Set<string>>();
  for (let net = 0; net < 16; net++) {
    for (let host = 1; host <= 4; host++) {
      // ip_hash keys IPv4 clients on the first three octets: every host of a /24 lands together.
      const reply = await get(t.agent, nginx.port, "/api/ip", { "X-Forwarded-For": `198.51.${net}.${host}` });
      expect(reply.status).toBe(200);
      const key = `198.51.${net}`;
      byClient.set(key, (byClient.get(key) ?? new Set()).add(echoOf(reply).backend));
    }
  }
  for (const served of byClient.values()) expect(served.size).toBe(1);
  const used = new Set([...byClient.values()].flatMap((s) => [...s]));
  expect(used.size).toBeGreaterThanOrEqual(2);
});

test("hash $request_uri consistent keeps each URI on one backend", async () => {
  const { nginx } = await setup("hash", [{ name: "a" }, { name: "b" }, { name: "c" }]);
  const byUri = new Map<string, Set<string>>();
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 20; i++) {
      const uri = `/api/item/${i}`;
      const [backend] = await sequential(nginx.port, [uri]);
      byUri.set(uri, (byUri.get(uri) ?? new Set()).add(backend));
    }
  }
  for (const served of byUri.values()) expect(served.size).toBe(1);
  expect(new Set([...byUri.values()].flatMap((s) => [...s])).size).toBeGreaterThanOrEqual(2);
});

test("a dead backend is skipped: no client request fails, before or after a replica dies", async () => {
  const neverListening = await freePort();
  const { nginx, backends: [a, b, c] } = await setup("least_conn", [{ name: "a" }, { name: "b" }, { name: "c" }], { deadPorts: [neverListening] });
  const before = await concurrent(nginx.port, 4, 10);
  expect(new Set(before)).toEqual(new Set(["a", "b", "c"]));

  await b.kill();
  const hitsBefore = { a: a.hits, c: c.hits };
  // Sequential and concurrent GETs: nginx retries the refused/reset connection on another server.
  const after = [...(await sequential(nginx.port, Array.from({ length: 30 }, (_, i) => `/api/after/${i}`))), ...(await concurrent(nginx.port, 4, 10))];
  expect(after).toHaveLength(70);
  expect(after).not.toContain("b");
  expect(a.hits - hitsBefore.a + (c.hits - hitsBefore.c)).toBe(70);
  expect(nginx.nginx.readFile("error.log")).toMatch(/connect\(\) failed \(111: Connection refused\)/);
});

test("random follows the weights (1:3 over 2,000 requests within ±4 points) and never sets a cookie", async () => {
  const { nginx } = await setup("random", [
    { name: "light", weight: 1 },
    { name: "heavy", weight: 3 },
  ]);
  const served: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const reply = await get(t.agent, nginx.port, `/api/random/${i}`);
    expect(reply.status).toBe(200);
    expect(reply.headers["set-cookie"]).toBeUndefined();
    served.push(echoOf(reply).backend);
  }
  const heavyShare = served.filter((b) => b === "heavy").length / served.length;
  expect(Math.abs(heavyShare - 0.75)).toBeLessThan(0.04);
});

describe("cookie_affinity", () => {
  const cookieOf = (reply: { headers: http.IncomingHttpHeaders }) => {
    const set = reply.headers["set-cookie"] ?? [];
    const c = set.find((v) => v.startsWith("edge_affinity="));
    return c === undefined ? undefined : c.split(";")[0];
  };

  test("each new client gets a cookie naming its pod; with it every later request lands there, also through a replica restart", async () => {
    const { backends: started, nginx } = await setup("cookie_affinity", [{ name: "a" }, { name: "b" }, { name: "c" }]);
    // Nine clients, each a first request without a cookie: least_conn picks, nginx sets the cookie.
    const clients: { cookie: string; backend: string }[] = [];
    for (let i = 0; i < 9; i++) {
      const reply = await get(t.agent, nginx.port, `/api/first/${i}`);
      const cookie = cookieOf(reply);
      expect(cookie).toMatch(/^edge_affinity=[0-9a-f]{32}$/);
      const attributes = reply.headers["set-cookie"]![0].split(";").slice(1).map((a) => a.trim().toLowerCase());
      expect(attributes.sort()).toEqual(["httponly", "path=/", "samesite=lax"]);
      clients.push({ cookie: cookie!, backend: echoOf(reply).backend });
    }
    expect(new Set(clients.map((c) => c.backend))).toEqual(new Set(["a", "b", "c"]));
    const stick = async (round: string) => {
      for (const [i, c] of clients.entries()) {
        for (let n = 0; n < 5; n++) {
          const reply = await get(t.agent, nginx.port, `/api/${round}/${i}/${n}`, { Cookie: c.cookie });
          expect([reply.status, echoOf(reply).backend]).toEqual([200, c.backend]);
        }
      }
    };
    await stick("again");

    // Replica b restarts at its old address: its clients' cookie still names it.
    const b = started.find((x) => x.name === "b")!;
    await b.kill();
    const downtime = await get(t.agent, nginx.port, "/api/while-b-is-down", { Cookie: clients.find((c) => c.backend === "b")!.cookie });
    // While it is down its clients are served elsewhere (not an error).
    expect(downtime.status).toBe(200);
    expect(echoOf(downtime).backend).not.toBe("b");
    await t.backend("b", { port: b.port });
    // nginx marked b failed for fail_timeout; the cookie keeps pointing at it once it is back.
    const deadline = Date.now() + 15_000;
    const bClient = clients.find((c) => c.backend === "b")!;
    while (Date.now() < deadline && echoOf(await get(t.agent, nginx.port, "/api/probe", { Cookie: bClient.cookie })).backend !== "b") await new Promise((r) => setTimeout(r, 250));
    await stick("after-restart");
  });

  test("no cookie with any other algorithm", async () => {
    const { nginx } = await setup("least_conn", [{ name: "a" }, { name: "b" }]);
    expect(cookieOf(await get(t.agent, nginx.port, "/api/x"))).toBeUndefined();
  });
});
