import { diffPlans, PlanResource } from "../../../offline/plan/diff";
import { renderMarkdown, renderText, summaryLine } from "../../../offline/plan/render-diff";
import { deletesBeforeReplace, pathMatches } from "../../../offline/plan/replacements";

const res = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}): PlanResource => ({ type, name, parent: null, inputs, ...extra });
const RECORD = "aws:route53/record:Record";

describe("replacements", () => {
  it("marks a Route53 record whose name changes as a replace, forced by name", () => {
    const d = diffPlans([res(RECORD, "apex", { name: "a.example.com", ttl: 60 })], [res(RECORD, "apex", { name: "b.example.com", ttl: 60 })]);
    expect(d.updates[0].replace).toEqual({ causes: ["name"], deleteBeforeReplace: false, dataLoss: false });
    expect(summaryLine(d)).toBe("+0 ~0 ±1 \u22120 (0 unchanged)");
    expect(renderText(d)).toContain("± aws:route53/record:Record apex  (replace: forced by name)");
  });

  it("keeps an in-place change an update", () => {
    const d = diffPlans([res(RECORD, "apex", { name: "a.example.com", ttl: 60 })], [res(RECORD, "apex", { name: "a.example.com", ttl: 300 })]);
    expect(d.updates[0].replace).toBeUndefined();
    expect(summaryLine(d)).toBe("+0 ~1 ±0 \u22120 (0 unchanged)");
  });

  it("marks an ACM certificate's domain change as a replace", () => {
    const cert = (domainName: string) => res("aws:acm/certificate:Certificate", "cert", { domainName, validationMethod: "DNS" });
    expect(diffPlans([cert("a.example.com")], [cert("b.example.com")]).updates[0].replace?.causes).toEqual(["domainName"]);
  });

  it("flags the replacement of stateful resources as data loss, and their deletion", () => {
    const cache = (port: number) => res("aws:elasticache/replicationGroup:ReplicationGroup", "cache", { port });
    const d = diffPlans([cache(6379), res("aws:s3/bucket:Bucket", "logs", {})], [cache(6380)]);
    expect(d.updates[0].replace).toMatchObject({ causes: ["port"], dataLoss: true });
    const md = renderMarkdown([{ stack: "prod", diff: d }]);
    expect(md).toContain("♻️ replace <code>aws:elasticache/replicationGroup:ReplicationGroup</code> <b>cache</b> — forced by port — ⚠️ DATA LOSS");
    expect(md).toMatch(/🗑️ delete <code>aws:s3\/bucket:Bucket<\/code> <b>logs<\/b>.*DATA LOSS/);
  });

  it("marks delete-before-replace from the option, and for a Kubernetes object keeping its fixed name", () => {
    const sg = (name: string) => res("aws:ec2/securityGroup:SecurityGroup", "sg", { name }, { options: { deleteBeforeReplace: true } });
    expect(diffPlans([sg("a")], [sg("b")]).updates[0].replace?.deleteBeforeReplace).toBe(true);
    const dep = (matchLabels: Record<string, string>) => res("kubernetes:apps/v1:Deployment", "app", { metadata: { name: "app" }, spec: { selector: { matchLabels } } });
    const d = diffPlans([dep({ app: "a" })], [dep({ app: "b" })]);
    expect(d.updates[0].replace).toMatchObject({ causes: ["spec.selector"], deleteBeforeReplace: true });
    expect(renderText(d)).toContain("forced by spec.selector — delete before replace");
    expect(deletesBeforeReplace("kubernetes:core/v1:ConfigMap", { metadata: { name: "x-1" } }, { metadata: { name: "x-2" } }, false)).toBe(false);
  });

  it("honours replaceOnChanges and ignoreChanges from the options", () => {
    const fn = (code: string, options = {}) => res("aws:cloudfront/function:Function", "fn", { code, name: "fn" }, { options });
    expect(diffPlans([fn("a", { replaceOnChanges: ["code"] })], [fn("b", { replaceOnChanges: ["code"] })]).updates[0].replace?.causes).toEqual(["code"]);
    const tagged = (v: string) => res("aws:s3/bucket:Bucket", "b", { tags: { Name: v } }, { options: { ignoreChanges: ['tags["Name"]'] } });
    expect(diffPlans([tagged("a")], [tagged("b")]).unchanged).toBe(1);
  });

  it("matches rule paths against change paths, array indexes aside", () => {
    expect(pathMatches("subnetIds", ["subnetIds", 2])).toBe(true);
    expect(pathMatches("spec.selector", ["spec", "selector", "matchLabels", "app"])).toBe(true);
    expect(pathMatches("spec.selector", ["spec", "replicas"])).toBe(false);
    expect(pathMatches("name", ["tags", "name"])).toBe(false);
    expect(pathMatches("*", ["length"])).toBe(true);
  });
});

describe("JSON-in-string and multi-line values", () => {
  const policy = (actions: string[], spaces = 0) =>
    res("aws:s3/bucketPolicy:BucketPolicy", "p", { bucket: "b", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions }] }, null, spaces) });

  it("diffs a JSON policy document structurally", () => {
    const d = diffPlans([policy(["s3:GetObject"])], [policy(["s3:GetObject", "s3:PutObject"])]);
    expect(d.updates[0].changes).toEqual([{ kind: "add", path: ["policy"], jsonPath: ["Statement", 0, "Action", 1], new: "s3:PutObject" }]);
    expect(renderText(d)).toContain('+ policy (JSON) Statement[0].Action[1]: "s3:PutObject"');
  });

  it("shows nothing for a policy that was only reformatted", () => {
    expect(diffPlans([policy(["s3:GetObject"])], [policy(["s3:GetObject"], 2)]).unchanged).toBe(1);
  });

  it("lists a created multi-line string line by line", () => {
    const text = renderText(diffPlans([], [res("kubernetes:core/v1:ConfigMap", "c", { data: { "nginx.conf": "events {\n}\n" } })]));
    expect(text).toContain('+ data["nginx.conf"]:\n    +events {\n    +}');
  });
});

describe("size cut across stacks", () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => res("aws:s3/bucket:Bucket", `b${i}`, { tags: { Name: "x".repeat(200) } }));

  it("keeps every stack's summary, blocks of each stack and each stack's policy results when the first base is empty", () => {
    const sections = [
      { stack: "dev", diff: diffPlans([], many(2000)), policy: [{ policy: "p1", enforcement: "mandatory" as const, message: "dev broke it" }] },
      { stack: "prod", diff: diffPlans([], many(2000)), policy: [{ policy: "p2", enforcement: "mandatory" as const, message: "prod broke it" }] },
    ];
    const md = renderMarkdown(sections);
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toContain("**Plan `dev`** +2000 ~0 ±0 \u22120");
    expect(md).toContain("**Plan `prod`** +2000 ~0 ±0 \u22120");
    const prodPart = md.slice(md.indexOf("### `prod`"));
    expect((prodPart.match(/<details>/g) ?? []).length).toBeGreaterThan(10);
    expect(md).toContain("dev broke it");
    expect(md).toContain("prod broke it");
  });
});
