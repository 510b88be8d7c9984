import { beyondVpc, requestsPerSecond } from "../../policies/rules/viewer";
import { effectCases } from "./fixtures/effects";
import { runCases } from "./fixtures/run";
import { chainCases } from "./fixtures/nginx-effects";

// The nginx, app and CloudFront security-header policies' pass and fail fixtures (policies/rules/viewer.ts).
runCases(effectCases.filter((c) => ["nginx-limits-and-internal-endpoints", "nginx-trusted-peers-narrow", "nginx-security-headers", "edge-viewer-address-chain", "app-websocket-origins", "app-rate-limit-effective", "cloudfront-security-headers"].includes(c.policy)));

describe("requestsPerSecond", () => {
  it("reads nginx's rate in requests a second, per second or per minute", () => {
    expect(requestsPerSecond("rate=1200r/m")).toBe(20);
    expect(requestsPerSecond("rate=10r/s")).toBe(10);
    expect(requestsPerSecond("rate=1.5r/s")).toBe(1.5);
  });
  it("reads nothing from a malformed rate", () => {
    expect(requestsPerSecond("rate=10")).toBeUndefined();
    expect(requestsPerSecond("rate=10r/h")).toBeUndefined();
  });
});

// Round 8: trust bounded by the VPC, the viewer function reported itself, `always` headers, WebSocket bounds.
runCases(chainCases.filter((c) => ["edge-viewer-address-chain", "nginx-security-headers", "app-websocket-bounds"].includes(c.policy)));

describe("beyondVpc", () => {
  it("lists the ranges reaching past the VPC's blocks of their family", () => {
    expect(beyondVpc(["10.20.0.0/17", "10.20.128.0/17", "10.0.0.0/8", "100.64.0.0/10"], ["10.20.0.0/16"])).toEqual(["10.0.0.0/8", "100.64.0.0/10"]);
  });
  it("judges no family the VPC has no known block of, and nothing without a VPC", () => {
    expect(beyondVpc(["2600:1f18::/40"], ["10.20.0.0/16"])).toEqual([]);
    expect(beyondVpc(["10.0.0.0/8"], undefined)).toEqual([]);
  });
});
