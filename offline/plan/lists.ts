/**
 * The structural walk the plan diff uses, with lists matched the way their meaning asks:
 *
 * - A list of objects with a natural key (CloudFront ordered cache behaviours by `pathPattern`,
 *   origins by `originId`, containers and env vars by `name`, WAF rules by `name`, IAM statements
 *   by `Sid`…) is matched element by element on that key, so inserting `/v2/*` before `/static/*`
 *   shows one added behaviour, not every later element changed under a shifted index. When the
 *   common elements change their relative order (CloudFront's first match wins), that is shown too.
 * - A list that is a set (subnet ids, aliases, allowed methods…) is matched by value.
 * - Anything else is compared index by index.
 *
 * A key is used only when every element of both sides carries it as a string or number and no two
 * elements of a side share it; otherwise the list falls back to indexes (never a wrong match).
 */

/** An element of a keyed list, named by its key: `orderedCacheBehaviors[pathPattern="/v2/*"]`. */
export interface KeySegment {
  key: string;
  value: string | number;
}
export type PathSegment = string | number | KeySegment;

export function isKeySegment(segment: PathSegment): segment is KeySegment {
  return typeof segment === "object" && segment !== null;
}

/**
 * Candidate key fields per list property name, tried in order. Every list of objects in the dev and
 * prod plans is either listed here or in POSITIONAL_LISTS (tests/offline/plan/lists.test.ts checks it).
 */
export const LIST_KEYS: Readonly<Record<string, readonly string[]>> = {
  // CloudFront distribution
  orderedCacheBehaviors: ["pathPattern"],
  origins: ["originId"],
  originGroups: ["originId"],
  customErrorResponses: ["errorCode"],
  customHeaders: ["name"],
  functionAssociations: ["eventType"],
  lambdaFunctionAssociations: ["eventType"],
  // WAF web ACL rules (their `priority` orders them), ElastiCache parameters and log delivery
  // (and S3 lifecycle rules by id, ECR lifecycle rules by rulePriority)
  rules: ["name", "priority", "id", "rulePriority"],
  // A WAF managed rule group's per-rule action overrides
  ruleActionOverrides: ["name"],
  parameters: ["name"],
  // IAM roles' inline policies
  inlinePolicies: ["name"],
  logDeliveryConfigurations: ["logType"],
  // Load balancer listeners and rules
  defaultActions: ["order", "type"],
  actions: ["order", "type"],
  // A weighted forward's target groups (blue/green): a weight change names the target group it moves
  targetGroups: ["arn"],
  // A CloudWatch alarm's metric math: each query by its id (the expression names them)
  metricQueries: ["id"],
  // ACM, EC2 launch templates, tags as lists
  domainValidationOptions: ["domainName"],
  // Route53 alias targets, ECR encryption
  aliases: ["name"],
  encryptionConfigurations: ["encryptionType"],
  blockDeviceMappings: ["deviceName"],
  tagSpecifications: ["resourceType"],
  // Kubernetes (the strategic-merge keys of the API)
  containers: ["name"],
  initContainers: ["name"],
  env: ["name"],
  volumes: ["name"],
  volumeMounts: ["mountPath"],
  ports: ["name", "containerPort", "port"],
  topologySpreadConstraints: ["topologyKey"],
  tolerations: ["key"],
  items: ["key"],
  subjects: ["name"],
  // IAM policy documents (JSON held in a string)
  Statement: ["Sid"],
};

/** Lists that are sets: order carries no meaning, elements are matched by value. */
export const SET_LISTS: ReadonlySet<string> = new Set([
  // resource options (the plan lists them sorted)
  "dependsOn",
  "ignoreChanges",
  "replaceOnChanges",
  "aliases",
  "allowedMethods",
  "cachedMethods",
  "enabledClusterLogTypes",
  "instanceTypes",
  "publicAccessCidrs",
  "securityGroupIds",
  "securityGroups",
  "subjectAlternativeNames",
  "subnetIds",
  "subnets",
  "validationRecordFqdns",
]);

/** Lists whose order is their meaning and whose elements have no key: compared by index on purpose. */
export const POSITIONAL_LISTS: ReadonlySet<string> = new Set([
  // NetworkPolicy peers and rules, RBAC rules' verbs/resources, a container's command and args
  "ingress",
  "egress",
  "from",
  "to",
  "args",
  "command",
  // Route53 records, CloudFront headers/cookies/query strings, certificate outputs…: plain strings or single-element lists
  "records",
  // A failover record's routing policy: a one-element block ({ type: PRIMARY | SECONDARY })
  "failoverRoutingPolicies",
  // A CloudWatch dashboard's widgets: their order is the dashboard's layout
  "widgets",
  "identities",
  "oidcs",
  "statements",
  "values",
  "matchExpressions",
  "nodeSelectorTerms",
  "conditions",
  "principals",
  // HPA metrics and scaling policies (their type repeats), a route table's routes (IPv4 and IPv6 destinations mixed)
  "metrics",
  "policies",
  "routes",
  // WAF log fields kept out of the log: one-key objects ({ singleHeader: { name } }) with no key field
  "redactedFields",
  // A CodeBuild webhook's filter groups (groups OR, a group's filters AND; neither has a key)
  "filterGroups",
  "filters",
]);

