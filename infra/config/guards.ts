import type { StackConfig } from "./schema";

/**
 * Checks that only apply to a real deployment (a Pulumi engine with cloud credentials), not to the
 * offline plan and tests, which run the sample stacks with their documentation names.
 */

/** Names reserved for documentation and testing (RFC 2606, RFC 6761): Route53 refuses to host them. */
export const RESERVED_DOMAINS = ["example.com", "example.net", "example.org", "example", "test", "invalid", "localhost"] as const;

/** The reserved name `domain` is or falls under, if any. */
export function reservedDomainOf(domain: string): string | undefined {
  return RESERVED_DOMAINS.find((reserved) => domain === reserved || domain.endsWith(`.${reserved}`));
}

/** Problems that stop a real `pulumi up`/`preview` before any resource is registered. */
export function realDeployProblems(config: StackConfig): string[] {
  const problems: string[] = [];
  const reserved = reservedDomainOf(config.domain);
  if (reserved !== undefined) {
    problems.push(
      `edgestack:domain: ${JSON.stringify(config.domain)} is under the reserved example name ${JSON.stringify(reserved)}, which Route53 will not host; ` +
        `set a domain you control: pulumi config set edgestack:domain <your-domain> (see docs/first-deploy.md)`,
    );
  }
  for (const name of ["parentHostedZoneName"] as const) {
    const parentReserved = config[name] ? reservedDomainOf(config[name]) : undefined;
    if (parentReserved !== undefined) {
      problems.push(`edgestack:${name}: ${JSON.stringify(config[name])} is under the reserved example name ${JSON.stringify(parentReserved)}; set your own parent zone or remove the key`);
    }
  }
  return problems;
}
