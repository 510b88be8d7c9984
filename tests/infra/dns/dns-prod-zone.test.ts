import { input, one, runStack, StackRun } from "../../harness";

/** Prod with createHostedZone (delegated by hand: zoneDelegated): the zone is protected; long TXT values are split into 255-character strings. */

const longToken = `verification=${"k".repeat(290)}`;
let run: StackRun;
beforeAll(async () => {
  run = await runStack({
    stack: "prod",
    config: { "edgestack:createHostedZone": "true", "edgestack:zoneDelegated": "true", "edgestack:verificationTokens": JSON.stringify([longToken]) },
  });
});

describe("created zone in prod", () => {
  it("is protected", () => {
    expect(one(run, "aws:route53/zone:Zone", "dns-zone-zone").protect).toBe(true);
  });
});

describe("long TXT values", () => {
  it("become one record value of several quoted strings", () => {
    const values = input<string[]>(one(run, "aws:route53/record:Record", "dns-apex-txt"), "records");
    expect(values).toEqual(["v=spf1 -all", `${longToken.slice(0, 255)}""${longToken.slice(255)}`]);
  });
});
