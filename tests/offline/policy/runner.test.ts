import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { enforcementOf, isTypeOf, policyConfigOf, RunnerResource, runPolicies, UNKNOWN } from "../../../offline/policy/runner";

const lb: RunnerResource = { type: "aws:lb/loadBalancer:LoadBalancer", name: "alb", parent: "edge", inputs: { internal: false, tags: { Name: "alb" } }, custom: true, protect: true };
const edge: RunnerResource = { type: "edgestack:edge:Edge", name: "edge", parent: null, inputs: {}, custom: false };
const cache: RunnerResource = { type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "cache", parent: "edge", inputs: { authToken: "plain-token" }, custom: true, dependencies: ["alb"] };

function capture<A>(): { policy: (p: Partial<ResourceValidationPolicy>) => ResourceValidationPolicy; seen: A[] } {
  const seen: A[] = [];
  return {
    seen,
    policy: (p) => ({ name: "probe", description: "probe policy", enforcementLevel: "mandatory", validateResource: (args) => void seen.push(args as A), ...p }),
  };
}

describe("resource validation arguments", () => {
  it("look like the engine's: type, name, URN, options, provider, isType/asType on the class's __pulumiType", async () => {
    const { policy, seen } = capture<ResourceValidationArgs>();
    await runPolicies({ stack: "dev", resources: [edge, { ...lb, provider: "urn:pulumi:dev::edgestack::pulumi:providers:aws::use1::abc-id" }], policies: [policy({})] });
    expect(seen).toHaveLength(1); // components are not analysed, like the engine
    const args = seen[0];
    expect(args.type).toBe("aws:lb/loadBalancer:LoadBalancer");
    expect(args.urn).toBe("urn:pulumi:dev::edgestack::edgestack:edge:Edge$aws:lb/loadBalancer:LoadBalancer::alb");
    expect(args.opts).toMatchObject({ protect: true, parent: "urn:pulumi:dev::edgestack::edgestack:edge:Edge::edge", ignoreChanges: [], aliases: [] });
    expect(args.provider).toMatchObject({ type: "pulumi:providers:aws", name: "use1", urn: "urn:pulumi:dev::edgestack::pulumi:providers:aws::use1" });
    expect(args.isType(aws.lb.LoadBalancer)).toBe(true);
    expect(args.isType(aws.alb.LoadBalancer)).toBe(false);
    expect(args.isType(aws.s3.Bucket)).toBe(false);
    expect(args.asType(aws.lb.LoadBalancer)).toEqual({ internal: false, tags: { Name: "alb" } });
    expect(args.asType(aws.s3.Bucket)).toBeUndefined();
  });

  it("falls back to isInstance for classes without __pulumiType", () => {
    const Custom = { isInstance: (o: { __pulumiType?: string }) => o.__pulumiType === "x:y:Z" };
    expect(isTypeOf("x:y:Z", Custom)).toBe(true);
    expect(isTypeOf("x:y:W", Custom)).toBe(false);
  });

  it("hand policies secrets as plain values", async () => {
    const { policy, seen } = capture<ResourceValidationArgs>();
    await runPolicies({ stack: "dev", resources: [cache], policies: [policy({})] });
    expect(seen[0].props.authToken).toBe("plain-token");
  });

  it("report unknown values the way a preview does: advisory, never mandatory", async () => {
    const p: ResourceValidationPolicy = {
      name: "needs-internal",
      description: "reads internal",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => {
        if (args.props.internal !== true) report("must be internal");
      },
    };
    const found = await runPolicies({ stack: "dev", resources: [{ ...lb, inputs: { internal: UNKNOWN.boolean } }], policies: [p] });
    expect(found).toEqual([{ policy: "needs-internal", enforcement: "advisory", resource: { type: lb.type, name: "alb" }, message: "can't run policy 'needs-internal' during preview: boolean value at .internal can't be known during preview" }]);
  });

  it("skip notApplicable and surface a crashing rule as a violation of that rule", async () => {
    const na: ResourceValidationPolicy = { name: "na", description: "d", enforcementLevel: "mandatory", validateResource: (args) => args.notApplicable("not mine") };
    const boom: ResourceValidationPolicy = { name: "boom", description: "d", enforcementLevel: "advisory", validateResource: () => { throw new Error("kaput"); } };
    const found = await runPolicies({ stack: "dev", resources: [lb], policies: [na, boom] });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ policy: "boom", enforcement: "advisory", resource: { name: "alb" } });
    expect(found[0].message).toMatch(/policy 'boom' failed on aws:lb\/loadBalancer:LoadBalancer "alb": Error: kaput/);
  });

  it("hand props without an unknown value as they are, and judge only the resources judgeResource picks (stack policies see all)", async () => {
    const resource = capture<ResourceValidationArgs>();
    const seenByStack: string[] = [];
    const stack: StackValidationPolicy = { name: "stack", description: "d", enforcementLevel: "mandatory", validateStack: (args) => void seenByStack.push(...args.resources.map((r) => r.name)) };
    await runPolicies({ stack: "dev", resources: [edge, lb, cache], policies: [resource.policy({}), stack], judgeResource: (r) => r.name === "cache" });
    expect(resource.seen.map((a) => a.name)).toEqual(["cache"]);
    expect(resource.seen[0].props).toBe(cache.inputs);
    expect(seenByStack).toEqual(["edge", "alb", "cache"]);
  });
});

