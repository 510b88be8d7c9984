import { round5K8sHarmless, round5K8sMutations } from "./round5-rt-k8s";
import { round5AwsMutations, rtAwsHarmless } from "./round5-rt-aws";
import { rt6AwsHarmless, rt6AwsMutations } from "./round6-rt6-aws";
import { prodPlanJudge } from "./judge";

// The fifth red-team round, written blind (before its authors read any rule), one corpus per area; a file of its own
// so jest's workers share the red team's cases.
const judge = prodPlanJudge();

describe.each([
  ["AWS resources", round5AwsMutations, rtAwsHarmless],
  ["Kubernetes objects, nginx.conf and the app's environment", round5K8sMutations, round5K8sHarmless],
  ["AWS resources, round 6", rt6AwsMutations, rt6AwsHarmless],
] as const)("red team round 5: %s", (_area, insecure, harmlessChanges) => {
  it.each(insecure.map((m) => [`${m.area}: ${m.title}`, m] as const))("%s is caught by a mandatory rule on the right resource", async (_t, m) => {
    await judge.expectCaught(m);
  });

  it.each(harmlessChanges.map((h) => [h.title, h] as const))("harmless: %s is not reported", async (_t, h) => {
    await judge.expectHarmless(h);
  });
});
