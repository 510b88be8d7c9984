import * as path from "node:path";
import { checkPrerequisites, locateBinary, MissingPrerequisiteError } from "../../local/prerequisites";
import { privateNginxDir } from "../../local/processes/nginx";

const privateNginx = path.join(privateNginxDir(), "bin", "nginx");

test("finds the private nginx and Debian's servers in /usr/sbin and /usr/bin even when they are not on PATH", () => {
  const present = new Set([privateNginx, "/usr/bin/redis-server", "/usr/sbin/dnsmasq", "/usr/sbin/haproxy"]);
  expect(checkPrerequisites("/usr/bin:/bin", (f) => present.has(f))).toEqual({
    nginx: privateNginx,
    "redis-server": "/usr/bin/redis-server",
    dnsmasq: "/usr/sbin/dnsmasq",
    haproxy: "/usr/sbin/haproxy",
  });
});

test("falls back to PATH", () => {
  expect(locateBinary("nginx", ["/usr/sbin"], "/opt/nginx/sbin:/bin", (f) => f === "/opt/nginx/sbin/nginx")).toBe("/opt/nginx/sbin/nginx");
});

test("Debian's nginx 1.22 in /usr/sbin does not count: resolving upstreams need the private nginx", () => {
  const present = new Set(["/usr/sbin/nginx", "/usr/bin/redis-server", "/usr/sbin/dnsmasq", "/usr/sbin/haproxy"]);
  const run = () => checkPrerequisites("/bin", (f) => present.has(f));
  expect(run).toThrow(/^nginx not found/);
  expect(run).toThrow("bash scripts/setup-nginx.sh");
  expect(run).not.toThrow(/apt-get/);
});

test("missing servers: one error naming each, the Debian packages and the nginx set-up", () => {
  const run = () => checkPrerequisites("/bin", () => false);
  expect(run).toThrow(MissingPrerequisiteError);
  expect(run).toThrow(/nginx and redis-server and dnsmasq and haproxy not found/);
  expect(run).toThrow("sudo apt-get install -y redis-server dnsmasq-base haproxy");
  expect(run).toThrow("bash scripts/setup-nginx.sh");
  expect(run).toThrow("bash scripts/setup.sh");
});

test("only redis-server missing: names only its package", () => {
  const run = () => checkPrerequisites("/bin", (f) => f !== "/usr/bin/redis-server" && !f.endsWith("/redis-server"));
  expect(run).toThrow("sudo apt-get install -y redis-server\n");
  expect(run).not.toThrow(/setup-nginx/);
});
