/**
 * AWS-managed prefix lists the stack resolves by name, and how a plan records what a name resolved
 * to: the program tags the rule that uses a list with the list's name and the id the lookup returned,
 * so the policy pack (alb-origin-lock) can tell CloudFront's origin-facing list from any other id,
 * which a plan alone cannot (a prefix list id says nothing about whose list it is).
 */

/** CloudFront's origin-facing addresses, IPv4 (the list the ALB admits). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";
/** Every name under which AWS publishes CloudFront's origin-facing addresses (IPv4 and IPv6). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS = [CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST, "com.amazonaws.global.ipv6.cloudfront.origin-facing"] as const;

/** Tag keys recording a resolved prefix list on the resource that uses it. */
export const PREFIX_LIST_TAGS = { name: "edgestack:prefix-list-name", id: "edgestack:prefix-list-id" } as const;
