import { accessSync, constants } from "node:fs";
import * as path from "node:path";

/** The servers the local data plane runs, where Debian puts them, and the package providing each. */
export const REQUIRED_BINARIES = [
  { name: "nginx", dirs: ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/usr/bin"], debianPackage: "nginx-light" },
  { name: "redis-server", dirs: ["/usr/bin", "/usr/local/bin", "/usr/sbin"], debianPackage: "redis-server" },
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
  constructor(readonly missing: { name: string; debianPackage: string }[]) {
    const names = missing.map((m) => m.name).join(" and ");
    const packages = missing.map((m) => m.debianPackage).join(" ");
    super(
      `${names} not found (looked in the usual Debian locations and on PATH). The local data plane runs ` +
        `Debian's packages; install them with:\n  sudo apt-get install -y ${packages}\n` +
        `or run the one-time set-up:\n  bash tools/setup.sh`,
    );
    this.name = "MissingPrerequisiteError";
  }
}

/** Paths of nginx and redis-server, or a MissingPrerequisiteError naming the Debian packages to install. */
export function checkPrerequisites(envPath = process.env.PATH ?? "", exists: (file: string) => boolean = isExecutable): Record<BinaryName, string> {
  const found: Partial<Record<BinaryName, string>> = {};
  const missing: { name: string; debianPackage: string }[] = [];
  for (const b of REQUIRED_BINARIES) {
    const at = locateBinary(b.name, b.dirs, envPath, exists);
    if (at === undefined) missing.push({ name: b.name, debianPackage: b.debianPackage });
    else found[b.name] = at;
  }
  if (missing.length > 0) throw new MissingPrerequisiteError(missing);
  return found as Record<BinaryName, string>;
}
