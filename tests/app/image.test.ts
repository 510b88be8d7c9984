/**
 * app/Dockerfile, rehearsed stage by stage without a Docker engine (local/image/rehearse.ts): the
 * runtime stage's command starts the app from what the stage holds — production dependencies,
 * the built dist, the static files — answers /livez and /health, passes the image's own
 * HEALTHCHECK command and stops with exit 0 on the image's STOPSIGNAL.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { rehearseDockerfile, type RehearsedImage } from "../../local/image/rehearse";
import { freePort, waitForPort } from "../../local/processes/ports";
import { startRedis, type RedisProcess } from "../../local/processes/redis";

const ROOT = path.resolve(__dirname, "../..");
let image: RehearsedImage;
let redis: RedisProcess;

beforeAll(async () => {
  redis = await startRedis();
  image = rehearseDockerfile(path.join(ROOT, "app/Dockerfile"), ROOT);
}, 180_000);

afterAll(async () => {
  if (image !== undefined) rmSync(image.dir, { recursive: true, force: true });
  await redis?.dispose();
});

test("the runtime stage holds the build output and production dependencies only", () => {
  const has = (p: string) => existsSync(path.join(image.workdir, p));
  expect(image.cmd).toEqual(["node", "dist/main.js"]);
  expect(has("dist/main.js")).toBe(true);
  expect(has("static")).toBe(true);
  for (const dep of ["find-my-way", "ioredis", "pino", "prom-client", "ws", "zod", "@edgestack/contract"]) expect(has(`node_modules/${dep}/package.json`)).toBe(true);
  // The contract package as built JavaScript, not a link into the build's sources.
  expect(has("node_modules/@edgestack/contract/dist/index.js")).toBe(true);
  // No sources, no compiler, no test tooling, no benchmark-only dependency.
  for (const absent of ["src", "node_modules/@edgestack/contract/src", "node_modules/@edgestack/app", "node_modules/@edgestack/policies", "node_modules/typescript", "node_modules/jest", "node_modules/rate-limiter-flexible", "node_modules/@pulumi"]) {
    expect({ path: absent, present: has(absent) }).toEqual({ path: absent, present: false });
  }
  // A numeric non-root user, so Kubernetes' runAsNonRoot can verify it.
  expect(image.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  expect(image.env.NODE_ENV).toBe("production");
});

test("the image's command serves, passes its HEALTHCHECK and stops cleanly on STOPSIGNAL", async () => {
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? "", ...image.env, PORT: String(port), METRICS_PORT: "0", HOST: "127.0.0.1", REDIS_URL: redis.url, SHUTDOWN_DELAY_MS: "0", LOG_LEVEL: "warn" };
  const [command, ...args] = image.cmd;
  const proc = spawn(command!, args, { cwd: image.workdir, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  try {
    await waitForPort(port, 20_000);
    expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const [hcCommand, ...hcArgs] = image.healthcheck!;
    const healthcheckExit = await new Promise<number>((resolve) =>
      execFile(hcCommand!, hcArgs, { env, cwd: image.workdir }, (err) => resolve(err === null ? 0 : ((err as { code?: number }).code ?? 1))),
    );
    expect(healthcheckExit).toBe(0);
  } finally {
    proc.kill((image.stopSignal ?? "SIGTERM") as NodeJS.Signals);
  }
  expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: "" });
});
