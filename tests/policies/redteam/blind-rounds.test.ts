import { round5K8sHarmless, round5K8sMutations } from "./round5-rt-k8s";
import { round5AwsMutations, rtAwsHarmless } from "./round5-rt-aws";
import { round6K8sHarmless, round6K8sMutations } from "./round6-rt6-k8s";
import { rt6AwsHarmless, rt6AwsMutations } from "./round6-rt6-aws";
import { describeBlindRounds } from "./judge";

// Rounds 5 and 6 of the red team written blind (their authors read no rule before the first run); later rounds run
// from their own file so jest's workers share the cases.
describeBlindRounds([
  ["round 5, AWS resources", round5AwsMutations, rtAwsHarmless],
  ["round 5, Kubernetes objects, nginx.conf and the app's environment", round5K8sMutations, round5K8sHarmless],
  ["round 6, AWS resources", rt6AwsMutations, rt6AwsHarmless],
  ["round 6, Kubernetes objects, nginx.conf, the app's environment and their chains", round6K8sMutations, round6K8sHarmless],
]);