describe("stack validation arguments", () => {
  it("link parents and dependencies to resource objects, overlay computed outputs, and map a reported URN to its resource", async () => {
    let got: StackValidationArgs | undefined;
    const p: StackValidationPolicy = {
      name: "stacky",
      description: "d",
      enforcementLevel: "advisory",
      validateStack: (args, report) => {
        got = args;
        const c = args.resources.find((r) => r.name === "cache")!;
        report("cache flagged", c.urn);
        report("stack flagged");
      },
    };
    const found = await runPolicies({ stack: "prod", resources: [edge, lb, cache], policies: [p], outputsOf: (r) => (r.custom ? { id: `${r.name}-id` } : undefined) });
    const byName = new Map<string, PolicyResource>(got!.resources.map((r) => [r.name, r]));
    expect(byName.get("cache")!.parent).toBe(byName.get("edge"));
    expect(byName.get("cache")!.dependencies).toEqual([byName.get("alb")]);
    expect(byName.get("alb")!.props.id).toBe("alb-id");
    expect(byName.get("alb")!.isType(aws.lb.LoadBalancer)).toBe(true);
    expect(found).toEqual([
      { policy: "stacky", enforcement: "advisory", resource: { type: cache.type, name: "cache" }, message: "cache flagged" },
      { policy: "stacky", enforcement: "advisory", message: "stack flagged" },
    ]);
  });
});

describe("enforcement and config", () => {
  const p: ResourceValidationPolicy = {
    name: "p",
    description: "d",
    enforcementLevel: "mandatory",
    configSchema: { properties: { max: { type: "integer", default: 5 }, flag: { type: "boolean", default: false } } },
    validateResource: (args, report) => report(JSON.stringify(args.getConfig())),
  };

  it("resolves the level from the policy's entry, then `all`, then the policy default", () => {
    expect(enforcementOf(p)).toBe("mandatory");
    expect(enforcementOf(p, { all: "advisory" })).toBe("advisory");
    expect(enforcementOf(p, { all: "advisory", p: { enforcementLevel: "disabled" } })).toBe("disabled");
    expect(enforcementOf(p, { p: "advisory" })).toBe("advisory");
    expect(enforcementOf({ ...p, enforcementLevel: undefined })).toBe("advisory");
  });

  it("gives getConfig the schema defaults overlaid with the configured values", async () => {
    expect(policyConfigOf(p, { p: { enforcementLevel: "advisory", max: 9 } })).toEqual({ max: 9, flag: false });
    const found = await runPolicies({ stack: "dev", resources: [lb], policies: [p], config: { p: { max: 7 } } });
    expect(found).toEqual([{ policy: "p", enforcement: "mandatory", resource: { type: lb.type, name: "alb" }, message: '{"max":7,"flag":false}' }]);
  });

  it("skips disabled policies and treats remediate as mandatory", async () => {
    expect(await runPolicies({ stack: "dev", resources: [lb], policies: [p], config: { p: "disabled" } })).toEqual([]);
    const found = await runPolicies({ stack: "dev", resources: [lb], policies: [p], config: { all: "remediate" } });
    expect(found[0].enforcement).toBe("mandatory");
  });
});

describe("stopWhen", () => {
  const reporting = (name: string, ran: string[]): ResourceValidationPolicy => ({
    name,
    description: `${name} reports every resource`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
      ran.push(name);
      report(`${name}: ${args.name}`);
    },
  });

  it("stops after the first policy that makes it true, and runs every policy otherwise", async () => {
    const ran: string[] = [];
    const policies = [reporting("first", ran), reporting("second", ran), reporting("third", ran)];
    const stopped = await runPolicies({ stack: "dev", resources: [lb], policies, stopWhen: (vs) => vs.some((v) => v.policy === "second") });
    expect(stopped.map((v) => v.policy)).toEqual(["first", "second"]);
    expect(ran).toEqual(["first", "second"]);
    const all = await runPolicies({ stack: "dev", resources: [lb], policies, stopWhen: () => false });
    expect(all.map((v) => v.policy)).toEqual(["first", "second", "third"]);
  });
});
