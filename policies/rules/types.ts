/**
 * No resource type passes the pack unjudged: every resource of the plan is of a type some rule judges (the registry
 * its rules declare, ./registry.ts), of a type that grants nothing by itself (the reviewed inert list, or the stack's
 * own list in its policy config), or a component whose children are judged.
 */
import { Policies, StackValidationPolicy } from "@pulumi/policy";
import { stackRule } from "./common";
import { inertReason, judgedTypes, TYPE_TOKEN } from "./registry";

/** Minimum length of a stack inert-list entry's reason: a word or two is no review. */
const MIN_REASON = 12;

/** The stack's own inert types, and a problem per malformed entry (reported, never silently ignored). */
export function stackInertTypes(value: unknown): { inert: Record<string, string>; problems: string[] } {
  const inert: Record<string, string> = {};
  const problems: string[] = [];
  if (value === undefined || value === null) return { inert, problems };
  if (typeof value !== "object" || Array.isArray(value)) return { inert, problems: [`resource-types-judged.inertTypes must be an object of type token → reason, not ${JSON.stringify(value)}.`] };
  for (const [type, reason] of Object.entries(value)) {
    if (!TYPE_TOKEN.test(type)) problems.push(`resource-types-judged.inertTypes lists "${type}", which is not a Pulumi type token (<package>:<module>:<Type>, e.g. aws:cloudwatch/compositeAlarm:CompositeAlarm; no wildcards).`);
    else if (typeof reason !== "string" || reason.trim().length < MIN_REASON) problems.push(`resource-types-judged.inertTypes lists "${type}" without a reason (a sentence of at least ${MIN_REASON} characters saying why it grants nothing).`);
    else inert[type] = reason;
  }
  return { inert, problems };
}

/** A registered type of the same Kubernetes group and kind at another API version (rules match versions exactly). */
function otherVersion(type: string, judged: ReadonlyMap<string, string[]>): string | undefined {
  const m = /^kubernetes:([^/:]+)\/[^:]+:(.+)$/.exec(type);
  if (!m) return undefined;
  return [...judged.keys()].find((t) => t !== type && t.startsWith(`kubernetes:${m[1]}/`) && t.endsWith(`:${m[2]}`));
}

/** What to do about a resource of an unjudged type. */
export function unjudgedMessage(r: { type: string; name: string }, judged: ReadonlyMap<string, string[]>): string {
  const what = r.type.startsWith("pulumi:providers:")
    ? `Provider "${r.name}" (${r.type}) is of a package no rule judges: whatever its settings do (endpoints, TLS verification, credentials) and whatever its resources grant passes unjudged.`
    : r.type.startsWith("kubernetes:")
      ? `Kubernetes object "${r.name}" of kind ${r.type} is of a kind no rule judges (Kubernetes kinds are matched by group, version and kind; a custom resource is judged only if a rule reads its kind): whatever it grants, exposes or runs passes unjudged.`
      : `${r.type} "${r.name}" is of a type no rule judges: whatever access, exposure or code it brings passes unjudged.`;
  const sibling = otherVersion(r.type, judged);
  const hint = sibling ? ` Rules judge ${sibling} (${judged.get(sibling)!.join(", ")}); add this version to their types if it means the same.` : "";
  return `${what}${hint} Add a rule that judges it (a resourceRule's types or a stackRule's judges register the type, policies/rules/registry.ts), or, if it grants nothing by itself, list it in resource-types-judged.inertTypes of policies/policy-config.<stack>.json with the reason.`;
}

/** The rule, over the registry of the policies it guards (the rest of the pack). */
export function resourceTypesJudgedPolicy(judging: Policies): StackValidationPolicy {
  let judged: Map<string, string[]> | undefined;
  return stackRule({
    name: "resource-types-judged",
    description:
      "Every resource of the stack is of a type some rule of the pack judges (the types the rules declare, policies/rules/registry.ts), of a type on the reviewed list of types that grant nothing by themselves (dashboards, certificate validations, component resources…), or of a type the stack's policy config lists in inertTypes with a reason. AWS types, every Kubernetes kind and API version (custom resources and CRDs included), providers and other packages alike. It judges that a type is read, not what the resource does: that is the judging rules' part.",
    enforcementLevel: "mandatory",
    judges: [],
    config: {
      inertTypes: {
        type: "object",
        propertyNames: { pattern: TYPE_TOKEN.source },
        additionalProperties: { type: "string", minLength: MIN_REASON },
        default: {},
        description: "Types this stack adds to the inert list, each with the reason it grants nothing by itself (no setting of it can grant access, expose data, open a network path, weaken encryption or logging, or run code), e.g. { \"aws:cloudwatch/compositeAlarm:CompositeAlarm\": \"combines alarms judged elsewhere; its actions are SNS topics of the stack\" }.",
      },
    },
    remediationSteps: "Write a rule that judges the type (resourceRule types / stackRule judges register it), or list the type in this policy's inertTypes with the reason it grants nothing.",
    validate: (resources, { config }, report) => {
      judged ??= judgedTypes(judging);
      const { inert, problems } = stackInertTypes(config.inertTypes);
      for (const p of problems) report(p);
      for (const r of resources) {
        if (judged.has(r.type) || inertReason(r.type, inert) !== undefined) continue;
        report(unjudgedMessage(r, judged), r.urn);
      }
    },
  });
}
