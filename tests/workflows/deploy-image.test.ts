/**
 * deploy.yml's image and approval chain: the image is built once and pushed before any prod
 * preview, by a push-only role (no stack credentials); dev runs that digest; prod's repository gets
 * the same digest copied, never a rebuild; the prod preview saves an update plan with that digest
 * and the approved prod job applies exactly that plan with exactly that digest. The two run steps
 * are also executed with a stand-in `pulumi` to show they refuse a digest the plan was not made with.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { parseStackConfig } from "../../infra/config/schema";
import { imageRepositoryName } from "../../infra/image/settings";
import { readStackFiles } from "../../offline/engine/stack-files";

type Step = { id?: string; name?: string; uses?: string; run?: string; with?: Record<string, any>; env?: Record<string, string> };
type Job = { needs?: string | string[]; environment?: string; outputs?: Record<string, string>; steps: Step[] };
const wf = parse(readFileSync(join(__dirname, "../../.github/workflows/deploy.yml"), "utf8")) as { jobs: Record<string, Job> };
const action = (s: Step) => s.uses?.split("@")[0];
const needs = (job: string): string[] => [wf.jobs[job].needs ?? []].flat();
/** Every job `job` waits for, transitively. */
const before = (job: string): Set<string> => new Set(needs(job).flatMap((n) => [n, ...before(n)]));
const secretsOf = (job: string) => JSON.stringify(wf.jobs[job]).match(/secrets\.[A-Z_]+/g) ?? [];
const writesStack = (job: string) => wf.jobs[job].steps.some((s) => (action(s) === "pulumi/actions" && s.with?.command === "up") || /pulumi up\b/.test(s.run ?? ""));

// The repository each stack's config names (its namePrefix, or the default edgestack-<stack>).
const repositoryOf = (stack: string) => imageRepositoryName({ stack, namePrefix: parseStackConfig(readStackFiles(stack).config, stack).namePrefix });

describe("the image is built before any prod preview, by a push-only role", () => {
  const build = wf.jobs.image.steps.find((s) => action(s) === "docker/build-push-action")!;

  it("builds app/Dockerfile once, with provenance and an SBOM, into dev's repository", () => {
    expect(Object.entries(wf.jobs).filter(([, j]) => j.steps.some((s) => action(s) === "docker/build-push-action")).map(([n]) => n)).toEqual(["image"]);
    expect(build.with).toMatchObject({ context: ".", file: "app/Dockerfile", push: true, sbom: true, provenance: "mode=max" });
    expect(String(build.with!.tags)).toContain(`/${repositoryOf("dev")}:`);
  });

  it("runs before dev, promote and the prod preview, with no stack credentials and no stack write", () => {
    for (const job of ["dev", "promote", "prod-preview", "prod"]) expect(before(job)).toContain("image");
    for (const job of ["image", "promote"]) {
      expect({ job, secrets: secretsOf(job), writes: writesStack(job) }).toEqual({ job, secrets: [], writes: false });
      const creds = wf.jobs[job].steps.find((s) => action(s) === "aws-actions/configure-aws-credentials")!;
      expect(creds.with!["role-to-assume"]).toBe("${{ vars.AWS_IMAGE_PUSH_ROLE_ARN }}");
    }
    expect(wf.jobs.image.environment).toBe("dev-image");
    expect(wf.jobs.promote.environment).toBe("production-image");
  });

  it("writes no stack before the approval: the only prod `up` is in the `production` job", () => {
    const prodWriters = Object.keys(wf.jobs).filter((j) => writesStack(j) && JSON.stringify(wf.jobs[j]).includes("prod"));
    expect(prodWriters).toEqual(["prod"]);
    expect(wf.jobs.prod.environment).toBe("production");
    expect(before("prod")).toEqual(new Set(["test", "image", "dev", "promote", "prod-preview"]));
  });
});

