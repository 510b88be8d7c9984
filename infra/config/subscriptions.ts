/**
 * Alert subscriptions as the stack config writes them: `protocol:endpoint` strings, e.g.
 * `email:oncall@example.com`, `https://hooks.example.com/alerts` is written `https:https://…`,
 * `sqs:arn:aws:sqs:eu-west-1:123456789012:alerts`. Pure, so the schema validates with it and the
 * topics component subscribes with it.
 */

/** SNS protocols a subscription may use: plaintext `http` is not one (TLS everywhere). */
export const SUBSCRIPTION_PROTOCOLS = ["email", "email-json", "https", "sqs", "lambda", "sms"] as const;
export type SubscriptionProtocol = (typeof SUBSCRIPTION_PROTOCOLS)[number];

export interface Subscription {
  protocol: SubscriptionProtocol;
  endpoint: string;
}

const EMAIL = /^[^\s@:]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const arnOf = (service: string) => new RegExp(`^arn:aws[a-z-]*:${service}:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d:\\d{12}:[A-Za-z0-9_./:-]+$`);

/** Why `value` is not a subscription, or undefined when it is one. */
export function subscriptionProblem(value: string): string | undefined {
  const colon = value.indexOf(":");
  if (colon <= 0) return `is not "protocol:endpoint" (e.g. "email:oncall@example.com")`;
  const protocol = value.slice(0, colon);
  const endpoint = value.slice(colon + 1);
  if (!(SUBSCRIPTION_PROTOCOLS as readonly string[]).includes(protocol)) {
    return `has protocol "${protocol}"; use one of ${SUBSCRIPTION_PROTOCOLS.join(", ")} (plaintext http is not allowed)`;
  }
  switch (protocol as SubscriptionProtocol) {
    case "email":
    case "email-json":
      return EMAIL.test(endpoint) ? undefined : `endpoint "${endpoint}" is not an e-mail address`;
    case "https":
      return /^https:\/\/[a-z0-9.-]+(:\d{1,5})?(\/\S*)?$/i.test(endpoint) ? undefined : `endpoint "${endpoint}" is not an https:// URL`;
    case "sqs":
      return arnOf("sqs").test(endpoint) ? undefined : `endpoint "${endpoint}" is not an SQS queue ARN`;
    case "lambda":
      return arnOf("lambda").test(endpoint) ? undefined : `endpoint "${endpoint}" is not a Lambda function ARN`;
    case "sms":
      return /^\+[1-9]\d{6,14}$/.test(endpoint) ? undefined : `endpoint "${endpoint}" is not an E.164 phone number such as +14155550100`;
  }
}

/** Parses a validated subscription string. */
export function parseSubscription(value: string): Subscription {
  const problem = subscriptionProblem(value);
  if (problem) throw new Error(`subscription "${value}" ${problem}`);
  const colon = value.indexOf(":");
  return { protocol: value.slice(0, colon) as SubscriptionProtocol, endpoint: value.slice(colon + 1) };
}