const lastName = (path: readonly PathSegment[]): string | undefined => {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === "string") return path[i] as string;
  return undefined;
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The key field both lists can be matched on, or undefined. */
export function naturalKey(property: string | undefined, before: readonly unknown[], after: readonly unknown[]): string | undefined {
  if (!property) return undefined;
  for (const field of Object.hasOwn(LIST_KEYS, property) ? LIST_KEYS[property] : []) {
    const usable = (list: readonly unknown[]) => {
      const seen = new Set<unknown>();
      for (const el of list) {
        if (!isRecord(el) || (typeof el[field] !== "string" && typeof el[field] !== "number") || seen.has(el[field])) return false;
        seen.add(el[field]);
      }
      return true;
    };
    if (usable(before) && usable(after)) return field;
  }
  return undefined;
}

export interface WalkChange {
  kind: "add" | "remove" | "change";
  path: PathSegment[];
  old?: unknown;
  new?: unknown;
  /** Set on a change of the relative order of a keyed list's common elements (old/new are the key values in order). */
  order?: string;
}

const samePrimitive = (a: unknown, b: unknown) => a === b || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
const isPrimitive = (v: unknown) => v === null || typeof v !== "object";

/** Structural differences between two JSON values; -0 and 0 are equal, as in JSON. */
export function walkDiff(before: unknown, after: unknown, path: PathSegment[] = []): WalkChange[] {
  if (isPrimitive(before) || isPrimitive(after) || Array.isArray(before) !== Array.isArray(after)) {
    if (isPrimitive(before) && isPrimitive(after) && samePrimitive(before, after)) return [];
    return [{ kind: "change", path, old: before, new: after }];
  }
  if (Array.isArray(before) && Array.isArray(after)) return listDiff(before, after, path);
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const out: WalkChange[] = [];
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(b, key)) out.push({ kind: "remove", path: [...path, key], old: a[key] });
    else out.push(...walkDiff(a[key], b[key], [...path, key]));
  }
  for (const key of Object.keys(b)) if (!Object.hasOwn(a, key)) out.push({ kind: "add", path: [...path, key], new: b[key] });
  return out;
}

function listDiff(before: unknown[], after: unknown[], path: PathSegment[]): WalkChange[] {
  const property = lastName(path);
  const key = naturalKey(property, before, after);
  if (key) {
    const out: WalkChange[] = [];
    const beforeBy = new Map(before.map((el) => [(el as Record<string, string | number>)[key], el]));
    const afterBy = new Map(after.map((el) => [(el as Record<string, string | number>)[key], el]));
    const seg = (value: string | number): KeySegment => ({ key, value });
    for (const [value, el] of beforeBy) if (!afterBy.has(value)) out.push({ kind: "remove", path: [...path, seg(value)], old: el });
    for (const [value, el] of afterBy) {
      if (!beforeBy.has(value)) out.push({ kind: "add", path: [...path, seg(value)], new: el });
      else out.push(...walkDiff(beforeBy.get(value), el, [...path, seg(value)]));
    }
    const commonBefore = [...beforeBy.keys()].filter((v) => afterBy.has(v));
    const commonAfter = [...afterBy.keys()].filter((v) => beforeBy.has(v));
    if (commonBefore.some((v, i) => v !== commonAfter[i])) out.push({ kind: "change", path, old: commonBefore, new: commonAfter, order: key });
    return out;
  }
  if (property && SET_LISTS.has(property) && [...before, ...after].every(isPrimitive)) {
    const has = (list: unknown[], v: unknown) => list.some((x) => samePrimitive(x, v));
    return [
      ...before.filter((v) => !has(after, v)).map((v): WalkChange => ({ kind: "remove", path, old: v })),
      ...after.filter((v) => !has(before, v)).map((v): WalkChange => ({ kind: "add", path, new: v })),
    ];
  }
  const out: WalkChange[] = [];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (i >= after.length) out.push({ kind: "remove", path: [...path, i], old: before[i] });
    else if (i >= before.length) out.push({ kind: "add", path: [...path, i], new: after[i] });
    else out.push(...walkDiff(before[i], after[i], [...path, i]));
  }
  return out;
}
