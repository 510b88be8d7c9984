/**
 * Two copies of the stack in one account: the same stack name (prod, the one with every optional
 * part: WAF, log buckets, final snapshot), different `edgestack:namePrefix` and domain. Planned each
 * in its own process (the engine runs one stack per process), they share no physical name; every
 * name-like input of every AWS resource is classified (offline/plan/physical-names.ts).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import type { PlanFile } from "../../../offline/plan/format";
import { nameProperties, physicalNames } from "../../../offline/plan/physical-names";

const ROOT = path.resolve(__dirname, "../../..");
const run = promisify(execFile);

async function planWith(dir: string, overrides: Record<string, unknown>): Promise<PlanFile> {
  const base = parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };
  const file = path.join(dir, `Pulumi.${String(overrides["edgestack:namePrefix"])}.yaml`);
  fs.writeFileSync(file, stringify({ config: { ...base.config, ...overrides } }));
  const { stdout } = await run(process.execPath, ["-r", "@swc-node/register", "offline/plan/cli.ts", "--stack", "prod", "--stack-file", file, "--json"], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_SOURCE_MAP_MODE: "none" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as PlanFile;
}

let a: PlanFile;
let b: PlanFile;
beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "two-prefixes-"));
  try {
    [a, b] = await Promise.all([
      planWith(dir, { "edgestack:namePrefix": "team-a-web", "edgestack:domain": "a.edgestack.example.com", "edgestack:delegatedSubdomains": [], "edgestack:delegatedSubdomainDsRecords": [] }),
      planWith(dir, { "edgestack:namePrefix": "team-b-web", "edgestack:domain": "b.edgestack.example.com", "edgestack:delegatedSubdomains": [], "edgestack:delegatedSubdomainDsRecords": [] }),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

describe("two stacks with different name prefixes in one account", () => {
  it("classify every name-like input of every AWS resource", () => {
    const unclassified = [...nameProperties(a.resources), ...nameProperties(b.resources)].filter((p) => !p.rule).map((p) => `${p.type}::${p.resource} ${p.path}`);
    expect(unclassified).toEqual([]);
  });

  it("take their physical names from the prefix (cluster, cache, repository, log groups, CloudFront, WAF)", () => {
    const names = [...physicalNames(a.resources).keys()];
    for (const expected of ["team-a-web", "team-a-web-final", "team-a-web/app", "/aws/eks/team-a-web/cluster", "/aws/elasticache/team-a-web/slow-log", "team-a-web-cloudfront", "team-a-web-viewer-address", "team-a-web-static-oac", "team-a-web-security-headers"]) {
      expect(names).toContain(expected);
    }
    expect(names.filter((n) => n.includes("edgestack-prod"))).toEqual([]);
  });

  it("share no physical name", () => {
    const namesOfB = physicalNames(b.resources);
    const shared = [...physicalNames(a.resources)].filter(([value]) => namesOfB.has(value)).map(([value, where]) => `${value} (${where.join(", ")})`);
    expect(shared).toEqual([]);
    expect(namesOfB.size).toBeGreaterThan(20);
  });
});
