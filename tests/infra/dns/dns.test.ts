import { input, ofType, one, runStack, StackRun, mockOutputsOf } from "../../harness";
import { CLOUDFRONT_ZONE_ID } from "../../../offline/engine/outputs";

/** Dev: a new hosted zone, every record of item 5, and the stack outputs of item 6. */

const REGION = "eu-west-1";
const DOMAIN = "dev.edgestack.example.com";
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev" });
});

const RECORD = "aws:route53/record:Record";
const record = (name: string) => one(run, RECORD, `dns-${name}`);
/** Records in the stack's own zone (the NS delegation lives in the parent zone: tests/infra/dns/delegation.test.ts). */
const zoneRecords = () => ofType(run, RECORD).filter((r) => r.name !== "dns-zone-delegation");
const lbOutputs = (name: string) => mockOutputsOf(run, "aws:lb/loadBalancer:LoadBalancer", name, REGION).outputs;

describe("hosted zone", () => {
  it("is created for the domain (createHostedZone) and not protected in dev", () => {
    const zone = one(run, "aws:route53/zone:Zone", "dns-zone-zone");
    expect(input(zone, "name")).toBe(DOMAIN);
    expect(zone.protect).toBe(false);
  });

  it("holds every record", () => {
    const zoneId = mockOutputsOf(run, "aws:route53/zone:Zone", "dns-zone-zone", REGION).outputs.zoneId;
    for (const r of zoneRecords()) expect(input(r, "zoneId")).toBe(zoneId);
  });
});

describe("records", () => {
  it("has A, AAAA, CNAME, TXT, SRV and CAA records", () => {
    expect(new Set(zoneRecords().map((r) => input(r, "type")))).toEqual(new Set(["A", "AAAA", "CNAME", "TXT", "SRV", "CAA"]));
  });

  it("aliases the apex (A + AAAA) to CloudFront without target-health evaluation", () => {
    const cdnDomain = mockOutputsOf(run, "aws:cloudfront/distribution:Distribution", "cdn-distribution", REGION).outputs.domainName;
    for (const key of ["apex-a", "apex-aaaa"]) {
      expect(input(record(key), "name")).toBe(DOMAIN);
      expect(input(record(key), "aliases")).toEqual([{ name: cdnDomain, zoneId: CLOUDFRONT_ZONE_ID, evaluateTargetHealth: false }]);
    }
  });

  it("aliases origin to the ALB and edge to the NLB", () => {
    const alb = lbOutputs("alb-lb");
    const nlb = lbOutputs("nlb-lb");
    for (const [key, lb] of [["origin-a", alb], ["origin-aaaa", alb], ["edge-a", nlb], ["edge-aaaa", nlb]] as const) {
      expect(input(record(key), "aliases")).toEqual([{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: false }]);
    }
    expect(input(record("origin-a"), "name")).toBe(`origin.${DOMAIN}`);
    expect(input(record("edge-a"), "name")).toBe(`edge.${DOMAIN}`);
  });

  it("points www at the apex with a CNAME (none at the apex)", () => {
    expect(record("www-cname").inputs).toMatchObject({ name: `www.${DOMAIN}`, type: "CNAME", records: [DOMAIN], ttl: 300 });
    expect(ofType(run, RECORD).filter((r) => input(r, "type") === "CNAME" && input(r, "name") === DOMAIN)).toEqual([]);
  });

  it("publishes SPF and the verification token in one apex TXT record", () => {
    expect(record("apex-txt").inputs).toMatchObject({ name: DOMAIN, type: "TXT", records: ["v=spf1 -all", "google-site-verification=dev-4f2a9c1e7b"] });
  });

  it("publishes the SRV record for the NLB name", () => {
    expect(record("srv").inputs).toMatchObject({ name: `_edge._tcp.${DOMAIN}`, type: "SRV", records: [`10 5 443 edge.${DOMAIN}.`] });
  });

  it("allows only Amazon's CAs", () => {
    const caa = input<string[]>(record("apex-caa"), "records");
    expect(caa.filter((v) => / issue /.test(v)).map((v) => v.split('"')[1])).toEqual(["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"]);
    expect(caa).toContain('0 issuewild ";"');
  });
});

describe("stack outputs", () => {
  it("exports the site URL, LB names, distribution, zone and record names in plain text", () => {
    expect(run.outputs.siteUrl).toBe(`https://${DOMAIN}`);
    expect(run.outputs.albDnsName).toBe(lbOutputs("alb-lb").dnsName);
    expect(run.outputs.nlbDnsName).toBe(lbOutputs("nlb-lb").dnsName);
    expect(run.outputs.distributionId).toBe(mockOutputsOf(run, "aws:cloudfront/distribution:Distribution", "cdn-distribution", REGION).id);
    expect(run.outputs.distributionDomainName).toMatch(/\.cloudfront\.net$/);
    expect(run.outputs.hostedZoneId).toBe(mockOutputsOf(run, "aws:route53/zone:Zone", "dns-zone-zone", REGION).outputs.zoneId);
    expect(run.outputs.recordNames).toEqual([DOMAIN, `www.${DOMAIN}`, `origin.${DOMAIN}`, `edge.${DOMAIN}`, `_edge._tcp.${DOMAIN}`]);
    for (const key of ["siteUrl", "albDnsName", "nlbDnsName", "distributionId", "hostedZoneId", "recordNames"]) expect(run.secretOutputs).not.toContain(key);
  });

  it("exports values, not component objects (those are fields for other components)", () => {
    const components = Object.entries(run.outputs).filter(([, v]) => typeof v === "object" && v !== null && "urn" in v);
    expect(components.map(([k]) => k)).toEqual([]);
  });
});
