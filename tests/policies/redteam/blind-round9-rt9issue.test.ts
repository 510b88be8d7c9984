import { round9rt9issueHarmless, round9rt9issueMutations } from "./round9-rt9issue";
import { describeBlindRounds } from "./judge";

// Round 9 of the red team written blind as issue #27's hidden reviewer (its author read no rule before the first run).
describeBlindRounds([["round 9, issue #27's five classes: presence, sets, resource types, chains, promises in the docs", round9rt9issueMutations, round9rt9issueHarmless]]);
