import type { PolicyResource } from "@pulumi/policy";
import { refersTo } from "../../policies/rules/common";

const key = { type: "aws:kms/key:Key", name: "dnssec-key", urn: "urn:pulumi:prod::edgestack::aws:kms/key:Key::dnssec-key", props: { id: "35be8602-23d6-ccf0-20b6-3d8517b47837", arn: "arn:aws:kms:us-east-1:123456789012:key/35be8602-23d6-ccf0-20b6-3d8517b47837" } } as unknown as PolicyResource;

describe("references between resources", () => {
  it("resolves the target's id, ARN, and an ARN of the same account in another region", () => {
    expect(refersTo("35be8602-23d6-ccf0-20b6-3d8517b47837", key)).toBe(true);
    expect(refersTo("arn:aws:kms:us-east-1:123456789012:key/35be8602-23d6-ccf0-20b6-3d8517b47837", key)).toBe(true);
    expect(refersTo("arn:aws:kms:eu-west-1:123456789012:key/35be8602-23d6-ccf0-20b6-3d8517b47837", key)).toBe(true);
  });
  it("never resolves an ARN of another account, whatever id or name it ends in", () => {
    expect(refersTo("arn:aws:kms:us-east-1:999999999999:key/35be8602-23d6-ccf0-20b6-3d8517b47837", key)).toBe(false);
    expect(refersTo("arn:aws:kms:us-east-1:999999999999:alias/dnssec-key", key)).toBe(false);
  });
});
