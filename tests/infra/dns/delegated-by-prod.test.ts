import { input, ofType, one, runStack, StackRun } from "../../harness";
import { readStackFiles } from "../../../offline/engine/stack-files";
import { invoke } from "../../../offline/engine/invokes";

/**
 * dev's zone is delegated by prod's stack (delegatedSubdomains): the NS record lives in prod's zone
 * and is written with prod's credentials. (The dev side: dev-writes-own-zone-only.test.ts.)
 */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod" });
});

test("prod's zone gets the NS record for dev's zone, with dev's name servers from the stack file", () => {
  const record = one(run, "aws:route53/record:Record", "dns-zone-delegate-dev");
  const prodZoneId = invoke("aws:route53/getZone:getZone", { name: "edgestack.example.com" }, "us-east-1").zoneId;
  const [name, servers] = (JSON.parse(readStackFiles("prod").config["edgestack:delegatedSubdomains"]) as string[])[0].split("=");
  expect(name).toBe(readStackFiles("dev").config["edgestack:domain"]);
  expect(record.inputs).toMatchObject({ zoneId: prodZoneId, name, type: "NS", records: servers.split(",") });
  expect(ofType(run, "aws:route53/record:Record").filter((r) => input(r, "type") === "NS")).toHaveLength(1);
});
