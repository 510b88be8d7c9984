import fc from "fast-check";
import { isIP } from "node:net";
import { clientIp, forwardedProto, ipv6Groups, normalizeIp, parseCidrList, rateLimitIdentity, TrustedProxies } from "../../app/src/clientIp";

const trust = (...cidrs: string[]) => new TrustedProxies(cidrs);
const NGINX = trust("10.0.0.0/16");

describe("clientIp", () => {
  it("uses the socket address when the peer is not a trusted proxy, whatever the header says", () => {
    expect(clientIp("6.6.6.6", "203.0.113.7", trust())).toBe("203.0.113.7");
    expect(clientIp("6.6.6.6", "203.0.113.7", NGINX)).toBe("203.0.113.7");
  });

  it("walks X-Forwarded-For from the right past trusted proxies to the first untrusted address", () => {
    expect(clientIp("198.51.100.1", "10.0.1.20", NGINX)).toBe("198.51.100.1");
    expect(clientIp("198.51.100.1, 10.0.3.3", "10.0.1.20", NGINX)).toBe("198.51.100.1");
    // Forged entries left of the first untrusted one are never reached.
    expect(clientIp("1.1.1.1, 2.2.2.2, 198.51.100.1", "10.0.0.2", NGINX)).toBe("198.51.100.1");
    // All trusted: the leftmost.
    expect(clientIp("10.0.9.9", "10.0.0.2", NGINX)).toBe("10.0.9.9");
  });

  it("ignores the whole header when an entry it reaches is not an IP address", () => {
    expect(clientIp("<script>alert(1)</script>", "10.0.0.2", NGINX)).toBe("10.0.0.2");
    expect(clientIp("198.51.100.1, x", "10.0.0.2", NGINX)).toBe("10.0.0.2");
    expect(clientIp("a".repeat(8192), "10.0.0.2", NGINX)).toBe("10.0.0.2");
    expect(clientIp("1.2.3.4:80", "10.0.0.2", NGINX)).toBe("10.0.0.2");
    // Beyond the first untrusted address nothing is read, garbage included.
    expect(clientIp("junk, 198.51.100.1", "10.0.0.2", NGINX)).toBe("198.51.100.1");
  });

  it("handles empty headers, repeated headers and spacing", () => {
    expect(clientIp(undefined, "10.0.0.2", NGINX)).toBe("10.0.0.2");
    expect(clientIp("", "10.0.0.2", NGINX)).toBe("10.0.0.2");
    expect(clientIp(["9.9.9.9", " 198.51.100.1 ,"], "10.0.0.2", NGINX)).toBe("198.51.100.1");
  });

  it("normalises IPv4-mapped IPv6 addresses and matches IPv6 CIDRs", () => {
    expect(clientIp(undefined, "::ffff:127.0.0.1", trust())).toBe("127.0.0.1");
    expect(clientIp("198.51.100.9", "::ffff:10.0.0.2", NGINX)).toBe("198.51.100.9");
    expect(clientIp("2001:DB8::1", "fd00::5", trust("fd00::/8"))).toBe("2001:db8::1");
    expect(normalizeIp("2001:DB8::1")).toBe("2001:db8::1");
  });

  it("refuses CIDR lists with anything that is not a CIDR", () => {
    expect(parseCidrList(["10.0.0.0/16", "127.0.0.1", "fd00::/8"]).problems).toEqual([]);
    expect(parseCidrList(["10.0.0.0/33", "10.0.0.0/8/1", "nope", "10.0.0.0/x", "::/129"]).problems).toHaveLength(5);
    expect(() => trust("10.0.0.0/33")).toThrow(/10.0.0.0\/33/);
  });

  it("a client cannot change its result by prepending anything to X-Forwarded-For (property)", () => {
    const anything = fc.oneof(fc.ipV4(), fc.string({ maxLength: 40 }), fc.ipV6());
    fc.assert(
      fc.property(fc.array(anything, { maxLength: 5 }), fc.ipV4(), fc.integer({ min: 0, max: 255 }), (forged, client, last) => {
        fc.pre(!client.startsWith("10.0."));
        const peer = `10.0.0.${last}`;
        return clientIp([...forged, client].join(", "), peer, NGINX) === client;
      }),
    );
  });

  it("never returns anything but an IP address (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.ipV4(), (header, peer) => isIP(clientIp(header, peer, trust("0.0.0.0/0"))) !== 0),
    );
  });
});

describe("forwardedProto", () => {
  it("believes X-Forwarded-Proto only from a trusted peer and only as http or https", () => {
    expect(forwardedProto("https", "10.0.0.2", NGINX, false)).toBe("https");
    expect(forwardedProto("HTTP", "10.0.0.2", NGINX, true)).toBe("http");
    expect(forwardedProto("https", "203.0.113.7", NGINX, false)).toBe("http");
    expect(forwardedProto("https", "127.0.0.1", trust(), false)).toBe("http");
    expect(forwardedProto("gopher", "10.0.0.2", NGINX, false)).toBe("http");
    expect(forwardedProto(["https", "https"], "10.0.0.2", NGINX, false)).toBe("http");
    expect(forwardedProto(undefined, "10.0.0.2", NGINX, true)).toBe("https");
  });
});

describe("ipv6Groups", () => {
  it("expands compressed forms and dotted tails", () => {
    expect(ipv6Groups("2001:db8::1")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups("fe80::1%eth0")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups("::ffff:192.0.2.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x201]);
    expect(ipv6Groups("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ipv6Groups("192.0.2.1")).toBeUndefined();
    expect(ipv6Groups("nonsense")).toBeUndefined();
  });
});

describe("rateLimitIdentity", () => {
  it("keys by address, grouping IPv6 by /64", () => {
    expect(rateLimitIdentity(undefined, "198.51.100.1")).toBe("ip:198.51.100.1");
    expect(rateLimitIdentity(undefined, "2001:db8:1:2:aaaa::1")).toBe("ip6:2001:db8:1:2::/64");
    expect(rateLimitIdentity(undefined, "2001:db8:1:2:ffff::9")).toBe(rateLimitIdentity(undefined, "2001:db8:1:2::1"));
    expect(rateLimitIdentity(undefined, "2001:db8:1:3::1")).not.toBe(rateLimitIdentity(undefined, "2001:db8:1:2::1"));
  });

  it("uses a known key's bucket id when given one, the address otherwise", () => {
    expect(rateLimitIdentity("0123456789abcdef", "198.51.100.1")).toBe("key:0123456789abcdef");
    expect(rateLimitIdentity(undefined, "198.51.100.1")).toBe("ip:198.51.100.1");
  });
});
