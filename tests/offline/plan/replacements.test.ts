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

describe("what the engine will refuse, defer or not apply", () => {
  const CLUSTER = "aws:eks/cluster:Cluster";
  const cluster = (serviceIpv4Cidr: string, options = {}) => res(CLUSTER, "eks", { name: "edgestack-prod", kubernetesNetworkConfig: { serviceIpv4Cidr } }, { options });

  it("marks the replacement of a protected resource as failing (the state's protect decides)", () => {
    const d = diffPlans([cluster("172.20.0.0/16", { protect: true })], [cluster("172.21.0.0/16", { protect: true })]);
    expect(d.updates[0].replace?.protected).toBe(true);
    expect(renderText(d)).toContain("❌ WILL FAIL: protected");
    expect(renderText(d).split("\n")[0]).toContain("❌ 1 will fail");
    expect(diffPlans([cluster("172.20.0.0/16")], [cluster("172.21.0.0/16", { protect: true })]).updates[0].replace?.protected).toBeUndefined();
  });

  it("flags a create-before-delete replacement that keeps a fixed name, not one with deleteBeforeReplace or an auto-name", () => {
    expect(diffPlans([cluster("172.20.0.0/16")], [cluster("172.21.0.0/16")]).updates[0].replace?.nameCollision).toBe("name=edgestack-prod");
    expect(diffPlans([cluster("172.20.0.0/16", { deleteBeforeReplace: true })], [cluster("172.21.0.0/16", { deleteBeforeReplace: true })]).updates[0].replace?.nameCollision).toBeUndefined();
    const sg = (description: string, name?: string) => res("aws:ec2/securityGroup:SecurityGroup", "sg", { description, vpcId: "vpc-1", ...(name ? { name } : {}) });
    expect(diffPlans([sg("a", "web")], [sg("b", "web")]).updates[0].replace?.nameCollision).toBe("vpcId=vpc-1, name=web");
    expect(diffPlans([sg("a")], [sg("b")]).updates[0].replace?.nameCollision).toBeUndefined();
    const bucket = (objectLockEnabled: boolean) => res("aws:s3/bucket:Bucket", "b", { bucket: "edgestack-logs", objectLockEnabled });
    expect(renderText(diffPlans([bucket(false)], [bucket(true)]))).toContain("❌ WILL FAIL: fixed name bucket=edgestack-logs");
  });

  it("does not count a dependsOn-only change as an update, and shows it beside real changes", () => {
    const app = (replicas: number, dependsOn: string[]) => res("kubernetes:apps/v1:Deployment", "app", { metadata: { name: "app" }, spec: { replicas } }, { options: { dependsOn } });
    const only = diffPlans([app(2, ["a"])], [app(2, ["a", "b"])]);
    expect(only).toMatchObject({ updates: [], unchanged: 1 });
    const both = diffPlans([app(2, ["a"])], [app(3, ["a", "b"])]);
    expect(summaryLine(both)).toBe("+0 ~1 ±0 \u22120 (0 unchanged)");
    expect(renderText(both)).toContain('(ordering only, nothing applied) + options.dependsOn: "b"');
  });

  it("calls out applyImmediately: false changes as deferred to the maintenance window", () => {
    const rg = (nodeType: string, tags = {}) => res("aws:elasticache/replicationGroup:ReplicationGroup", "cache", { nodeType, applyImmediately: false, maintenanceWindow: "sun:05:00-sun:06:00", tags });
    const d = diffPlans([rg("cache.r7g.large")], [rg("cache.r7g.xlarge")]);
    expect(d.updates[0].deferred).toEqual({ maintenanceWindow: "sun:05:00-sun:06:00" });
    expect(renderMarkdown([{ diff: d }])).toContain("⏳ deferred: applyImmediately is false, so AWS applies these changes in the next maintenance window (sun:05:00-sun:06:00)");
    expect(diffPlans([rg("cache.r7g.large", { a: "1" })], [rg("cache.r7g.large", { a: "2" })]).updates[0].deferred).toBeUndefined();
  });

  it("replaces every resource of a replaced provider", () => {
    const provider = (region: string) => res("pulumi:providers:aws", "aws", { region });
    const zone = res("aws:route53/zone:Zone", "zone", { name: "example.com" }, { options: { provider: "pulumi:providers:aws::aws", protect: true } });
    const d = diffPlans([provider("eu-west-1"), zone], [provider("us-east-1"), zone]);
    expect(d.updates.find((u) => u.name === "zone")?.replace).toMatchObject({ causes: ["provider"], via: ["pulumi:providers:aws::aws"], dataLoss: true, protected: true });
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
