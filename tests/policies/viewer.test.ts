import { requestsPerSecond } from "../../policies/rules/viewer";
import { effectCases } from "./fixtures/effects";
import { runCases } from "./fixtures/run";

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
