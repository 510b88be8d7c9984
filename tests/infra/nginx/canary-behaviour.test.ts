/**
 * The canary track with the real nginx in front of loopback backends: the weight's split over 5,000
 * requests, forcing by header and cookie (exact), their precedence, the health check pinned to the
 * stable track, the track in the access log, and the fallback to the stable track when no canary pod is live.
 */
import * as http from "node:http";
import { freePort } from "../../../local/processes/ports";
import { waitUntil } from "../../harness/wait";
import { countBy, echoOf, get, NO_LIMITS, nginxBehaviour } from "./support";

const CANARY_IMAGE = "registry.example.com/app:2.0.0";
const t = nginxBehaviour(16);


async function setup(weightPercent: number) {
  const started = await Promise.all(["stable1", "stable2", "canary1"].map((n) => t.backend(n)));
  const [s1, s2, c1] = started;
  const nginx = await t.nginx(
    [
      { host: "127.0.0.1", port: s1.port },
      { host: "127.0.0.1", port: s2.port },
    ],
    {
      config: { ...NO_LIMITS, canaryImage: CANARY_IMAGE, canaryWeightPercent: weightPercent, canaryHeader: "X-Canary", canaryCookie: "edge_canary" },
      canaryUpstreams: [{ host: "127.0.0.1", port: c1.port }],
    },
  );
  return nginx;
}

const track = (backend: string) => (backend.startsWith("canary") ? "canary" : "stable");

/** `total` requests over `loops` concurrent keep-alive clients; the tracks that served them. */
async function tracks(port: number, total: number, headers: Record<string, string> = {}, path = "/api/split"): Promise<string[]> {
  const served: string[] = [];
  const loops = 8;
  await Promise.all(
    Array.from({ length: loops }, async (_, l) => {
      for (let i = l; i < total; i += loops) {
        const reply = await get(t.agent, port, `${path}/${i}`, headers);
        expect(reply.status).toBe(200);
        served.push(track(echoOf(reply).backend));
      }
    }),
  );
  return served;
}

test.each([10, 25])("%i%% of 5,000 requests go to the canary, within ±2 points", async (weight) => {
  const nginx = await setup(weight);
  const served = await tracks(nginx.port, 5000);
  const share = ((countBy(served).get("canary") ?? 0) / served.length) * 100;
  expect(Math.abs(share - weight)).toBeLessThanOrEqual(2);
});

test("the header and the cookie force a track exactly; the header wins over the cookie, both over the weight", async () => {
  const nginx = await setup(50);
  const only = async (headers: Record<string, string>) => new Set(await tracks(nginx.port, 200, headers));
  expect(await only({ "X-Canary": "always" })).toEqual(new Set(["canary"]));
  expect(await only({ "X-Canary": "never" })).toEqual(new Set(["stable"]));
  expect(await only({ Cookie: "edge_canary=always" })).toEqual(new Set(["canary"]));
  expect(await only({ Cookie: "session=x; edge_canary=never" })).toEqual(new Set(["stable"]));
  expect(await only({ "X-Canary": "never", Cookie: "edge_canary=always" })).toEqual(new Set(["stable"]));
  expect(await only({ "X-Canary": "always", Cookie: "edge_canary=never" })).toEqual(new Set(["canary"]));
  // Any other value forces nothing: the weight decides.
  expect(await only({ "X-Canary": "yes please" })).toEqual(new Set(["canary", "stable"]));
});

test("weight 0: only forced requests reach the canary; weight 100: all but forced-stable ones", async () => {
  const zero = await setup(0);
  expect(new Set(await tracks(zero.port, 300))).toEqual(new Set(["stable"]));
  expect(new Set(await tracks(zero.port, 50, { "X-Canary": "always" }))).toEqual(new Set(["canary"]));
  const all = await setup(100);
  expect(new Set(await tracks(all.port, 300))).toEqual(new Set(["canary"]));
  expect(new Set(await tracks(all.port, 50, { Cookie: "edge_canary=never" }))).toEqual(new Set(["stable"]));
});

test("the load balancers' health check always asks the stable track, even at weight 100", async () => {
  const nginx = await setup(100);
  for (let i = 0; i < 50; i++) {
    const reply = await get(t.agent, nginx.port, "/health");
    expect(reply.status).toBe(200);
    expect(track(echoOf(reply).backend)).toBe("stable");
  }
});

test("each access-log line names the request's track", async () => {
  const nginx = await setup(0);
  await get(t.agent, nginx.port, "/api/logged-stable");
  await get(t.agent, nginx.port, "/api/logged-canary", { "X-Canary": "always" });
  // nginx writes a request's line when the request ends, which may be just after the client has its answer.
  const read = () =>
    nginx.nginx
      .readFile("access.log")
      .trim()
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { uri: string; track: string });
  await waitUntil(() => read().some((l) => l.uri === "/api/logged-canary"));
  const lines = read();
  expect(lines.find((l) => l.uri === "/api/logged-stable")?.track).toBe("stable");
  expect(lines.find((l) => l.uri === "/api/logged-canary")?.track).toBe("canary");
});

test("a canary request that finds no live canary pod falls back to the stable track (logged as canary, the fallback in upstream_addr); a POST is not re-sent", async () => {
  const started = await Promise.all(["stable1", "stable2"].map((n) => t.backend(n)));
  const deadCanary = await freePort();
  const nginx = await t.nginx(
    started.map((b) => ({ host: "127.0.0.1", port: b.port })),
    {
      config: { ...NO_LIMITS, nginxMaxFails: 1, nginxFailTimeoutSeconds: 30, canaryImage: CANARY_IMAGE, canaryWeightPercent: 100, canaryHeader: "X-Canary", canaryCookie: "edge_canary" },
      canaryUpstreams: [{ host: "127.0.0.1", port: deadCanary }],
    },
  );
  // The first request finds the canary pod refusing (now marked failed); the later ones find no live canary pod at all.
  for (let i = 0; i < 6; i++) {
    const reply = await get(t.agent, nginx.port, `/api/fallback/${i}`, { "X-Canary": "always" });
    expect(reply.status).toBe(200);
    expect(track(echoOf(reply).backend)).toBe("stable");
  }
  const post = await new Promise<number>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: nginx.port, path: "/api/fallback-post", method: "POST", agent: t.agent, headers: { "content-type": "application/json", "X-Canary": "always" } }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
    });
    req.once("error", reject);
    req.end("{}");
  });
  expect(post).toBe(502);
  const lines = nginx.nginx
    .readFile("access.log")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { uri: string; track: string; status: string; upstream_addr: string });
  const fellBack = lines.filter((l) => l.uri.startsWith("/api/fallback/"));
  expect(fellBack).toHaveLength(6);
  for (const l of fellBack) {
    expect(l.track).toBe("canary");
    expect(l.upstream_addr).toContain(" : ");
  }
});
