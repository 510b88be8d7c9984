import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { allPolicies } from "../../policies/rules";
import { COMPONENT_PACKAGES, declareJudged, INERT_TYPES, judgedTypes, judgedTypesOf, READ_NOT_JUDGED, TYPE_TOKEN } from "../../policies/rules/registry";

const RULES = path.join(__dirname, "../../policies");
const judged = judgedTypes(allPolicies);

/** Every resource type token written as a string literal in the pack's sources (IAM condition keys have no module). */
function typeLiterals(): { file: string; type: string }[] {
  const out: { file: string; type: string }[] = [];
  for (const dir of ["rules", "semantics"]) {
    for (const f of readdirSync(path.join(RULES, dir)).filter((x) => x.endsWith(".ts") && x !== "registry.ts")) {
      const text = readFileSync(path.join(RULES, dir, f), "utf8");
      for (const m of text.matchAll(/["'`]((?:aws|kubernetes|random|tls):[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+:[A-Za-z][A-Za-z0-9]*|pulumi:providers:[a-z0-9-]+)["'`]/g)) out.push({ file: `${dir}/${f}`, type: m[1] });
    }
  }
  return out;
}

describe("the registry of judged types", () => {
  it("knows the types of every policy of the pack (no policy bypasses the builders)", () => {
    expect(allPolicies.filter((p) => judgedTypesOf(p) === undefined).map((p) => p.name)).toEqual([]);
    expect(judged.size).toBeGreaterThan(100);
  });

  it("registers every type a rule reads: judged, inert, or listed as read but not judged", () => {
    const literals = typeLiterals();
    expect(literals.length).toBeGreaterThan(100);
    const unregistered = literals.filter(({ type }) => !judged.has(type) && !(type in INERT_TYPES) && !(type in READ_NOT_JUDGED));
    expect(unregistered).toEqual([]);
  });

  it("keeps the inert and read-but-not-judged lists reviewed: reasons given, disjoint from what rules judge", () => {
    for (const [type, reason] of [...Object.entries(INERT_TYPES), ...Object.entries(READ_NOT_JUDGED)]) {
      expect({ type, token: TYPE_TOKEN.test(type) }).toEqual({ type, token: true });
      expect(reason.length).toBeGreaterThan(30);
    }
    expect(Object.keys(INERT_TYPES).filter((t) => judged.has(t) || t in READ_NOT_JUDGED)).toEqual([]);
    expect(Object.keys(READ_NOT_JUDGED).filter((t) => judged.has(t))).toEqual([]);
    expect(Object.keys(COMPONENT_PACKAGES)).toEqual(["edgestack"]);
  });

  it("never lists as inert a type that grants access, exposes data, opens a path or runs code", () => {
    const granting = /^aws:(iam|lambda|ec2\/(instance|securityGroup|route|vpcEndpoint|vpcPeering)|s3\/bucketPolicy|kms\/(key|grant)|eks|sqs|sns\/topicPolicy|secretsmanager)|^kubernetes:(rbac|core\/v1:(Pod|Secret|Service|ServiceAccount|Endpoints)|apps|batch|admissionregistration|apiextensions)|^pulumi:providers:(aws|kubernetes)$/;
    expect(Object.keys(INERT_TYPES).filter((t) => granting.test(t))).toEqual([]);
  });

  it("refuses a rule declaring a malformed type token", () => {
    expect(() => declareJudged(["aws:iam/role"], { name: "bad-rule" })).toThrow(/policy "bad-rule" judges "aws:iam\/role", which is not a Pulumi type token/);
    expect(() => declareJudged(["kubernetes:*"], { name: "bad-rule" })).toThrow(/not a Pulumi type token/);
  });
});
