import { createHash } from "node:crypto";
import { z } from "zod";
import { ACCOUNT_ID } from "./outputs";
import type { Partition } from "../../infra/partition";
import { partitionOfRegion } from "./partitions";

/**
 * Answers for the data-source calls (invokes) the program makes. An invoke with no entry here fails
 * the run loudly: a silent empty answer would hide a lookup the real stack depends on.
 */

type Args = Record<string, any>;

const hex = (seed: string, length: number) => createHash("sha256").update(seed).digest("hex").slice(0, length);

/** AWS-managed CloudFront cache/origin-request/response-headers policy ids (public, fixed). */
const MANAGED_CLOUDFRONT_POLICIES: Record<string, string> = {
  "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
  "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
  "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
  "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
  "Managed-SecurityHeadersPolicy": "67f7725c-6f97-4210-82d7-5512b31e9d03",
};

const managedPolicy = (args: Args) => {
  const id = MANAGED_CLOUDFRONT_POLICIES[args.name] ?? args.id;
  if (!id) throw new Error(`no managed CloudFront policy named ${JSON.stringify(args.name)} in the offline table`);
  return { id, name: args.name };
};

/**
 * Each mock states the arguments it understands (a strict zod object: an unknown filter fails the
 * run, as a lookup the offline answer would silently ignore) and answers from them, so a changed
 * filter changes the answer — a private-zone lookup gets a private zone.
 */
interface Mock<S extends z.ZodType<Args>> {
  args: S;
  answer: (args: z.output<S>, region: string, partition: Partition) => Record<string, unknown>;
}
const mock = <S extends z.ZodType<Args>>(m: Mock<S>): Mock<z.ZodType<Args>> => m as unknown as Mock<z.ZodType<Args>>;
const none = z.strictObject({});
const byName = z.strictObject({ name: z.string().min(1), id: z.string().optional() });

export const INVOKES: Record<string, Mock<z.ZodType<Args>>> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": mock({
    args: z.strictObject({ state: z.enum(["available", "information", "impaired", "unavailable"]).optional() }),
    answer: (_args, region) => ({
      id: region,
      names: ["a", "b", "c", "d"].map((z) => `${region}${z}`),
      zoneIds: [1, 2, 3, 4].map((i) => `${region.split("-").map((p) => p[0]).join("")}${region.slice(-1)}-az${i}`),
      groupNames: [region],
    }),
  }),
  "aws:index/getRegion:getRegion": mock({ args: none, answer: (_args, region, p) => ({ id: region, name: region, region, endpoint: `ec2.${region}.${p.dnsSuffix}`, description: region }) }),
  "aws:index/getCallerIdentity:getCallerIdentity": mock({
    args: none,
    answer: (_args, _region, p) => ({ id: ACCOUNT_ID, accountId: ACCOUNT_ID, arn: `arn:${p.id}:iam::${ACCOUNT_ID}:user/offline`, userId: "AIDAOFFLINE" }),
  }),
  "aws:index/getPartition:getPartition": mock({ args: none, answer: (_args, _region, p) => ({ id: p.id, partition: p.id, dnsSuffix: p.dnsSuffix, reverseDnsPrefix: p.reverseDnsPrefix }) }),
  "aws:ec2/getVpc:getVpc": mock({
    args: z.strictObject({ id: z.string().regex(/^vpc-[0-9a-f]{8,17}$/) }),
    answer: (args, region, p) => ({ id: args.id, arn: `arn:${p.id}:ec2:${region}:${ACCOUNT_ID}:vpc/${args.id}`, cidrBlock: "10.20.0.0/16", state: "available" }),
  }),
  "aws:ec2/getSubnet:getSubnet": mock({
    args: z.strictObject({ id: z.string().regex(/^subnet-[0-9a-f]{8,17}$/) }),
    answer: (args, region, p) => ({ id: args.id, arn: `arn:${p.id}:ec2:${region}:${ACCOUNT_ID}:subnet/${args.id}`, cidrBlock: `10.20.${parseInt(hex(args.id, 2), 16)}.0/24`, state: "available" }),
  }),
  "aws:ec2/getManagedPrefixList:getManagedPrefixList": mock({
    args: z.strictObject({ name: z.string().min(1) }),
    answer: (args, region) => ({ id: `pl-${hex(`${args.name}${region}`, 8)}`, name: args.name, addressFamily: "IPv4", maxEntries: 55 }),
  }),
  "aws:route53/getZone:getZone": mock({
    args: z.strictObject({ name: z.string().min(1), privateZone: z.boolean().optional(), vpcId: z.string().optional() }),
    answer: (args) => {
      const zoneName = args.name.replace(/\.$/, "");
      const privateZone = args.privateZone === true;
      // A private zone of the same name is a different zone (its own id, VPC-only name servers).
      const zoneId = `Z${hex(`${privateZone ? "private:" : ""}${zoneName}`, 20).toUpperCase()}`;
      return { id: zoneId, zoneId, name: `${zoneName}.`, nameServers: privateZone ? [] : ["ns-1.awsdns-01.net", "ns-2.awsdns-02.org"], privateZone };
    },
  }),
  "aws:elb/getServiceAccount:getServiceAccount": mock({ args: z.strictObject({ region: z.string().optional() }), answer: (_args, region, p) => ({ id: region, arn: `arn:${p.id}:iam::127311923021:root` }) }),
  "aws:cloudfront/getCachePolicy:getCachePolicy": mock({ args: byName, answer: managedPolicy }),
  "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy": mock({ args: byName, answer: managedPolicy }),
  "aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy": mock({ args: byName, answer: managedPolicy }),
  "aws:iam/getPolicyDocument:getPolicyDocument": mock({
    args: z.looseObject({ statements: z.array(z.looseObject({})).optional(), version: z.string().optional() }),
    answer: (args) => ({ id: hex(JSON.stringify(args), 10), json: policyDocumentJson(args) }),
  }),
};

