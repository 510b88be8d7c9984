import { input, ofType, runStack, StackRun } from "../../harness";
import { invoke } from "../../../offline/engine/invokes";

/** Prod (createHostedZone false): the existing zone is looked up by name, never created. */

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod" });
});

describe("existing hosted zone", () => {
  it("looks up the public zone of the domain, exactly once", () => {
    const lookups = run.invokes.filter((i) => i.token === "aws:route53/getZone:getZone");
    expect(lookups.map((i) => i.args)).toEqual([{ name: "edgestack.example.com", privateZone: false }]);
  });

  it("creates no zone and puts every record in the looked-up public zone", () => {
    expect(ofType(run, "aws:route53/zone:Zone")).toEqual([]);
    const publicZone = invoke("aws:route53/getZone:getZone", { name: "edgestack.example.com", privateZone: false }, "us-east-1");
    expect(publicZone.privateZone).toBe(false);
    const zoneId = publicZone.zoneId;
    expect(run.outputs.hostedZoneId).toBe(zoneId);
    const records = ofType(run, "aws:route53/record:Record");
    expect(records.length).toBeGreaterThan(10);
    for (const r of records) expect(input(r, "zoneId")).toBe(zoneId);
  });

  it("uses the prod domain for every name", () => {
    for (const r of ofType(run, "aws:route53/record:Record")) expect(String(input(r, "name"))).toMatch(/(^|\.)edgestack\.example\.com\.?$/);
  });
});
