import { customerManagedKeyPolicy } from "../../infra/kms";
import { accountRoot } from "../../infra/partition";
import { PARTITIONS } from "../harness";

const ACCOUNT = "123456789012";

test("a customer-managed key's policy: the account administers it, then exactly the uses given, each on the key itself", () => {
  const policy = JSON.parse(
    customerManagedKeyPolicy(PARTITIONS.aws, ACCOUNT, [
      { sid: "LogsEncrypt", principal: { Service: "logs.eu-west-1.amazonaws.com" }, actions: ["kms:GenerateDataKey*"], condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
      { sid: "NoCondition", principal: { AWS: accountRoot(PARTITIONS.aws, ACCOUNT) }, actions: "kms:DescribeKey" },
    ]),
  ) as { Version: string; Statement: Record<string, unknown>[] };
  expect(policy.Version).toBe("2012-10-17");
  expect(policy.Statement).toEqual([
    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
    { Sid: "LogsEncrypt", Effect: "Allow", Principal: { Service: "logs.eu-west-1.amazonaws.com" }, Action: ["kms:GenerateDataKey*"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
    // No condition given: none written (not an empty one).
    { Sid: "NoCondition", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:DescribeKey", Resource: "*" },
  ]);
});

test("the partition is the account's (GovCloud, China)", () => {
  for (const p of [PARTITIONS["aws-us-gov"], PARTITIONS["aws-cn"]]) {
    const policy = JSON.parse(customerManagedKeyPolicy(p, ACCOUNT, [])) as { Statement: { Principal: { AWS: string } }[] };
    expect(policy.Statement.map((s) => s.Principal.AWS)).toEqual([`arn:${p.id}:iam::${ACCOUNT}:root`]);
  }
});