/** Renders getPolicyDocument's arguments into the IAM JSON the provider would return. */
function policyDocumentJson(args: Args): string {
  const statements = (args.statements ?? []).map((s: Args) => {
    const out: Args = {};
    if (s.sid) out.Sid = s.sid;
    out.Effect = s.effect ?? "Allow";
    if (s.actions) out.Action = unwrapSingle(s.actions);
    if (s.notActions) out.NotAction = unwrapSingle(s.notActions);
    if (s.resources) out.Resource = unwrapSingle(s.resources);
    for (const p of s.principals ?? []) {
      out.Principal = { ...(out.Principal ?? {}), [p.type]: unwrapSingle(p.identifiers) };
    }
    for (const c of s.conditions ?? []) {
      out.Condition = { ...(out.Condition ?? {}), [c.test]: { ...(out.Condition?.[c.test] ?? {}), [c.variable]: unwrapSingle(c.values) } };
    }
    return out;
  });
  return JSON.stringify({ Version: args.version ?? "2012-10-17", Statement: statements }, null, 2);
}

const unwrapSingle = (values: unknown[]) => (values.length === 1 ? values[0] : values);

/** A test's own answer to an invoke the table mocks (its arguments are checked by the table's mock all the same). */
export type InvokeAnswer = (args: Args, region: string, partition: Partition) => Record<string, unknown>;

export function invoke(token: string, args: Args, region: string, answers: Record<string, InvokeAnswer> = {}, partition: Partition = partitionOfRegion(region)): Record<string, unknown> {
  const entry = INVOKES[token];
  if (!entry) {
    throw new Error(`offline engine: no mock for invoke ${token} (add one to offline/engine/invokes.ts) — args ${JSON.stringify(args)}`);
  }
  const parsed = entry.args.safeParse(args);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join(".") || "(args)"}: ${i.message}`).join("; ");
    throw new Error(`offline engine: invoke ${token} with args ${JSON.stringify(args)} is outside what its mock answers (${why}); extend the mock in offline/engine/invokes.ts`);
  }
  return (answers[token] ?? entry.answer)(parsed.data, region, partition);
}
