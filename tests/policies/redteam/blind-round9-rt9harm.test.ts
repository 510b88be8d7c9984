import { round9rt9harmHarmless, round9rt9harmMutations, round9rt9harmVariants, round9rt9harmVariantsHarmless } from "./round9-rt9harm";
import { describeBlindRounds } from "./judge";

// Round 9 of the red team written blind (its author read no rule before the first run): false positives, the harmless
// changes a platform team makes, with a few insecure ones.
describeBlindRounds([
  ["round 9, harmless changes of every kind (and a few insecure ones)", round9rt9harmMutations, round9rt9harmHarmless],
  ["round 9, false positives: variants written after the fixes", round9rt9harmVariants, round9rt9harmVariantsHarmless],
]);
