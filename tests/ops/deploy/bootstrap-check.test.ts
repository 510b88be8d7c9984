/**
 * The deploy's refusal of changes only a bootstrap run can apply: the checker on saved update plans
 * in the engine's format (apitype.DeploymentPlanV1) and stack exports, and deploy.yml's steps run
 * with a stand-in `pulumi` that writes them, so the refusal is shown to stop the job before `up`.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { bootstrapChanges, bootstrapVerdict, SavedPlan, StackExport } from "../../../ops/deploy/bootstrap-check";

const root = join(__dirname, "../../..");
const urn = (type: string, name: string, parents = "edgestack:cluster:Eks$edgestack:cluster:NodeAutoscaler") => `urn:pulumi:prod::edgestack::${parents}$${type}::${name}`;
const RBAC = `${urn("pulumi:providers:kubernetes", "cluster-k8s-rbac", "edgestack:cluster:Eks")}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`;
const APPS = `${urn("pulumi:providers:kubernetes", "cluster-k8s", "edgestack:cluster:Eks")}::5c6a1b2e-0000-4000-8000-000000000001`;
const deployment = urn("kubernetes:apps/v1:Deployment", "cluster-autoscaler-deployment");
const oldRole = urn("kubernetes:rbac.authorization.k8s.io/v1:Role", "cluster-autoscaler-role-old");
const app = urn("kubernetes:apps/v1:Deployment", "workloads-app", "edgestack:workloads:Workloads");
const sa = urn("kubernetes:core/v1:ServiceAccount", "cluster-autoscaler-sa");

const plan = (autoscalerStep: string): SavedPlan => ({
  resourcePlans: {
    [deployment]: { goal: { type: "kubernetes:apps/v1:Deployment", name: "cluster-autoscaler-deployment", provider: RBAC }, steps: [autoscalerStep] },
    [sa]: { goal: { type: "kubernetes:core/v1:ServiceAccount", name: "cluster-autoscaler-sa", provider: RBAC }, steps: ["same"] },
    [app]: { goal: { type: "kubernetes:apps/v1:Deployment", name: "workloads-app", provider: APPS }, steps: ["update"] },
    // A delete has no goal: its provider comes from the state.
    [oldRole]: { steps: ["delete"] },
  },
});
const state: StackExport = { deployment: { resources: [{ urn: deployment, provider: RBAC }, { urn: sa, provider: RBAC }, { urn: app, provider: APPS }, { urn: oldRole, provider: RBAC }] } };

describe("bootstrapChanges / bootstrapVerdict", () => {
  it("finds the creates, updates, replaces and deletes through the bootstrap provider, and nothing else", () => {
    expect(bootstrapChanges(plan("update"), state)).toEqual([
      { type: "kubernetes:apps/v1:Deployment", name: "cluster-autoscaler-deployment", steps: ["update"] },
      { type: "kubernetes:rbac.authorization.k8s.io/v1:Role", name: "cluster-autoscaler-role-old", steps: ["delete"] },
    ]);
    expect(bootstrapChanges(plan("same"), { deployment: { resources: [] } })).toEqual([]); // the delete's provider is unknown without state
    expect(bootstrapChanges(plan("same"), state).map((c) => c.name)).toEqual(["cluster-autoscaler-role-old"]);
    expect(bootstrapChanges({ resourcePlans: { [deployment]: { goal: { provider: RBAC }, steps: ["create-replacement", "replace", "delete-replaced"] } } }, state)).toHaveLength(1);
  });

  it("refuses without clusterAccessBootstrap, naming each resource and the procedure; lists them as a notice with it", () => {
    const changes = bootstrapChanges(plan("update"), state);
    const refused = bootstrapVerdict("prod", false, changes);
    expect(refused.refused).toBe(true);
    expect(refused.message).toMatch(/^::error::2 change\(s\) of stack prod go through the cluster's bootstrap \(RBAC\) provider/);
    expect(refused.message).toContain("update kubernetes:apps/v1:Deployment cluster-autoscaler-deployment; delete kubernetes:rbac.authorization.k8s.io/v1:Role cluster-autoscaler-role-old");
    expect(refused.message).toContain("pulumi config set --stack prod edgestack:clusterAccessBootstrap true");
    expect(refused.message).toContain("docs/ci.md");
    expect(bootstrapVerdict("prod", true, changes)).toMatchObject({ refused: false, message: expect.stringMatching(/^::notice::clusterAccessBootstrap is on/) });
    expect(bootstrapVerdict("prod", false, [])).toMatchObject({ refused: false });
  });
});

describe("deploy.yml's check, run with a stand-in pulumi", () => {
  type Step = { name?: string; run?: string };
  const wf = parse(readFileSync(join(root, ".github/workflows/deploy.yml"), "utf8")) as { jobs: Record<string, { steps: Step[] }> };
  const NAME = "Refuse changes only a bootstrap run can apply";
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bootstrap-check-"));
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "temp/prod-plan"), { recursive: true });
    writeFileSync(join(dir, "state.json"), JSON.stringify(state));
    // Records calls; `stack export --file F` and `preview --save-plan F` write the fixtures; `config get` answers $BOOTSTRAP or fails (unset).
    writeFileSync(
      join(dir, "bin/pulumi"),
      [
        "#!/bin/bash",
        `echo "pulumi $*" >> "${dir}/calls"`,
        'for ((i=1;i<=$#;i++)); do j=$((i+1));',
        `  if [ "\${!i}" = "--file" ]; then cp "${dir}/state.json" "\${!j}"; fi`,
        `  if [ "\${!i}" = "--save-plan" ]; then cp "${dir}/plan.json" "\${!j}"; fi`,
        "done",
        'if [ "$1 $2" = "config get" ]; then [ -n "$BOOTSTRAP" ] && echo "$BOOTSTRAP" && exit 0; exit 255; fi',
      ].join("\n"),
    );
    chmodSync(join(dir, "bin/pulumi"), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const runCheck = (job: string, autoscalerStep: string, bootstrap: string) => {
    writeFileSync(join(dir, job === "prod-preview" ? "temp/prod-plan/plan.json" : "plan.json"), JSON.stringify(plan(autoscalerStep)));
    const step = wf.jobs[job].steps.find((s) => s.name === NAME)!;
    return spawnSync("bash", ["-e", "-c", step.run!], {
      cwd: root,
      encoding: "utf8",
      env: { PATH: `${dir}/bin:${process.env.PATH}`, HOME: process.env.HOME, RUNNER_TEMP: join(dir, "temp"), APP_IMAGE: "img@sha256:" + "ab".repeat(32), PULUMI_BACKEND_URL: "", BOOTSTRAP: bootstrap },
    });
  };

  it.each(["dev", "prod-preview"])("%s: refuses an autoscaler change when clusterAccessBootstrap is unset, and drops the state export", (job) => {
    const result = runCheck(job, "update", "");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error::2 change(s) of stack");
    expect(result.stdout).toContain("cluster-autoscaler-deployment");
    expect(() => readFileSync(join(dir, `temp/${job === "dev" ? "dev" : "prod"}-state.json`))).toThrow(/ENOENT/);
  }, 60_000);

  it.each(["dev", "prod-preview"])("%s: passes with clusterAccessBootstrap true", (job) => {
    const result = runCheck(job, "update", "true");
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    expect(result.stdout).toContain("::notice::clusterAccessBootstrap is on");
  }, 60_000);

  it("runs in each job before anything is applied: after the saved preview, before `up`", () => {
    for (const job of ["dev", "prod-preview"]) {
      const names = wf.jobs[job].steps.map((s) => s.name ?? "");
      expect(names).toContain(NAME);
    }
    const dev = wf.jobs.dev.steps as (Step & { uses?: string; with?: Record<string, unknown> })[];
    expect(dev.findIndex((s) => s.name === NAME)).toBeLessThan(dev.findIndex((s) => s.with?.command === "up"));
    const prodPreview = wf.jobs["prod-preview"].steps;
    expect(prodPreview.findIndex((s) => s.name === NAME)).toBeGreaterThan(prodPreview.findIndex((s) => /--save-plan/.test(s.run ?? "")));
  });
});
