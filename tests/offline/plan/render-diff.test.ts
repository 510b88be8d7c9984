import { diffPlans, PlanDiff, PlanResource, SECRET_PLACEHOLDER } from "../../../offline/plan/diff";
import { isBootstrapProvider } from "../../../infra/cluster/bootstrap";
import {
  BOOTSTRAP_NOTE,
  COMMENT_MARKER,
  formatPath,
  formatValue,
  GITHUB_COMMENT_LIMIT,
  githubLength,
  PolicyViolation,
  renderMarkdown,
  renderText,
  summaryLine,
  truncate,
} from "../../../offline/plan/render-diff";

const res = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}): PlanResource => ({
  type,
  name,
  parent: null,
  inputs,
  ...extra,
});

const base = [
  res("aws:lb/loadBalancer:LoadBalancer", "edge-alb", { idleTimeout: 60, enableHttp2: true, dbPassword: SECRET_PLACEHOLDER }),
  res("aws:ec2/instance:Instance", "old", { ami: "ami-1" }, { protect: true }),
  res("aws:route53/zone:Zone", "zone", { name: "example.org" }),
];
const head = [
  res("aws:lb/loadBalancer:LoadBalancer", "edge-alb", { idleTimeout: 120, dbPassword: SECRET_PLACEHOLDER, apiKey: SECRET_PLACEHOLDER }),
  res("aws:s3/bucket:Bucket", "logs", { acl: "private", tags: { Team: "edge" } }),
  res("aws:route53/zone:Zone", "zone", { name: "example.org" }),
];
const diff = diffPlans(base, head);

const violations: PolicyViolation[] = [
  { policy: "alb-idle-timeout", enforcement: "advisory", message: "idle timeout above 60s" },
  { policy: "s3-no-public-acl", enforcement: "mandatory", resource: { type: "aws:s3/bucket:Bucket", name: "logs" }, message: "bucket <b>must</b> be private" },
];

/** Fences and <details> must balance, or the rest of the comment renders as code or collapses. */
function expectWellFormed(markdown: string): void {
  expect(markdown.match(/<details>/g)?.length ?? 0).toBe(markdown.match(/<\/details>/g)?.length ?? 0);
  const fenceLines = markdown.split("\n").filter((l) => /^`{3,}/.test(l));
  expect(fenceLines.length % 2).toBe(0);
}

describe("summaryLine and value formatting", () => {
  it("counts creates, updates, deletes and unchanged", () => {
    expect(summaryLine(diff)).toBe("+1 ~1 ±0 \u22121 (1 unchanged)");
  });

  it("formats paths with dots for identifiers and brackets otherwise", () => {
    expect(formatPath(["tags", "Name"])).toBe("tags.Name");
    expect(formatPath(["ingress", 0, "from port"])).toBe('ingress[0]["from port"]');
  });

  it("prints masked secrets bare and never cuts a value: one too long is left out whole, with its length", () => {
    expect(formatValue(SECRET_PLACEHOLDER)).toBe("[secret]");
    expect(formatValue("x".repeat(50), 10)).toBe("(52-character value not shown here: see the full diff)");
    expect(formatValue("x".repeat(8), 10)).toBe(`"${"x".repeat(8)}"`);
  });
});

describe("renderText", () => {
  const text = renderText(diff, violations);

  it("shows +, ~ and − with property-level old → new values", () => {
    expect(text.split("\n")[0]).toBe("Plan diff: +1 ~1 ±0 \u22121 (1 unchanged)");
    expect(text).toContain("+ aws:s3/bucket:Bucket logs\n    + acl: \"private\"\n    + tags.Team: \"edge\"");
    expect(text).toContain("~ aws:lb/loadBalancer:LoadBalancer edge-alb");
    expect(text).toContain("    ~ idleTimeout: 60 → 120");
    expect(text).toContain("    \u2212 enableHttp2: true");
    expect(text).toContain("\u2212 aws:ec2/instance:Instance old  (protected");
    expect(text).not.toContain("aws:route53/zone:Zone");
  });

  it("keeps secrets masked", () => {
    expect(text).toContain("    + apiKey: [secret]");
    expect(text).not.toMatch(/dbPassword/); // equal masks on both sides: nothing to show
  });

  it("lists mandatory policy results before advisory ones", () => {
    expect(text.indexOf("[mandatory] s3-no-public-acl")).toBeGreaterThan(0);
    expect(text.indexOf("[mandatory]")).toBeLessThan(text.indexOf("[advisory]"));
    expect(renderText(diff, [])).toContain("Policy results:\n  no violations");
  });
});

describe("renderMarkdown", () => {
  const md = renderMarkdown([{ stack: "dev", diff, policy: violations }]);

  it("starts with the hidden marker, then the summary line", () => {
    const lines = md.split("\n").filter((l) => l !== "");
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[1]).toContain("**Plan `dev`** +1 ~1 ±0 \u22121 (1 unchanged)");
    expect(lines[1]).toContain("1 mandatory, 1 advisory");
  });

  it("has one collapsible block per changed resource with coloured diff lines", () => {
    expect(md.match(/<details>/g)).toHaveLength(3);
    expect(md).toContain("<summary>🔄 update <code>aws:lb/loadBalancer:LoadBalancer</code> <b>edge-alb</b></summary>");
    expect(md).toContain("~ idleTimeout: 60 → 120\n- enableHttp2: true\n+ apiKey: [secret]");
    expect(md).toContain("➕ create <code>aws:s3/bucket:Bucket</code> <b>logs</b>");
    expect(md).toMatch(/🗑️ delete <code>aws:ec2\/instance:Instance<\/code> <b>old<\/b> — ⚠️ protected/);
    expectWellFormed(md);
  });

  it("puts policy results after the resources, mandatory first, with untrusted text escaped", () => {
    const policyAt = md.indexOf("#### Policy results");
    expect(policyAt).toBeGreaterThan(md.lastIndexOf("</details>"));
    expect(md.indexOf("❌ mandatory")).toBeLessThan(md.indexOf("⚠️ advisory"));
    expect(md).toContain("bucket &lt;b&gt;must&lt;/b&gt; be private");
    expect(renderMarkdown([{ diff, policy: [] }])).toContain("#### Policy results\n\n✅ no violations");
    expect(renderMarkdown([{ diff }])).toContain("policy: not run");
  });

  it("says so when nothing changes", () => {
    const same = renderMarkdown([{ stack: "prod", diff: diffPlans(base, base), policy: [] }]);
    expect(same).toContain("+0 ~0 ±0 \u22120 (3 unchanged)");
    expect(same).toContain("No resource changes.");
    expect(same).not.toContain("<details>");
  });

  it("lengthens the code fence so backticks inside values cannot close it", () => {
    const tricky = diffPlans([], [res("aws:s3/bucket:Bucket", "b", { script: "```\n</details>" })]);
    const out = renderMarkdown([{ diff: tricky }]);
    expect(out).toContain("````diff\n+ script:\n+```\n+</details>\n````");
    expectWellFormed(out.replace("+```\n+</details>", ""));
  });
});

