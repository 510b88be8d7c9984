import fc from "fast-check";
import { BOUNDS, parseStackConfig } from "../../../infra/config/schema";
import { configProblems } from "../../harness/config";
import {
  caaRecordValues,
  checkNotApexCname,
  MAX_TXT_STRING,
  parseSrvValue,
  planDnsRecords,
  recordFqdn,
  RecordValueError,
  splitTxt,
  srvRecordValue,
  txtRecordValue,
  txtStrings,
  type DnsPlanInput,
} from "../../../infra/dns/record-values";

const plan: DnsPlanInput = {
  domain: "example.com",
  wwwSubdomain: "www",
  originSubdomain: "origin",
  edgeSubdomain: "edge",
  ttlSeconds: 300,
  spfRecord: "v=spf1 -all",
  verificationTokens: ["google-site-verification=abc"],
  srv: { service: "edge", priority: 10, weight: 5, port: 443 },
  loadBalancersIpv6: true,
};

describe("TXT values", () => {
  it("keeps a short value as one string", () => {
    expect(txtRecordValue("example.com", "v=spf1 -all")).toBe("v=spf1 -all");
  });

  it("splits a value over 255 characters into quoted strings of one record", () => {
    const text = "a".repeat(255) + "b".repeat(255) + "c";
    const value = txtRecordValue("example.com", text);
    expect(value).toBe(`${"a".repeat(255)}""${"b".repeat(255)}""c`);
    // What Route53 receives once the provider adds its outer quotes.
    expect(`"${value}"`).toMatch(/^"a{255}""b{255}""c"$/);
  });

  it("splits exactly at the boundary", () => {
    expect(splitTxt("x".repeat(255))).toHaveLength(1);
    expect(splitTxt("x".repeat(256))).toEqual(["x".repeat(255), "x"]);
  });

  it("escapes quotes and backslashes after splitting", () => {
    expect(txtRecordValue("t.example.com", 'say "hi" \\o/')).toBe('say \\"hi\\" \\\\o/');
  });

  it("rejects empty and non-ASCII text, naming the record", () => {
    expect(() => txtRecordValue("example.com", "")).toThrow(/DNS record example.com: TXT value is empty/);
    expect(() => txtRecordValue("example.com", "caf\u00e9")).toThrow(RecordValueError);
    expect(() => txtRecordValue("example.com", "line\nbreak")).toThrow(/example\.com.*printable ASCII/);
  });

  it("round-trips any printable text through its character-strings, none longer than 255", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ab\"\\ =;-xyz019"), minLength: 1, maxLength: 900 }), (text) => {
        const strings = txtStrings(txtRecordValue("example.com", text));
        expect(strings.join("")).toBe(text);
        expect(strings.every((s) => s.length <= MAX_TXT_STRING)).toBe(true);
        expect(strings).toHaveLength(Math.ceil(text.length / MAX_TXT_STRING));
      }),
    );
  });
});

describe("SRV values", () => {
  it("formats priority weight port target with a trailing dot", () => {
    const value = srvRecordValue("_edge._tcp.example.com", { priority: 10, weight: 5, port: 443, target: "edge.example.com" });
    expect(value).toBe("10 5 443 edge.example.com.");
    expect(parseSrvValue(value)).toEqual({ priority: 10, weight: 5, port: 443, target: "edge.example.com." });
  });

  it("rejects out-of-range numbers and bad names, naming the record", () => {
    const ok = { priority: 1, weight: 1, port: 443, target: "edge.example.com" };
    expect(() => srvRecordValue("_edge._tcp.example.com", { ...ok, port: 0 })).toThrow(/_edge\._tcp\.example\.com: SRV port 0 is outside 1\.\.65535/);
    expect(() => srvRecordValue("_edge._tcp.example.com", { ...ok, priority: 70000 })).toThrow(/SRV priority 70000/);
    expect(() => srvRecordValue("_edge._tcp.example.com", { ...ok, weight: 1.5 })).toThrow(/SRV weight 1.5/);
    expect(() => srvRecordValue("edge.example.com", ok)).toThrow(/_<service>\._tcp/);
    expect(() => srvRecordValue("_edge._tcp.example.com", { ...ok, target: "not a host" })).toThrow(/SRV target/);
  });
});

