import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../../offline/policy/cli";

const dir = mkdtempSync(path.join(tmpdir(), "policy-cli-"));
const write = (name: string, value: unknown) => {
  const file = path.join(dir, name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
};

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

// Access logs go to "logs", a bucket these small plans do not hold: the configs below name it as an external destination.
const LOGS_ELSEWHERE = { "logs-and-keys-are-the-stacks": { externalDestinations: ["logs"] } };
const alb = { type: "aws:lb/loadBalancer:LoadBalancer", name: "alb", parent: null, inputs: { loadBalancerType: "application", dropInvalidHeaderFields: true, enableDeletionProtection: true, accessLogs: { enabled: true, bucket: "logs" } } };
const nlb = { type: "aws:lb/loadBalancer:LoadBalancer", name: "nlb", parent: null, inputs: { loadBalancerType: "network", enableCrossZoneLoadBalancing: true, enableDeletionProtection: true, accessLogs: { enabled: true, bucket: "logs" } } };
const https = { type: "aws:lb/listener:Listener", name: "https", parent: null, inputs: { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultActions: [{ type: "fixed-response" }] } };
const cache = {
  type: "aws:elasticache/replicationGroup:ReplicationGroup",
  name: "cache",
  parent: null,
  // Prod keeps its cache: protected, with a final snapshot and snapshot retention (stateful-deletion-protection-prod).
  protect: true,
  inputs: { transitEncryptionEnabled: true, atRestEncryptionEnabled: true, authToken: "[secret]", automaticFailoverEnabled: true, multiAzEnabled: true, numCacheClusters: 2, subnetGroupName: "[unknown]", finalSnapshotIdentifier: "cache-final", snapshotRetentionLimit: 7 },
};
const secure = write("secure.json", [alb, nlb, https, cache]);

describe("npm run policy", () => {
  it("passes a secure plan (exit 0) and prints a summary", async () => {
    // The plan holds no alarms: the prod alerting rule is judged by its own tests (policies/rules/observability.ts).
    const r = await run("--plan", secure, "--stack", "prod", "--policy-pack-config", write("no-alarms.json", { "recommended-alarms-deliver-prod": "disabled", ...LOGS_ELSEWHERE }));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Policy pack: \d+ policies over 4 resources of plan .*secure\.json/);
    expect(r.out).toMatch(/0 mandatory, 0 advisory violation\(s\) — passed$/);
  });

  it("fails an insecure plan (exit 1), grouping violations by policy with the resource", async () => {
    const insecure = write("insecure.json", [{ ...alb, inputs: { ...alb.inputs, dropInvalidHeaderFields: false } }, { ...https, inputs: { ...https.inputs, sslPolicy: "ELBSecurityPolicy-2016-08" } }, nlb]);
    const r = await run("--plan", insecure, "--stack", "dev", "--policy-pack-config", write("logs-elsewhere.json", LOGS_ELSEWHERE));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ alb-drop-invalid-header-fields \(mandatory\): .*\n {4}aws:lb\/loadBalancer:LoadBalancer "alb": Application load balancer "alb" must set dropInvalidHeaderFields: true/);
    expect(r.out).toMatch(/✗ alb-https-listener-tls12 \(mandatory\).*\n {4}aws:lb\/listener:Listener "https": HTTPS listener "https" uses ssl policy "ELBSecurityPolicy-2016-08"/);
    expect(r.out).toMatch(/2 mandatory, 0 advisory violation\(s\) — FAILED$/);
  });

  it("--json prints exactly { policy, enforcement, resource, message } objects", async () => {
    const r = await run("--plan", write("nlb.json", [{ ...nlb, inputs: { loadBalancerType: "network" } }]), "--stack", "dev", "--json");
    expect(r.code).toBe(1); // nlb-cross-zone is mandatory
    expect(JSON.parse(r.out)).toEqual([
      { policy: "nlb-cross-zone", enforcement: "mandatory", resource: { type: "aws:lb/loadBalancer:LoadBalancer", name: "nlb" }, message: 'Network load balancer "nlb" should set enableCrossZoneLoadBalancing: true.' },
    ]);
  });

  it("applies prod-only rules by stack name and says when it assumes non-prod", async () => {
    const plan = write("dev-alb.json", [{ ...alb, inputs: { ...alb.inputs, enableDeletionProtection: false } }]);
    const unnamed = await run("--plan", plan);
    expect(unnamed.code).toBe(2);
    expect(unnamed.err).toMatch(/records no stack .*pass --stack NAME/);
    const prod = await run("--plan", plan, "--stack", "prod", "--json", "--policy-pack-config", write("no-alarms.json", { "recommended-alarms-deliver-prod": "disabled", ...LOGS_ELSEWHERE }));
    expect(prod.code).toBe(1);
    expect(JSON.parse(prod.out)).toEqual([expect.objectContaining({ policy: "alb-deletion-protection-prod", resource: { type: alb.type, name: "alb" } })]);
  });

  it("honours --policy-pack-config (same file format as the Pulumi CLI)", async () => {
    const plan = write("tls.json", [{ ...https, inputs: { ...https.inputs, sslPolicy: undefined } }]);
    expect((await run("--plan", plan, "--stack", "dev")).code).toBe(1);
    const cfg = write("cfg.json", { "alb-https-listener-tls12": "advisory" });
    const r = await run("--plan", plan, "--stack", "dev", "--policy-pack-config", cfg, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)[0]).toMatchObject({ policy: "alb-https-listener-tls12", enforcement: "advisory" });
    expect((await run("--plan", plan, "--stack", "dev", "--policy-pack-config", write("off.json", { all: "disabled" }), "--json")).out).toBe("[]");
  });

  it("evaluates a plan file with the environment recorded in it, and the stack name too", async () => {
    const insecureAlb = { ...alb, inputs: { ...alb.inputs, enableDeletionProtection: false } };
    const live = write("live.json", { stack: "live", project: "edgestack", environment: "prod", resources: [insecureAlb] });
    const r = await run("--plan", live, "--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toContainEqual(expect.objectContaining({ policy: "alb-deletion-protection-prod", enforcement: "mandatory", resource: { type: insecureAlb.type, name: "alb" } }));
    // A stack named prod is prod whatever its config says, and the disagreement itself is refused.
    const prodNamedDev = write("prod-named.json", { stack: "prod", project: "edgestack", environment: "dev", resources: [insecureAlb] });
    const named = await run("--plan", prodNamedDev, "--json");
    expect(named.code).toBe(1);
    expect(JSON.parse(named.out).map((v: { policy: string }) => v.policy)).toEqual(expect.arrayContaining(["stack-environment", "alb-deletion-protection-prod"]));
  });

  it.each([
    [[], /give --stack NAME .* or --plan FILE/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--plan", "/nonexistent/plan.json"], /--plan \/nonexistent\/plan\.json: cannot read \(ENOENT\)/],
    [["--stack", "../etc"], /--stack "\.\.\/etc" is not a stack name/],
    [["--plan", "PLAN", "--stack", "dev", "--policy-pack-config", "/nonexistent/cfg.json"], /cannot read policy config \/nonexistent\/cfg\.json/],
    [["--plan", "PLAN"], /records no stack/],
    [["--plan", "RECORDED", "--stack", "dev"], /was made for stack "prod", not --stack "dev"/],
    [["--plan", "BAD"], /resource \[0\] has no "type" string/],
  ])("exits 2 with a clear message for %j", async (argv, message) => {
    const recorded = write("recorded.json", { stack: "prod", project: "edgestack", environment: "prod", resources: [alb] });
    const args = argv.map((a) => (a === "PLAN" ? secure : a === "BAD" ? write("bad.json", [{}]) : a === "RECORDED" ? recorded : a));
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
