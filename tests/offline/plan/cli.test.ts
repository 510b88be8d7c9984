import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const root = path.resolve(__dirname, "../../..");
const run = promisify(execFile);

async function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Exactly what users run: the npm script (and its TypeScript loader).
    const { stdout, stderr } = await run("npm", ["run", "--silent", "plan", "--", ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run plan", () => {
  it("prints the dev plan as JSON, byte-identical across runs", async () => {
    const [first, second] = await Promise.all([plan(["--stack", "dev", "--json"]), plan(["--stack", "dev", "--json"])]);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const file = JSON.parse(first.stdout) as { stack: string; environment: string; resources: { type: string; name: string; parent: string | null; inputs: object }[] };
    expect(file).toMatchObject({ stack: "dev", project: "edgestack", environment: "dev" });
    const resources = file.resources;
    for (const r of resources) {
      const custom = !r.type.startsWith("edgestack:") && !r.type.startsWith("pulumi:pulumi:");
      expect(Object.keys(r).filter((k) => k !== "protect" && k !== "options" && k !== "secrets").sort()).toEqual(custom ? ["id", "identity", "inputs", "name", "parent", "type"] : ["inputs", "name", "parent", "type"]);
    }
    const types = new Set(resources.map((r) => r.type));
    for (const type of ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway", "aws:ec2/routeTable:RouteTable", "aws:ec2/internetGateway:InternetGateway"]) {
      expect(types).toContain(type);
    }
  });

  it("prints a readable tree by default", async () => {
    const result = await plan(["--stack", "prod"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Plan for stack prod: \d+ resources/);
    expect(result.stdout).toMatch(/\n\+ edgestack:network:Vpc {2}network\n {4}\+ aws:ec2\//);
  });

  it("exits non-zero naming the key when the stack file holds a bad value", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edgestack-plan-"));
    const stackFile = path.join(dir, "Pulumi.bad.yaml");
    const good = fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(stackFile, good.replace("edgestack:domain: dev.edgestack.example.com", 'edgestack:domain: "exa mple"'));
    const result = await plan(["--stack", "bad", "--stack-file", stackFile, "--json"]);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('edgestack:domain: "exa mple" is not a valid DNS name');
  });

  it("explains usage errors", async () => {
    const missing = await plan(["--json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--stack is required/);
    const unknown = await plan(["--stack", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no stack file for stack "nope"/);
  });
});
