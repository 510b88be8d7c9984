import { allPolicies } from "../../policies/rules";
import { validatePolicyConfig } from "../../offline/policy/config";
import { runPolicies } from "../../offline/policy/runner";
import { stackInertTypes, unjudgedMessage } from "../../policies/rules/types";
import { judgedTypes } from "../../policies/rules/registry";
import { resourceTypeCases } from "./fixtures/resource-types";
import { runCases } from "./fixtures/run";
import { component, res } from "./fixtures/types";

runCases(resourceTypeCases);

const rule = allPolicies.find((p) => p.name === "resource-types-judged")!;
const judge = (resources: ReturnType<typeof res>[], config = {}) => runPolicies({ stack: "dev", resources, policies: [rule], config });

describe("resource-types-judged", () => {
  it("is mandatory and runs after every judging rule", () => {
    expect(rule.enforcementLevel).toBe("mandatory");
    expect(allPolicies[allPolicies.length - 1]).toBe(rule);
  });

  it("names every resource of an unjudged type, once each, and says how to proceed", async () => {
    const found = await judge([res("aws:iam/user:User", "alice", {}), res("aws:iam/user:User", "bob", {}), res("aws:iam/role:Role", "role", {})]);
    expect(found.map((v) => v.resource?.name)).toEqual(["alice", "bob"]);
    for (const v of found) {
      expect(v.enforcement).toBe("mandatory");
      expect(v.message).toMatch(/Add a rule that judges it .* or, if it grants nothing by itself, list it in resource-types-judged\.inertTypes/);
    }
  });

  it("judges providers by package: ours are judged or inert, another package's is reported", async () => {
    const found = await judge(["aws", "kubernetes", "random", "tls", "cloudflare", "aws-native"].map((pkg) => res(`pulumi:providers:${pkg}`, pkg, {})));
    expect(found.map((v) => v.resource?.name)).toEqual(["cloudflare", "aws-native"]);
    expect(found[0].message).toMatch(/^Provider "cloudflare" \(pulumi:providers:cloudflare\) is of a package no rule judges/);
  });

  it("treats only the project's own and known component types as components", async () => {
    const found = await judge([component("edgestack:edge:Edge", "edge"), component("kubernetes:helm.sh/v4:Chart", "chart"), component("awsx:ec2:Vpc", "vpc"), res("kubernetes:helm.sh/v3:Release", "release", {})]);
    expect(found.map((v) => v.resource?.name)).toEqual(["vpc", "release"]);
  });

  it("a stack's inert list silences exactly the types it names", async () => {
    const config = { "resource-types-judged": { inertTypes: { "aws:budgets/budget:Budget": "cost notifications to the team's own topic" } } };
    const found = await judge([res("aws:budgets/budget:Budget", "b", {}), res("aws:budgets/budgetAction:BudgetAction", "a", {})], config);
    expect(found.map((v) => v.resource?.name)).toEqual(["a"]);
  });

  it("refuses a malformed stack inert list with a message naming the entry", () => {
    expect(stackInertTypes({ "aws:iam/*": "everything IAM is fine here" }).problems).toEqual([expect.stringMatching(/lists "aws:iam\/\*", which is not a Pulumi type token/)]);
    expect(stackInertTypes({ "aws:budgets/budget:Budget": "ok" }).problems).toEqual([expect.stringMatching(/lists "aws:budgets\/budget:Budget" without a reason/)]);
    expect(stackInertTypes(["aws:budgets/budget:Budget"]).problems).toEqual([expect.stringMatching(/must be an object of type token → reason/)]);
    const check = (entry: unknown) => () => validatePolicyConfig({ "resource-types-judged": entry }, allPolicies, "policy-config.dev.json");
    expect(check({ inertTypes: { "aws:*": "anything of AWS at all" } })).toThrow(/"resource-types-judged\.inertTypes" key "aws:\*" must match pattern/);
    expect(check({ inertTypes: { "aws:budgets/budget:Budget": "ok" } })).toThrow(/"resource-types-judged\.inertTypes\.aws:budgets\/budget:Budget" must NOT have fewer than 12 characters/);
    expect(check({ inert: {} })).toThrow(/"resource-types-judged\.inert" is not a setting of resource-types-judged/);
    expect(check({ inertTypes: { "aws:budgets/budget:Budget": "cost notifications only" } })).not.toThrow();
  });

  it("points at a registered version of the same Kubernetes kind", () => {
    const message = unjudgedMessage({ type: "kubernetes:apps/v1beta2:Deployment", name: "d" }, judgedTypes(allPolicies));
    expect(message).toMatch(/Rules judge kubernetes:apps\/v1:Deployment \(/);
  });
});
