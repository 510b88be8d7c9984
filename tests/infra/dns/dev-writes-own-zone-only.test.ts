import { input, ofType, one, runStack, StackRun } from "../../harness";
import { computedOutputs } from "../../../offline/engine/outputs";

/** dev writes DNS records into its own zone only: never into prod's (its parent), whose stack delegates to it. */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev" });
});

test("every record dev declares is in dev's own zone, and dev looks up no other zone", () => {
  const zone = one(run, "aws:route53/zone:Zone");
  const zoneId = computedOutputs("aws:route53/zone:Zone", zone.name, { name: input(zone, "name") }, "eu-west-1").id;
  const records = ofType(run, "aws:route53/record:Record");
  expect(records.length).toBeGreaterThan(5);
  for (const r of records) expect({ record: r.name, zoneId: input(r, "zoneId") }).toEqual({ record: r.name, zoneId });
  expect(run.invokes.filter((i) => i.token === "aws:route53/getZone:getZone")).toEqual([]);
});
