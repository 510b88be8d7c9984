/**
 * What a reviewer reads in the PR for each blue/green step, on the real program through `npm run plan`
 * (as the PR workflow runs it): turning blue/green on adds green beside an untouched blue, and a
 * cutover (weights, the NLB's colour, scaling the drained colour) is in-place updates only, each line
 * naming the target group it moves.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { diffPlans, parsePlan, PlanDiff, PlanResource } from "../../../offline/plan/diff";
import { nameProperties } from "../../../offline/plan/physical-names";
import { renderMarkdown, renderText } from "../../../offline/plan/render-diff";
import { REPLACEMENT_RULES } from "../../../offline/plan/replacements";

const root = path.resolve(__dirname, "../../..");
const run = promisify(execFile);
let dir: string;

async function plan(label: string, config: Record<string, unknown>): Promise<PlanResource[]> {
  const doc = parse(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"));
  for (const [key, value] of Object.entries(config)) doc.config[key] = value;
  const file = path.join(dir, `Pulumi.dev-${label}.yaml`);
  fs.writeFileSync(file, stringify(doc));
  const { stdout } = await run("npm", ["run", "--silent", "plan", "--", "--stack", "dev", "--stack-file", file, "--json"], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return parsePlan(JSON.parse(stdout), `${label} plan`);
}

const on = { "edgestack:nginxBlueGreen": true };
let single: PlanResource[];
let blue100: PlanResource[];
let split: PlanResource[];
let drained: PlanResource[];
let greenConf: PlanResource[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "blue-green-diff-"));
  [single, blue100, split, drained, greenConf] = await Promise.all([
    plan("single", {}),
    plan("on", on),
    plan("split", { ...on, "edgestack:albBlueWeight": 50, "edgestack:albGreenWeight": 50, "edgestack:nlbColor": "green" }),
    plan("drained", { ...on, "edgestack:albBlueWeight": 0, "edgestack:albGreenWeight": 100, "edgestack:nlbColor": "green", "edgestack:nginxReplicas": 0 }),
    plan("green-conf", { ...on, "edgestack:nginxGreenOverrides": ["nginxLoadBalancing=random_two_least_conn"] }),
  ]);
}, 240_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const tgArn = (p: PlanResource[], name: string) => p.find((r) => r.type === "aws:lb/targetGroup:TargetGroup" && r.name === name)!.inputs;
const names = (rs: { type: string; name: string }[]) => rs.map((r) => `${r.type} ${r.name}`).sort();

describe("turning blue/green on (100/0)", () => {
  let diff: PlanDiff;
  beforeAll(() => (diff = diffPlans(single, blue100)));

  it("creates green's tier and target groups, replaces nothing, deletes nothing", () => {
    expect(diff.deletes).toEqual([]);
    expect(diff.updates.filter((u) => u.replace)).toEqual([]);
    expect(names(diff.creates)).toEqual(
      expect.arrayContaining([
        "aws:lb/targetGroup:TargetGroup alb-nginx-green",
        "aws:lb/targetGroup:TargetGroup nlb-tls-green",
        "aws:lb/targetGroup:TargetGroup nlb-http-green",
        "kubernetes:apps/v1:Deployment workloads-nginx-green",
        "kubernetes:core/v1:Service workloads-nginx-green",
        "kubernetes:policy/v1:PodDisruptionBudget workloads-nginx-green",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule lb-targets-alb-30083",
      ]),
    );
  });

  it("leaves blue's Deployment, Service, target groups and the NLB listeners untouched; only the ALB's rules become weighted forwards", () => {
    const updated = names(diff.updates);
    for (const n of ["kubernetes:apps/v1:Deployment workloads-nginx", "kubernetes:core/v1:Service workloads-nginx", "aws:lb/targetGroup:TargetGroup alb-nginx", "aws:lb/listener:Listener nlb-tls"]) {
      expect(updated).not.toContain(n);
    }
    expect(diff.updates.filter((u) => u.type === "aws:lb/listenerRule:ListenerRule").length).toBeGreaterThan(0);
    // the app's ingress admits green's pods too
    expect(updated).toContain("kubernetes:networking.k8s.io/v1:NetworkPolicy workloads-netpol-app-from-nginx");
  });
});

describe("shifting weights and the NLB's colour (100/0 → 50/50, NLB on green)", () => {
  let diff: PlanDiff;
  let text: string;
  beforeAll(() => {
    diff = diffPlans(blue100, split);
    text = renderText(diff);
  });

  it("is in-place updates of the ALB's rules and the NLB's listeners only", () => {
    expect([diff.creates, diff.deletes]).toEqual([[], []]);
    expect(diff.updates.every((u) => u.replace === undefined)).toBe(true);
    expect(new Set(diff.updates.map((u) => u.type))).toEqual(new Set(["aws:lb/listenerRule:ListenerRule", "aws:lb/listener:Listener"]));
    expect(names(diff.updates.filter((u) => u.type === "aws:lb/listener:Listener"))).toEqual(["aws:lb/listener:Listener nlb-tcp-80", "aws:lb/listener:Listener nlb-tls"]);
  });

  it("renders each weight change as an update line naming the target group it moves", () => {
    const blueArn = /targetgroup\/alb-nginx\/[0-9a-f]+/;
    const greenArn = /targetgroup\/alb-nginx-green\/[0-9a-f]+/;
    const lines = text.split("\n");
    const rule = lines.findIndex((l) => l === "~ aws:lb/listenerRule:ListenerRule alb-route-default");
    expect(rule).toBeGreaterThanOrEqual(0);
    const body = lines.slice(rule + 1, rule + 3).map((l) => l.trim());
    expect(body[0]).toMatch(new RegExp(`^~ actions\\[type="forward"\\]\\.forward\\.targetGroups\\[arn=".*${blueArn.source}"\\]\\.weight: 100 → 50$`));
    expect(body[1]).toMatch(new RegExp(`^~ actions\\[type="forward"\\]\\.forward\\.targetGroups\\[arn=".*${greenArn.source}"\\]\\.weight: 0 → 50$`));
    expect(text).not.toMatch(/^± /m);
    const md = renderMarkdown([{ stack: "dev", diff }]);
    expect(md).toMatch(/alb-route-default/);
    expect(md).not.toMatch(/replace/i);
  });

  it("moves the NLB's listeners to green's target groups", () => {
    const tls = diff.updates.find((u) => u.name === "nlb-tls")!;
    expect(tls.changes.map((c) => [c.old, c.new])).toEqual([[expect.stringMatching(/targetgroup\/nlb-tls\//), expect.stringMatching(/targetgroup\/nlb-tls-green\//)]]);
    expect(tgArn(split, "nlb-tls-green")).toBeDefined();
  });
});

describe("draining blue after the cutover (0/100, blue scaled to 0)", () => {
  it("updates blue's Deployment replicas in place and keeps its target groups for a rollback", () => {
    const diff = diffPlans(split, drained);
    expect([diff.creates, diff.deletes]).toEqual([[], []]);
    expect(diff.updates.every((u) => u.replace === undefined)).toBe(true);
    const blue = diff.updates.find((u) => u.type === "kubernetes:apps/v1:Deployment" && u.name === "workloads-nginx")!;
    expect(blue.changes.map((c) => [c.path, c.old, c.new])).toEqual([[["spec", "replicas"], 2, 0]]);
  });
});

describe("green's own nginx.conf (nginxGreenOverrides)", () => {
  it("adds green's ConfigMap and rolls green's Deployment onto it; blue's ConfigMap and Deployment are untouched", () => {
    const diff = diffPlans(blue100, greenConf);
    expect(diff.deletes).toEqual([]);
    expect(names(diff.creates)).toEqual(["kubernetes:core/v1:ConfigMap workloads-nginx-green-conf"]);
    const created = diff.creates[0]!.inputs as { data: Record<string, string> };
    expect(created.data["nginx.conf"]).toContain("random two least_conn;");
    const updated = names(diff.updates);
    expect(updated).toContain("kubernetes:apps/v1:Deployment workloads-nginx-green");
    expect(updated).not.toContain("kubernetes:apps/v1:Deployment workloads-nginx");
    expect(updated).not.toContain("kubernetes:core/v1:ConfigMap workloads-nginx-conf");
    const green = diff.updates.find((u) => u.name === "workloads-nginx-green")!;
    expect(renderText({ ...diff, updates: [green], creates: [], deletes: [] })).toMatch(/configMap\.name: "?nginx-conf-[0-9a-f]+"? → "?nginx-conf-[0-9a-f]+/);
  });
});

describe("the plan tables", () => {
  it("know every resource type of the blue/green plan (replacement rules) and classify every name-like input", () => {
    const types = [...new Set(split.map((r) => r.type))].filter((t) => !t.startsWith("edgestack:") && !t.startsWith("pulumi:pulumi:"));
    expect(types.filter((t) => !(t in REPLACEMENT_RULES))).toEqual([]);
    expect(nameProperties(split).filter((p) => !p.rule).map((p) => `${p.type}::${p.resource} ${p.path}`)).toEqual([]);
    expect(split.some((r) => r.name === "alb-nginx-green")).toBe(true);
  });
});
