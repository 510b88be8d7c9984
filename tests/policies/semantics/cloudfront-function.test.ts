import { headersAlwaysSetFromViewer } from "../../../policies/semantics/cloudfront-function";
import { viewerAddressFunctionCode } from "../../../infra/cdn/viewer-address";

const fn = (body: string) => `function handler(event) {\n  var request = event.request;\n${body}\n  return request;\n}\n`;

describe("CloudFront Function headers set from the viewer's address on every request", () => {
  it("reads the stack's own viewer-address function as setting its header", () => {
    expect(headersAlwaysSetFromViewer(viewerAddressFunctionCode("X-Viewer-Address"))).toEqual(["x-viewer-address"]);
  });
  it("accepts other spellings of the same unconditional overwrite", () => {
    expect(headersAlwaysSetFromViewer("function handler(event) {\n  const request = event.request;\n  request.headers['x-viewer-address'] = { value: event.viewer.ip };\n  return request;\n}")).toEqual(["x-viewer-address"]);
    expect(headersAlwaysSetFromViewer("function handler(e) { var h = e.request.headers; var ip = e.viewer.ip; h['x-viewer-address'] = { value: ip }; return e.request; }")).toEqual(["x-viewer-address"]);
    expect(headersAlwaysSetFromViewer("var handler = function (event) { event.request.headers['x-viewer-address'] = { 'value': event.viewer.ip }; return event.request; };")).toEqual(["x-viewer-address"]);
  });
  it("does not count an overwrite under a condition", () => {
    expect(headersAlwaysSetFromViewer(fn('  if (request.method === "GET") {\n    request.headers["x-viewer-address"] = { value: event.viewer.ip };\n  }'))).toEqual([]);
    expect(headersAlwaysSetFromViewer(fn('  if (!request.headers["x-viewer-address"]) request.headers["x-viewer-address"] = { value: event.viewer.ip };'))).toEqual([]);
  });
  it("counts an overwrite in a try block only when nothing before it there may throw", () => {
    expect(headersAlwaysSetFromViewer(fn('  try { request.headers["x-viewer-address"] = { value: event.viewer.ip }; } catch (e) {}'))).toEqual(["x-viewer-address"]);
    expect(headersAlwaysSetFromViewer(fn('  try { var cc = request.querystring.cc.value; request.headers["x-viewer-address"] = { value: event.viewer.ip }; } catch (e) {}'))).toEqual([]);
    expect(headersAlwaysSetFromViewer(fn('  try { request.headers["x-viewer-address"] = { value: event.viewer.ip }; } catch (e) {}\n  try { JSON.parse(request.uri); } catch (e) { delete request.headers["x-viewer-address"]; }'))).toEqual([]);
    expect(headersAlwaysSetFromViewer(fn('  try { JSON.parse(request.uri); } finally { request.headers["x-viewer-address"] = { value: event.viewer.ip }; }'))).toEqual(["x-viewer-address"]);
  });
  it("does not count an overwrite after a statement that may return", () => {
    expect(headersAlwaysSetFromViewer(fn('  if (request.uri.startsWith("/api/")) return request;\n  request.headers["x-viewer-address"] = { value: event.viewer.ip };'))).toEqual([]);
  });
  it("does not count an overwrite undone later, or a value other than the viewer's address", () => {
    expect(headersAlwaysSetFromViewer(fn('  request.headers["x-viewer-address"] = { value: event.viewer.ip };\n  if (request.headers["true-client-ip"]) request.headers["x-viewer-address"] = request.headers["true-client-ip"];'))).toEqual([]);
    expect(headersAlwaysSetFromViewer(fn('  request.headers["x-viewer-address"] = { value: event.viewer.ip };\n  delete request.headers["x-viewer-address"];'))).toEqual([]);
    expect(headersAlwaysSetFromViewer(fn('  request.headers["x-viewer-address"] = request.headers["x-viewer-address"] || { value: event.viewer.ip };'))).toEqual([]);
    expect(headersAlwaysSetFromViewer(fn('  request.headers["x-viewer-address"] = { value: event.viewer.ip, multiValue: [{ value: "1.2.3.4" }] };'))).toEqual([]);
  });
  it("shows nothing set by code that does not parse or has no handler", () => {
    expect(headersAlwaysSetFromViewer("function handler(event) { request.headers[")).toBeUndefined();
    expect(headersAlwaysSetFromViewer("function other(event) { event.request.headers['x-viewer-address'] = { value: event.viewer.ip }; }")).toBeUndefined();
  });
});
