import { newVpcNginxModel } from "../../harness/nginx";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { withTestAlbCertificate } from "../../harness/albTls";
import { parseStackConfig } from "../../../infra/config/schema";
import { renderNginxConf } from "../../../infra/nginx";
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
  const model = newVpcNginxModel(config);
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

/**
 * The pod runs nginx as the spec's uid/gid (above 10000, not the image's 101), so nothing may rely on
 * the image's own user: as that uid, with root-owned read-only files for the ConfigMap, the Secret's
 * pair readable through fsGroup only (0440), and only the /tmp emptyDir writable (fsGroup, setgid),
 * the real nginx must accept the file and create its temp paths. Needs root here (to switch uid); the
 * private nginx is copied where that uid can reach it (the shared cache lives under root's home).
 */
it("prod: as the pod's non-root uid/gid, with only its emptyDir writable, nginx accepts the file and creates its temp paths", () => {
  if (process.getuid?.() !== 0) throw new Error("this test switches to the pod's uid: run it as root (CI does)");
  const config = parseStackConfig(readStackFiles("prod").config, "prod");
  const model = newVpcNginxModel(config);
  const text = renderNginxConf(model);
  const spec = nginxDeploymentSpec(config, { text, workerShutdownTimeoutSeconds: model.workerShutdownTimeoutSeconds }, nginxConfigMapName(text), config.kubernetesVersion) as any;
  const pod = spec.template.spec.securityContext;
  const container = spec.template.spec.containers[0];
  const uid = container.securityContext.runAsUser ?? pod.runAsUser;
  const gid = container.securityContext.runAsGroup ?? pod.runAsGroup;
  expect(uid).toBeGreaterThanOrEqual(10000);
  expect(gid).toBeGreaterThanOrEqual(10000);
  expect(pod.fsGroup).toBe(gid);

  const root = path.join(dir, "as-pod-user");
  mkdirSync(root, { mode: 0o755 });
  chmodSync(dir, 0o755);
  // The nginx binary and its libraries where the uid can reach them.
  const nginxDir = path.join(root, "nginx");
  cpSync(path.dirname(path.dirname(requireResolvingNginx())), nginxDir, { recursive: true });
  // The emptyDir (/tmp): root-owned, group fsGroup, group-writable, setgid (what the kubelet makes of an emptyDir with fsGroup).
  const emptyDir = path.join(root, "tmp");
  mkdirSync(emptyDir);
  chownSync(emptyDir, 0, pod.fsGroup);
  chmodSync(emptyDir, 0o2770);
  // The ConfigMap (root-owned, world-readable) and the Secret (root-owned, group fsGroup, 0440).
  const tls = withTestAlbCertificate(text.replaceAll("/tmp/", `${emptyDir}/`), path.join(root, "secret"));
  for (const f of ["tls.crt", "tls.key"]) {
    const file = path.join(root, "secret", "alb-tls", f);
    chownSync(file, 0, pod.fsGroup);
    chmodSync(file, 0o440);
  }
  chmodSync(path.join(root, "secret"), 0o755);
  chmodSync(path.join(root, "secret", "alb-tls"), 0o755);
  const confFile = path.join(root, "nginx.conf");
  writeFileSync(confFile, tls.conf, { mode: 0o644 });
  // The container's stdout/stderr are the process's own (the runtime's pipe); here a file the uid owns.
  const logFile = path.join(root, "nginx-t.log");
  const log = openSync(logFile, "w");
  chownSync(logFile, uid, gid);
  const result = spawnSync(path.join(nginxDir, "bin", "nginx"), ["-t", "-p", `${emptyDir}/`, "-c", confFile, ...container.command.slice(3)], { stdio: ["ignore", log, log], uid, gid });
  closeSync(log);
  expect(readFileSync(logFile, "utf8")).toMatch(/test is successful/);
  expect(result.status).toBe(0);
  // nginx created its temp paths in the emptyDir as that uid.
  for (const d of ["client_temp", "proxy_temp"]) expect(statSync(path.join(emptyDir, d)).uid).toBe(uid);

  // The check can fail: a key readable by its owner only (not the pod's group) stops nginx.
  chmodSync(path.join(root, "secret", "alb-tls", "tls.key"), 0o400);
  const denied = spawnSync(path.join(nginxDir, "bin", "nginx"), ["-t", "-p", `${emptyDir}/`, "-c", confFile, ...container.command.slice(3)], { encoding: "utf8", uid, gid });
  expect(denied.status).not.toBe(0);
  expect(`${denied.stderr}`).toMatch(/tls\.key.*Permission denied/);
});
