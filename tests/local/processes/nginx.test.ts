/** The private-nginx helper: start on a prefix, reload (checked first), stop exactly its own pids. */
import { buildLocalNginxModel } from "../../../local/nginx-site";
import { readdirSync, rmSync } from "node:fs";
import * as http from "node:http";
import { renderNginxConf } from "../../../infra/nginx";
import { makeNginxPrefix, startNginx, type NginxProcess } from "../../../local/processes/nginx";
import { freePort } from "../../../local/processes/ports";
import { stackConfig } from "../../infra/nginx/support";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function status(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });
}

const started: NginxProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((n) => n.dispose()));
});

async function confFor(prefix: string) {
  const [listenPort, statusPort] = [await freePort(), await freePort()];
  const model = buildLocalNginxModel(stackConfig("dev"), { prefix, listenPort, statusPort, upstreams: [{ host: "127.0.0.1", port: await freePort() }] });
  return { conf: renderNginxConf(model), listenPort, statusPort };
}

test("start, reload with a new conf, refuse a broken reload, stop exactly its own processes", async () => {
  const prefix = makeNginxPrefix();
  const first = await confFor(prefix);
  const nginx = await startNginx({ prefix, conf: first.conf, ports: [first.listenPort, first.statusPort] });
  started.push(nginx);
  const otherPrefix = makeNginxPrefix();
  const otherConf = await confFor(otherPrefix);
  const other = await startNginx({ prefix: otherPrefix, conf: otherConf.conf, ports: [otherConf.listenPort] });
  started.push(other);

  expect(nginx.running).toBe(true);
  const master = nginx.pid!;
  const workers = nginx.workerPids();
  expect(workers).toHaveLength(1);
  expect(await status(first.statusPort, "/nginx-health")).toBe(200);

  // Reload: same ports, the liveness path moves; the master stays, workers are replaced.
  const second = first.conf.replace(/\/nginx-health/g, "/alive");
  await nginx.reload(second);
  expect(nginx.pid).toBe(master);
  expect(nginx.workerPids().some((w) => !workers.includes(w))).toBe(true);
  expect(await status(first.statusPort, "/alive")).toBe(200);
  expect(await status(first.statusPort, "/nginx-health")).toBe(404);

  // A broken conf is refused before SIGHUP; the running config keeps serving.
  await expect(nginx.reload(second.replace("worker_processes 1;", "worker_processes one;"))).rejects.toThrow(/nginx -t failed/);
  expect(await status(first.statusPort, "/alive")).toBe(200);

  const workersNow = nginx.workerPids();
  await nginx.stop();
  expect(nginx.running).toBe(false);
  expect(alive(master)).toBe(false);
  for (const w of workersNow) expect(alive(w)).toBe(false);
  await expect(status(first.statusPort, "/alive")).rejects.toThrow();
  // Another private nginx was not touched.
  expect(other.running).toBe(true);
  expect(alive(other.pid!)).toBe(true);
  expect(await status(otherConf.statusPort, "/nginx-health")).toBe(200);
});

test("a conf that fails nginx -t is reported with nginx's message and nothing is left running", async () => {
  const prefix = makeNginxPrefix();
  try {
    await expect(startNginx({ prefix, conf: "events {}\nhttp { server { listen 127.0.0.1:1 bogus_flag; } }\n" })).rejects.toThrow(/nginx -t failed[\s\S]*bogus_flag/);
    expect(readdirSync(prefix)).not.toContain("nginx.pid");
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});
