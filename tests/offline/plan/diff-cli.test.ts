import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { PlanResource } from "../../../offline/plan/diff";
import { runCommentCommand, runDiffCommand } from "../../../offline/plan/diff-cli";
import { COMMENT_MARKER, KEYED_COMMENT_MARKER } from "../../../offline/plan/render-diff";

const basePlan: PlanResource[] = [
  { type: "aws:lb/loadBalancer:LoadBalancer", name: "edge-alb", parent: null, inputs: { idleTimeout: 60 } },
  { type: "aws:ec2/instance:Instance", name: "old", parent: null, inputs: {} },
];
const headPlan: PlanResource[] = [
  { type: "aws:lb/loadBalancer:LoadBalancer", name: "edge-alb", parent: null, inputs: { idleTimeout: 120 } },
  { type: "aws:s3/bucket:Bucket", name: "logs", parent: null, inputs: { secretKey: "[secret]" } },
];
const violations = [{ policy: "s3-private", enforcement: "mandatory", message: "bucket must be private" }];

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

let dir: string;
const file = (name: string) => join(dir, name);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "plan-diff-cli-"));
  await writeFile(file("base.json"), JSON.stringify(basePlan));
  await writeFile(file("head.json"), JSON.stringify(headPlan));
  await writeFile(file("policy.json"), JSON.stringify(violations));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("runDiffCommand", () => {
  it("prints the text diff against BASE.json", async () => {
    const out = capture();
    const code = await runDiffCommand({ headPlan, basePath: file("base.json"), markdown: false, out: out.stream });
    expect(code).toBe(0);
    expect(out.text()).toMatch(/^Plan diff: \+1 ~1 ±0 \u22121 \(0 unchanged\)/);
    expect(out.text()).toContain("~ idleTimeout: 60 → 120");
    expect(out.text()).toContain("+ secretKey: [secret]");
  });

  it("prints a PR comment with policy results from --policy-results", async () => {
    const out = capture();
    const code = await runDiffCommand({
      headPlan,
      basePath: file("base.json"),
      markdown: true,
      policyResultsPath: file("policy.json"),
      stack: "dev",
      out: out.stream,
    });
    expect(code).toBe(0);
    expect(out.text().startsWith(`${COMMENT_MARKER}\n\n**Plan \`dev\`** +1 ~1 ±0 \u22121 (0 unchanged)`)).toBe(true);
    expect(out.text()).toContain("**❌ mandatory** `s3-private` (1)");
  });

  it.each([
    ["missing", "absent.json", undefined, /cannot read base plan .*absent\.json/],
    ["malformed", "bad.json", "{ not json", /base plan .*bad\.json is not valid JSON/],
    ["not a plan", "wrong.json", JSON.stringify([{ type: "x" }]), /wrong\.json: not a plan .* at \[0\]\[name\]/],
  ])("fails with an error naming a %s BASE file", async (_label, name, content, message) => {
    if (content !== undefined) await writeFile(file(name), content);
    const out = capture();
    const err = capture();
    const code = await runDiffCommand({ headPlan, basePath: file(name), markdown: false, out: out.stream, err: err.stream });
    expect(code).toBe(1);
    expect(err.text()).toMatch(message);
    expect(out.text()).toBe(""); // nothing half-printed
  });

  it("fails with an error naming a bad policy results file", async () => {
    await writeFile(file("policy.json"), JSON.stringify([{ policy: "p", enforcement: "sometimes", message: "m" }]));
    const err = capture();
    const code = await runDiffCommand({
      headPlan,
      basePath: file("base.json"),
      markdown: true,
      policyResultsPath: file("policy.json"),
      out: capture().stream,
      err: err.stream,
    });
    expect(code).toBe(1);
    expect(err.text()).toMatch(/policy\.json: not policy results .* at \[0\]\[enforcement\]/);
  });
});

