import { dependsOn, input, ofType, one, runStack, StackRun } from "../../harness";

/** Prod creating its zone under a parent zone given by id: the delegation goes into that zone, first. */
const PARENT_ID = "Z0PARENT1234567890AB";
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod", config: { "edgestack:createHostedZone": "true", "edgestack:parentHostedZoneId": PARENT_ID } });
});

test("the NS record goes into the parent zone by id and is protected in prod like the zone", () => {
  const delegation = one(run, "aws:route53/record:Record", "dns-zone-delegation");
  expect(delegation.inputs).toMatchObject({ zoneId: PARENT_ID, name: "edgestack.example.com", type: "NS" });
  expect(delegation.protect).toBe(true);
  expect(run.outputs.pendingSteps).toEqual([]);
});

test("certificate validation and every record in the new zone wait for it", () => {
  const delegation = one(run, "aws:route53/record:Record", "dns-zone-delegation");
  // Delegations this zone writes for its children (delegatedSubdomains) need no parent delegation first.
  // The DS record belongs to the parent too (next test).
  const inZone = ofType(run, "aws:route53/record:Record").filter((r) => r !== delegation && r.name !== "dns-zone-ds" && !r.name.startsWith("dns-zone-delegate-"));
  expect(inZone.length).toBeGreaterThan(8);
  for (const r of inZone) expect({ record: r.name, waits: dependsOn(r, delegation) }).toEqual({ record: r.name, waits: true });
  for (const r of inZone) expect(input(r, "zoneId")).not.toBe(PARENT_ID);
});

test("the signed zone's DS record goes into the parent zone next to the NS delegation, once signing is on", () => {
  const ds = one(run, "aws:route53/record:Record", "dns-zone-ds");
  expect(ds.inputs).toMatchObject({ zoneId: PARENT_ID, name: "edgestack.example.com", type: "DS" });
  expect(ds.protect).toBe(true);
  expect(dependsOn(ds, one(run, "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec", "dns-zone-dnssec"))).toBe(true);
  const ksk = one(run, "aws:route53/keySigningKey:KeySigningKey", "dns-zone-ksk");
  expect(input(ksk, "status")).toBe("ACTIVE");
  const key = one(run, "aws:kms/key:Key", "dns-zone-dnssec-key");
  expect(key.inputs).toMatchObject({ customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" });
});