describe("one digest from build to prod", () => {
  it("dev runs the built digest, in the stack's repository, as an appImage the schema accepts", () => {
    const up = wf.jobs.dev.steps.find((s) => action(s) === "pulumi/actions" && s.with?.command === "up")!;
    const configMap = parse(up.with!["config-map"]) as Record<string, { value: string; secret: boolean }>;
    expect(configMap).toEqual({ "edgestack:appImage": { value: "${{ needs.image.outputs.image }}", secret: false } });
    const ref = wf.jobs.image.steps.find((s) => s.id === "ref")!;
    expect(wf.jobs.image.outputs!.image).toBe("${{ steps.ref.outputs.image }}");
    expect(ref.env!.REPOSITORY).toMatch(new RegExp(`/${repositoryOf("dev").replace("/", "\\/")}$`));
    expect(ref.env!.DIGEST).toBe(`\${{ steps.${wf.jobs.image.steps.find((s) => action(s) === "docker/build-push-action")!.id}.outputs.digest }}`);
    const filled = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${repositoryOf("dev")}@sha256:${"0a".repeat(32)}`;
    expect(parseStackConfig({ ...readStackFiles("dev").config, "edgestack:appImage": filled }, "dev").appImage).toBe(filled);
  });

  it("promote copies the tested digest into prod's repository (no rebuild) and checks the copy's digest", () => {
    const copy = wf.jobs.promote.steps.find((s) => s.id === "copy")!;
    expect(copy.env!.SOURCE).toBe("${{ needs.image.outputs.image }}");
    expect(copy.env!.TARGET_REPOSITORY).toMatch(new RegExp(`/${repositoryOf("prod").replace("/", "\\/")}$`));
    expect(copy.run).toContain('docker buildx imagetools create --tag "$TARGET_REPOSITORY:$TAG" "$SOURCE"');
    expect(copy.run).toMatch(/if \[ "\$copied" != "\$digest" \]/);
    expect(copy.run).toContain('echo "image=$TARGET_REPOSITORY@$digest" >> "$GITHUB_OUTPUT"');
    expect(wf.jobs.promote.outputs!.image).toBe("${{ steps.copy.outputs.image }}");
  });

  it("the prod preview and the prod up consume the same digest and the same plan artifact", () => {
    const previewStep = wf.jobs["prod-preview"].steps.find((s) => /pulumi preview/.test(s.run ?? ""))!;
    const upStep = wf.jobs.prod.steps.find((s) => /pulumi up/.test(s.run ?? ""))!;
    expect(previewStep.env!.APP_IMAGE).toBe("${{ needs.promote.outputs.image }}");
    expect(upStep.env!.APP_IMAGE).toBe(previewStep.env!.APP_IMAGE);
    expect(needs("prod")).toEqual(expect.arrayContaining(["promote", "prod-preview"]));
    const upload = wf.jobs["prod-preview"].steps.find((s) => action(s) === "actions/upload-artifact")!;
    const download = wf.jobs.prod.steps.find((s) => action(s) === "actions/download-artifact")!;
    expect(download.with!.name).toBe(upload.with!.name);
    expect(upload.with!.path).toBe("${{ runner.temp }}/prod-plan/");
    expect(download.with!.path).toBe("${{ runner.temp }}/prod-plan");
    expect(previewStep.run).toContain('--save-plan "$RUNNER_TEMP/prod-plan/plan.json"');
    expect(upStep.run).toContain('--plan "$RUNNER_TEMP/prod-plan/plan.json"');
  });
});

describe("the preview and up steps, run with a stand-in pulumi", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "deploy-steps-"));
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "temp/prod-plan"), { recursive: true });
    // Records each call; `preview --save-plan F` writes F.
    writeFileSync(
      join(dir, "bin/pulumi"),
      `#!/bin/bash\necho "pulumi $*" >> "${dir}/calls"\nfor ((i=1;i<=$#;i++)); do if [ "\${!i}" = "--save-plan" ]; then j=$((i+1)); echo plan > "\${!j}"; fi; done\n`,
    );
    chmodSync(join(dir, "bin/pulumi"), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const runStep = (job: string, pick: RegExp, appImage: string) => {
    const step = wf.jobs[job].steps.find((s) => pick.test(s.run ?? ""))!;
    return spawnSync("bash", ["-eo", "pipefail", "-c", step.run!], {
      encoding: "utf8",
      env: { PATH: `${dir}/bin:${process.env.PATH}`, RUNNER_TEMP: join(dir, "temp"), APP_IMAGE: appImage, PULUMI_BACKEND_URL: "" },
    });
  };
  const calls = () => readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
  const image = `123456789012.dkr.ecr.us-east-1.amazonaws.com/edgestack-prod/app@sha256:${"ab".repeat(32)}`;

  it("previews with the digest, saves the plan, and up applies that plan with that digest", () => {
    expect(runStep("prod-preview", /pulumi preview/, image).status).toBe(0);
    expect(readFileSync(join(dir, "temp/prod-plan/app-image"), "utf8").trim()).toBe(image);
    expect(runStep("prod", /pulumi up/, image).status).toBe(0);
    expect(calls()).toEqual([
      "pulumi login",
      `pulumi config set --stack prod edgestack:appImage ${image}`,
      `pulumi preview --stack prod --diff --policy-pack policies --policy-pack-config policies/policy-config.prod.json --save-plan ${dir}/temp/prod-plan/plan.json`,
      "pulumi login",
      `pulumi config set --stack prod edgestack:appImage ${image}`,
      `pulumi up --stack prod --yes --skip-preview --policy-pack policies --policy-pack-config policies/policy-config.prod.json --plan ${dir}/temp/prod-plan/plan.json`,
    ]);
  });

  it("up refuses a digest other than the one the plan was previewed with, before touching the stack", () => {
    expect(runStep("prod-preview", /pulumi preview/, image).status).toBe(0);
    const other = image.replace(/ab/g, "cd");
    const result = runStep("prod", /pulumi up/, other);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain(`::error::the plan was previewed with ${image}, not the promoted ${other}`);
    expect(calls().some((c) => c.startsWith("pulumi up"))).toBe(false);
  });
});
