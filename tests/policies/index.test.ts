import { allPolicies } from "../../policies/rules";
import { validatePolicyConfig } from "../../offline/policy/config";
import { RunnerResource, UNKNOWN } from "../../offline/policy/runner";
import { cloudfrontCases } from "./fixtures/cloudfront";
import { elasticacheCases } from "./fixtures/elasticache";
import { kubernetesCases } from "./fixtures/kubernetes";
import { loadBalancerCases } from "./fixtures/loadbalancer";
import { route53Cases } from "./fixtures/route53";
import { dnsFailoverCases } from "./fixtures/dns-failover";
import { violationsOf } from "./fixtures/run";
import { s3Cases } from "./fixtures/s3";
import { securityGroupCases } from "./fixtures/securitygroups";
import { timeoutCases } from "./fixtures/timeouts";
import { computeCases } from "./fixtures/compute";
import { iamCases } from "./fixtures/iam";
import { networkCases } from "./fixtures/network";
import { originLockCases } from "./fixtures/originlock";
import { podSecurityCases } from "./fixtures/podsecurity";
import { wafCases } from "./fixtures/waf";
import { effectCases } from "./fixtures/effects";
import { environmentCases } from "./fixtures/environment";
import { observabilityCases } from "./fixtures/observability";
import { settingsCases } from "./fixtures/settings";
import { referenceCases } from "./fixtures/references";
import { capacityCases } from "./fixtures/capacity";
import { resourceTypeCases } from "./fixtures/resource-types";
import { providerCases } from "./fixtures/providers";
import { generatedSecretCases } from "./fixtures/generated-secrets";
import { trustPathCases } from "./fixtures/trust-paths";
import { servicesCases } from "./fixtures/services";
import { k8sObjectCases } from "./fixtures/k8s-objects";
import { chainCases, nginxEffectCases } from "./fixtures/nginx-effects";
import { workloadEffectCases } from "./fixtures/workload-effects";

const cases = [
  ...environmentCases,
  ...loadBalancerCases,
  ...originLockCases,
  ...securityGroupCases,
  ...networkCases,
  ...cloudfrontCases,
  ...wafCases,
  ...s3Cases,
  ...computeCases,
  ...iamCases,
  ...elasticacheCases,
  ...route53Cases,
  ...dnsFailoverCases,
  ...kubernetesCases,
  ...podSecurityCases,
  ...timeoutCases,
  ...effectCases,
  ...observabilityCases,
  ...settingsCases,
  ...referenceCases,
  ...capacityCases,
  ...resourceTypeCases,
  ...providerCases,
  ...generatedSecretCases,
  ...trustPathCases,
  ...servicesCases,
  ...k8sObjectCases,
  ...nginxEffectCases,
  ...chainCases,
  ...workloadEffectCases,
];

describe("the policy pack", () => {
  it("has at least 24 uniquely named policies with descriptions and a mandatory/advisory default", () => {
    expect(allPolicies.length).toBeGreaterThanOrEqual(24);
    expect(new Set(allPolicies.map((p) => p.name)).size).toBe(allPolicies.length);
    for (const p of allPolicies) {
      expect(p.name).toMatch(/^[a-z0-9][a-z0-9-]+$/);
      expect(p.description.length).toBeGreaterThan(20);
      expect(["mandatory", "advisory"]).toContain(p.enforcementLevel);
    }
  });

  it("gives every policy at least one passing and one failing fixture", () => {
    for (const p of allPolicies) {
      const c = cases.find((x) => x.policy === p.name);
      expect({ policy: p.name, pass: (c?.pass.length ?? 0) > 0, fail: (c?.fail.length ?? 0) > 0 }).toEqual({ policy: p.name, pass: true, fail: true });
    }
    expect(cases.map((c) => c.policy).filter((n) => !allPolicies.some((p) => p.name === n))).toEqual([]);
  });

  it("has config schemas whose defaults satisfy them (so the CLI accepts them)", () => {
    const defaults: Record<string, Record<string, unknown>> = {};
    for (const p of allPolicies) {
      const props = Object.fromEntries(Object.entries(p.configSchema?.properties ?? {}).map(([k, s]) => [k, (s as { default?: unknown }).default]));
      for (const [k, v] of Object.entries(props)) expect({ policy: p.name, key: k, hasDefault: v !== undefined }).toEqual({ policy: p.name, key: k, hasDefault: true });
      defaults[p.name] = props;
    }
    expect(() => validatePolicyConfig(defaults, allPolicies, "defaults")).not.toThrow();
  });
});

/** Each passing fixture with one top-level input replaced by an unknown (preview) value. */
function previewVariants(resources: RunnerResource[]): { label: string; resources: RunnerResource[] }[] {
  const out: { label: string; resources: RunnerResource[] }[] = [];
  resources.forEach((r, i) => {
    for (const key of Object.keys(r.inputs)) {
      const copy = resources.slice();
      copy[i] = { ...r, inputs: { ...r.inputs, [key]: UNKNOWN.string } };
      out.push({ label: `${r.name}.${key}`, resources: copy });
    }
  });
  return out;
}

describe("preview: unknown inputs never crash a rule or turn a pass into a mandatory violation", () => {
  for (const c of cases) {
    it(c.policy, async () => {
      for (const fixture of c.pass) {
        for (const variant of previewVariants(fixture.resources)) {
          const found = await violationsOf(c.policy, { ...fixture, resources: variant.resources });
          const bad = found.filter((v) => v.enforcement === "mandatory" || /failed/.test(v.message));
          expect({ fixture: fixture.title, unknown: variant.label, bad }).toEqual({ fixture: fixture.title, unknown: variant.label, bad: [] });
          for (const v of found) expect(v.message).toMatch(/^can't run policy '.*' during preview: .* can't be known during preview$/);
        }
      }
    });
  }
});
