/**
 * preview.yml's keyed-diff job, run: its plan and render steps are executed as GitHub runs them
 * (`bash -e`, the step's env and working directory) on a head and a merge base that differ only in
 * a rotated secret — the page topic's webhook, a list set with `pulumi config set --secret`. A
 * stand-in `pulumi` answers `login` and `config --show-secrets --json` by "decrypting" each stack
 * file's `secure:` values from a table, as the real CLI would for that checkout. The comment must
 * show the change as `changed [secret]`, counted; no value may appear in the comment, the plans, the
 * step summary or the log (except in GitHub's own mask commands); every digest must be keyed.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { parsePlan } from "../../offline/plan/diff";
import { KEYED_COMMENT_MARKER } from "../../offline/plan/render-diff";

type Step = { id?: string; name?: string; run?: string; env?: Record<string, string>; "working-directory"?: string; if?: string };
const root = join(__dirname, "../..");
const job = (parse(readFileSync(join(root, ".github/workflows/preview.yml"), "utf8")) as { jobs: Record<string, { env: Record<string, string>; steps: Step[] }> }).jobs["keyed-diff"];
const step = (name: string) => job.steps.find((s) => s.name === name)!;

const KEY = "k".repeat(16) + "3f9a0c7e1b2d4f68";
const OLD_HOOK = "https://events.example.com/integration/0ld1ntegrat10nkey/enqueue";
const NEW_HOOK = "https://events.example.com/integration/n3w1ntegrat10nkey/enqueue";
const values = [OLD_HOOK, NEW_HOOK, "0ld1ntegrat10nkey", "n3w1ntegrat10nkey"];

/** The stand-in CLI: `config --show-secrets --json` prints the cwd's stack file with `secure:` values decrypted from a table. */
const standInPulumi = `#!/usr/bin/env node
const fs = require("node:fs");
const { parse } = require(${JSON.stringify(require.resolve("yaml"))});
const args = process.argv.slice(2);
fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify({ cwd: process.cwd(), args }) + "\\n");
if (args[0] === "login") process.exit(0);
if (args[0] !== "config" || !args.includes("--show-secrets") || !args.includes("--json")) { console.error("stand-in pulumi: unexpected " + args.join(" ")); process.exit(3); }
const stack = args[args.indexOf("--stack") + 1];
const table = JSON.parse(fs.readFileSync(process.env.STANDIN_PLAINTEXTS, "utf8"));
const out = {};
for (const [key, value] of Object.entries(parse(fs.readFileSync("Pulumi." + stack + ".yaml", "utf8")).config)) {
  if (value && typeof value === "object" && "secure" in value) {
    if (!(value.secure in table)) { console.error("error: failed to decrypt " + key); process.exit(1); }
    out[key] = { value: table[value.secure], secret: true };
  } else out[key] = { value: typeof value === "string" ? value : JSON.stringify(value), secret: false };
}
process.stdout.write(JSON.stringify(out, null, 2));
`;

