/**
 * @edgestack/contract: what the app, the infrastructure, the local data plane and the policy pack
 * agree on, defined once — routes with their methods, cache class, origin and nginx handling; header
 * names; ports; static asset naming; the app's environment (schema, bounds, defaults) with the
 * one function that produces it; CloudWatch's recommended alarms the stack creates and the policy
 * pack requires; and the one error type for configuration problems.
 */
export * from "./http";
export * from "./staticAssets";
export * from "./appEnvironment";
export * from "./environment";
export * from "./alarms";
export * from "./errors";
export * from "./nodes";
export * from "./placement";
export * from "./arn";
export * from "./prefixLists";
