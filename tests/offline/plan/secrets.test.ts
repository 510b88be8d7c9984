/**
 * Changed secrets show as `changed [secret]` and are counted, without either value: fingerprints in
 * the plan, keyed (HMAC) whenever a real secret could be behind them, stand-in digests offline.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { CapturedResource, toPlan } from "../../../offline/engine/engine";
import { diffCounts, diffPlans, parsePlan, PlanResource } from "../../../offline/plan/diff";
import { renderMarkdown, renderText } from "../../../offline/plan/render-diff";
import { fingerprint, SECRET_KEY_ENV, secretMode } from "../../../offline/plan/secrets";
import { readStackFiles } from "../../../offline/engine/stack-files";

const KEY = "k".repeat(40);

const secretResource = (value: string): CapturedResource => ({
  type: "kubernetes:core/v1:Secret",
  name: "app-env",
  urn: "urn:pulumi:dev::edgestack::kubernetes:core/v1:Secret::app-env",
  parent: null,
  custom: true,
  protect: false,
  inputs: { metadata: { name: "app-env" }, stringData: { REDIS_URL: value, MODE: "plain" } },
  secretPaths: ["stringData.REDIS_URL"],
  additionalSecretOutputs: [],
  options: {},
  aliasUrns: [],
  dependencies: [],
});

describe("secret fingerprints", () => {
  it("keys them with HMAC when a key is set, and refuses to fingerprint real secrets without one", () => {
    expect(secretMode({ realSecrets: true, env: { [SECRET_KEY_ENV]: KEY } })).toEqual({ kind: "keyed", key: KEY });
    expect(() => secretMode({ realSecrets: true, env: {} })).toThrow(/refusing to fingerprint real secret values without a key: set EDGESTACK_PLAN_SECRET_KEY/);
    expect(() => secretMode({ realSecrets: false, env: { [SECRET_KEY_ENV]: "short" } })).toThrow(/too short/);
    expect(secretMode({ realSecrets: false, env: {} })).toEqual({ kind: "stand-in" });
    const keyed = fingerprint("rediss://:tok@host:6379", { kind: "keyed", key: KEY });
    expect(keyed).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
    expect(fingerprint("rediss://:tok@host:6379", { kind: "keyed", key: "x".repeat(40) })).not.toBe(keyed);
    expect(fingerprint("rediss://:tok@host:6379", { kind: "stand-in" })).not.toBe(keyed);
  });

  it("shows a changed secret as `changed [secret]`, counted, with neither value; an unchanged one not at all", () => {
    const mode = { kind: "keyed" as const, key: KEY };
    const base = toPlan([secretResource("rediss://:old-token@h:6379")], { secretMode: mode });
    const head = toPlan([secretResource("rediss://:new-token@h:6379")], { secretMode: mode });
    expect(JSON.stringify([base, head])).not.toMatch(/old-token|new-token/);
    const diff = diffPlans(base, head);
    expect(diffCounts(diff)).toMatchObject({ updated: 1, replaced: 0 });
    expect(diff.updates[0].changes).toEqual([{ kind: "change", path: ["stringData", "REDIS_URL"], old: "[secret]", new: "[secret]", secret: true }]);
    const text = renderText(diff);
    expect(text).toContain("~ stringData.REDIS_URL: changed [secret]");
    expect(renderMarkdown([{ stack: "dev", diff }])).toContain("~ stringData.REDIS_URL: changed [secret]");
    expect(diffPlans(base, toPlan([secretResource("rediss://:old-token@h:6379")], { secretMode: mode })).unchanged).toBe(1);
  });

  it("derives a `secure:` value's offline stand-in from its ciphertext", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secure-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: edgestack\nruntime: nodejs\n");
    const standIn = (ciphertext: string) => {
      fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), stringify({ config: { "edgestack:token": { secure: ciphertext } } }));
      return readStackFiles("s", { root: dir }).config["edgestack:token"];
    };
    expect(standIn("v1:AAAA")).toBe(standIn("v1:AAAA"));
    expect(standIn("v1:AAAA")).not.toBe(standIn("v1:BBBB"));
    expect(standIn("v1:AAAA")).not.toContain("AAAA");
    fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), stringify({ config: { "edgestack:token": { secure: "v1:AAAA" } } }));
    const real = readStackFiles("s", { root: dir, secretValues: { "edgestack:token": "real" } });
    expect(real).toMatchObject({ realSecrets: true, config: { "edgestack:token": "real" }, secretKeys: ["edgestack:token"] });
  });

  it("takes what `pulumi config --show-secrets --json` lists: real values for `secure:` keys, and the values of an ESC environment the stack file lacks", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secure-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: edgestack\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), stringify({ environment: ["edgestack/dev"], config: { "edgestack:token": { secure: "v1:AAAA" }, "edgestack:owner": "team" } }));
    const files = readStackFiles("s", {
      root: dir,
      cliConfig: {
        "edgestack:token": { value: "real", secret: true },
        "edgestack:owner": { value: "team", secret: false },
        "edgestack:alertPageSubscriptions": { value: '["https:https://events.example.com/k"]', secret: true },
        "edgestack:costCenter": { value: "edge-dev", secret: false },
      },
    });
    expect(files.config).toMatchObject({ "edgestack:token": "real", "edgestack:owner": "team", "edgestack:alertPageSubscriptions": '["https:https://events.example.com/k"]', "edgestack:costCenter": "edge-dev" });
    expect(files.secretKeys.sort()).toEqual(["edgestack:alertPageSubscriptions", "edgestack:token"]);
    expect(files.realSecrets).toBe(true);
  });
});

describe("secrets on the real program (npm run plan)", () => {
  const root = path.resolve(__dirname, "../../..");
  const run = promisify(execFile);
  let dir: string;
  const plan = async (config: Record<string, unknown>, extra: string[] = [], env: Record<string, string> = {}) => {
    const doc = parse(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"));
    Object.assign(doc.config, config);
    const file = path.join(dir, `Pulumi.dev-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, stringify(doc));
    const { stdout } = await run("npm", ["run", "--silent", "plan", "--", "--stack", "dev", "--stack-file", file, "--json", ...extra], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, [SECRET_KEY_ENV]: "", ...env },
    });
    return parsePlan(JSON.parse(stdout), "plan");
  };
  let one: PlanResource[];
  let two: PlanResource[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-secrets-"));
    [one, two] = await Promise.all([plan({ "edgestack:apiKeyNames": ["partner-a"] }), plan({ "edgestack:apiKeyNames": ["partner-a", "partner-b"] })]);
  }, 180_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("an added API key changes the app's key Secret, shown as changed [secret] and counted", () => {
    const diff = diffPlans(one, two);
    const secret = diff.updates.find((u) => u.type === "kubernetes:core/v1:Secret" && u.changes.some((c) => c.secret));
    expect(secret).toBeDefined();
    expect(renderText(diff)).toMatch(/~ kubernetes:core\/v1:Secret \S+\n {4}~ stringData(\S*): changed \[secret\]/);
    expect(diffCounts(diff).updated).toBeGreaterThanOrEqual(1);
    expect(one.flatMap((r) => r.secrets ?? []).every((s) => s.digest.startsWith("stand-in:"))).toBe(true);
  });

  it("a plan from real secret values needs the key, and then carries only keyed fingerprints", async () => {
    const secretsFile = path.join(dir, "config.json");
    fs.writeFileSync(secretsFile, JSON.stringify({ "edgestack:owner": { value: "platform-team", secret: true } }));
    const secure = { "edgestack:owner": { secure: "v1:c2VjcmV0LWNpcGhlcnRleHQ=" } };
    await expect(plan(secure, ["--secrets-from", secretsFile])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/refusing to fingerprint real secret values without a key/) });
    const keyed = await plan(secure, ["--secrets-from", secretsFile], { [SECRET_KEY_ENV]: KEY });
    const digests = keyed.flatMap((r) => r.secrets ?? []).map((s) => s.digest);
    expect(digests.length).toBeGreaterThan(0);
    expect(digests.every((d) => d.startsWith("hmac-sha256:"))).toBe(true);
  }, 180_000);
});