describe("preview.yml keyed-diff, run on a base/head pair with a rotated secret", () => {
  let workspace: string;
  let env: Record<string, string>;
  const out = (name: string) => join(workspace, "tmp/keyed-plan", name);
  const logs: string[] = [];

  /** Runs one step as GitHub does: `bash -e`, job env + step env (expressions filled in), its working directory. */
  const runStep = (s: Step, extraEnv: Record<string, string> = {}) => {
    const stepEnv = Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, /secrets\.EDGESTACK_PLAN_SECRET_KEY/.test(v) ? KEY : /PASSPHRASE/.test(k) ? "passphrase" : ""]));
    const result = spawnSync("bash", ["-e", "-c", s.run!], {
      cwd: join(workspace, s["working-directory"] ?? "."),
      encoding: "utf8",
      env: { ...env, ...job.env, ...stepEnv, ...extraEnv },
      maxBuffer: 64 * 1024 * 1024,
    });
    logs.push(result.stdout, result.stderr);
    return result;
  };

  /** A checkout: the tracked files of this tree, its stack file with the page webhook set with --secret. */
  const checkout = (name: string, ciphertext: string) => {
    const dir = join(workspace, name);
    const files = spawnSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
    for (const file of files) {
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      try {
        cpSync(join(root, file), join(dir, file));
      } catch {
        // a file deleted in the working tree but still tracked
      }
    }
    for (const file of spawnSync("git", ["ls-files", "-z", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" }).stdout.split("\0").filter(Boolean)) {
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      cpSync(join(root, file), join(dir, file));
    }
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
    const stackFile = join(dir, "Pulumi.dev.yaml");
    const doc = parse(readFileSync(stackFile, "utf8"));
    doc.config["edgestack:alertPageSubscriptions"] = { secure: ciphertext };
    writeFileSync(stackFile, stringify(doc));
  };

  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), "keyed-diff-"));
    mkdirSync(join(workspace, "bin"));
    mkdirSync(join(workspace, "tmp/keyed-plan"), { recursive: true });
    mkdirSync(join(workspace, "tmp/keyed-secrets"), { mode: 0o700 });
    writeFileSync(join(workspace, "bin/pulumi"), standInPulumi);
    chmodSync(join(workspace, "bin/pulumi"), 0o755);
    // Rotation: a new webhook integration key, so a new ciphertext and a new value.
    writeFileSync(join(workspace, "plaintexts.json"), JSON.stringify({ "v1:b4se==": JSON.stringify([`https:${OLD_HOOK}`]), "v1:h3ad==": JSON.stringify([`https:${NEW_HOOK}`]) }));
    checkout("head", "v1:h3ad==");
    checkout("base", "v1:b4se==");
    env = {
      PATH: `${join(workspace, "bin")}:${process.env.PATH}`,
      HOME: process.env.HOME ?? workspace,
      RUNNER_TEMP: join(workspace, "tmp"),
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: join(workspace, "github-output"),
      GITHUB_STEP_SUMMARY: join(workspace, "step-summary.md"),
      // What the merge-base step writes to GITHUB_ENV.
      OUT: join(workspace, "tmp/keyed-plan"),
      SECRETS_DIR: join(workspace, "tmp/keyed-secrets"),
      STANDIN_LOG: join(workspace, "pulumi-calls.jsonl"),
      STANDIN_PLAINTEXTS: join(workspace, "plaintexts.json"),
    };
  }, 60_000);
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it("refuses to plan without the digest key (never an unkeyed fingerprint)", () => {
    const result = runStep(step("Plan (head) from the real config"), { EDGESTACK_PLAN_SECRET_KEY: "" });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error::EDGESTACK_PLAN_SECRET_KEY");
    expect(() => readFileSync(out("head-dev.json"))).toThrow(/ENOENT/);
  });

  it("plans head and base keyed, and the comment shows the rotated webhook as changed [secret], counted", () => {
    for (const name of ["Plan (head) from the real config", "Plan (base) from the real config", "Render the keyed comment"]) {
      const result = runStep(step(name));
      expect({ name, status: result.status, stderr: result.status === 0 ? "" : result.stderr }).toEqual({ name, status: 0, stderr: "" });
    }
    const comment = readFileSync(out("comment.md"), "utf8");
    expect(comment.split("\n")[0]).toBe(KEYED_COMMENT_MARKER);
    expect(comment).toMatch(/\*\*Plan `dev`\*\* \+0 ~0 ±2 \u22120 \(\d+ unchanged\)/);
    const blocks = comment.split("<details>").filter((b) => b.includes("aws:sns/topicSubscription:TopicSubscription"));
    expect(blocks).toHaveLength(2);
    for (const block of blocks) expect(block).toMatch(/~ endpoint: changed \[secret\]/);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, "utf8")).toContain(comment.trim());
    // The CLI was asked for each checkout's own config.
    const calls = readFileSync(env.STANDIN_LOG, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { cwd: string; args: string[] });
    const configCalls = calls.filter((c) => c.args[0] === "config").map((c) => c.cwd);
    expect(configCalls.slice(-2)).toEqual([join(workspace, "head"), join(workspace, "base")]);
  }, 240_000);

  it("writes no value anywhere but GitHub's mask commands, and only keyed digests", () => {
    const plans = ["head-dev.json", "base-dev.json"].map((f) => readFileSync(out(f), "utf8"));
    const texts = { comment: readFileSync(out("comment.md"), "utf8"), summary: readFileSync(env.GITHUB_STEP_SUMMARY, "utf8"), head: plans[0], base: plans[1] };
    for (const [where, text] of Object.entries(texts)) for (const value of values) expect({ where, leaked: text.includes(value) }).toEqual({ where, leaked: false });
    const log = logs.join("\n").split("\n");
    const masks = log.filter((l) => l.startsWith("::add-mask::"));
    for (const value of [OLD_HOOK, NEW_HOOK]) expect(masks).toContain(`::add-mask::${value}`);
    for (const line of log.filter((l) => !l.startsWith("::add-mask::"))) for (const value of values) expect(line.includes(value)).toBe(false);
    const digests = plans.flatMap((p) => parsePlan(JSON.parse(p), "plan").flatMap((r) => r.secrets ?? []).map((s) => s.digest));
    expect(digests.length).toBeGreaterThan(0);
    expect(digests.filter((d) => !d.startsWith("hmac-sha256:"))).toEqual([]);
  });
});
