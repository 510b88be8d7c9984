import { renderPlanTree } from "../../../offline/plan/render-plan";

describe("renderPlanTree", () => {
  it("prints each resource's options under its inputs, protect on the heading", () => {
    const text = renderPlanTree("dev", [
      { type: "kubernetes:apps/v1:Deployment", name: "app", parent: null, inputs: { spec: { replicas: 2 } }, protect: true, options: { protect: true, ignoreChanges: ["spec.replicas"], dependsOn: ["conf"] } },
    ]);
    expect(text).toContain("+ kubernetes:apps/v1:Deployment  app  (protected)");
    expect(text).toContain("      (options):\n        ignoreChanges:\n          - spec.replicas\n        dependsOn:\n          - conf");
  });

  it("prints no options block for a resource without options", () => {
    expect(renderPlanTree("dev", [{ type: "aws:s3/bucket:Bucket", name: "b", parent: null, inputs: {} }])).not.toContain("(options)");
  });
});
