import { mockOutputs, parsePlan, PlanInputError } from "../../../offline/policy/inputs";
import { UNKNOWN } from "../../../offline/policy/runner";

describe("parsePlan", () => {
  it("reads plan --json entries, reviving [unknown] as the engine's unknown and keeping [secret] as a set value", () => {
    const plan = [
      { type: "edgestack:edge:Alb", name: "alb", parent: null, inputs: {} },
      { type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "cache", parent: "alb", inputs: { authToken: "[secret]", subnetGroupName: "[unknown]", tags: ["[unknown]"] }, protect: true },
    ];
    const resources = parsePlan(JSON.stringify(plan), "plan.json");
    expect(resources[0]).toMatchObject({ name: "alb", custom: false, parent: null });
    expect(resources[1]).toMatchObject({ name: "cache", custom: true, parent: "alb", protect: true });
    expect(resources[1].inputs).toEqual({ authToken: "[secret]", subnetGroupName: UNKNOWN.string, tags: [UNKNOWN.string] });
  });

  it.each([
    ["{", /plan\.json: not valid JSON/],
    ['{"a":1}', /expected a JSON array of resources/],
    ['[{"name":"x"}]', /resource \[0\] has no "type" string/],
    ['[{"type":"aws:s3/bucket:Bucket"}]', /resource \[0\] \(aws:s3\/bucket:Bucket\) has no "name" string/],
    ['[{"type":"t:t:T","name":"x","inputs":[]}]', /resource \[0\] \("x"\) has "inputs" that is not an object/],
    ['[{"type":"t:t:T","name":"x","parent":3}]', /non-string "parent"/],
  ])("rejects %s", (text, message) => {
    expect(() => parsePlan(text, "plan.json")).toThrow(PlanInputError);
    expect(() => parsePlan(text, "plan.json")).toThrow(message);
  });
});

describe("mockOutputs", () => {
  it("gives custom resources the offline engine's id and computed outputs, nothing for components and providers", () => {
    const sg = mockOutputs({ type: "aws:ec2/securityGroup:SecurityGroup", name: "nlb-sg", parent: null, inputs: {}, custom: true });
    expect(sg?.id).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(mockOutputs({ type: "edgestack:edge:Alb", name: "alb", parent: null, inputs: {}, custom: false })).toBeUndefined();
    expect(mockOutputs({ type: "pulumi:providers:aws", name: "p", parent: null, inputs: {}, custom: true })).toBeUndefined();
  });
});
