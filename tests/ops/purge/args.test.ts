import fc from "fast-check";
import { callerReference, checkPaths, MAX_PATHS, MAX_WILDCARD_PATHS, parsePurgeArgs, UsageError } from "../../../ops/purge/args";

describe("parsePurgeArgs", () => {
  it("splits --paths on whitespace, accepts repeats and de-duplicates", () => {
    const r = parsePurgeArgs(["--stack", "prod", "--paths", "/index.html /api/*", "--paths", "/about  /index.html"]);
    expect(r).toEqual({ stack: "prod", distributionId: undefined, paths: ["/index.html", "/api/*", "/about"], dryRun: false });
  });

  it("takes a distribution id instead of a stack, and --dry-run", () => {
    expect(parsePurgeArgs(["--distribution-id", "E2QWRUHAPOMQZL", "--paths", "/*", "--dry-run"])).toMatchObject({
      distributionId: "E2QWRUHAPOMQZL",
      paths: ["/*"],
      dryRun: true,
    });
  });

  it("needs a target and paths", () => {
    expect(() => parsePurgeArgs(["--paths", "/x"])).toThrow(/--stack <name>.*or --distribution-id/);
    expect(() => parsePurgeArgs(["--stack", "dev"])).toThrow(/--paths is required/);
    expect(() => parsePurgeArgs(["--stack", "dev", "--paths", "   "])).toThrow(/--paths is required/);
  });

  it("rejects unknown flags, bad ids and bad stack names", () => {
    expect(() => parsePurgeArgs(["--stack", "dev", "--paths", "/x", "--force"])).toThrow(UsageError);
    expect(() => parsePurgeArgs(["--distribution-id", "d111111abcdef8", "--paths", "/x"])).toThrow(/"d111111abcdef8" is not a CloudFront distribution id/);
    expect(() => parsePurgeArgs(["--stack", "dev; rm -rf /", "--paths", "/x"])).toThrow(/is not a stack name/);
  });
});

describe("checkPaths", () => {
  it("requires a leading slash", () => {
    expect(() => checkPaths(["index.html"])).toThrow(/path "index.html" must start with "\/"/);
  });

  it("allows * only at the end", () => {
    expect(checkPaths(["/api/*", "/*"])).toEqual(["/api/*", "/*"]);
    expect(() => checkPaths(["/static/*.js"])).toThrow(/"\/static\/\*\.js": "\*" is only allowed as the last character/);
  });

  it("wants unsafe characters URL-encoded", () => {
    expect(() => checkPaths(["/caf\u00e9"])).toThrow(/URL-encoded/);
    expect(checkPaths(["/caf%C3%A9"])).toEqual(["/caf%C3%A9"]);
  });

  it("enforces CloudFront's batch limits after de-duplication", () => {
    const files = Array.from({ length: MAX_PATHS }, (_, i) => `/f${i}`);
    expect(checkPaths([...files, "/f0"])).toHaveLength(MAX_PATHS);
    expect(() => checkPaths([...files, "/one-more"])).toThrow(new RegExp(`${MAX_PATHS + 1} paths: one invalidation takes at most ${MAX_PATHS}`));
    const wildcards = Array.from({ length: MAX_WILDCARD_PATHS + 1 }, (_, i) => `/w${i}/*`);
    expect(() => checkPaths(wildcards)).toThrow(/16 wildcard paths/);
    expect(checkPaths(wildcards.slice(1))).toHaveLength(MAX_WILDCARD_PATHS);
    expect(() => checkPaths([`/${"a".repeat(4000)}`])).toThrow(/longer than 4000/);
  });
});

describe("callerReference", () => {
  const t = new Date("2025-01-02T03:04:05.678Z");

  it("is deterministic per call and independent of path order", () => {
    expect(callerReference("E1", ["/a", "/b"], t)).toBe(callerReference("E1", ["/b", "/a"], t));
    expect(callerReference("E1", ["/a"], t)).toMatch(/^edgestack-purge-1735787045678-[0-9a-f]{16}$/);
  });

  it("differs for another call time, distribution or path set", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("/a", "/b", "/c", "/d"), { minLength: 1 }), fc.integer({ min: 1, max: 10_000 }), (paths, ms) => {
        const ref = callerReference("E1", paths, t);
        expect(callerReference("E1", paths, new Date(t.getTime() + ms))).not.toBe(ref);
        expect(callerReference("E2", paths, t)).not.toBe(ref);
        expect(callerReference("E1", [...paths, "/other"], t)).not.toBe(ref);
      }),
    );
  });
});
