/**
 * The diff a reviewer reads, end to end on the real program: plan the dev stack as committed and
 * with changed config (through `npm run plan`, as the PR workflow does), diff, render.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { diffCounts, diffPlans, parsePlan, PlanDiff, PlanResource } from "../../../offline/plan/diff";
import { renderMarkdown, renderText } from "../../../offline/plan/render-diff";
import { REPLACEMENT_RULES, STATEFUL_TYPES } from "../../../offline/plan/replacements";

const root = path.resolve(__dirname, "../../..");
const run = promisify(execFile);
let dir: string;
let base: PlanResource[];
let head: PlanResource[];
let prod: PlanResource[];
let diff: PlanDiff;
let text: string;

async function plan(stack: string, config: Record<string, unknown> = {}): Promise<PlanResource[]> {
  const doc = parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8"));
  for (const [key, value] of Object.entries(config)) doc.config[key] = value;
  const file = path.join(dir, `Pulumi.${stack}-${Object.keys(config).length}.yaml`);
  fs.writeFileSync(file, stringify(doc));
  const { stdout } = await run("npm", ["run", "--silent", "plan", "--", "--stack", stack, "--stack-file", file, "--json"], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return parsePlan(JSON.parse(stdout), `${stack} plan`);
}

/** The rendered block of one resource: from its heading to the next blank line. */
function block(type: string, name: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.includes(` ${type} ${name}`));
  if (start < 0) throw new Error(`${type} ${name} not in the diff:\n${text}`);
  const end = lines.indexOf("", start);
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-diff-"));
  [base, head, prod] = await Promise.all([
    plan("dev"),
    plan("dev", { "edgestack:cdnOriginKeepaliveSeconds": 10, "edgestack:originSubdomain": "origin2", "edgestack:nginxWorkerConnections": 2048 }),
    plan("prod"),
  ]);
  diff = diffPlans(base, head);
  text = renderText(diff);
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the plan diff on the real program", () => {
  it("shows originKeepaliveTimeout 5 → 10 under the distribution while the verify header stays [secret]", () => {
    const cdn = block("aws:cloudfront/distribution:Distribution", "cdn-distribution");
    expect(cdn).toContain('~ origins[originId="alb-origin"].customOriginConfig.originKeepaliveTimeout: 5 → 10');
    const origin = head.find((r) => r.name === "cdn-distribution")!.inputs.origins as { customHeaders: { name: string; value: string }[] }[];
    expect(origin[0].customHeaders[0]).toEqual({ name: "X-Origin-Verify", value: "[secret]" });
    expect(cdn).not.toMatch(/customHeaders\[.*\]\.value/); // unchanged secret: no line at all
  });

  it("shows a changed record name as a replace naming the property", () => {
    const record = diff.updates.find((u) => u.type === "aws:route53/record:Record" && u.changes.some((c) => String(c.new).startsWith("origin2.")));
    expect(record?.replace?.causes).toEqual(["name"]);
    expect(block("aws:route53/record:Record", record!.name)).toMatch(/^± .*\(replace: forced by name\)/);
  });

  it("shows the nginx.conf change as unified-diff - / + lines", () => {
    const conf = diff.updates.find((u) => u.type === "kubernetes:core/v1:ConfigMap" && u.changes.some((c) => String(c.old).includes("worker_connections")))!;
    expect(conf).toBeDefined();
    const lines = block(conf.type, conf.name).split("\n").map((l) => l.trim());
    // The ceiling lowered to 2048: the sized worker_connections (infra/nginx/capacity.ts) follows it.
    expect(lines.some((l) => /^-\s*worker_connections \d+;$/.test(l) && l !== "-worker_connections 2048;")).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^\+\s*worker_connections 2048;$/));
    expect(lines.some((l) => l.startsWith("@@ -"))).toBe(true);
    // Content-named: the ConfigMap's metadata.name changes with its content, so it is replaced.
    expect(conf.replace?.causes).toEqual(["metadata.name"]);
    expect(conf.replace?.deleteBeforeReplace).toBe(false); // the new name can exist beside the old one
  });

  it("has summary counts equal to the resources listed", () => {
    const c = diffCounts(diff);
    const summary = text.split("\n")[0];
    expect(summary).toBe(`Plan diff: +${c.created} ~${c.updated} ±${c.replaced} \u2212${c.deleted} (${c.unchanged} unchanged)`);
    const headings = text.split("\n").filter((l) => /^[+~±\u2212] \S+:\S+ /.test(l));
    expect(headings.filter((l) => l.startsWith("~")).length).toBe(c.updated);
    expect(headings.filter((l) => l.startsWith("±")).length).toBe(c.replaced);
    expect(headings.length).toBe(c.created + c.updated + c.replaced + c.deleted);
    expect(c.created + c.updated + c.replaced + c.deleted + c.unchanged).toBe(new Set([...base, ...head].map((r) => `${r.type} ${r.name}`)).size);
    expect(c.updated + c.replaced).toBeGreaterThanOrEqual(3);
    const md = renderMarkdown([{ stack: "dev", diff }]);
    expect((md.match(/<details>/g) ?? []).length).toBe(headings.length);
  });

  it("never prints a secret's plaintext", () => {
    expect(renderMarkdown([{ stack: "dev", diff: diffPlans([], head) }])).not.toMatch(/offline-secret|[A-Za-z0-9]{48}/);
  });
});

