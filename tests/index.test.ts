/**
 * `index.ts` loaded the way `pulumi up` loads it: @pulumi/pulumi's program runner given the entry
 * point Pulumi.yaml's `main` names (the CLI passes that file, so package.json's `main`, the
 * side-effect-free package entry for other programs, is not what runs), which (with no
 * ts-node in the project) registers its vendored ts-node@7.0.1 with the project's typescript and
 * tsconfig.json, type-checking. A fake resource monitor stands in for the engine. Code the CLI cannot
 * compile fails here; bad config stops the program with the problems listed and no stack trace.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { FakeMonitor, startFakeMonitor } from "./harness/fakeMonitor";

const root = path.resolve(__dirname, "..");
const runner = require.resolve("@pulumi/pulumi/cmd/run/index.js");
/** The runner's exit code after it has logged a user-actionable error. */
const LOGGED_ERROR_EXIT = 32;

interface RunResult {
  code: number | null;
  output: string;
}

/** What the Pulumi CLI's nodejs language host runs for a TypeScript project. */
function runProgram(monitor: FakeMonitor, cwd: string, config: Record<string, string>, entryPoint: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, `--monitor=${monitor.address}`, "--project=edgestack", "--stack=dev", entryPoint], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PULUMI_NODEJS_TYPESCRIPT: "true", PULUMI_CONFIG: JSON.stringify(config), FORCE_COLOR: "0", NO_COLOR: "1" },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/** The entry point the CLI hands the runner: Pulumi.yaml's `main` (a file name). */
const programMain = (parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { main?: string }).main ?? ".";

let monitor: FakeMonitor;
let brokenDir: string;
let program: RunResult;
let broken: RunResult;

beforeAll(async () => {
  monitor = await startFakeMonitor("edgestack", "dev");
  // A project the runner must refuse: one type error, nothing else wrong.
  brokenDir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-typecheck-"));
  fs.symlinkSync(path.join(root, "node_modules"), path.join(brokenDir, "node_modules"));
  fs.copyFileSync(path.join(root, "tsconfig.json"), path.join(brokenDir, "tsconfig.json"));
  fs.writeFileSync(path.join(brokenDir, "package.json"), JSON.stringify({ name: "broken", main: "index.ts", devDependencies: { typescript: "*" } }));
  fs.writeFileSync(path.join(brokenDir, "index.ts"), 'const port: number = "8080";\nexport const out = port;\n');
  [program, broken] = await Promise.all([
    runProgram(monitor, root, { "edgestack:domain": "exa mple", "edgestack:nodeMinSize": "0", "aws:region": "eu-west-1" }, programMain),
    runProgram(monitor, brokenDir, {}, "."),
  ]);
}, 240_000);

afterAll(async () => {
  await monitor?.close();
  if (brokenDir) fs.rmSync(brokenDir, { recursive: true, force: true });
});

describe("index.ts under the Pulumi program runner", () => {
  it("uses the runner's vendored ts-node (the project has none) with the project's typescript", () => {
    expect(() => require.resolve("ts-node", { paths: [root] })).toThrow();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the project's own typescript, resolved as the runner resolves it
    expect(require(require.resolve("typescript", { paths: [root] })).version).toMatch(/^5\.9\./);
  });

  it("runs index.ts as the program (Pulumi.yaml main), while package.json's main is the package entry", () => {
    expect(programMain).toBe("index.ts");
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { main: string; types: string };
    expect(pkg.main).toBe("infra/index.ts");
    expect(pkg.types).toBe("infra/index.ts");
  });

  it("type-checks and loads index.ts, then stops at config", () => {
    expect(program.output).not.toMatch(/Unable to compile TypeScript|TSError/);
    expect(program.output).toContain("Invalid stack configuration:");
    expect(program.code).toBe(LOGGED_ERROR_EXIT);
    expect(monitor.registered).toContain("pulumi:pulumi:Stack::edgestack-dev");
  });

  it("lists every config problem with its key and value, and no stack trace", () => {
    expect(program.output).toContain('edgestack:domain: "exa mple" is not a valid DNS name');
    expect(program.output).toContain("edgestack:nodeMinSize: 0 must be at least 1");
    expect(program.output).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
    expect(program.output).not.toContain("unhandled exception");
  });

  it("fails a program the CLI cannot compile (the type check is real)", () => {
    expect(broken.output).toMatch(/Unable to compile TypeScript|TSError/);
    expect(broken.output).toContain("TS2322");
    expect(broken.code).not.toBe(0);
  });
});
