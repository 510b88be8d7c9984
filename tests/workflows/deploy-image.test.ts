/**
 * deploy.yml's image chain, per environment job: the stack's ECR repository exists (a targeted
 * `pulumi up` of exactly the image component), app/Dockerfile is built and pushed with provenance
 * and SBOM, and the final `pulumi up` receives the pushed digest as edgestack:appImage.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseStackConfig } from "../../infra/config/schema";
import { imageRepositoryName } from "../../infra/image/settings";
import { readStackFiles } from "../../offline/engine/stack-files";
import { runStack, StackRun } from "../harness";

type Step = { id?: string; name?: string; uses?: string; run?: string; with?: Record<string, any> };
const wf = parse(readFileSync(join(__dirname, "../../.github/workflows/deploy.yml"), "utf8")) as { jobs: Record<string, { steps: Step[] }> };
const action = (s: Step) => s.uses?.split("@")[0];

let dev: StackRun;
beforeAll(async () => {
  dev = await runStack({ stack: "dev" });
});

describe.each(["dev", "prod"])("the %s job", (stack) => {
  const steps = wf.jobs[stack].steps;
  const index = (name: string, pick: (s: Step) => boolean = () => true) => steps.findIndex((s) => action(s) === name && pick(s));
  const targeted = (s: Step) => s.with?.target !== undefined;
  const ups = steps.filter((s) => action(s) === "pulumi/actions" && s.with?.command === "up");
  const build = steps[index("docker/build-push-action")];
  const ecr = steps[index("aws-actions/amazon-ecr-login")];
  const finalUp = ups.find((s) => !targeted(s))!;
  // The repository the stack's config names (its namePrefix, or the default edgestack-<stack>).
  const stackFiles = readStackFiles(stack);
  const repository = imageRepositoryName({ stack, namePrefix: parseStackConfig(stackFiles.config, stack).namePrefix });

  it("runs credentials → repository → registry login → buildx → build and push → up, in that order", () => {
    const order = [
      index("aws-actions/configure-aws-credentials"),
      index("pulumi/actions", targeted),
      index("aws-actions/amazon-ecr-login"),
      index("docker/setup-buildx-action"),
      index("docker/build-push-action"),
      index("pulumi/actions", (s) => !targeted(s)),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(ups).toHaveLength(2);
  });

  it("builds app/Dockerfile from the repository root and pushes it with provenance and an SBOM", () => {
    expect(build.with).toMatchObject({ context: ".", file: "app/Dockerfile", push: true, sbom: true });
    expect(String(build.with!.provenance)).toMatch(/^(true|mode=max)$/);
    expect(build.id).toEqual(expect.any(String));
    expect(ecr.id).toEqual(expect.any(String));
    expect(build.with!.tags).toBe(`\${{ steps.${ecr.id}.outputs.registry }}/${repository}:\${{ github.sha }}-\${{ github.run_attempt }}`);
  });

  it("passes the pushed digest to pulumi up as edgestack:appImage, in the stack's repository", () => {
    expect(finalUp.with).toMatchObject({ "stack-name": stack, policyPacks: "policies" });
    const configMap = parse(finalUp.with!["config-map"]) as Record<string, { value: string; secret: boolean }>;
    expect(Object.keys(configMap)).toEqual(["edgestack:appImage"]);
    expect(configMap["edgestack:appImage"]).toEqual({
      value: `\${{ steps.${ecr.id}.outputs.registry }}/${repository}@\${{ steps.${build.id}.outputs.digest }}`,
      secret: false,
    });
    // With the expressions filled in as GitHub would, the value is an appImage the schema accepts.
    const filled = configMap["edgestack:appImage"].value
      .replace(`\${{ steps.${ecr.id}.outputs.registry }}`, "123456789012.dkr.ecr.eu-west-1.amazonaws.com")
      .replace(`\${{ steps.${build.id}.outputs.digest }}`, `sha256:${"0a".repeat(32)}`);
    const raw = { ...readStackFiles(stack).config, "edgestack:appImage": filled };
    expect(parseStackConfig(raw, stack).appImage).toBe(filled);
  });

  it("targets exactly the image component, its children and the aws provider on the first up", () => {
    const targets = String(ups.find(targeted)!.with!.target).trim().split("\n").map((t) => t.trim());
    const wanted = dev.resources
      .filter((r) => r.name === "image" || r.parent === "image" || r.urn.endsWith("::pulumi:providers:aws::aws"))
      .map((r) => r.urn.replace("urn:pulumi:dev::", `urn:pulumi:${stack}::`));
    expect(wanted).toHaveLength(4);
    expect(targets.sort()).toEqual(wanted.sort());
  });
});
