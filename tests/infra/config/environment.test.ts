/**
 * The one environment rule (packages/contract/src/environment.ts), over the stack names and configs a team
 * might use, through every entry point that decides prod: the pure function, the program's config
 * loading (what `pulumi up` runs first), the policy pack as the CLI runs it (stack name from the URN,
 * the config's environment from the AWS provider's defaultTags) and the offline runner
 * (`npm run policy -- --plan`, the environment recorded in the plan file).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { decideEnvironment, environmentOfStackName } from "@edgestack/contract";
import { ConfigError, parseStackConfig } from "../../../infra/config/schema";
import { main as policyCli } from "../../../offline/policy/cli";
import { runPolicies } from "../../../offline/policy/runner";
import { allPolicies } from "../../../policies/rules";

const PROD_NAMES = ["prod", "production", "prd", "prod-eu", "eu-prod", "prod-canary", "prod_eu", "prod2", "Prod-US-East-1", "acme/edge/prod", "acme.prod.us-east-1", "prod-test"];
const NONPROD_NAMES = ["dev", "staging", "stage", "qa", "test", "uat", "sandbox", "preprod", "pre-prod", "nonprod", "non-prod", "dev2", "eu-staging"];
const NEUTRAL_NAMES = ["main", "live", "acme-eu", "product", "products-eu", "prodigy", "reproduce"];

describe("environmentOfStackName", () => {
  it.each(PROD_NAMES)("%s says prod", (name) => expect(environmentOfStackName(name)).toBe("prod"));
  it.each(NONPROD_NAMES)("%s says nonprod", (name) => expect(environmentOfStackName(name)).toBe("nonprod"));
  it.each(NEUTRAL_NAMES)("%s says nothing", (name) => expect(environmentOfStackName(name)).toBeUndefined());
});

/** [stack, configured environment (undefined = key unset), expected: prod | dev | refused] */
const TABLE: [string, string | undefined, "prod" | "dev" | "refused"][] = [
  ["prod", "prod", "prod"],
  ["prod", undefined, "prod"],
  ["prod", "dev", "refused"],
  ["production", undefined, "prod"],
  ["prod-canary", "dev", "refused"],
  ["prod-canary", "prod", "prod"],
  ["eu-prod", undefined, "prod"],
  ["prd", "dev", "refused"],
  ["dev", "dev", "dev"],
  ["dev", undefined, "dev"],
  ["dev", "prod", "refused"],
  ["staging", "prod", "refused"],
  ["pre-prod", "dev", "dev"],
  ["pre-prod", "prod", "refused"],
  ["live", "prod", "prod"],
  ["live", "dev", "dev"],
  ["live", undefined, "dev"],
  ["product", undefined, "dev"],
];

describe.each(TABLE)("stack %j with environment %j", (stack, configured, expected) => {
  it(`the shared function decides ${expected}`, () => {
    const d = decideEnvironment(stack, configured);
    if (expected === "refused") expect(d.conflict).toMatch(/by its name, but its config sets environment/);
    else expect({ environment: d.environment, conflict: d.conflict }).toEqual({ environment: expected, conflict: undefined });
  });

  it(`the program ${expected === "refused" ? "refuses it at start, naming the key" : `runs it as ${expected}`}`, () => {
    const raw: Record<string, string> = { "aws:region": "eu-west-1", "edgestack:domain": "example.com", "edgestack:cacheReplicas": "1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/deploy" };
    if (configured !== undefined) raw["edgestack:environment"] = configured;
    if (expected === "refused") {
      expect(() => parseStackConfig(raw, stack)).toThrow(ConfigError);
      expect(() => parseStackConfig(raw, stack)).toThrow(/edgestack:environment: stack .* by its name, but its config sets environment/);
    } else {
      const config = parseStackConfig(raw, stack);
      expect({ environment: config.environment, isProd: config.isProd }).toEqual({ environment: expected, isProd: expected === "prod" });
    }
  });

  // The pack under the CLI: the stack name from the URN, the config's environment from the provider tag the
  // program writes (a refused stack never gets that far under the CLI; its tag would say what the config says).
  const tag = configured ?? (expected === "refused" ? "dev" : expected);
  // An ALB alone: its deletion protection is the prod-only rule these cases watch (a log bucket outside this small plan
  // would be another rule's violation in every environment).
  const resources = [
    { type: "pulumi:providers:aws", name: "aws", parent: null, custom: true, inputs: { region: "us-east-1", defaultTags: JSON.stringify({ tags: { environment: tag } }) } },
    { type: "aws:lb/loadBalancer:LoadBalancer", name: "alb", parent: null, custom: true, provider: "pulumi:providers:aws::aws", inputs: { loadBalancerType: "application", enableDeletionProtection: false, dropInvalidHeaderFields: true } },
  ];

  it(`the pack under the CLI ${expected === "refused" ? "refuses it (mandatory)" : `applies ${expected} rules`}`, async () => {
    const violations = await runPolicies({ stack: stack.split("/").pop()!, resources, policies: allPolicies });
    const names = violations.filter((v) => v.enforcement === "mandatory").map((v) => v.policy);
    expect(names.includes("stack-environment")).toBe(expected === "refused");
    expect(names.includes("alb-deletion-protection-prod")).toBe(expected !== "dev");
  });

  it(`the offline runner ${expected === "refused" ? "refuses it" : `applies ${expected} rules`} from a plan file`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "environment-"));
    const file = path.join(dir, "plan.json");
    writeFileSync(file, JSON.stringify({ stack: stack.split("/").pop()!.replace(/[^\w.-]/g, "-"), project: "edgestack", environment: tag, resources }));
    const out: string[] = [];
    const code = await policyCli(["--plan", file, "--json"], { out: (s) => out.push(s), err: () => undefined });
    const names = (JSON.parse(out.join("")) as { policy: string; enforcement: string }[]).filter((v) => v.enforcement === "mandatory").map((v) => v.policy);
    expect(names.includes("stack-environment")).toBe(expected === "refused");
    expect(names.includes("alb-deletion-protection-prod")).toBe(expected !== "dev");
    expect(code).toBe(expected === "dev" ? 0 : 1);
  });
});
