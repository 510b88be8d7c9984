import { rt7AwsHarmless, rt7AwsMutations } from "./round7-aws";
import { round7K8sHarmless, round7K8sMutations } from "./round7-k8s";
import { round7NewHarmless, round7NewMutations } from "./round7-new";
import { describeBlindRounds } from "./judge";

// Round 7 of the red team written blind (its authors read no rule before the first run).
describeBlindRounds([
  ["round 7, AWS resources", rt7AwsMutations, rt7AwsHarmless],
  ["round 7, added and removed resources and the promises that span them", round7NewMutations, round7NewHarmless],
  ["round 7, Kubernetes objects, nginx.conf, the app's environment and their chains", round7K8sMutations, round7K8sHarmless],
]);
