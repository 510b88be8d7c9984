/**
 * Peer check: Pulumi's own AWS pack (@pulumi/awsguard 0.3.1) over the dev and prod plans. Its policies are imported
 * one by one and run by the offline runner (constructing its PolicyPack would start a gRPC server). It predates the
 * `aws:lb/*` tokens, so those are mapped to the `aws:elasticloadbalancingv2/*` ones it matches. Every violation is
 * either fixed in the stack or listed, with its reason, in policies/awsguard-allowlist.json.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Policies } from "@pulumi/policy";
import { mockOutputs, parsePlanFile } from "../../offline/policy/inputs";
import { RunnerResource, runPolicies, Violation } from "../../offline/policy/runner";
import allowList from "../../policies/awsguard-allowlist.json";

const root = path.resolve(__dirname, "../..");
const AWSGUARD_MODULES = ["apiGateway", "compute", "database", "elasticsearch", "network", "security", "storage"];

interface AllowList {
  notRun: { policy: string; reason: string }[];
  violations: { stack: string; policy: string; resource: string; reason: string }[];
}
const allow = allowList as AllowList;

/** Every policy object the awsguard modules export (each module registers its policies as named exports). */
function awsguardPolicies(): Policies {
  const out: Policies = [];
  for (const m of AWSGUARD_MODULES) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`@pulumi/awsguard/${m}`) as Record<string, unknown>;
    for (const p of Object.values(mod)) {
      if (typeof p === "object" && p !== null && "name" in p && ("validateResource" in p || "validateStack" in p)) out.push(p as Policies[number]);
    }
  }
  return out.filter((p) => !allow.notRun.some((n) => n.policy === p.name));
}

/** Our tokens → the ones awsguard's (older) AWS SDK classes carry. */
export function mapTypeToken(type: string): string {
  return type.replace(/^aws:(lb|alb)\//, "aws:elasticloadbalancingv2/");
}

async function planOf(stack: string): Promise<RunnerResource[]> {
  const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "plan", "--", "--stack", stack, "--json"], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return parsePlanFile(stdout, `plan ${stack}`).resources;
}

const key = (stack: string, v: Violation) => `${stack} ${v.policy} ${v.resource?.name ?? "(stack)"}`;
const allowed = new Set(allow.violations.map((a) => `${a.stack} ${a.policy} ${a.resource}`));

describe("@pulumi/awsguard over our plans", () => {
  const policies = awsguardPolicies();
  const found: Record<string, Violation[]> = {};

  beforeAll(async () => {
    for (const stack of ["dev", "prod"]) {
      const resources = (await planOf(stack)).map((r) => ({ ...r, type: mapTypeToken(r.type) }));
      found[stack] = await runPolicies({ stack, resources, policies, outputsOf: mockOutputs });
    }
  }, 120_000);

  it("loads awsguard's policies, including the load-balancer ones, less those that need AWS", () => {
    expect(policies.length).toBeGreaterThan(20);
    expect(policies.map((p) => p.name)).toEqual(expect.arrayContaining(["elb-logging-enabled", "elb-deletion-protection-enabled", "alb-http-to-https-redirection", "cmk-backing-key-rotation-enabled"]));
    for (const n of allow.notRun) {
      expect(policies.map((p) => p.name)).not.toContain(n.policy);
      expect(n.reason.length).toBeGreaterThan(20);
    }
  });

  it("maps aws:lb tokens so its load-balancer rules fire", async () => {
    const nlb = { type: mapTypeToken("aws:lb/loadBalancer:LoadBalancer"), name: "bare-nlb", parent: null, inputs: { loadBalancerType: "network" } };
    const v = await runPolicies({ stack: "prod", resources: [nlb], policies, outputsOf: mockOutputs });
    expect(v.map((x) => x.policy).sort()).toEqual(["elb-deletion-protection-enabled", "elb-logging-enabled"]);
    const unmapped = await runPolicies({ stack: "prod", resources: [{ ...nlb, type: "aws:lb/loadBalancer:LoadBalancer" }], policies, outputsOf: mockOutputs });
    expect(unmapped).toEqual([]);
  });

  it.each(["dev", "prod"])("%s: every awsguard violation is fixed or allow-listed with a reason", (stack) => {
    expect(found[stack].filter((v) => !/during preview/.test(v.message)).map((v) => key(stack, v)).filter((k) => !allowed.has(k))).toEqual([]);
    expect(found[stack].filter((v) => /failed on|during preview/.test(v.message))).toEqual([]);
  });

  it("the allow-list holds only entries that still match a violation, each with a reason", () => {
    const seen = new Set(["dev", "prod"].flatMap((s) => found[s].map((v) => key(s, v))));
    for (const a of allow.violations) {
      expect({ entry: `${a.stack} ${a.policy} ${a.resource}`, matched: seen.has(`${a.stack} ${a.policy} ${a.resource}`) }).toEqual({ entry: `${a.stack} ${a.policy} ${a.resource}`, matched: true });
      expect(a.reason.length).toBeGreaterThan(20);
    }
  });
});
