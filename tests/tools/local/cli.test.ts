/**
 * `npm run local` as a user runs it: a child process that prints its URLs, serves /health through
 * nginx, and on SIGTERM stops every process it started and exits 0.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../../tools/offline/stack-files";
import { httpGet } from "../../../tools/local/load";
import { freePort } from "../../../tools/processes/ports";

const TSX_CLI = require.resolve("tsx/cli", { paths: [PROJECT_ROOT] });
const CLI = path.join(PROJECT_ROOT, "tools", "local", "cli.ts");

function runCli(args: string[]): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [TSX_CLI, CLI, ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
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

test("starts, prints the URLs, serves /health through nginx, and on SIGTERM stops every pid it started and exits 0", async () => {
  const port = await freePort();
  const run = runCli(["--port", String(port), "--replicas", "2"]);
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
    // redis-server, 2 replicas, the nginx master and at least one worker.
    expect(pids.length).toBeGreaterThanOrEqual(5);
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
});

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
