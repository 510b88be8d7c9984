/**
 * The real `nginx -t` (nginx >= 1.27.3 from scripts/setup-nginx.sh, as the cluster image runs) on the
 * files `render:nginx` writes for every stack file in the repository, in cluster mode (the
 * ConfigMap's file, with its resolving upstream) and local mode.
 */
import { newVpcNginxModel } from "../../harness/nginx";
import { clusterNginxModel } from "../../../infra/workloads/nginx";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../../offline/engine/stack-files";
import { runRenderCli } from "../../../ops/nginx/render";
import { readFileSync } from "node:fs";
import { checkNginxConfig, makeNginxPrefix, nginxVersion, requireResolvingNginx, writeAndCheckNginxConfig } from "../../../local/processes/nginx";
import { LOAD_BALANCING, renderNginxConf } from "../../../infra/nginx";
import { stackConfig } from "./support";
import { withTestAlbCertificate } from "../../harness/albTls";

const stacks = readdirSync(PROJECT_ROOT)
  .map((f) => /^Pulumi\.([A-Za-z0-9._-]+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const prefix = () => {
  const d = makeNginxPrefix();
  dirs.push(d);
  return d;
};

test("the nginx under test can run resolving upstreams (fails loudly without scripts/setup-nginx.sh)", () => {
  expect(nginxVersion(requireResolvingNginx())).toMatch(/^1\.(2[89]|[3-9]\d)\.|^1\.27\.([3-9]|\d\d)$/);
});

test("the repository has the dev and prod stacks", () => {
  expect(stacks).toEqual(expect.arrayContaining(["dev", "prod"]));
});

describe.each(stacks)("stack %s", (stack) => {
  test("cluster mode passes nginx -t", async () => {
    const out = prefix();
    const result = runRenderCli(["--stack", stack, "--out", out]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const conf = readFileSync(path.join(out, "nginx.conf"), "utf8");
    expect(conf).toMatch(/^\s+server app-pods\.edgestack\.svc\.cluster\.local:8080 .* resolve;$/m);
    // The mounted Secret's certificate and key: a throw-away pair beside the file.
    writeFileSync(path.join(out, "nginx.conf"), withTestAlbCertificate(conf, out).conf);
    const check = await checkNginxConfig(out);
    expect(check.output).toMatch(/test is successful/);
    expect(check.ok).toBe(true);
  });

  test("local mode with every listener passes nginx -t", async () => {
    const out = prefix();
    const result = runRenderCli([
      "--stack", stack, "--out", out, "--local", "--listen", "18080",
      "--upstream", "127.0.0.1:19001", "--upstream", "127.0.0.1:19002=3",
      "--status-port", "18082", "--proxy-protocol-port", "18443", "--proxy-protocol-http-port", "18081",
    ]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const check = await checkNginxConfig(out);
    expect(check.output).toMatch(/test is successful/);
    expect(check.ok).toBe(true);
  });
});

describe.each(LOAD_BALANCING)("cluster mode with %s and a canary track", (algorithm) => {
  test("passes nginx -t, both tracks resolving their own headless Service", async () => {
    const config = { ...stackConfig("prod"), nginxLoadBalancing: algorithm, canaryImage: "registry.example.com/app:2.0.0", canaryWeightPercent: 5 };
    const conf = renderNginxConf(newVpcNginxModel(config));
    expect(conf).toMatch(/^\s+server app-canary-pods\.edgestack\.svc\.cluster\.local:8080 .* resolve;$/m);
    const dir = prefix();
    const check = await writeAndCheckNginxConfig(dir, withTestAlbCertificate(conf, dir).conf);
    expect(check.output).toMatch(/test is successful/);
    expect(check.ok).toBe(true);
  });
});

test("an existing VPC's blocks (secondary IPv4 and IPv6) pass nginx -t as trusted and liveness ranges", async () => {
  const blocks = ["10.20.0.0/16", "100.64.0.0/16", "2600:1f18:abcd:ef00::/56"];
  const conf = renderNginxConf(clusterNginxModel(stackConfig("prod"), blocks));
  for (const block of blocks) {
    expect(conf).toContain(`set_real_ip_from ${block};`);
    expect(conf).toContain(`allow ${block};`);
  }
  const dir = prefix();
  const check = await writeAndCheckNginxConfig(dir, withTestAlbCertificate(conf, dir).conf);
  expect(check.output).toMatch(/test is successful/);
  expect(check.ok).toBe(true);
});

test("nginx -t does fail on a broken file (the check above can fail)", async () => {
  const out = prefix();
  writeFileSync(path.join(out, "nginx.conf"), "events {}\nhttp { upstream app { server 127.0.0.1:1 backup; hash $request_uri; } }\n");
  const check = await checkNginxConfig(out);
  expect(check.ok).toBe(false);
  expect(check.output).toMatch(/emerg/);
});
