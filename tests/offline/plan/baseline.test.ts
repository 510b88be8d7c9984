import * as fs from "node:fs";
import {
  BASELINE_STACKS,
  baselineFile,
  baselineOf,
  checkBaseline,
  compareBaselines,
  DECLARATIONS_FILE,
  formatCheck,
  parseDeclarations,
  serializeBaseline,
  StackBaseline,
} from "../../../offline/plan/baseline";

const BUCKET = "urn:pulumi:dev::edgestack::edgestack:cdn:StaticBucket$aws:s3/bucket:Bucket::cdn-static-bucket";
const MOVED = "urn:pulumi:dev::edgestack::edgestack:cdn:Cdn$edgestack:cdn:StaticBucket$aws:s3/bucket:Bucket::cdn-static-bucket";
const ROLE = "urn:pulumi:dev::edgestack::edgestack:cluster:EksCluster$aws:iam/role:Role::cluster-node-role";

function baseline(resources: StackBaseline["resources"]): StackBaseline {
  return { stack: "dev", resources };
}
const before = baseline({
  [BUCKET]: { type: "aws:s3/bucket:Bucket", inputs: { forceDestroy: false, tags: { Name: "static" } }, options: { protect: true } },
  [ROLE]: { type: "aws:iam/role:Role", inputs: { assumeRolePolicy: "{}" } },
});

describe("compareBaselines", () => {
  it("finds nothing between equal plans", () => {
    expect(compareBaselines(before, structuredClone(before))).toEqual([]);
  });

  it("names the URN and the property of a changed input or option", () => {
    const after = structuredClone(before);
    after.resources[BUCKET].inputs.tags = { Name: "renamed" };
    delete after.resources[BUCKET].options;
    expect(compareBaselines(before, after)).toEqual([
      { stack: "dev", urn: BUCKET, kind: "changed", property: "inputs.tags.Name", before: "static", after: "renamed" },
      { stack: "dev", urn: BUCKET, kind: "changed", property: "options", before: { protect: true } },
    ]);
  });

  it("reports a moved resource as removed and added (a new URN replaces it)", () => {
    const after = baseline({ [MOVED]: before.resources[BUCKET], [ROLE]: before.resources[ROLE] });
    expect(compareBaselines(before, after).map((d) => [d.kind, d.urn])).toEqual([
      ["added", MOVED],
      ["removed", BUCKET],
    ]);
  });

  it("matches a moved resource to its old URN through its aliases, and still compares its inputs", () => {
    const moved = { ...structuredClone(before.resources[BUCKET]), aliasUrns: [BUCKET] };
    moved.options = { protect: true, aliases: ["cdn-static-bucket"] };
    expect(compareBaselines(before, baseline({ [MOVED]: moved, [ROLE]: before.resources[ROLE] }))).toEqual([]);
    moved.inputs.forceDestroy = true;
    expect(compareBaselines(before, baseline({ [MOVED]: moved, [ROLE]: before.resources[ROLE] }))).toEqual([
      { stack: "dev", urn: MOVED, kind: "changed", property: "inputs.forceDestroy", before: false, after: true },
    ]);
  });
});

describe("declared differences", () => {
  const after = structuredClone(before);
  after.resources[BUCKET].inputs.tags = { Name: "renamed", team: "edge" };

  it("a declaration with a reason covers its property and everything under it", () => {
    const declarations = parseDeclarations(JSON.stringify({ differences: [{ stack: "dev", urn: BUCKET, property: "inputs.tags", reason: "tags follow the new naming scheme" }] }));
    expect(checkBaseline("dev", before, after, declarations)).toEqual({ undeclared: [], unused: [] });
  });

  it("a declaration of another property or stack does not cover it, and the message says what changed and what to do", () => {
    const declarations = parseDeclarations(
      JSON.stringify({ differences: [{ stack: "prod", urn: BUCKET, property: "inputs.tags", reason: "only prod's tags change here" }, { stack: "dev", urn: BUCKET, property: "inputs.forceDestroy", reason: "not what changed at all" }] }),
    );
    const check = checkBaseline("dev", before, after, declarations);
    expect(check.undeclared.map((d) => d.property)).toEqual(["inputs.tags.Name", "inputs.tags.team"]);
    expect(check.unused.map((d) => d.property)).toEqual(["inputs.forceDestroy"]);
    const message = formatCheck("dev", check);
    expect(message).toContain(`~ ${BUCKET}`);
    expect(message).toContain('inputs.tags.Name: "static" → "renamed"');
    expect(message).toContain("declared.json");
    expect(message).toContain("npm run plan:baseline");
    expect(message).toContain("no longer has");
  });

  it("a declaration without a property covers an added or removed resource", () => {
    const without = baseline({ [BUCKET]: before.resources[BUCKET] });
    const declarations = parseDeclarations(JSON.stringify({ differences: [{ stack: "*", urn: ROLE, reason: "the node role moves to its own stack" }] }));
    expect(checkBaseline("dev", before, without, declarations)).toEqual({ undeclared: [], unused: [] });
    expect(checkBaseline("dev", before, without, []).undeclared).toEqual([{ stack: "dev", urn: ROLE, kind: "removed" }]);
  });

  it("refuses a declaration without a reason or with an unknown field, naming the entry", () => {
    expect(() => parseDeclarations(JSON.stringify({ differences: [{ stack: "dev", urn: BUCKET }] }))).toThrow(/differences\.0\.reason/);
    expect(() => parseDeclarations(JSON.stringify({ differences: [{ stack: "dev", urn: BUCKET, reason: "x" }] }))).toThrow(/differences\.0\.reason: must say why/);
    expect(() => parseDeclarations(JSON.stringify({ differences: [{ stack: "dev", urn: BUCKET, reason: "a good long reason", path: "tags" }] }))).toThrow(/differences\.0/);
  });
});

describe("baselineOf", () => {
  it("sorts URNs, keeps long strings as a digest and leaves out default options", () => {
    const long = "x".repeat(5000);
    const b = baselineOf("dev", [
      { type: "aws:iam/role:Role", urn: ROLE, maskedInputs: { doc: long, secret: "[secret]" }, options: {}, aliasUrns: [] },
      { type: "aws:s3/bucket:Bucket", urn: BUCKET, maskedInputs: { b: 1, a: [2] }, options: { protect: true }, aliasUrns: [] },
    ]);
    expect(Object.keys(b.resources)).toEqual([ROLE, BUCKET].sort());
    expect(b.resources[ROLE]).toEqual({ type: "aws:iam/role:Role", inputs: { doc: expect.stringMatching(/^sha256:[0-9a-f]{64} \(5000 chars\)$/), secret: "[secret]" } });
    expect(serializeBaseline(b)).toBe(serializeBaseline(structuredClone(b)));
  });
});

describe("the committed baselines", () => {
  it("exist for every kept stack, hold no secret stand-in and no per-run value", () => {
    for (const stack of BASELINE_STACKS) {
      const text = fs.readFileSync(baselineFile(stack), "utf8");
      expect(text).not.toContain("offline-secret:");
      // Nothing that varies per run: no timestamp of today.
      expect(text).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
    }
    expect(() => parseDeclarations(fs.readFileSync(DECLARATIONS_FILE, "utf8"))).not.toThrow();
  });
});
