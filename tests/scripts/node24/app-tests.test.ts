/**
 * The app's tests on Node 24, the major app/Dockerfile ships: Debian sid's nodejs in the chroot
 * scripts/node24/install.sh builds (scripts/setup.sh runs it), started by scripts/node24/run.sh. The
 * Dockerfile rehearsal (tests/app/image.test.ts) is left out: it runs the Dockerfile's `RUN npm ci`
 * steps, and the chroot holds node, not npm or a shell.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");
const RUN = path.join(ROOT, "scripts/node24/run.sh");
const node24 = (...args: string[]) => spawnSync("bash", [RUN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 280_000 });

test("scripts/node24/run.sh runs Node 24 with this repository at its own path", () => {
  const probe = node24("-p", "JSON.stringify([process.version, process.cwd(), require('./package.json').name])");
  expect(probe.stderr).toBe("");
  const [version, cwd, name] = JSON.parse(probe.stdout) as string[];
  expect(version).toMatch(/^v24\./);
  expect(cwd).toBe(ROOT);
  expect(name).toBe("edgestack");
  // Not the host's node: the test would prove nothing if both were the same major.
  expect(execFileSync(process.execPath, ["-p", "process.version"], { encoding: "utf8" }).trim()).not.toBe(version);
});

test("the app's test suites pass on Node 24", () => {
  // In band: one process beside the outer jest's workers, so the app's timing tests are not starved.
  const result = node24("node_modules/jest/bin/jest.js", "tests/app", "--testPathIgnorePatterns", "tests/app/image.test.ts", "--ci", "--silent", "--runInBand");
  const failures = result.stderr.split("\n").filter((l) => /^\s+● /.test(l));
  const summary = /Tests:.*$/m.exec(result.stderr)?.[0] ?? result.stderr.slice(-3000);
  expect({ status: result.status, summary, failures }).toEqual({ status: 0, summary: expect.stringMatching(/Tests:\s+\d+ passed, \d+ total/), failures: [] });
}, 300_000);
