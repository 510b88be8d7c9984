import fc from "fast-check";
import { clientIp, ipv6Groups, normalizeIp, rateLimitIdentity } from "../../app/src/clientIp";

describe("clientIp", () => {
  it("uses the socket address when no proxy is trusted, whatever the header says", () => {
    expect(clientIp("6.6.6.6", "203.0.113.7", 0)).toBe("203.0.113.7");
  });

  it("takes the entry `hops` steps from the right of XFF + socket", () => {
    // client -> CloudFront -> ALB -> app: ALB appends CloudFront's address, socket is the ALB.
    expect(clientIp("198.51.100.1, 130.176.0.5", "10.0.1.20", 1)).toBe("130.176.0.5");
    expect(clientIp("198.51.100.1, 130.176.0.5", "10.0.1.20", 2)).toBe("198.51.100.1");
  });

  it("ignores entries a client forged to the left of what the trusted proxies wrote", () => {
    expect(clientIp("1.1.1.1, 2.2.2.2, 198.51.100.1", "10.0.0.2", 1)).toBe("198.51.100.1");
  });

  it("falls back to the leftmost entry when the chain is shorter than the hop count", () => {
    expect(clientIp("198.51.100.1", "10.0.0.2", 5)).toBe("198.51.100.1");
    expect(clientIp(undefined, "10.0.0.2", 2)).toBe("10.0.0.2");
    expect(clientIp("", "10.0.0.2", 1)).toBe("10.0.0.2");
  });

  it("joins repeated headers and tolerates spacing", () => {
    expect(clientIp(["9.9.9.9", " 198.51.100.1 ,"], "10.0.0.2", 1)).toBe("198.51.100.1");
  });

  it("normalises IPv4-mapped IPv6 socket addresses", () => {
    expect(clientIp(undefined, "::ffff:127.0.0.1", 0)).toBe("127.0.0.1");
    expect(normalizeIp("2001:DB8::1")).toBe("2001:db8::1");
  });

  it("matches the rule's plain statement for any header shape: empty entries, spaces, commas (property)", () => {
    // The rule as written in clientIp's comment: chain = non-empty trimmed XFF entries + socket;
    // the answer is chain[max(0, length - 1 - hops)].
    const byTheRule = (header: string, socket: string, hops: number) => {
      const chain = [...header.split(",").map((e) => e.trim()).filter((e) => e !== ""), socket];
      return chain[Math.max(0, chain.length - 1 - hops)];
    };
    const entry = fc.oneof(fc.ipV4(), fc.constant(""), fc.constant(" "), fc.ipV4().map((ip) => `  ${ip} `));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.ipV4(), fc.integer({ min: 1, max: 8 }), (entries, socket, hops) => {
        const header = entries.join(",");
        return clientIp(header, socket, hops) === byTheRule(header, socket, hops);
      }),
    );
  });

  it("a client cannot change its result by prepending anything to X-Forwarded-For (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.ipV4(), { maxLength: 5 }),
        fc.array(fc.ipV4(), { minLength: 1, maxLength: 4 }),
        fc.ipV4(),
        (forged, trustedChain, socket) => {
          const hops = trustedChain.length;
          const honest = clientIp(trustedChain.join(", "), socket, hops);
          const withForgery = clientIp([...forged, ...trustedChain].join(", "), socket, hops);
          return honest === withForgery && honest === trustedChain[0];
        },
      ),
    );
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

  it("prefers an API key, hashed so the secret never reaches Redis", () => {
    const id = rateLimitIdentity("sk_live_abc", "198.51.100.1");
    expect(id).toMatch(/^key:[A-Za-z0-9_-]{27}$/);
    expect(id).not.toContain("sk_live_abc");
    expect(rateLimitIdentity("sk_live_abc", "10.0.0.1")).toBe(id);
    expect(rateLimitIdentity("sk_live_abd", "198.51.100.1")).not.toBe(id);
    expect(rateLimitIdentity("", "198.51.100.1")).toBe("ip:198.51.100.1");
  });
});
