/**
 * Sized WebSocket capacity through the local data plane's nginx (sized by infra/nginx/capacity.ts
 * from the pod's limits, here with a small worker_connections ceiling so the test stays small):
 * many addresses, each at its per-address cap, hold half the pod's WebSocket capacity and honest
 * clients still open WebSockets and get HTTP answers; with the pod's WebSocket share full, a new
 * WebSocket gets nginx's JSON 429 (never a reset) and HTTP is still served from the rest.
 */
import { WebSocket } from "ws";
import { startDataPlane, type DataPlane } from "../../local";
import { httpGet } from "../../local/load";

const PER_CLIENT = 32;
let plane: DataPlane;
let perPod: number;
const held: WebSocket[] = [];

beforeAll(async () => {
  plane = await startDataPlane({ replicas: 2, logLevel: "warn", configOverrides: { nginxWorkerConnections: 1024, wsMaxConnectionsPerClient: PER_CLIENT, nginxConnLimitPerIp: 1000, nginxRateLimitBurst: 1000 } });
  perPod = Number(/limit_conn ws_per_pod (\d+);/.exec(plane.nginxConf)![1]);
}, 90_000);

afterAll(async () => {
  for (const ws of held) ws.terminate();
  await plane?.stop();
});

/** Opens /ws from `localAddress`: the status of the upgrade (101, or nginx's refusal) and whether the answer was JSON. */
function open(localAddress: string, keep = true): Promise<{ status: number; json: boolean }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(plane.urls.ws, { localAddress });
    ws.once("open", () => {
      if (keep) held.push(ws);
      else ws.terminate();
      resolve({ status: 101, json: false });
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: /^application\/json/.test(res.headers["content-type"] ?? "") && JSON.parse(body).status === res.statusCode }));
    });
    ws.once("error", () => resolve({ status: 0, json: false }));
  });
}

/** `addresses` × PER_CLIENT WebSockets, each address at its cap; resolves with the count opened. */
async function hold(addresses: string[]): Promise<number> {
  const results = await Promise.all(addresses.flatMap((a) => Array.from({ length: PER_CLIENT }, () => open(a))));
  return results.filter((r) => r.status === 101).length;
}

const honestHttp = async () => {
  const statuses = await Promise.all(Array.from({ length: 30 }, () => httpGet(plane.urls.hello).then((r) => r.status)));
  return statuses.filter((s) => s === 200).length;
};

test("the sized figures: WebSockets per pod are 3/4 of its connections, two connections each", () => {
  const workerConnections = Number(/worker_connections (\d+);/.exec(plane.nginxConf)![1]);
  expect(workerConnections).toBe(1024);
  expect(perPod).toBe(384);
  expect(plane.nginxConf).toMatch(/worker_rlimit_nofile \d+;/);
});

test("half the pod's WebSocket capacity held from many addresses at their cap: honest clients still open WebSockets (20/20) and get HTTP answers", async () => {
  const attackers = Array.from({ length: perPod / 2 / PER_CLIENT }, (_, i) => `127.0.1.${i + 1}`);
  expect(await hold(attackers)).toBe(perPod / 2);
  // One more from an attacking address is refused by the per-address cap (JSON 429), not a reset.
  expect(await open(attackers[0]!, false)).toEqual({ status: 429, json: true });
  const honest = await Promise.all(Array.from({ length: 20 }, (_, i) => open(`127.0.2.${i + 1}`, false)));
  // Before: with 1,950 sockets from 33 addresses, 1/20 honest WebSockets opened (19 resets).
  expect(honest.filter((h) => h.status === 101)).toHaveLength(20);
  expect(await honestHttp()).toBe(30);
}, 60_000);

test("the pod's WebSocket share full: a new WebSocket gets nginx's JSON 429, HTTP is still served", async () => {
  const more = Array.from({ length: perPod / 2 / PER_CLIENT }, (_, i) => `127.0.3.${i + 1}`);
  expect(await hold(more)).toBe(perPod / 2);
  const refused = await Promise.all(Array.from({ length: 5 }, (_, i) => open(`127.0.4.${i + 1}`, false)));
  expect(refused).toEqual(Array.from({ length: 5 }, () => ({ status: 429, json: true })));
  expect(await honestHttp()).toBe(30);
  expect(plane.nginx.readFile("error.log")).not.toMatch(/worker_connections are not enough/);
}, 60_000);
