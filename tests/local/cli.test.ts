/**
 * `npm run local` as a user runs it: a child process that prints its URLs, serves /health through
 * nginx, reports a server that dies, and on SIGTERM (to itself or to npm) stops every process it
 * started and exits 0, keeping the logs at the printed path unless --clean.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../offline/engine/stack-files";
import { httpGet } from "../../local/load";
import { freePort } from "../../local/processes/ports";

const TSX_CLI = require.resolve("tsx/cli", { paths: [PROJECT_ROOT] });
const CLI = path.join(PROJECT_ROOT, "local", "cli.ts");

function runCli(args: string[], viaNpm = false): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = viaNpm
    ? spawn("npm", ["run", "-s", "local", "--", ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, [TSX_CLI, CLI, ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  return { child, output: () => ({ stdout, stderr }), exit };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitReady(run: ReturnType<typeof runCli>): Promise<string> {
  const deadline = Date.now() + 50_000;
  while (!/^ready/m.test(run.output().stdout)) {
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`the CLI did not get ready:\n${JSON.stringify(run.output())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return run.output().stdout;
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, agent: false }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.once("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .once("error", reject);
  });
}

test("npm run local -- --nlb: TLS and PROXY v2 through haproxy, a dying redis-server reported, SIGTERM to npm stops everything, logs kept", async () => {
  const port = await freePort();
  const run = runCli(["--port", String(port), "--replicas", "2", "--nlb"], true);
  let pids: number[];
  let logs: string;
  try {
    const stdout = await waitReady(run);
    pids = stdout.match(/^pids (.+)$/m)![1]!.split(" ").map(Number);
    logs = stdout.match(/^ {2}logs +(\S+)$/m)![1]!;
    // The NLB's 443: TLS terminated by haproxy, PROXY v2 to nginx's listener, scheme https.
    const [, tlsUrl, caFile] = /^ {2}nlb tls +(\S+) \(CA (\S+)\)$/m.exec(stdout)!;
    const hello = await httpsGet(`${tlsUrl}api/hello`, readFileSync(caFile!, "utf8"));
    expect(hello.status).toBe(200);
    expect(JSON.parse(hello.body)).toMatchObject({ message: "hello", clientIp: "127.0.0.1" });
    // The NLB's 80: redirects to https, health passes through.
    const httpUrl = /^ {2}nlb http +(\S+)$/m.exec(stdout)![1]!;
    expect((await httpGet(`${httpUrl}x`)).status).toBe(301);
    expect((await httpGet(`${httpUrl}health`)).status).toBe(200);

    // redis-server dies behind the CLI's back: reported, the site keeps answering.
    process.kill(pids[0]!, "SIGKILL");
    const deadline = Date.now() + 5000;
    while (!/problem: redis-server is not running/.test(run.output().stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(run.output().stderr).toMatch(/problem: redis-server is not running/);
    expect((await httpGet(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  } finally {
    // The signal goes to npm, as a process manager or `kill <npm pid>` would send it.
    run.child.kill("SIGTERM");
  }
  expect(await run.exit).toEqual({ code: 0, signal: null });
  expect(pids.filter(alive)).toEqual([]);
  expect(run.output().stderr).toContain(`stopped; logs kept in ${logs}`);
  expect(existsSync(`${logs}/nginx/access.log`)).toBe(true);
  expect(existsSync(`${logs}/replica-0.log`)).toBe(true);
  rmSync(logs, { recursive: true, force: true });
}, 90_000);

test("starts, prints the URLs, serves /health through nginx, and on SIGTERM stops every pid it started and exits 0 (--clean: no logs left)", async () => {
  const port = await freePort();
  const run = runCli(["--port", String(port), "--replicas", "2", "--clean"]);
  let pids: number[];
  try {
    const deadline = Date.now() + 50_000;
    while (!/^ready/m.test(run.output().stdout)) {
      if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`the CLI did not get ready:\n${JSON.stringify(run.output())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { stdout } = run.output();
    expect(stdout).toContain(`http://127.0.0.1:${port}/health`);
    expect(stdout).toContain(`ws://127.0.0.1:${port}/ws`);
    expect(stdout).toMatch(/nginx status +http:\/\/127\.0\.0\.1:\d+\/nginx_status/);
    pids = stdout.match(/^pids (.+)$/m)![1]!.split(" ").map(Number);
    // redis-server, 2 replicas, the nginx master and at least one worker, dnsmasq.
    expect(pids.length).toBeGreaterThanOrEqual(6);
    expect(pids.every(alive)).toBe(true);

    const health = await httpGet(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", redis: "ok" });
  } finally {
    run.child.kill("SIGTERM");
  }
  expect(await run.exit).toEqual({ code: 0, signal: null });
  expect(pids.filter(alive)).toEqual([]);
  expect(run.output().stderr).toMatch(/SIGTERM: stopping/);
  const logs = run.output().stdout.match(/^ {2}logs +(\S+)$/m)![1]!;
  expect(existsSync(logs)).toBe(false);
}, 90_000);

test("a port already in use: a clear error naming the port, exit 1, nothing started", async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const run = runCli(["--port", String(port)]);
    expect(await run.exit).toEqual({ code: 1, signal: null });
    expect(run.output().stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(run.output().stdout).not.toMatch(/^pids/m);
  } finally {
    blocker.close();
  }
});

test("invalid arguments: usage and exit 2", async () => {
  const run = runCli(["--replicas", "zero"]);
  expect(await run.exit).toEqual({ code: 2, signal: null });
  expect(run.output().stderr).toContain(`--replicas "zero": must be a whole number from 1 to 64`);
  expect(run.output().stderr).toContain("usage: npm run local");
});
