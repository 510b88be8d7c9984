/**
 * Workflow files are code that only runs on GitHub, so they are checked here: each one against
 * the published workflow schema (@action-validator/core), plus the security and behaviour facts
 * this project relies on, read with the `yaml` parser.
 */
import { validateWorkflow } from "@action-validator/core";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { COMMENT_MARKER } from "../../tools/plan/render-diff";

const dir = join(__dirname, "../../.github/workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const source = (file: string) => readFileSync(join(dir, file), "utf8");

type Step = { uses?: string; run?: string; with?: Record<string, any>; env?: Record<string, string>; if?: string };
type Job = { "runs-on"?: string; needs?: string | string[]; environment?: string | { name: string }; permissions?: any; steps: Step[]; if?: string; strategy?: any };
type Workflow = { name: string; on: Record<string, any>; permissions?: any; concurrency?: any; jobs: Record<string, Job> };
const workflow = (file: string): Workflow => parse(source(file));
const steps = (wf: Workflow): Step[] => Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
const usesOf = (wf: Workflow, action: string) => steps(wf).filter((s) => s.uses?.split("@")[0] === action);

describe("workflow schema", () => {
  it("has the expected workflows", () => {
    expect(files.sort()).toEqual(["deploy.yml", "pr-comment.yml", "pr.yml", "preview.yml"]);
  });

  it.each(files)("%s is a valid GitHub Actions workflow", (file) => {
    expect(validateWorkflow(source(file)).errors).toEqual([]);
  });

  // The check above is only worth something if the validator rejects broken files.
  it.each([
    ["a job without runs-on", (wf: any) => delete wf.jobs.plan["runs-on"]],
    ["a misspelt step key", (wf: any) => (wf.jobs.plan.steps[0].usez = wf.jobs.plan.steps[0].uses)],
    ["an unknown permission level", (wf: any) => (wf.permissions = { contents: "banana" })],
    ["a missing trigger", (wf: any) => delete wf.on],
  ])("rejects pr.yml with %s", (_label, breakIt) => {
    const broken = parse(source("pr.yml"));
    breakIt(broken);
    expect(validateWorkflow(stringify(broken)).errors.length).toBeGreaterThan(0);
  });

  it("rejects YAML that does not parse", () => {
    expect(validateWorkflow(source("pr.yml").replace("branches: [main]", "branches: [main")).errors[0]).toMatchObject({ code: "parse_error" });
  });
});

describe("hardening common to all workflows", () => {
  it.each(files)("%s pins every action to a major version or commit", (file) => {
    for (const step of steps(workflow(file))) {
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+|[0-9a-f]{40})$/);
    }
  });

  it.each(files)("%s declares minimal top-level permissions and a concurrency group", (file) => {
    const wf = workflow(file);
    expect(wf.permissions).toBeDefined();
    // Top level grants read of contents at most; any write is granted per job.
    expect(Object.entries(wf.permissions).every(([k, v]) => k === "contents" && v === "read")).toBe(true);
    expect(wf.concurrency?.group).toEqual(expect.any(String));
  });

  it("grants write scopes only where needed", () => {
    const writes = (file: string) =>
      Object.entries(workflow(file).jobs)
        .flatMap(([name, job]) => Object.entries(job.permissions ?? {}).filter(([, v]) => v === "write").map(([k]) => `${name}:${k}`))
        .sort();
    expect(writes("pr.yml")).toEqual([]);
    expect(writes("pr-comment.yml")).toEqual(["post:pull-requests"]);
    expect(writes("preview.yml")).toEqual(["preview:id-token", "preview:pull-requests"]);
    expect(writes("deploy.yml")).toEqual(["dev:id-token", "prod:id-token"]);
    for (const file of files) expect(source(file)).not.toMatch(/write-all|read-all/);
  });

  it("never uses pull_request_target (it would run fork code with a write token)", () => {
    for (const file of files) expect(Object.keys(workflow(file).on)).not.toContain("pull_request_target");
  });

  it.each(files)("%s does not interpolate event data into shell scripts", (file) => {
    // ${{ github.event.* }} inside run: is script injection (PR titles, branch names); use env:.
    for (const step of steps(workflow(file))) {
      if (step.run) expect(step.run).not.toMatch(/\$\{\{[^}]*(github\.event|github\.head_ref|inputs\.)/);
    }
  });
});

