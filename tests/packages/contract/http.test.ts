import { TRACE_IDS, wellFormedTraceId } from "@edgestack/contract";

describe("trace ids", () => {
  test("the edge's own formats pass: a CloudFront id, ALB trace ids with and without Self/Parent/Sampled", () => {
    expect(wellFormedTraceId("cloudFrontId", "B3vk0iTbvh8Rxw4bdWpm2w2pw4a-Q7dQHnpf39VxXWmOHZOFhA1Q6w==")).toBeDefined();
    for (const v of [
      "Root=1-5759e988-bd862e3fe1be46a994272793",
      "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
      "Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678",
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
    ]) {
      expect([v, wellFormedTraceId("amznTraceId", v)]).toEqual([v, v]);
    }
  });

  test("anything else is dropped: other characters, no Root, unbounded length, a repeated header", () => {
    const root = "Root=1-5759e988-bd862e3fe1be46a994272793";
    for (const v of ['ab"c'.repeat(8), "a b".repeat(10), "x".repeat(15), "x".repeat(121), "abc==x".repeat(5)]) {
      expect([v, wellFormedTraceId("cloudFrontId", v)]).toEqual([v, undefined]);
    }
    for (const v of ["Sampled=1", `${root}\n`, `${root};`, `${root};Parent=${"a".repeat(65)}`, `${root}${";Parent=53995c3f42cd8ad8".repeat(5)}`, root.toUpperCase(), `${root},x`]) {
      expect([v, wellFormedTraceId("amznTraceId", v)]).toEqual([v, undefined]);
    }
    expect(wellFormedTraceId("amznTraceId", [root, root])).toBeUndefined();
    expect(wellFormedTraceId("requestId", undefined)).toBeUndefined();
  });

  test("every pattern is anchored and bounds its length (nginx's map renders the same source)", () => {
    for (const { pattern } of Object.values(TRACE_IDS)) {
      expect(pattern.startsWith("^") && pattern.endsWith("$")).toBe(true);
      expect(pattern).not.toMatch(/[*+]/);
      expect(pattern).not.toMatch(/["\\]/);
    }
  });
});
