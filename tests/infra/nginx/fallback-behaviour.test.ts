/**
 * The fallback upstream, proven with the real nginx: a request the pods' upstream has no live server
 * for (nginx's own 502, "no live upstreams" included) is served once by the fallback; a
 * non-idempotent one is not re-sent; the app's own 502 reaches the client untouched; a failed
 * fallback still answers in the JSON error format.
 */
import * as http from "node:http";
import { freePort } from "../../../local/processes/ports";
import {echoOf, get, NO_LIMITS, nginxBehaviour, type LocalNginx } from "./support";

const t = nginxBehaviour(4);


/** nginx with `primaries` as the pods' upstream (max_fails 1) and `fallback` as the fallback upstream's one server. */
async function setup(primaries: number[], fallback: number): Promise<LocalNginx> {
  const nginx = await t.nginx(
    primaries.map((port) => ({ host: "127.0.0.1", port })),
    {
      config: { ...NO_LIMITS, nginxMaxFails: 1, nginxFailTimeoutSeconds: 30 },
      edit: (model) => {
        const u = model.upstreams.find((x) => x.name === "app_fallback")!;
        u.servers = [{ ...u.servers[0]!, host: "127.0.0.1", port: fallback }];
      },
    },
  );
  return nginx;
}

function post(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", agent: t.agent, headers: { "content-type": "application/json" } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once("error", reject);
    req.end("{}");
  });
}

test("no live pod for a request: the fallback serves it, including nginx's 'no live upstreams' case", async () => {
  const service = await t.backend("service");
  const nginx = await setup([await freePort(), await freePort()], service.port);
  // The first request finds both pods refusing (each now marked failed); the later ones find no live pod at all.
  for (let i = 0; i < 4; i++) {
    const reply = await get(t.agent, nginx.port, "/api/hello");
    expect(reply.status).toBe(200);
    expect(echoOf(reply).backend).toBe("service");
  }
  expect(service.hits).toBe(4);
  expect(nginx.nginx.readFile("error.log")).toMatch(/no live upstreams/);
});

test("a non-idempotent request is not re-sent to the fallback: JSON 502", async () => {
  const service = await t.backend("service");
  const nginx = await setup([await freePort()], service.port);
  const reply = await post(nginx.port, "/api/hello");
  expect(reply.status).toBe(502);
  expect(JSON.parse(reply.body)).toMatchObject({ error: "bad gateway", status: 502 });
  expect(service.hits).toBe(0);
});

test("the app's own 502 reaches the client unchanged (not diverted to the fallback)", async () => {
  const [pod, service] = [await t.backend("pod"), await t.backend("service")];
  const nginx = await setup([pod.port], service.port);
  const reply = await get(t.agent, nginx.port, "/api/hello?status=502");
  expect(reply.status).toBe(502);
  expect(echoOf(reply).backend).toBe("pod");
  expect(service.hits).toBe(0);
});

test("a fallback that fails too: nginx's JSON 502 with the security headers", async () => {
  const nginx = await setup([await freePort()], await freePort());
  const reply = await get(t.agent, nginx.port, "/api/hello");
  expect(reply.status).toBe(502);
  expect(JSON.parse(reply.body)).toMatchObject({ error: "bad gateway", status: 502 });
  expect(reply.headers["x-content-type-options"]).toBe("nosniff");
});

test("after an attempt times out on a hung pod, a second hung pod costs only a short attempt: served within one read timeout plus one connect timeout", async () => {
  // Two pods that never answer (a stopped process: the socket accepts, nothing replies) and a live one.
  const hung = [await t.backend("hung-a", { delayMs: 60_000 }), await t.backend("hung-b", { delayMs: 60_000 })];
  const pod = await t.backend("pod");
  const nginx = await t.nginx(
    [...hung, pod].map((b) => ({ host: "127.0.0.1", port: b.port })),
    { config: { ...NO_LIMITS, nginxLoadBalancing: "round_robin", proxyReadTimeoutSeconds: 2, proxyConnectTimeoutSeconds: 2 } },
  );
  const timings: number[] = [];
  for (let i = 0; i < 3; i++) {
    const sentAt = Date.now();
    const reply = await get(t.agent, nginx.port, "/api/hello");
    timings.push(Date.now() - sentAt);
    expect(reply.status).toBe(200);
    expect(echoOf(reply).backend).toBe("pod");
  }
  // Before: one hung pod's read timeout, then the other's (a 504 at 4 s). Now 2 s, then a short attempt (500 ms) per hung pod retried.
  expect(Math.max(...timings)).toBeLessThan(2000 + 2000 + 700);
  // A POST is never sent twice: its timeout stands (JSON 504).
  const reply = await post(nginx.port, "/api/hello?delay=60000");
  expect(reply.status).toBe(504);
  expect(JSON.parse(reply.body)).toMatchObject({ error: "gateway timeout", status: 504 });
}, 60_000);
