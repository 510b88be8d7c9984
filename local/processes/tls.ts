import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";

export interface TestCertificates {
  /** The private CA's certificate (PEM): what a client must trust, e.g. via NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** A server certificate for 127.0.0.1 and localhost, signed by that CA, and its key. */
  certFile: string;
  keyFile: string;
}

/**
 * A throw-away CA and a loopback server certificate in `dir`, made with the openssl CLI (Node has
 * no API to issue certificates). Valid for two days; for tests of TLS servers only.
 */
export function makeTestCertificates(dir: string): TestCertificates {
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => {
    try {
      execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
      if (e.code === "ENOENT") throw new Error("openssl not found: install the Debian package openssl (bash scripts/setup.sh does)", { cause: err });
      throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`, { cause: err });
    }
  };
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=edgestack test CA", "-keyout", file("ca.key"), "-out", file("ca.crt")]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", file("server.key"), "-out", file("server.csr")]);
  // Clients check the address they dialled against the subjectAltName, not the CN.
  writeFileSync(file("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl([
    "x509", "-req", "-days", "2", "-in", file("server.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial",
    "-extfile", file("server.ext"), "-out", file("server.crt"),
  ]);
  return { caFile: file("ca.crt"), certFile: file("server.crt"), keyFile: file("server.key") };
}
