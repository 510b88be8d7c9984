/**
 * The cluster nginx.conf on this machine: its ALB listener reads the certificate and key from the
 * mounted Secret (NGINX_ALB_TLS_DIR); tests put a throw-away pair (local/processes/tls.ts) in a
 * directory of their own and point the file there. Clients trust `caFile` for 127.0.0.1/localhost.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { NGINX_ALB_TLS_DIR } from "../../infra/nginx/build";
import { makeTestCertificates } from "../../local/processes/tls";

export function withTestAlbCertificate(conf: string, dir: string): { conf: string; caFile: string } {
  if (!conf.includes(`${NGINX_ALB_TLS_DIR}/`)) throw new Error(`the nginx.conf reads no certificate from ${NGINX_ALB_TLS_DIR}`);
  const tlsDir = path.join(dir, "alb-tls");
  mkdirSync(tlsDir, { recursive: true });
  const certs = makeTestCertificates(tlsDir);
  copyFileSync(certs.certFile, path.join(tlsDir, "tls.crt"));
  copyFileSync(certs.keyFile, path.join(tlsDir, "tls.key"));
  return { conf: conf.replaceAll(`${NGINX_ALB_TLS_DIR}/`, `${tlsDir}/`), caFile: certs.caFile };
}
