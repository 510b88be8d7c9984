import { imageTag } from "../../policies/rules/kubernetes";
import { kubernetesCases } from "./fixtures/kubernetes";
import { runCases } from "./fixtures/run";

runCases(kubernetesCases);

describe("imageTag", () => {
  it.each([
    ["nginx", ""],
    ["nginx:1.27", "1.27"],
    ["registry:5000/team/app", ""],
    ["registry:5000/team/app:v2", "v2"],
    ["app@sha256:abc", undefined],
  ])("%s → %p", (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });
});
