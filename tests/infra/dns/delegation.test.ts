import { invoke } from "../../../offline/engine/invokes";
import { dependsOn, input, ofType, one, runStack, StackRun, mockOutputsOf } from "../../harness";

/**
 * A stack that creates its zone and names a parent zone it may write to (parentHostedZoneName, same
 * account and environment): the NS delegation is written into the parent, and certificate
 * validation waits for it. (dev itself is delegated by prod's stack: delegation-by-parent-stack.)
 */
const DOMAIN = "dev.edgestack.example.com";
const PARENT = "edgestack.example.com";
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev", config: { "edgestack:parentHostedZoneName": PARENT, "edgestack:zoneDelegated": "false" } });
}, 180_000);

const delegation = () => one(run, "aws:route53/record:Record", "dns-zone-delegation");

test("the parent zone gets an NS record naming the new zone's name servers", () => {
  const parentZoneId = invoke("aws:route53/getZone:getZone", { name: PARENT }, "eu-west-1").zoneId;
  const zone = mockOutputsOf(run, "aws:route53/zone:Zone", "dns-zone-zone", "eu-west-1").outputs;
  expect(delegation().inputs).toMatchObject({ zoneId: parentZoneId, name: DOMAIN, type: "NS", records: zone.nameServers });
  expect(dependsOn(delegation(), one(run, "aws:route53/zone:Zone", "dns-zone-zone"))).toBe(true);
});

test("every certificate validation record and validation waits for the delegation", () => {
  const validations = ofType(run, "aws:acm/certificateValidation:CertificateValidation");
  const validationRecords = ofType(run, "aws:route53/record:Record").filter((r) => /-certificate-validation-/.test(r.name));
  expect(validations).toHaveLength(2);
  expect(validationRecords.length).toBeGreaterThanOrEqual(4);
  for (const r of validationRecords) expect({ record: r.name, waits: dependsOn(r, delegation()) }).toEqual({ record: r.name, waits: true });
  // The validation waits for its records, which wait for the delegation.
  for (const v of validations) {
    const own = validationRecords.filter((r) => r.parent === v.parent);
    expect(own.every((r) => dependsOn(v, r))).toBe(true);
  }
});

test("the name servers are exported", () => {
  expect(run.outputs.nameServers).toEqual(mockOutputsOf(run, "aws:route53/zone:Zone", "dns-zone-zone", "eu-west-1").outputs.nameServers);
  expect(input(one(run, "aws:route53/zone:Zone"), "name")).toBe(DOMAIN);
});
