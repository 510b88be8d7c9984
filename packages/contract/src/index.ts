/**
 * @edgestack/contract: what the app, the infrastructure, the local data plane and the policy pack
 * agree on, defined once — routes with their methods, cache class, origin and nginx handling; header
 * names; ports; static asset naming; and the app's environment (schema, bounds, defaults) with the
 * one function that produces it.
 */
export * from "./http";
export * from "./staticAssets";
export * from "./appEnvironment";
export * from "./environment";
