import { checkPrerequisites, locateBinary, MissingPrerequisiteError } from "../../../tools/local/prerequisites";

test("finds nginx in /usr/sbin even when it is not on PATH", () => {
  const present = new Set(["/usr/sbin/nginx", "/usr/bin/redis-server"]);
  expect(checkPrerequisites("/usr/bin:/bin", (f) => present.has(f))).toEqual({ nginx: "/usr/sbin/nginx", "redis-server": "/usr/bin/redis-server" });
});

test("falls back to PATH", () => {
  expect(locateBinary("nginx", ["/usr/sbin"], "/opt/nginx/sbin:/bin", (f) => f === "/opt/nginx/sbin/nginx")).toBe("/opt/nginx/sbin/nginx");
});

test("missing servers: one error naming each and the Debian packages to install", () => {
  const run = () => checkPrerequisites("/bin", () => false);
  expect(run).toThrow(MissingPrerequisiteError);
  expect(run).toThrow(/nginx and redis-server not found/);
  expect(run).toThrow("sudo apt-get install -y nginx-light redis-server");
  expect(run).toThrow("bash tools/setup.sh");
});

test("only redis-server missing: names only its package", () => {
  const run = () => checkPrerequisites("/bin", (f) => f === "/usr/sbin/nginx");
  expect(run).toThrow("sudo apt-get install -y redis-server\n");
  expect(run).not.toThrow(/nginx-light/);
});
