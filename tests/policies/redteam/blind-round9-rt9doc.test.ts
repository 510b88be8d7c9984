import { round9DocHarmless, round9DocMutations, round9DocVariants, round9DocVariantsHarmless } from "./round9-rt9doc";
import { describeBlindRounds } from "./judge";

// Round 9 of the red team written blind (its author read no rule before the first run): the promises of the documentation.
describeBlindRounds([
  ["round 9, the documentation's promises about the deployed prod stack", round9DocMutations, round9DocHarmless],
  ["round 9, the documentation's promises: variants written after the fixes", round9DocVariants, round9DocVariantsHarmless],
]);
