import { round5K8sHarmless, round5K8sMutations } from "./round5-rt-k8s";
import { round5AwsMutations, rtAwsHarmless } from "./round5-rt-aws";
import { round6K8sHarmless, round6K8sMutations } from "./round6-rt6-k8s";
import { rt6AwsHarmless, rt6AwsMutations } from "./round6-rt6-aws";
import { rt7AwsHarmless, rt7AwsMutations } from "./round7-aws";
import { prodPlanJudge } from "./judge";

// The red-team rounds written blind (their authors read no rule before the first run), one corpus per round and
// area; a file of its own so jest's workers share the red team's cases.
const judge = prodPlanJudge();

describe.each([
  ["round 5, AWS resources", round5AwsMutations, rtAwsHarmless],
  ["round 5, Kubernetes objects, nginx.conf and the app's environment", round5K8sMutations, round5K8sHarmless],
  ["round 6, AWS resources", rt6AwsMutations, rt6AwsHarmless],
  ["round 6, Kubernetes objects, nginx.conf, the app's environment and their chains", round6K8sMutations, round6K8sHarmless],
  ["round 7, AWS resources", rt7AwsMutations, rt7AwsHarmless],
] as const)("blind red team, %s", (_area, insecure, harmlessChanges) => {
  it.each(insecure.map((m) => [`${m.area}: ${m.title}`, m] as const))("%s is caught by a mandatory rule on the right resource", async (_t, m) => {
    await judge.expectCaught(m);
  });

  it.each(harmlessChanges.map((h) => [h.title, h] as const))("harmless: %s is not reported", async (_t, h) => {
    await judge.expectHarmless(h);
  });
});
