import { bringUp } from "../../../infra/bring-up";
import { parseStackConfig } from "../../../infra/config/schema";

const base = { "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "shop.acme.io", "edgestack:appImage": `r.example/app@sha256:${"a".repeat(64)}` };
const phase = (extra: Record<string, string>) => bringUp(parseStackConfig({ ...base, ...extra }, "dev"));

test("an existing zone: everything in one step", () => {
  expect(phase({})).toEqual({ edge: true, workloads: true, pending: [] });
});

test("a new zone with a parent zone in the account (by id or name): one step, the stack delegates", () => {
  expect(phase({ "edgestack:createHostedZone": "true", "edgestack:parentHostedZoneId": "Z0123456789ABCDEFGHIJ" }).edge).toBe(true);
  expect(phase({ "edgestack:createHostedZone": "true", "edgestack:parentHostedZoneName": "acme.io" }).edge).toBe(true);
});

test("a new zone without a parent: two steps, zoneDelegated marks the second", () => {
  const first = phase({ "edgestack:createHostedZone": "true" });
  expect(first.edge).toBe(false);
  expect(first.pending[0]).toMatch(/^delegate shop\.acme\.io to the name servers in the nameServers output/);
  expect(phase({ "edgestack:createHostedZone": "true", "edgestack:zoneDelegated": "true" })).toEqual({ edge: true, workloads: true, pending: [] });
});

test("no image yet: no workloads, and the step that sets one", () => {
  const p = phase({ "edgestack:appImage": "" });
  expect(p.workloads).toBe(false);
  expect(p.pending).toEqual([expect.stringMatching(/pulumi config set edgestack:appImage <imageRepositoryUrl>@sha256:<digest>/)]);
});