describe("pr.yml: offline diff and policy for every PR, forks included", () => {
  const wf = workflow("pr.yml");

  it("runs on pull_request without any secret", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(source("pr.yml")).not.toMatch(/secrets\./);
  });

  it("installs and tests through the CI entry (nginx, redis, npm ci, npm test)", () => {
    expect(steps(wf).some((s) => s.run?.trim() === "bash .ci/run")).toBe(true);
  });

  it("plans head and base, runs the policy, renders one comment and uploads it for pr-comment.yml", () => {
    const run = steps(wf).map((s) => s.run ?? "").join("\n");
    expect(run).toMatch(/npm run --silent plan -- --stack "\$s" --json > "\$OUT\/head-\$s.json"/);
    expect(run).toMatch(/npm run --silent plan -- --stack "\$s" --json > "\$OUT\/base-\$s.json"/);
    expect(run).toMatch(/npm run --silent policy -- --stack "\$s" --json > "\$OUT\/policy-\$s.json"/);
    expect(run).toContain("tools/plan/diff-cli.ts comment --out \"$COMMENT_DIR/comment.md\"");
    expect(run).toContain(`'${COMMENT_MARKER}'`); // the failure comment carries the marker too
    const checkouts = usesOf(wf, "actions/checkout").map((s) => s.with?.ref);
    expect(checkouts).toContain("${{ github.event.pull_request.base.sha }}");
    const upload = usesOf(wf, "actions/upload-artifact");
    expect(upload).toHaveLength(1);
    expect(upload[0].with?.name).toBe("plan-comment");
    expect(upload[0].if).toContain("!cancelled()"); // a failed plan still reports
  });
});

describe("pr-comment.yml: the fork-safe posting path", () => {
  const wf = workflow("pr-comment.yml");
  const post = wf.jobs.post;

  it("is triggered by completed runs of pr.yml", () => {
    expect(wf.on.workflow_run).toEqual({ workflows: [workflow("pr.yml").name], types: ["completed"] });
    expect(post.if).toContain("github.event.workflow_run.event == 'pull_request'");
  });

  it("never checks out or runs the PR's code", () => {
    expect(post.steps.some((s) => s.run !== undefined)).toBe(false);
    for (const checkout of usesOf(wf, "actions/checkout")) {
      expect(checkout.with?.ref).toBe("${{ github.event.repository.default_branch }}");
    }
    expect(source("pr-comment.yml")).not.toMatch(/ref:\s*\$\{\{\s*github\.event\.(workflow_run|pull_request)/);
  });

  it("downloads the artifact of the triggering run and posts with the shared script", () => {
    const [download] = usesOf(wf, "actions/download-artifact");
    expect(download.with).toMatchObject({ name: "plan-comment", "run-id": "${{ github.event.workflow_run.id }}" });
    const [script] = usesOf(wf, "actions/github-script");
    expect(script.with?.script).toContain(".github/scripts/upsert-comment.js");
    expect(script.env?.HEAD_SHA).toBe("${{ github.event.workflow_run.head_sha }}");
  });

  it("finds its comment by the same marker the renderer writes", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, loaded as the workflow does
    const { MARKER } = require("../../.github/scripts/upsert-comment.js") as { MARKER: string };
    expect(MARKER).toBe(COMMENT_MARKER);
  });
});

describe("preview.yml: real preview with credentials, same-repo PRs only", () => {
  const wf = workflow("preview.yml");
  const job = wf.jobs.preview;

  it("skips forks", () => {
    expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
  });

  it("runs pulumi preview --diff with the policy pack and a PR comment, using OIDC for AWS", () => {
    const [pulumi] = usesOf(wf, "pulumi/actions");
    expect(pulumi.uses).toMatch(/@v[6-9]$/);
    expect(pulumi.with).toMatchObject({ command: "preview", diff: true, policyPacks: "policies", "comment-on-pr": true });
    expect(usesOf(wf, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBeDefined();
    expect(job.permissions["id-token"]).toBe("write");
  });
});

describe("deploy.yml: pulumi up on main, prod behind approval", () => {
  const wf = workflow("deploy.yml");

  it("runs on pushes to main and never cancels a running deployment", () => {
    expect(wf.on).toEqual({ push: { branches: ["main"] } });
    expect(wf.concurrency["cancel-in-progress"]).toBe(false);
  });

  it("ups dev first, then prod only after dev and behind the production environment", () => {
    const up = (job: Job) => job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with;
    expect(up(wf.jobs.dev)).toMatchObject({ command: "up", "stack-name": "dev", policyPacks: "policies" });
    expect(up(wf.jobs.prod)).toMatchObject({ command: "up", "stack-name": "prod", policyPacks: "policies" });
    expect([wf.jobs.prod.needs].flat()).toContain("dev");
    expect(wf.jobs.prod.environment).toBe("production");
    expect(wf.jobs.dev.environment).not.toBe("production");
    expect([wf.jobs.dev.needs].flat()).toContain("test");
  });
});