describe("replacement table", () => {
  const custom = (plan: PlanResource[]) => plan.filter((r) => !r.type.startsWith("edgestack:"));

  it("has an entry with a provider-docs source for every resource type the stacks use", () => {
    for (const type of new Set(custom([...base, ...prod]).map((r) => r.type))) {
      expect({ type, source: REPLACEMENT_RULES[type]?.source }).toEqual({ type, source: expect.stringMatching(/^https:\/\/www\.pulumi\.com\/registry\/packages\/(aws|kubernetes|random|tls)\/api-docs\//) });
    }
  });

  it("names only properties the provider's SDK declares for that type", () => {
    for (const [type, rule] of Object.entries(REPLACEMENT_RULES)) {
      const [pkg, mod, cls] = type.split(":");
      if (pkg === "pulumi" || rule.replaceOn.includes("*")) continue;
      const file = pkg === "kubernetes" ? path.join(root, "node_modules/@pulumi/kubernetes/types/input.d.ts") : path.join(root, `node_modules/@pulumi/${pkg}/${mod.split("/")[0]}/${mod.split("/")[1]}.d.ts`);
      const source = fs.readFileSync(file, "utf8");
      for (const property of rule.replaceOn) {
        const top = property.split(".")[0];
        // Kubernetes objects: their metadata, spec and type; RBAC bindings also their (immutable) roleRef.
        const kubernetesTop = ["metadata", "spec", "type", ...(cls.endsWith("RoleBinding") ? ["roleRef"] : [])];
        if (pkg === "kubernetes") expect({ type, property, ok: kubernetesTop.includes(top) }).toEqual({ type, property, ok: true });
        else expect({ type, cls, property: top, declared: new RegExp(`\\b${top}\\??:`).test(source) }).toEqual({ type, cls, property: top, declared: true });
      }
    }
  });
});

describe("resource options in the plan", () => {
  const options = (plan: PlanResource[], type: string, name: string) => plan.find((r) => r.type === type && r.name === name)?.options ?? {};

  it("the HPA owns the app's replicas: the Deployment ignores spec.replicas, and a replicas change is not applied", () => {
    expect(options(base, "kubernetes:apps/v1:Deployment", "workloads-app").ignoreChanges).toEqual(["spec.replicas"]);
    const deployment = base.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "workloads-app")!;
    const scaled = { ...deployment, inputs: { ...deployment.inputs, spec: { ...(deployment.inputs.spec as object), replicas: 9 } } };
    const d = diffPlans([deployment], [scaled]);
    expect(d.updates).toEqual([]);
    expect(d.unchanged).toBe(1);
  });

  it("removing ignoreChanges shows in the diff", () => {
    const deployment = base.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "workloads-app")!;
    const { ignoreChanges: _dropped, ...rest } = deployment.options!;
    const [update] = diffPlans([deployment], [{ ...deployment, options: rest }]).updates;
    expect(update.optionChanges).toEqual([{ kind: "remove", path: ["ignoreChanges"], old: ["spec.replicas"] }]);
    expect(renderText(diffPlans([deployment], [{ ...deployment, options: rest }]))).toContain('\u2212 options.ignoreChanges: ["spec.replicas"]');
  });

  it("prod protects every stateful resource", () => {
    const stateful = prod.filter((r) => STATEFUL_TYPES.has(r.type));
    expect(stateful.length).toBeGreaterThanOrEqual(5);
    for (const r of stateful) expect({ r: `${r.type} ${r.name}`, protect: r.options?.protect }).toEqual({ r: `${r.type} ${r.name}`, protect: true });
  });

  it("records explicit dependsOn and the provider, not input dependencies", () => {
    expect(options(prod, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "workloads-app")).toMatchObject({ dependsOn: ["workloads-app"], provider: "pulumi:providers:kubernetes::cluster-k8s" });
  });
});
