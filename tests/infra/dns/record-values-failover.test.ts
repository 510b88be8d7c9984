import { CLOUDFRONT_ALIAS_ZONE_ID, DnsPlanInput, planDnsRecords } from "../../../infra/dns/record-values";

const input: DnsPlanInput = {
  domain: "example.com",
  wwwSubdomain: "www",
  originSubdomain: "origin",
  edgeSubdomain: "edge",
  ttlSeconds: 300,
  spfRecord: "v=spf1 -all",
  verificationTokens: [],
  srv: { service: "edge", priority: 10, weight: 5, port: 443 },
  loadBalancersIpv6: true,
};
const summary = (p: DnsPlanInput) =>
  planDnsRecords(p)
    .filter((s) => s.alias)
    .map((s) => `${s.key} ${s.alias} eth=${String(s.evaluateTargetHealth)} ${s.failover ? `${s.failover.role}/${s.failover.setIdentifier}/${s.failover.healthCheck ?? "-"}` : "simple"}`);

describe("planDnsRecords with failover", () => {
  it("without failover: simple aliases, no health evaluation stated", () => {
    expect(summary(input)).toEqual([
      "apex-a cdn eth=undefined simple",
      "apex-aaaa cdn eth=undefined simple",
      "origin-a alb eth=undefined simple",
      "origin-aaaa alb eth=undefined simple",
      "edge-a nlb eth=undefined simple",
      "edge-aaaa nlb eth=undefined simple",
    ]);
  });
  it("with failover: apex and edge pairs on their checks; load balancers and a non-CloudFront secondary evaluate health", () => {
    expect(summary({ ...input, failover: { secondaryZoneId: "Z1H1FL5HABSF5" } })).toEqual([
      "apex-a cdn eth=false PRIMARY/apex-primary/site",
      "apex-a-secondary secondary eth=true SECONDARY/apex-secondary/-",
      "apex-aaaa cdn eth=false PRIMARY/apex-primary/site",
      "apex-aaaa-secondary secondary eth=true SECONDARY/apex-secondary/-",
      "origin-a alb eth=true simple",
      "origin-aaaa alb eth=true simple",
      "edge-a nlb eth=true PRIMARY/edge-primary/edge",
      "edge-a-secondary secondary eth=true SECONDARY/edge-secondary/-",
      "edge-aaaa nlb eth=true PRIMARY/edge-primary/edge",
      "edge-aaaa-secondary secondary eth=true SECONDARY/edge-secondary/-",
    ]);
  });
  it("never evaluates a CloudFront secondary's health (AWS refuses it)", () => {
    const secondaries = planDnsRecords({ ...input, failover: { secondaryZoneId: CLOUDFRONT_ALIAS_ZONE_ID } }).filter((s) => s.alias === "secondary");
    expect(secondaries).toHaveLength(4);
    for (const s of secondaries) expect(s.evaluateTargetHealth).toBe(false);
  });
});
