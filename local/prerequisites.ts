import { accessSync, constants } from "node:fs";
import * as path from "node:path";
import { privateNginxDir } from "./processes/nginx";

/**
 * The servers the local data plane runs, where they are, and what provides each: Debian packages,
 * except nginx >= 1.27.3 (resolving upstreams), which scripts/setup-nginx.sh unpacks into a private folder.
 */
export const REQUIRED_BINARIES = [
  { name: "nginx", dirs: [path.join(privateNginxDir(), "bin")], debianPackage: undefined },
  { name: "redis-server", dirs: ["/usr/bin", "/usr/local/bin", "/usr/sbin"], debianPackage: "redis-server" },
  { name: "dnsmasq", dirs: ["/usr/sbin", "/usr/local/sbin", "/usr/bin"], debianPackage: "dnsmasq-base" },
  { name: "haproxy", dirs: ["/usr/sbin", "/usr/local/sbin", "/usr/bin"], debianPackage: "haproxy" },
] as const;

export type BinaryName = (typeof REQUIRED_BINARIES)[number]["name"];

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Absolute path of an executable: the usual Debian locations first (nginx lives in /usr/sbin,
 * which is often not on a normal user's PATH), then PATH. undefined when nowhere.
 */
export function locateBinary(name: string, dirs: readonly string[], envPath = process.env.PATH ?? "", exists: (file: string) => boolean = isExecutable): string | undefined {
  const candidates = [...dirs, ...envPath.split(path.delimiter).filter((d) => d !== "")];
  for (const dir of candidates) {
    const file = path.join(dir, name);
    if (exists(file)) return file;
  }
  return undefined;
}

export class MissingPrerequisiteError extends Error {
  /** `privateStep`: how to get a tool that is no Debian package (default: the private nginx). */
  constructor(
    readonly missing: { name: string; debianPackage: string | undefined }[],
    privateStep = `nginx >= 1.27.3 (private folder ${privateNginxDir()}): bash scripts/setup-nginx.sh`,
  ) {
    const names = missing.map((m) => m.name).join(" and ");
    const packages = missing.flatMap((m) => (m.debianPackage === undefined ? [] : [m.debianPackage]));
    const steps = [
      ...(packages.length > 0 ? [`Debian's packages: sudo apt-get install -y ${packages.join(" ")}`] : []),
      ...(missing.some((m) => m.debianPackage === undefined) ? [privateStep] : []),
    ];
    super(`${names} not found (looked in the usual locations and on PATH). Install:\n  ${steps.join("\n  ")}\nor run the one-time set-up:\n  bash scripts/setup.sh`);
    this.name = "MissingPrerequisiteError";
  }
}

/** Paths of the servers, or a MissingPrerequisiteError naming what to install. */
export function checkPrerequisites(envPath = process.env.PATH ?? "", exists: (file: string) => boolean = isExecutable): Record<BinaryName, string> {
  const found: Partial<Record<BinaryName, string>> = {};
  const missing: { name: string; debianPackage: string | undefined }[] = [];
  for (const b of REQUIRED_BINARIES) {
    const at = locateBinary(b.name, b.dirs, envPath, exists);
    if (at === undefined) missing.push({ name: b.name, debianPackage: b.debianPackage });
    else found[b.name] = at;
  }
  if (missing.length > 0) throw new MissingPrerequisiteError(missing);
  return found as Record<BinaryName, string>;
}