describe("runCommentCommand", () => {
  it("writes one comment covering every stack, with a note where the base plan is missing", async () => {
    const err = capture();
    const code = await runCommentCommand(
      [
        "--out", file("comment.md"),
        "--stack", "dev", "--head", file("head.json"), "--base", file("base.json"), "--policy", file("policy.json"),
        "--stack", "prod", "--head", file("head.json"), "--base", file("no-base.json"),
      ],
      err.stream,
    );
    expect(err.text()).toBe("");
    expect(code).toBe(0);
    const comment = await readFile(file("comment.md"), "utf8");
    expect(comment.split("\n")[0]).toBe(COMMENT_MARKER);
    expect(comment).toContain("**Plan `dev`** +1 ~1 ±0 \u22121 (0 unchanged) · policy: ❌ 1 mandatory, 0 advisory");
    expect(comment).toContain("**Plan `prod`** +2 ~0 ±0 \u22120 (0 unchanged) · policy: not run");
    expect(comment).toContain("> `prod`: No base plan");
  });

  it("turns an unreadable policy file into a visible note, not a silent gap", async () => {
    await writeFile(file("policy.json"), "");
    const code = await runCommentCommand([
      "--out", file("comment.md"),
      "--stack", "dev", "--head", file("head.json"), "--base", file("base.json"), "--policy", file("policy.json"),
    ]);
    expect(code).toBe(0);
    expect(await readFile(file("comment.md"), "utf8")).toMatch(/Policy results unavailable: policy results .*policy\.json is not valid JSON/);
  });

  it("rejects incomplete arguments with a usage message", async () => {
    const err = capture();
    expect(await runCommentCommand(["--out", file("c.md"), "--stack", "dev", "--head", file("head.json")], err.stream)).toBe(2);
    expect(err.text()).toContain('stack "dev" needs --head and --base');
    expect(await runCommentCommand(["--head", file("head.json")], err.stream)).toBe(2);
    expect(err.text()).toContain("--head must follow a --stack");
  });

  it("shows a malformed head plan as that stack's error, naming the file, and still renders the other stacks", async () => {
    await writeFile(file("bad.json"), "[");
    await writeFile(file("good.json"), JSON.stringify([]));
    const err = capture();
    const code = await runCommentCommand(
      ["--out", file("c.md"), "--stack", "dev", "--head", file("bad.json"), "--base", file("base.json"), "--stack", "prod", "--head", file("good.json"), "--base", file("base.json")],
      err.stream,
    );
    expect(code).toBe(0);
    const comment = await readFile(file("c.md"), "utf8");
    expect(comment).toContain("**Plan `dev`** ❌ plan failed");
    expect(comment).toMatch(/head plan .*bad\.json is not valid JSON/);
    expect(comment).toMatch(/\*\*Plan `prod`\*\* \+0 ~0 ±0 \u22122/);
  });

  it("shows a failed stack plan's own error text (--head-error) while the other stacks render", async () => {
    await writeFile(file("prod-head.json"), JSON.stringify([{ type: "aws:s3/bucket:Bucket", name: "b", parent: null, inputs: {} }]));
    await writeFile(file("dev.err"), "edgestack:domain: \"exa mple\" is not a valid DNS name\n");
    const code = await runCommentCommand([
      "--out", file("c2.md"),
      "--stack", "dev", "--head", file("missing-head.json"), "--head-error", file("dev.err"), "--base", file("base.json"),
      "--stack", "prod", "--head", file("prod-head.json"), "--head-error", file("prod.err"), "--base", file("base.json"),
    ]);
    expect(code).toBe(0);
    const comment = await readFile(file("c2.md"), "utf8");
    expect(comment).toContain("**Plan `dev`** ❌ plan failed");
    expect(comment).toContain('edgestack:domain: "exa mple" is not a valid DNS name');
    expect(comment).toContain("<b>b</b>"); // prod's create is listed
  });
});

describe("runCommentCommand --keyed (the credentialed comment, preview.yml)", () => {
  const secretResource = (digest: string): PlanResource => ({
    type: "kubernetes:core/v1:Secret",
    name: "app-hook",
    parent: null,
    inputs: { stringData: "[secret]" },
    secrets: [{ path: ["stringData"], digest }],
  });
  const keyed = (n: string) => `hmac-sha256:${n.repeat(32)}`;

  it("shows a rotated secret as changed [secret] under its own marker, saying how secrets were compared", async () => {
    await writeFile(file("kb.json"), JSON.stringify([secretResource(keyed("a"))]));
    await writeFile(file("kh.json"), JSON.stringify([secretResource(keyed("b"))]));
    const err = capture();
    expect(await runCommentCommand(["--out", file("k.md"), "--keyed", "--stack", "dev", "--head", file("kh.json"), "--base", file("kb.json")], err.stream)).toBe(0);
    const comment = await readFile(file("k.md"), "utf8");
    expect(comment.split("\n")[0]).toBe(KEYED_COMMENT_MARKER);
    expect(comment).not.toContain(COMMENT_MARKER);
    expect(comment).toContain("**Plan `dev`** +0 ~1 ±0 \u22120");
    expect(comment).toMatch(/stringData: changed \[secret\]/);
    expect(comment).toContain("keyed digest (HMAC-SHA-256");
  });

  it("refuses a plan fingerprinted without the key (never an unkeyed hash, never a mix of modes)", async () => {
    await writeFile(file("kb.json"), JSON.stringify([secretResource(`stand-in:${"c".repeat(32)}`)]));
    await writeFile(file("kh.json"), JSON.stringify([secretResource(keyed("b"))]));
    const err = capture();
    expect(await runCommentCommand(["--out", file("k.md"), "--keyed", "--stack", "dev", "--head", file("kh.json"), "--base", file("kb.json")], err.stream)).toBe(1);
    expect(err.text()).toMatch(/kb\.json: 1 secret fingerprint\(s\) are not keyed \(first: kubernetes:core\/v1:Secret app-hook\)/);
  });

  it("refuses to write a comment that contains a secret value, naming the key and not the value", async () => {
    const hook = "https://events.example.com/integration/9f8e7d6c5b/enqueue";
    // A head plan whose input carries the value in the clear (a program that forgot to mark it secret).
    await writeFile(file("leak.json"), JSON.stringify([{ type: "aws:sns/topicSubscription:TopicSubscription", name: "page", parent: null, inputs: { endpoint: hook } }]));
    await writeFile(file("cfg.json"), JSON.stringify({ "edgestack:alertPageSubscriptions": { value: JSON.stringify([`https:${hook}`]), secret: true }, "edgestack:owner": { value: "platform-team", secret: false } }));
    const err = capture();
    const args = ["--out", file("leak.md"), "--keyed", "--secrets", file("cfg.json"), "--stack", "dev", "--head", file("leak.json"), "--base", file("no-base.json")];
    expect(await runCommentCommand(args, err.stream)).toBe(1);
    expect(err.text()).toContain("contains the value of secret config key edgestack:alertPageSubscriptions");
    expect(err.text()).not.toContain("9f8e7d6c5b");
    await expect(readFile(file("leak.md"), "utf8")).rejects.toThrow(/ENOENT/);
    // The same plan without the value passes: only secret values are held against the comment.
    await writeFile(file("cfg.json"), JSON.stringify({ "edgestack:owner": { value: "platform-team", secret: true } }));
    expect(await runCommentCommand(args, err.stream)).toBe(0);
  });
});
