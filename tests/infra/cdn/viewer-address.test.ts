import * as vm from "node:vm";
import { VIEWER_ADDRESS_FUNCTION_RUNTIME, VIEWER_ADDRESS_HEADER, viewerAddressFunctionCode } from "../../../infra/cdn/viewer-address";

/** A CloudFront Functions viewer-request event (lower-case header names, `{ value, multiValue? }`). */
function viewerRequest(ip: string, headers: Record<string, { value: string; multiValue?: { value: string }[] }>) {
  return {
    version: "1.0",
    context: { eventType: "viewer-request", distributionId: "E1TEST", requestId: "r-1" },
    viewer: { ip },
    request: { method: "GET", uri: "/api/hello", querystring: {}, headers, cookies: {} },
  };
}

/** Runs the function source as CloudFront would: a script defining `handler`, called with the event. */
function runHandler(code: string, event: ReturnType<typeof viewerRequest>) {
  const context = vm.createContext({ event });
  vm.runInContext(code, context, { filename: "viewer-address.js" });
  return vm.runInContext("handler(event)", context) as ReturnType<typeof viewerRequest>["request"];
}

describe("viewer-address CloudFront Function", () => {
  const code = viewerAddressFunctionCode();

  test("sets x-viewer-address to event.viewer.ip and leaves every other header alone", () => {
    const request = runHandler(code, viewerRequest("198.51.100.7", { host: { value: "d111.cloudfront.net" }, "user-agent": { value: "curl/8" } }));
    expect(request.headers["x-viewer-address"]).toEqual({ value: "198.51.100.7" });
    expect(request.headers.host).toEqual({ value: "d111.cloudfront.net" });
    expect(request.headers["user-agent"]).toEqual({ value: "curl/8" });
    expect(request.uri).toBe("/api/hello");
  });

  test("overwrites a forged header the viewer sent, including repeated values", () => {
    const forged = { value: "10.0.0.1", multiValue: [{ value: "10.0.0.1" }, { value: "203.0.113.66" }] };
    const request = runHandler(code, viewerRequest("2001:db8::42", { "x-viewer-address": forged, "x-forwarded-for": { value: "10.0.0.1" } }));
    expect(request.headers["x-viewer-address"]).toEqual({ value: "2001:db8::42" });
    // X-Forwarded-For is not the function's business: the ALB appends to it, nginx no longer reads it on that path.
    expect(request.headers["x-forwarded-for"]).toEqual({ value: "10.0.0.1" });
  });

  test("is a small handler in the 2.0 runtime, keyed by the lower-cased shared header name", () => {
    expect(VIEWER_ADDRESS_HEADER).toBe("X-Viewer-Address");
    expect(VIEWER_ADDRESS_FUNCTION_RUNTIME).toBe("cloudfront-js-2.0");
    expect(code).toMatch(/^function handler\(event\) \{/);
    expect(code).toContain(`request.headers["x-viewer-address"] = { value: event.viewer.ip };`);
    // CloudFront Functions cap code at 10 KB; this stays far below.
    expect(Buffer.byteLength(code)).toBeLessThan(1024);
  });

  test("another header name is written lower-cased; a name that is not a header name is refused", () => {
    const request = runHandler(viewerAddressFunctionCode("True-Client-IP"), viewerRequest("192.0.2.1", {}));
    expect(request.headers["true-client-ip"]).toEqual({ value: "192.0.2.1" });
    expect(() => viewerAddressFunctionCode('x"] = 1; //')).toThrow('viewer address header "x\\"] = 1; //" is not an HTTP header name');
  });
});
