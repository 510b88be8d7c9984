import { Policies } from "@pulumi/policy";
import { decideEnvironment } from "@edgestack/contract";
import { configuredEnvironment, environmentConfig, providerEnvironmentTag, stackOfUrn, stackRule } from "./common";

/**
 * The stack's name and its config must agree on whether it is prod (packages/contract/src/environment.ts): a stack named
 * `prod-canary` with dev config would otherwise deploy without prod's protections while looking like prod. The
 * program refuses such a stack at start; this rule refuses it again at the gate, from what the engine hands the pack:
 * the stack name in the URNs and the environment tag of the program's AWS providers (or the pinned setting).
 */
export const environmentPolicies: Policies = [
  stackRule({
    name: "stack-environment",
    description: "The stack's name and its config agree on whether it is prod (prod when either says so; a disagreement is refused).",
    enforcementLevel: "mandatory",
    judges: ["pulumi:providers:aws"],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const stack = resources.map((r) => stackOfUrn(r.urn)).find((s) => s !== undefined);
      if (stack === undefined) return;
      const declared = new Set<string>();
      const pinned = configuredEnvironment(config);
      if (pinned !== undefined) declared.add(pinned);
      for (const r of resources) {
        if (r.type !== "pulumi:providers:aws") continue;
        const tag = providerEnvironmentTag(r.props);
        if (tag !== undefined) declared.add(tag);
      }
      if (declared.size > 1) report(`Stack "${stack}" declares more than one environment (${[...declared].sort().join(", ")}): the policy setting and the providers' environment tags must agree.`);
      for (const env of declared) {
        const conflict = decideEnvironment(stack, env).conflict;
        if (conflict) report(`${conflict[0].toUpperCase()}${conflict.slice(1)}.`);
      }
    },
  }),
];