describe("renderMarkdown size bound", () => {
  function hugeDiff(resources: number, valueChars: number): PlanDiff {
    const big = (i: number) => ({ userData: `#!/bin/sh\n${"echo hello; ".repeat(valueChars / 12)}${i}`, tags: { Name: `n${i}` } });
    const before = Array.from({ length: resources }, (_, i) => res("aws:ec2/instance:Instance", `vm-${i}`, big(i)));
    const after = before.map((r, i) => ({ ...r, inputs: { ...big(i + 1), extra: i } }));
    const created = Array.from({ length: resources }, (_, i) => res("aws:s3/bucket:Bucket", `bucket-${i}`, big(i)));
    return diffPlans(before, [...after, ...created]);
  }

  it("keeps thousands of resources with huge values under GitHub's limit, summary intact, with a cut note", () => {
    const d = hugeDiff(3000, 20_000);
    const many: PolicyViolation[] = Array.from({ length: 5000 }, (_, i) => ({
      policy: i % 2 ? "advisory-rule" : "mandatory-rule",
      enforcement: i % 2 ? "advisory" : "mandatory",
      resource: { type: "aws:ec2/instance:Instance", name: `vm-${i}` },
      message: "x".repeat(200),
    }));
    const md = renderMarkdown([{ stack: "dev", diff: d, policy: many }]);
    expect(githubLength(md)).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md.startsWith(`${COMMENT_MARKER}\n\n**Plan \`dev\`** +3000 ~3000 ±0 \u22120 (0 unchanged) · policy: ❌ 2500 mandatory, 2500 advisory`)).toBe(true);
    expect(md).toMatch(/✂️ \*\*Cut here to fit GitHub's 65,536-character comment limit:\*\* \d+ more resource change\(s\) not shown/);
    expect(md).toMatch(/✂️ \d+ more violations not shown/);
    expect(md).toContain("❌ mandatory"); // blocking results survive the cut
    expect(md.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT / 2); // it fills the space rather than dropping everything
    expectWellFormed(md);
  });

  it("leaves a single enormous value out whole (never cut mid-way) instead of dropping the resource", () => {
    const d = diffPlans([], [res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { userData: "A".repeat(2_000_000) })]);
    const md = renderMarkdown([{ diff: d }]);
    expect(githubLength(md)).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain("+ userData: (2000002-character value not shown here: see the full diff)");
    expect(md).not.toMatch(/AAAA/);
    expect(md).not.toContain("Cut here");
  });

  it("shares the limit between stacks and honours a smaller limit, always keeping every summary", () => {
    const d = hugeDiff(500, 2_000);
    const md = renderMarkdown(
      [
        { stack: "dev", diff: d, policy: [] },
        { stack: "prod", diff: d, policy: [] },
      ],
      { maxLength: 20_000 },
    );
    expect(githubLength(md)).toBeLessThanOrEqual(20_000);
    expect(md).toContain("**Plan `dev`** +500 ~500");
    expect(md).toContain("**Plan `prod`** +500 ~500");
    expect(md.match(/Cut here/g)).toHaveLength(2);
    expectWellFormed(md);
  });

  it("counts characters the way the limit does, including astral-plane characters", () => {
    const emoji = "🌈".repeat(40_000); // 80,000 UTF-16 units
    const d = diffPlans([], Array.from({ length: 10 }, (_, i) => res("x:y:Z", `r${i}`, { s: emoji })));
    const md = renderMarkdown([{ diff: d }], { maxValueChars: 50_000 });
    expect(githubLength(md)).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect([...md].length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    // Shortening never leaves half of a surrogate pair (it would turn into U+FFFD on the wire).
    expect(md).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(truncate("a🌈", 2)).toBe("a");
  });

  it("falls back to just the summaries when even the reserved parts cannot fit", () => {
    const md = renderMarkdown([{ stack: "dev", diff, policy: violations }], { maxLength: 300 });
    expect(githubLength(md)).toBeLessThanOrEqual(300);
    expect(md).toContain("+1 ~1 ±0 \u22121 (1 unchanged)");
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
  });
});

