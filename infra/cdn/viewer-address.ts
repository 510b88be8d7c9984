import { HEADERS } from "@edgestack/contract";

/**
 * The viewer's address, stated by CloudFront to the origin. Behind CloudFront the ALB appends the
 * CloudFront edge's address to X-Forwarded-For, so the peer-derived address nginx would establish is
 * the edge's. A viewer-request CloudFront Function writes `event.viewer.ip` (the address CloudFront
 * accepted the connection from) into this header on every behavior that reaches the ALB, replacing
 * anything the viewer sent under that name; nginx's ALB listener reads the client address from it.
 */

/** Request header carrying the viewer's address from CloudFront to nginx (HTTP header names are case-insensitive). */
export const VIEWER_ADDRESS_HEADER = HEADERS.viewerAddress;

/** CloudFront Functions runtime: 2.0 is the current one (ES 2020-level JavaScript). */
export const VIEWER_ADDRESS_FUNCTION_RUNTIME = "cloudfront-js-2.0";

/**
 * The function's source. CloudFront Functions see header names in lower case and keep each header as
 * `{ value, multiValue? }`; assigning a fresh object drops every value the viewer sent under that
 * name (a forged header, even repeated, cannot survive).
 */
export function viewerAddressFunctionCode(header: string = VIEWER_ADDRESS_HEADER): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/.test(header)) {
    throw new Error(`viewer address header ${JSON.stringify(header)} is not an HTTP header name (letters, digits, -)`);
  }
  const key = JSON.stringify(header.toLowerCase());
  return [
    "function handler(event) {",
    "  var request = event.request;",
    "  // Overwrite, never append: only CloudFront may state the viewer's address.",
    `  request.headers[${key}] = { value: event.viewer.ip };`,
    "  return request;",
    "}",
    "",
  ].join("\n");
}
