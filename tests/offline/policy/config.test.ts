import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { allPolicies } from "../../../policies/rules";
import { loadPolicyConfig, PolicyConfigError, readPolicyConfigFile, validatePolicyConfig } from "../../../offline/policy/config";

const dir = mkdtempSync(path.join(tmpdir(), "policy-config-"));
const write = (name: string, body: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  return file;
};

describe("policy pack config (the --policy-pack-config format)", () => {
  it("accepts enforcement levels, `all`, and typed settings", () => {
    const config = { all: "advisory", "nlb-cross-zone": "mandatory", "route53-ttl-bounds": { enforcementLevel: "mandatory", maxTtl: 3600 } };
    expect(validatePolicyConfig(config, allPolicies, "f.json")).toEqual(config);
  });

  it.each([
    [{ "no-such-policy": "advisory" }, /f\.json: unknown policy "no-such-policy"/],
    [{ "nlb-cross-zone": "strict" }, /"nlb-cross-zone" has enforcement level "strict"; expected one of advisory, mandatory, remediate, disabled/],
    [{ "route53-ttl-bounds": { maxTTL: 5 } }, /"route53-ttl-bounds\.maxTTL" is not a setting of route53-ttl-bounds \(settings: minTtl, maxTtl\)/],
    [{ "route53-ttl-bounds": { maxTtl: "long" } }, /"route53-ttl-bounds\.maxTtl" must be integer/],
    [{ "alb-deletion-protection-prod": { environment: "staging" } }, /"alb-deletion-protection-prod\.environment" must be equal to one of the allowed values/],
    [{ all: { enforcementLevel: "advisory", maxTtl: 1 } }, /"all" takes only enforcementLevel/],
    [[], /must be a JSON object keyed by policy name/],
  ])("rejects %j naming the bad key", (config, message) => {
    expect(() => validatePolicyConfig(config, allPolicies, "f.json")).toThrow(message);
  });

  it("reads files, naming unreadable or malformed ones", () => {
    expect(readPolicyConfigFile(write("ok.json", '{"nlb-cross-zone":"disabled"}'), allPolicies)).toEqual({ "nlb-cross-zone": "disabled" });
    expect(() => readPolicyConfigFile(write("bad.json", "{nope"), allPolicies)).toThrow(/bad\.json: not valid JSON/);
    expect(() => readPolicyConfigFile(path.join(dir, "missing.json"), allPolicies)).toThrow(/cannot read policy config .*missing\.json: ENOENT/);
  });

  it("picks policy-config.<stack>.json from the policies directory unless a file is given", () => {
    write("policy-config.staging.json", '{"all":"advisory"}');
    expect(loadPolicyConfig({ stack: "staging", policiesDir: dir, policies: allPolicies })).toEqual({ config: { all: "advisory" }, file: path.join(dir, "policy-config.staging.json") });
    expect(loadPolicyConfig({ stack: "other", policiesDir: dir, policies: allPolicies })).toEqual({ config: {} });
    const explicit = write("explicit.json", '{"nlb-cross-zone":"mandatory"}');
    expect(loadPolicyConfig({ stack: "staging", policiesDir: dir, policies: allPolicies, file: explicit }).config).toEqual({ "nlb-cross-zone": "mandatory" });
    expect(() => loadPolicyConfig({ stack: "x", policiesDir: dir, policies: allPolicies, file: path.join(dir, "nope.json") })).toThrow(PolicyConfigError);
  });
});

describe("the repository's per-stack policy config files", () => {
  const policiesDir = path.resolve(__dirname, "../../../policies");
  const files = readdirSync(policiesDir).filter((f) => /^policy-config\..+\.json$/.test(f));
  it("exist for prod and validate against the pack", () => {
    expect(files).toContain("policy-config.prod.json");
    for (const f of files) expect(() => readPolicyConfigFile(path.join(policiesDir, f), allPolicies)).not.toThrow();
  });
});