describe("changes through the cluster's bootstrap (RBAC) provider", () => {
  const rbac = { options: { provider: "pulumi:providers:kubernetes::cluster-k8s-rbac" } };
  const plain = { options: { provider: "pulumi:providers:kubernetes::cluster-k8s" } };
  const before = [
    res("kubernetes:apps/v1:Deployment", "cluster-autoscaler-deployment", { spec: { replicas: 2 } }, rbac),
    res("kubernetes:rbac.authorization.k8s.io/v1:Role", "old-role", { rules: [] }, rbac),
    res("kubernetes:apps/v1:Deployment", "workloads-app", { spec: { replicas: 2 } }, plain),
  ];
  const after = [
    res("kubernetes:apps/v1:Deployment", "cluster-autoscaler-deployment", { spec: { replicas: 3 } }, rbac),
    res("kubernetes:core/v1:ServiceAccount", "new-sa", { metadata: { name: "x" } }, rbac),
    res("kubernetes:apps/v1:Deployment", "workloads-app", { spec: { replicas: 3 } }, plain),
  ];

  it("marks each create, update and delete applied through it and counts them in the summary", () => {
    const diff = diffPlans(before, after);
    const md = renderMarkdown([{ stack: "dev", diff }]);
    expect(md).toContain("· 🔐 3 need clusterAccessBootstrap");
    for (const name of ["cluster-autoscaler-deployment", "new-sa", "old-role"]) expect(md).toMatch(new RegExp(`<b>${name}</b> — 🔐 NEEDS clusterAccessBootstrap`));
    expect(md).toMatch(/<b>workloads-app<\/b><\/summary>/); // the deploy role's own kinds are not marked
    expect(renderText(diff)).toContain(BOOTSTRAP_NOTE);
  });

  it("says nothing when no such resource changes", () => {
    const diff = diffPlans(before, [before[0], before[1], after[2]]);
    expect(renderMarkdown([{ stack: "dev", diff }])).not.toContain("clusterAccessBootstrap");
  });

  it("recognises the provider in the plan's and the engine's reference forms, and nothing else", () => {
    expect(isBootstrapProvider("pulumi:providers:kubernetes::cluster-k8s-rbac")).toBe(true);
    expect(isBootstrapProvider("urn:pulumi:prod::edgestack::edgestack:cluster:Eks$pulumi:providers:kubernetes::cluster-k8s-rbac::04da6b54-80e4-46f7-96ec-b56ff0331ba9")).toBe(true);
    expect(isBootstrapProvider("urn:pulumi:prod::edgestack::edgestack:cluster:Eks$pulumi:providers:kubernetes::cluster-k8s::04da6b54")).toBe(false);
    expect(isBootstrapProvider("urn:pulumi:prod::edgestack::pulumi:providers:aws::x-k8s-rbac::1")).toBe(false);
    expect(isBootstrapProvider(undefined)).toBe(false);
  });
});
