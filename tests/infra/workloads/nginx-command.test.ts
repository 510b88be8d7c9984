import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { withTestAlbCertificate } from "../../harness/albTls";
import { parseStackConfig } from "../../../infra/config/schema";
import { buildNginxModel, renderNginxConf } from "../../../infra/nginx";
import { NGINX_CONF_DIR, nginxConfigMapName, nginxDeploymentSpec } from "../../../infra/workloads/nginx";
import { readStackFiles } from "../../../offline/engine/stack-files";
import { requireResolvingNginx } from "../../../local/processes/nginx";

/**
 * The nginx container's command, run by a real nginx >= 1.27.3 as the image's (`-t`, nothing is started or bound) against
 * the stack's rendered cluster config: the `-g` globals the Deployment adds must not clash with the
 * file (e.g. a duplicate `daemon` directive would stop every pod from starting).
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "edgestack-nginx-cmd-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each(["dev", "prod"])("%s: the Deployment's nginx command accepts the ConfigMap's nginx.conf", (stack) => {
  const config = parseStackConfig(readStackFiles(stack).config, stack);
  const model = buildNginxModel(config, { mode: "cluster" });
  const text = renderNginxConf(model);
  const spec = nginxDeploymentSpec(config, { text, workerShutdownTimeoutSeconds: model.workerShutdownTimeoutSeconds }, nginxConfigMapName(text), config.kubernetesVersion) as any;
  const command: string[] = spec.template.spec.containers[0].command;
  expect(command.slice(0, 3)).toEqual(["nginx", "-c", `${NGINX_CONF_DIR}/nginx.conf`]);

  // The pod's /tmp (pid, temp paths) becomes this test's own directory.
  const stackDir = path.join(dir, stack);
  const confFile = path.join(stackDir, "nginx.conf");
  mkdirSync(stackDir);
  // The mounted Secret's certificate and key: a throw-away pair in this directory.
  writeFileSync(confFile, withTestAlbCertificate(text.replaceAll("/tmp/", `${stackDir}/`), stackDir).conf);
  // stderr to a file: the config logs to /dev/stderr, which nginx cannot open on a socket (Node's pipes).
  const logFile = path.join(stackDir, "nginx-t.log");
  const log = openSync(logFile, "w");
  const result = spawnSync(requireResolvingNginx(), ["-t", "-p", `${stackDir}/`, "-c", confFile, ...command.slice(3)], { stdio: ["ignore", log, log] });
  closeSync(log);
  expect(readFileSync(logFile, "utf8")).toMatch(/test is successful/);
  expect(result.status).toBe(0);
});
