import { accountRoot, type Partition } from "./partition";

/**
 * The policy of every customer-managed KMS key the stack creates: the account administers the key
 * (IAM policies then decide which of its principals may), and each service that uses it gets one
 * statement naming the principal, the calls and the conditions that scope it (encryption context,
 * source account, via-service). Pure; one builder for the keys of Container Insights, managed
 * Prometheus, the alert topics and DNSSEC signing.
 */

/** One use of the key: who, which calls, under which conditions (IAM condition operator → key → value). */
export interface KeyUse {
  sid: string;
  principal: { Service: string | readonly string[] } | { AWS: string };
  actions: string | readonly string[];
  condition?: Record<string, Record<string, string>>;
}

/** The key policy: the account (of the partition given) administers it, then each use (Resource is always the key itself: "*"). */
export function customerManagedKeyPolicy(partition: Partition, account: string, uses: readonly KeyUse[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: accountRoot(partition, account) }, Action: "kms:*", Resource: "*" },
      ...uses.map((u) => ({ Sid: u.sid, Effect: "Allow", Principal: u.principal, Action: u.actions, Resource: "*", ...(u.condition !== undefined ? { Condition: u.condition } : {}) })),
    ],
  });
}
