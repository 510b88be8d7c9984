import { z } from "zod";

/**
 * Field validators shared by the stack-config schema. Each error message is written to follow the
 * offending value, e.g. `edgestack:domain: "exa mple" is not a valid DNS name`.
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A fully qualified DNS name (lower case, at least two labels, RFC 1035 lengths). */
export function isDnsName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const labels = value.split(".");
  if (labels.length < 2) return false;
  return labels.every((label) => LABEL.test(label)) && /[a-z]/.test(labels[labels.length - 1]);
}

/** A single DNS label such as `www` (used for the sub-domain names). */
export function isDnsLabel(value: string): boolean {
  return LABEL.test(value);
}

/** Parses an IPv4 CIDR block; returns undefined when the text is not one. */
export function parseIpv4Cidr(value: string): { network: number; prefix: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  // A CIDR whose host bits are set is almost always a typo for a different network.
  if ((address & ~mask) >>> 0 !== 0) return undefined;
  return { network: address, prefix };
}

export const dnsName = () =>
  z.string().refine(isDnsName, { error: "is not a valid DNS name (lower-case labels a-z, 0-9, '-', at least two labels)" });

export const dnsLabel = () =>
  z.string().refine(isDnsLabel, { error: "is not a valid DNS label (1-63 of a-z, 0-9, '-', not starting or ending with '-')" });

export const ipv4Cidr = (minPrefix = 0, maxPrefix = 32) =>
  z.string().refine(
    (v) => {
      const cidr = parseIpv4Cidr(v);
      return cidr !== undefined && cidr.prefix >= minPrefix && cidr.prefix <= maxPrefix;
    },
    { error: `is not an IPv4 CIDR block with a prefix from /${minPrefix} to /${maxPrefix} and no host bits set` },
  );

export const integer = (min: number, max: number) =>
  z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `is not allowed; use one of ${values.map((v) => JSON.stringify(v)).join(", ")}` });

/** A Kubernetes resource quantity for CPU (`250m`, `1`, `1.5`). */
export const cpuQuantity = () =>
  z.string().regex(/^(\d+m|\d+(\.\d{1,3})?)$/, { error: "is not a CPU quantity such as \"250m\" or \"1\"" });

/** A Kubernetes resource quantity for memory (`128Mi`, `1Gi`). */
export const memoryQuantity = () =>
  z.string().regex(/^\d+(Ki|Mi|Gi)$/, { error: "is not a memory quantity such as \"128Mi\" or \"1Gi\"" });

/**
 * A container image pinned to a tag or digest. `latest` (or no tag) is refused: a rollout must be
 * reproducible and a rollback must mean something.
 */
export const pinnedImage = () =>
  z
    .string()
    // A tag, a digest, or both (`name:tag@sha256:…`: the tag for people, the digest for the runtime).
    .regex(/^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?(:[0-9]+)?([a-z0-9._/-]*)?((:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/, {
      error: "is not an image reference pinned to a tag or digest (e.g. \"ghcr.io/acme/app:1.2.3\", \"ghcr.io/acme/app:1.2.3@sha256:<64 hex>\")",
    })
    .refine((v) => !/:latest$/.test(v), { error: "uses the mutable tag \"latest\"; pin a version or digest" });

export const awsId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), { error: `is not an AWS id of the form ${prefix}-xxxxxxxx` });

/** An IAM role ARN (any partition), e.g. arn:aws:iam::123456789012:role/ci/edgestack-deploy. */
export const iamRoleArn = () =>
  z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, { error: "is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/edgestack-deploy\"" });

export const instanceType = (prefix = "") =>
  z
    .string()
    .regex(new RegExp(`^${prefix.replace(".", "\\.")}[a-z][a-z0-9-]*\\.[a-z0-9]+$`), {
      error: `is not an instance type such as "${prefix || ""}${prefix ? "t4g.micro" : "t3.medium"}"`,
    });

/** A Kubernetes minor version such as "1.33". */
export const kubernetesVersion = () =>
  z.string().regex(/^1\.(2[89]|3\d)$/, { error: "is not a supported Kubernetes version (1.28 to 1.39)" });

/** An ElastiCache weekly window, e.g. "sun:05:00-sun:06:00". */
export const weeklyWindow = () =>
  z
    .string()
    .regex(/^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/, {
      error: "is not a weekly window such as \"sun:05:00-sun:06:00\"",
    });

/** A daily UTC window, e.g. "03:00-04:00". */
export const dailyWindow = () =>
  z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, { error: "is not a daily window such as \"03:00-04:00\"" });

/** Free text that ends up in tags, TXT records or headers: printable ASCII, no quotes or control characters. */
export const plainText = (max: number) =>
  z
    .string()
    .max(max, { error: `is longer than ${max} characters` })
    .regex(/^[\x20-\x7e]*$/, { error: "contains characters outside printable ASCII" })
    .refine((v) => !/["\\]/.test(v), { error: "must not contain quotes or backslashes" });

/**
 * An SLO objective in percent, as a string (YAML: quote it, `"99.9"`): a decimal from 50 to below
 * 100 with at most three decimals. 100 is refused: it leaves no error budget, so every burn-rate
 * alert would divide by zero.
 */
export const objectivePercent = () =>
  z
    .string({ error: "must be a percentage as a string such as \"99.9\"" })
    .regex(/^\d{1,2}(\.\d{1,3})?$/, { error: "is not a percentage such as \"99.9\" (digits, at most three decimals, below 100)" })
    .refine((v) => Number(v) >= 50, { error: "must be at least 50 (an objective below 50% is not a reliability target)" });
