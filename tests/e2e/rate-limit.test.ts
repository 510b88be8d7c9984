/**
 * Both limiters through the whole path: the app's Redis sliding window (shared by every replica)
 * answers 429 with RateLimit headers and Retry-After, and nginx's limit_req answers 429 itself
 * (the request never reaches a replica) once a client's burst is spent.
 */
import * as http from "node:http";
import { startDataPlane, type DataPlane } from "../../local";
import { getMany, httpGet, type HttpAnswer } from "../../local/load";

const APP_LIMIT = 5;
const APP_WINDOW_MS = 2000;
let plane: DataPlane;

beforeAll(async () => {
  plane = await startDataPlane({
    replicas: 2,
    logLevel: "warn",
    // nginx keeps the dev stack's limit_req (600 r/m, burst 20); the app's limit is lowered so the test is quick.
    configOverrides: { rateLimitMax: APP_LIMIT, rateLimitWindowMs: APP_WINDOW_MS },
  });
});

afterAll(async () => {
  await plane?.stop();
});

test("the app's limiter admits exactly the limit across replicas, then 429 with RateLimit headers and Retry-After", async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const answers: HttpAnswer[] = [];
  try {
    for (let i = 0; i < APP_LIMIT + 3; i += 1) answers.push(await httpGet(plane.urls.hello, { agent }));
  } finally {
    agent.destroy();
  }
  expect(answers.map((a) => a.status)).toEqual([...Array<number>(APP_LIMIT).fill(200), 429, 429, 429]);
  // One limit for the client, whichever replica answers: the window lives in Redis.
  expect(new Set(answers.map((a) => a.headers["x-instance"])).size).toBe(2);
  answers.slice(0, APP_LIMIT).forEach((a, i) => {
    expect(a.headers["ratelimit-policy"]).toBe(`"default";q=${APP_LIMIT};w=${APP_WINDOW_MS / 1000}`);
    expect(a.headers["ratelimit"]).toMatch(new RegExp(`^"default";r=${APP_LIMIT - 1 - i};t=\\d+$`));
  });
  for (const rejected of answers.slice(APP_LIMIT)) {
    expect(rejected.headers["x-instance"]).toMatch(/^replica-\d$/); // answered by the app, not nginx
    expect(rejected.headers["ratelimit"]).toMatch(/^"default";r=0;t=\d+$/);
    const retryAfter = Number(rejected.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(APP_WINDOW_MS / 1000);
    expect(JSON.parse(rejected.body)).toMatchObject({ error: "too many requests" });
  }
  // A client that waits Retry-After is admitted again.
  await new Promise((r) => setTimeout(r, Number(answers[APP_LIMIT]!.headers["retry-after"]) * 1000 + 100));
  expect((await httpGet(plane.urls.hello)).status).toBe(200);
});

test("nginx's limit_req answers 429 itself once the burst is spent", async () => {
  // Let the previous test's requests drain from nginx's bucket (600 r/m = one per 100 ms).
  await new Promise((r) => setTimeout(r, 2500));
  const { nginxRateLimitPerMinute, nginxRateLimitBurst } = plane.config;
  expect([nginxRateLimitPerMinute, nginxRateLimitBurst]).toEqual([600, 20]);
  // /livez is not limited by the app, so every 429 here comes from nginx.
  const started = Date.now();
  const answers = await getMany(`${plane.urls.site}livez`, 80, 8);
  const elapsedSeconds = (Date.now() - started) / 1000;
  const admitted = answers.filter((a) => a.status === 200);
  const rejected = answers.filter((a) => a.status === 429);
  expect(admitted.length + rejected.length).toBe(answers.length);
  // The burst (nodelay) plus what the rate refills while the requests are sent, and no more.
  expect(admitted.length).toBeGreaterThanOrEqual(nginxRateLimitBurst);
  expect(admitted.length).toBeLessThanOrEqual(nginxRateLimitBurst + 2 + Math.ceil((elapsedSeconds * nginxRateLimitPerMinute) / 60));
  expect(rejected.length).toBeGreaterThan(0);
  for (const r of rejected) {
    expect(r.headers["x-instance"]).toBeUndefined(); // never reached a replica
    expect(r.headers["x-content-type-options"]).toBe("nosniff"); // nginx's headers (add_header always)
  }
  // Refusals are not logged one by one (limit_req_log_level info, below error_log warn).
  expect(plane.nginx.readFile("error.log")).not.toMatch(/limiting requests/);
});
