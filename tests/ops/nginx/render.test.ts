import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runRenderCli } from "../../../ops/nginx/render";
import { PROJECT_ROOT } from "../../../offline/engine/stack-files";
import { stackConfig } from "../../infra/nginx/support";

const dev = stackConfig("dev");
const prod = stackConfig("prod");

const dir = mkdtempSync(path.join(tmpdir(), "edgestack-render-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("cluster mode writes a self-contained DIR/nginx.conf and prints its path", () => {
  const out = path.join(dir, "dev");
  const result = runRenderCli(["--stack", "dev", "--out", out]);
  expect(result).toEqual({ code: 0, stdout: `${out}/nginx.conf\n`, stderr: "" });
  const conf = readFileSync(path.join(out, "nginx.conf"), "utf8");
  expect(conf).toContain("server app-pods.edgestack.svc.cluster.local:8080 ");
  expect(conf).toContain(`set_real_ip_from ${dev.vpcCidr};`);
  expect(conf).not.toMatch(/^\s*include\b/m);
});

test("local mode renders the given loopback upstreams, weights and listeners with paths under DIR", () => {
  const out = path.join(dir, "local");
  const result = runRenderCli(["--stack", "prod", "--out", out, "--local", "--listen", "18080", "--upstream", "127.0.0.1:19001", "--upstream", "127.0.0.1:19002=4", "--status-port", "18082", "--trust", "10.0.0.0/8"]);
  expect(result.code).toBe(0);
  const conf = readFileSync(path.join(out, "nginx.conf"), "utf8");
  expect(conf).toMatch(/server 127\.0\.0\.1:19001 weight=1 /);
  expect(conf).toMatch(/server 127\.0\.0\.1:19002 weight=4 /);
  expect(conf).toContain("listen 127.0.0.1:18080 default_server;");
  expect(conf).toContain("listen 127.0.0.1:18082 default_server;");
  expect(conf).toContain("set_real_ip_from 10.0.0.0/8;");
  expect(conf).toContain(`pid ${out}/nginx.pid;`);
});

describe("bad flags and config exit 2 with a clear message and write nothing", () => {
  test.each<[string, string[], RegExp]>([
    ["no --stack", ["--out", "x"], /--stack is required/],
    ["no --out", ["--stack", "dev"], /--out is required/],
    ["unknown flag", ["--stack", "dev", "--out", "x", "--bogus"], /Unknown option '--bogus'/],
    ["unknown stack", ["--stack", "nope", "--out", "x"], /no stack file for stack "nope"/],
    ["stack name with a path", ["--stack", "../etc", "--out", "x"], /--stack: "..\/etc" is not a stack name/],
    ["--local without --listen", ["--stack", "dev", "--out", "x", "--local", "--upstream", "127.0.0.1:1"], /--listen is required with --local/],
    ["--local without upstreams", ["--stack", "dev", "--out", "x", "--local", "--listen", "1"], /at least one --upstream/],
    ["a non-loopback upstream", ["--stack", "dev", "--out", "x", "--local", "--listen", "1", "--upstream", "10.0.0.1:80"], /--upstream: "10\.0\.0\.1:80" is not 127\.0\.0\.1:<port>/],
    ["a bad port", ["--stack", "dev", "--out", "x", "--local", "--listen", "99999", "--upstream", "127.0.0.1:1"], /--listen: "99999" is not a port/],
    ["a local flag in cluster mode", ["--stack", "dev", "--out", "x", "--listen", "1"], /--listen only applies with --local/],
    ["an invalid model value", ["--stack", "dev", "--out", "x", "--local", "--listen", "1", "--upstream", "127.0.0.1:2", "--trust", "10.0.0.1/8"], /nginx\.servers\[0\]\.realIp\.trustedCidrs\[0\]: "10\.0\.0\.1\/8"/],
  ])("%s", (_name, args, message) => {
    const result = runRenderCli(args.map((a) => (a === "x" ? path.join(dir, "never") : a)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(path.join(dir, "never"))).toBe(false);
  });
});

test("the npm script runs the CLI end to end", () => {
  const out = path.join(dir, "npm");
  const result = spawnSync("npm", ["run", "--silent", "render:nginx", "--", "--stack", "prod", "--out", out], { cwd: PROJECT_ROOT, encoding: "utf8" });
  expect(result.status).toBe(0);
  expect(result.stdout.trim()).toBe(`${out}/nginx.conf`);
  expect(readFileSync(path.join(out, "nginx.conf"), "utf8")).toContain(`set_real_ip_from ${prod.vpcCidr};`);

  const bad = spawnSync("npm", ["run", "--silent", "render:nginx", "--", "--stack", "dev"], { cwd: PROJECT_ROOT, encoding: "utf8" });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--out is required/);
});
