/**
 * The one definition of "is this stack prod?", shared by the program (at start), the policy pack
 * under the Pulumi CLI and the offline policy runner. Pure and dependency-free: it imports nothing.
 *
 * A stack is prod when its config says so (`edgestack:environment: prod`) or its name says so.
 * A stack whose name and config disagree is refused.
 *
 * What a name says. The stack name (the part after the last `/` of `org/project/stack`) is lower-cased
 * and split into words on `-`, `_`, `.` and `/`:
 * - prod: a word `prod`, `production` or `prd`, optionally followed by digits (`prod2`), that is not
 *   directly preceded by the word `pre` or `non` — `prod`, `production`, `prod-eu`, `eu-prod`,
 *   `prod-canary`, `prd`, `acme.prod.us-east-1`, `prod2`;
 * - not prod: otherwise, a word that names a non-production environment — `dev`, `development`,
 *   `test`, `qa`, `staging`, `stage`, `stg`, `uat`, `sandbox`, `preview`, `demo`, `ci`, `local`,
 *   `preprod`, `pre-prod`, `nonprod`, `non-prod` (and the same words followed by digits);
 * - nothing: any other name (`main`, `live`, `acme-eu`): the config decides.
 * A prod word wins over a non-prod word (`prod-test` is prod): a prod stack never loses prod checks
 * to a word in its name. Words that merely contain "prod" (`product`, `prodigy`) say nothing.
 *
 * What the config says: `prod`, `dev`, or nothing when the key is not set (its default, dev, applies
 * only when the name says nothing either).
 */

export type Environment = "dev" | "prod";

/** What a stack name says about its environment; undefined when it says nothing. */
export type NameVerdict = "prod" | "nonprod" | undefined;

const PROD_WORD = /^(prod|production|prd)\d*$/;
const NONPROD_WORD = /^(dev|develop|development|test|testing|qa|staging|stage|stg|uat|sandbox|sbx|preview|demo|ci|local|preprod|nonprod|sit|int|integration)\d*$/;

/** The words of a stack name, lower case (`Acme/edge/Prod-EU` → `prod`, `eu`). */
export function stackNameWords(stack: string): string[] {
  const last = stack.split("/").pop() ?? "";
  return last
    .toLowerCase()
    .split(/[-_.]+/)
    .filter((w) => w !== "");
}

/** What the stack name says: prod, nonprod, or nothing (see the rule above). */
export function environmentOfStackName(stack: string): NameVerdict {
  const words = stackNameWords(stack);
  const negated = (i: number) => i > 0 && (words[i - 1] === "pre" || words[i - 1] === "non");
  if (words.some((w, i) => PROD_WORD.test(w) && !negated(i))) return "prod";
  if (words.some((w, i) => NONPROD_WORD.test(w) || (PROD_WORD.test(w) && negated(i)))) return "nonprod";
  return undefined;
}

export interface EnvironmentDecision {
  environment: Environment;
  isProd: boolean;
  /** Set when the name and the config disagree: the stack must be refused, with this message. */
  conflict?: string;
}

/**
 * Decides a stack's environment from its name and the environment its config sets (undefined when
 * the key is not set). On a conflict the decision is prod (the stricter side) and `conflict` says why;
 * callers refuse the stack.
 */
export function decideEnvironment(stack: string, configured: string | undefined): EnvironmentDecision {
  const byName = environmentOfStackName(stack);
  if (configured !== undefined && configured !== "prod" && configured !== "dev") {
    return { environment: "prod", isProd: true, conflict: `environment ${JSON.stringify(configured)} is not one of dev, prod` };
  }
  if (configured === "dev" && byName === "prod") {
    return { environment: "prod", isProd: true, conflict: `stack ${JSON.stringify(stack)} is prod by its name, but its config sets environment "dev"; rename the stack or set environment: prod` };
  }
  if (configured === "prod" && byName === "nonprod") {
    return { environment: "prod", isProd: true, conflict: `stack ${JSON.stringify(stack)} is not prod by its name, but its config sets environment "prod"; rename the stack or set environment: dev` };
  }
  const environment: Environment = configured === "prod" || byName === "prod" ? "prod" : "dev";
  return { environment, isProd: environment === "prod" };
}

/** True when the stack is prod; a stack whose name and config disagree counts as prod (and is refused elsewhere). */
export function isProdStack(stack: string, configured: string | undefined): boolean {
  return decideEnvironment(stack, configured).isProd;
}
