import { coverage, METADATA_ADDRESSES, parseCidr, reaches, within } from "../../../policies/semantics/cidr";

describe("CIDR coverage of the public address space", () => {
  it.each([
    [["0.0.0.0/0"]],
    [["0.0.0.0/1", "128.0.0.0/1"]],
    [["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"]],
    [["::/0"]],
    [["0::/0"]],
    [["0000:0000::/0"]],
    [["2000::/3"]],
    [["::ffff:0:0/96"]],
    [["::ffff:0.0.0.0/96"]],
  ])("%j covers the whole public internet", (cidrs) => {
    expect(coverage(cidrs).world).toBe(true);
    expect(coverage(cidrs).broad).toBe(true);
  });

  it.each([[["10.0.0.0/8"]], [["172.16.0.0/12", "192.168.0.0/16"]], [["198.51.100.0/24"]], [["fd00::/8"]], [["169.254.0.0/16"]], [["2001:db8::/32"]]])("%j covers no public address", (cidrs) => {
    const c = coverage(cidrs);
    expect([c.publicV4, c.publicV6, c.broad]).toEqual([0n, 0n, false]);
  });

  it("counts more than a /8 of public IPv4 as broad, a /8 or less as not", () => {
    expect(coverage(["64.0.0.0/7"]).broad).toBe(true);
    expect(coverage(["8.0.0.0/8"]).broad).toBe(false);
    expect(coverage(["8.0.0.0/9", "9.0.0.0/9", "11.0.0.0/9"]).broad).toBe(true);
    expect(coverage(["2600::/24"]).broad).toBe(true);
    expect(coverage(["2600:1f18::/40"]).broad).toBe(false);
  });

  it("subtracts except lists", () => {
    expect(coverage(["0.0.0.0/0"], ["0.0.0.0/1"]).world).toBe(false);
    expect(coverage(["0.0.0.0/0"], ["10.0.0.0/8"]).world).toBe(true);
    expect(coverage(["0.0.0.0/0"], ["0.0.0.0/1", "128.0.0.0/1"]).publicV4).toBe(0n);
  });

  it("an IPv6 range spanning the IPv4-mapped block covers those IPv4 addresses", () => {
    expect(coverage(["::/64"]).world).toBe(true);
    expect(parseCidr("::ffff:10.0.0.0/104")).toEqual({ family: 4, start: 0x0a000000n, end: 0x0affffffn });
  });

  it("rejects what is not a CIDR", () => {
    for (const bad of ["", "10.0.0.0/33", "300.1.1.1/32", "::/129", "1:2:3:4:5:6:7:8:9/64", "host.example.com"]) expect(parseCidr(bad)).toBeUndefined();
    expect(coverage(["nonsense", "8.8.8.8/32"]).invalid).toEqual(["nonsense"]);
  });

  it("reaches the instance metadata address through any range holding it", () => {
    expect(reaches(["169.254.0.0/16"], METADATA_ADDRESSES)).toBe(true);
    expect(reaches(["0.0.0.0/0"], METADATA_ADDRESSES, ["169.254.0.0/16"])).toBe(false);
    // Excluding the metadata service alone leaves the Pod Identity agent (169.254.170.23) reachable.
    expect(reaches(["0.0.0.0/0"], METADATA_ADDRESSES, ["169.254.169.254/32"])).toBe(true);
    expect(reaches(["169.254.170.23/32"], METADATA_ADDRESSES)).toBe(true);
    expect(reaches(["fd00:ec2::/32"], METADATA_ADDRESSES)).toBe(true);
    expect(reaches(["10.0.0.0/8"], METADATA_ADDRESSES)).toBe(false);
    expect(within(["10.20.1.0/24"], ["10.20.0.0/16"])).toBe(true);
    expect(within(["10.0.0.0/8"], ["10.20.0.0/16"])).toBe(false);
  });
});
