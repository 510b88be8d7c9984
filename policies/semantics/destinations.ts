/**
 * What a log destination or key reference names, however it is spelled: an S3 bucket as an ARN
 * (`arn:aws:s3:::bucket/prefix`) or a domain (`bucket.s3.amazonaws.com`, `bucket.s3.<region>.amazonaws.com`), a log
 * group as an ARN (`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`), a Firehose stream ARN, a KMS key ARN
 * (`…:key/<id>`) or alias (`alias/<name>`, `…:alias/<name>`). A bare name is returned as written, its kind unknown.
 */
export type DestinationKind = "bucket" | "logGroup" | "firehose" | "kmsKey";

export function destinationName(ref: unknown): { kind?: DestinationKind; name: string; account?: string } | undefined {
  const found = readDestination(ref);
  if (!found || typeof ref !== "string") return found;
  // An ARN names its account (empty for S3): the same name in another account is another resource.
  const account = ref.trim().startsWith("arn:") ? ref.trim().split(":")[4] : undefined;
  return account ? { ...found, account } : found;
}

function readDestination(ref: unknown): { kind?: DestinationKind; name: string } | undefined {
  if (typeof ref !== "string" || ref.trim() === "") return undefined;
  const s = ref.trim();
  let m = /^arn:aws[\w-]*:s3:::([^/]+)/.exec(s);
  if (m) return { kind: "bucket", name: m[1] };
  m = /^([a-z0-9][a-z0-9.-]*?)\.s3(?:[.-](?:[a-z]{2}(?:-gov)?-[a-z]+-\d))?\.amazonaws\.com(?:\.cn)?$/.exec(s);
  if (m) return { kind: "bucket", name: m[1] };
  m = /^arn:aws[\w-]*:logs:[^:]*:[^:]*:log-group:([^:]+)(?::.*)?$/.exec(s);
  if (m) return { kind: "logGroup", name: m[1] };
  m = /^arn:aws[\w-]*:firehose:[^:]*:[^:]*:deliverystream\/(.+)$/.exec(s);
  if (m) return { kind: "firehose", name: m[1] };
  m = /^arn:aws[\w-]*:kms:[^:]*:[^:]*:(key\/.+|alias\/.+)$/.exec(s);
  if (m) return { kind: "kmsKey", name: m[1].startsWith("key/") ? m[1].slice(4) : m[1] };
  if (s.startsWith("alias/")) return { kind: "kmsKey", name: s };
  return { name: s };
}
