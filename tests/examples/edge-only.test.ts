/**
 * examples/edge-only: a team's program composing part of the package (the edge without the
 * cluster). It type-checks with tsc against the real provider types, importing the package by name
 * as a team would, and it plans offline: the edge is there, no EKS, cache or Kubernetes object is.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { runStack, StackRun } from "../harness";

const ROOT = path.resolve(__dirname, "../..");

let run: StackRun;
let typecheck: { code: number; output: string };
beforeAll(async () => {
  const tsc = promisify(execFile)(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "examples/tsconfig.json"], { cwd: ROOT }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` }),
  );
  [run, typecheck] = await Promise.all([runStack({ stack: "example", root: path.join(ROOT, "examples", "edge-only") }), tsc]);
}, 600_000);

describe("examples/edge-only", () => {
  it("type-checks against the package entry and the real provider types", () => {
    expect(typecheck).toEqual({ code: 0, output: "" });
  });

  it("plans the edge and nothing of the cluster", () => {
    const types = new Set(run.resources.map((r) => r.type));
    for (const type of ["aws:cloudfront/distribution:Distribution", "aws:lb/loadBalancer:LoadBalancer", "aws:route53/record:Record", "aws:ec2/vpc:Vpc"]) expect(types).toContain(type);
    // Through the package's one Edge component, as the program wires it: the same pieces, one place.
    expect(run.resources.filter((r) => r.type === "edgestack:edge:Edge").map((r) => r.name)).toEqual(["edge"]);
    for (const name of ["alb", "nlb", "cdn", "dns", "lb-certificate", "cdn-certificate", "origin-lock"]) expect(run.resources.find((r) => r.name === name)?.parent).toBe("edge");
    expect([...types].filter((t) => t.startsWith("aws:eks/") || t.startsWith("aws:elasticache/") || t.startsWith("kubernetes:"))).toEqual([]);
  });

  it("names its account-wide resources with its own prefix", () => {
    const policies = run.resources.filter((r) => r.type === "aws:cloudfront/cachePolicy:CachePolicy").map((r) => r.inputs.name);
    expect(policies.sort()).toEqual(["team-a-edge-html-short", "team-a-edge-static-immutable"]);
  });
});