describe("TTL, apex CNAME, CAA", () => {
  it("takes TTLs the schema bounded: outside them the stack is refused at program start, naming the key", () => {
    const base = { "aws:region": "eu-west-1", "edgestack:domain": "example.com" };
    for (const ok of [BOUNDS.dnsTtlSeconds.min, BOUNDS.dnsTtlSeconds.max]) expect(parseStackConfig({ ...base, "edgestack:dnsTtlSeconds": String(ok) }, "test").dnsTtlSeconds).toBe(ok);
    for (const bad of [BOUNDS.dnsTtlSeconds.min - 1, BOUNDS.dnsTtlSeconds.max + 1, 90.5]) {
      expect(configProblems({ ...base, "edgestack:dnsTtlSeconds": String(bad) })).toEqual([expect.stringMatching(/^edgestack:dnsTtlSeconds: /)]);
    }
  });

  it("refuses a CNAME at the apex but not below it", () => {
    expect(() => checkNotApexCname("example.com", "CNAME", "example.com.")).toThrow(/example\.com: a CNAME cannot sit at the zone apex/);
    expect(() => checkNotApexCname("www.example.com", "CNAME", "example.com")).not.toThrow();
    expect(() => checkNotApexCname("example.com", "A", "example.com")).not.toThrow();
  });

  it("allows only Amazon's CAs and no wildcards", () => {
    expect(caaRecordValues("example.com")).toEqual([
      '0 issue "amazon.com"',
      '0 issue "amazontrust.com"',
      '0 issue "awstrust.com"',
      '0 issue "amazonaws.com"',
      '0 issuewild ";"',
    ]);
    expect(caaRecordValues("example.com", { iodef: "mailto:security@example.com" })).toContain('0 iodef "mailto:security@example.com"');
    expect(() => caaRecordValues("example.com", { iodef: "security@example.com" })).toThrow(/example\.com: CAA iodef/);
  });

  it("builds names and rejects invalid ones", () => {
    expect(recordFqdn("", "example.com")).toBe("example.com");
    expect(recordFqdn("www", "example.com")).toBe("www.example.com");
    expect(recordFqdn("_edge._tcp", "example.com")).toBe("_edge._tcp.example.com");
    expect(() => recordFqdn("bad_label", "example.com")).toThrow(/bad_label\.example\.com: is not a valid DNS name/);
  });
});

describe("planDnsRecords", () => {
  const specs = planDnsRecords(plan);
  const find = (key: string) => specs.find((s) => s.key === key);

  it("has every record type the edge needs", () => {
    expect(new Set(specs.map((s) => s.type))).toEqual(new Set(["A", "AAAA", "CNAME", "TXT", "SRV", "CAA"]));
  });

  it("aliases the apex to CloudFront and the sub-domains to the load balancers", () => {
    expect(find("apex-a")).toEqual({ key: "apex-a", name: "example.com", type: "A", alias: "cdn" });
    expect(find("apex-aaaa")?.alias).toBe("cdn");
    expect(find("origin-a")).toMatchObject({ name: "origin.example.com", alias: "alb" });
    expect(find("edge-aaaa")).toMatchObject({ name: "edge.example.com", alias: "nlb" });
  });

  it("points www at the apex with a CNAME and the SRV at the NLB name", () => {
    expect(find("www-cname")).toMatchObject({ name: "www.example.com", records: ["example.com"], ttl: 300 });
    expect(find("srv")).toMatchObject({ name: "_edge._tcp.example.com", records: ["10 5 443 edge.example.com."] });
  });

  it("puts SPF and tokens in one apex TXT record set, deduplicated", () => {
    const specsDup = planDnsRecords({ ...plan, verificationTokens: ["v=spf1 -all", "token-1", "x".repeat(300)] });
    const txt = specsDup.find((s) => s.key === "apex-txt");
    expect(txt?.records).toEqual(["v=spf1 -all", "token-1", `${"x".repeat(255)}""${"x".repeat(45)}`]);
  });

  it("leaves out load-balancer AAAA records when the load balancers are IPv4-only", () => {
    const v4 = planDnsRecords({ ...plan, loadBalancersIpv6: false });
    expect(v4.filter((s) => s.type === "AAAA").map((s) => s.key)).toEqual(["apex-aaaa"]);
  });

  it("rejects colliding labels, naming the record", () => {
    expect(() => planDnsRecords({ ...plan, edgeSubdomain: "origin" })).toThrow(/origin\.example\.com: edgeSubdomain repeats originSubdomain/);
  });
});
