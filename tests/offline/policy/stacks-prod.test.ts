import { main } from "../../../offline/policy/cli";

// The offline engine runs one stack per process, so prod gets its own test file (dev: stacks.test.ts).
describe("the prod stack", () => {
  it("passes every mandatory policy (npm run policy -- --stack prod)", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["--stack", "prod", "--json"], { out: (s) => out.push(s), err: (s) => err.push(s) });
    const violations = JSON.parse(out.join("\n") || "[]") as { enforcement: string }[];
    expect({ err: err.join("\n"), mandatory: violations.filter((v) => v.enforcement === "mandatory") }).toEqual({ err: "", mandatory: [] });
    expect(code).toBe(0);
  });
});
