import fc from "fast-check";
import { diffPlans, isEmptyDiff, parsePlan, PlanResource, SECRET_PLACEHOLDER } from "../../../offline/plan/diff";

const alb = (inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}): PlanResource => ({
  type: "aws:lb/loadBalancer:LoadBalancer",
  name: "edge-alb",
  parent: null,
  inputs,
  ...extra,
});
const bucket: PlanResource = { type: "aws:s3/bucket:Bucket", name: "logs", parent: "edge-alb", inputs: { acl: "private" } };
const instance: PlanResource = { type: "aws:ec2/instance:Instance", name: "old", parent: null, inputs: { ami: "ami-1" } };

describe("diffPlans", () => {
  it("shows no changes when a plan is diffed against itself", () => {
    const plan = [alb({ idleTimeout: 60, tags: { Name: "edge" } }), bucket, instance];
    const diff = diffPlans(plan, structuredClone(plan));
    expect(diff).toEqual({ creates: [], deletes: [], updates: [], unchanged: 3 });
    expect(isEmptyDiff(diff)).toBe(true);
  });

  it("shows no changes for any plan diffed against a copy of itself (property)", () => {
    const resource = fc.record({
      type: fc.constantFrom("aws:s3/bucket:Bucket", "aws:lb/listener:Listener"),
      name: fc.string({ minLength: 1, maxLength: 8 }),
      parent: fc.option(fc.string({ minLength: 1 }), { nil: null }),
      inputs: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    fc.assert(
      fc.property(fc.uniqueArray(resource, { selector: (r) => `${r.type}/${r.name}` }), (plan) => {
        const diff = diffPlans(plan, JSON.parse(JSON.stringify(plan)));
        expect(isEmptyDiff(diff)).toBe(true);
        expect(diff.unchanged).toBe(plan.length);
      }),
    );
  });

  it("treats -0 and 0 as equal, as JSON does", () => {
    expect(diffPlans([alb({ a: [0], b: 0 })], [alb({ a: [-0], b: -0 })]).updates).toEqual([]);
  });

  it("reports a changed, an added and a removed property with paths and old → new values", () => {
    const base = [alb({ idleTimeout: 60, enableHttp2: true, tags: { Name: "edge" }, subnets: ["a", "b"] })];
    const head = [alb({ idleTimeout: 120, tags: { Name: "edge", Team: "platform" }, subnets: ["a", "c"] })];
    const diff = diffPlans(base, head);
    expect(diff.creates).toEqual([]);
    expect(diff.deletes).toEqual([]);
    expect(diff.unchanged).toBe(0);
    expect(diff.updates).toHaveLength(1);
    const [update] = diff.updates;
    expect(update).toMatchObject({ type: "aws:lb/loadBalancer:LoadBalancer", name: "edge-alb" });
    expect(update.changes).toEqual(
      expect.arrayContaining([
        { kind: "change", path: ["idleTimeout"], old: 60, new: 120 },
        { kind: "remove", path: ["enableHttp2"], old: true },
        { kind: "add", path: ["tags", "Team"], new: "platform" },
        // subnets is a set: matched by value, not by index
        { kind: "remove", path: ["subnets"], old: "b" },
        { kind: "add", path: ["subnets"], new: "c" },
      ]),
    );
    expect(update.changes).toHaveLength(5);
  });

  it("reports an added and a removed resource, and counts the rest as unchanged", () => {
    const diff = diffPlans([alb({}), instance], [alb({}), bucket]);
    expect(diff.creates).toEqual([bucket]);
    expect(diff.deletes).toEqual([instance]);
    expect(diff.updates).toEqual([]);
    expect(diff.unchanged).toBe(1);
  });

  it("identifies resources by (type, name): the same name under another type is a replace, not an update", () => {
    const asListener = { ...bucket, type: "aws:lb/listener:Listener" };
    const diff = diffPlans([bucket], [asListener]);
    expect(diff.creates).toEqual([asListener]);
    expect(diff.deletes).toEqual([bucket]);
  });

  it("reports parent and protect changes even when inputs are equal", () => {
    const diff = diffPlans([alb({ a: 1 })], [alb({ a: 1 }, { parent: "edge", protect: true })]);
    expect(diff.updates).toEqual([
      {
        type: "aws:lb/loadBalancer:LoadBalancer",
        name: "edge-alb",
        parent: "edge",
        changes: [],
        parentChange: { old: null, new: "edge" },
        protectChange: { old: false, new: true },
        optionChanges: [],
        ignored: [],
      },
    ]);
  });

  it("keeps secrets masked; a secret whose masked value is equal on both sides is not a change", () => {
    const base = [alb({ password: SECRET_PLACEHOLDER, token: "plain-old" })];
    const head = [alb({ password: SECRET_PLACEHOLDER, token: SECRET_PLACEHOLDER })];
    const [update] = diffPlans(base, head).updates;
    // Only the value that turned secret shows, and its new side is still the mask.
    expect(update.changes).toEqual([{ kind: "change", path: ["token"], old: "plain-old", new: SECRET_PLACEHOLDER }]);
  });
});

describe("parsePlan", () => {
  it("accepts a well-formed plan", () => {
    expect(parsePlan([bucket, { ...instance, protect: true }], "plan.json")).toHaveLength(2);
  });

  it("names the source and the offending entry on bad input", () => {
    expect(() => parsePlan({ not: "an array" }, "base.json")).toThrow(/^base\.json: not a plan/);
    expect(() => parsePlan([bucket, { ...instance, inputs: "nope" }], "base.json")).toThrow(/base\.json.*\[1\]\[inputs\]/);
    expect(() => parsePlan([{ ...bucket, name: 7 }], "base.json")).toThrow(/\[0\]\[name\]/);
  });

  it("rejects duplicate (type, name) pairs", () => {
    expect(() => parsePlan([bucket, { ...bucket, inputs: {} }], "head.json")).toThrow(
      /head\.json: duplicate resource at \[1\]: type "aws:s3\/bucket:Bucket" name "logs"/,
    );
  });
});
