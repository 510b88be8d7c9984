import { homedir } from "node:os";
import * as path from "node:path";
import { locateBinary, MissingPrerequisiteError } from "../prerequisites";

/**
 * The observability tools the local data plane (`--observe`) and the rule tests run: Debian's
 * packages (pinned by scripts/setup.sh) and sloth, built from the Go module proxy into the cache.
 */

/** sloth's version (scripts/setup.sh builds exactly this one). */
export const SLOTH_VERSION = "0.16.0";

const cacheDir = () => process.env.EDGESTACK_CACHE ?? path.join(homedir(), ".cache", "edgestack");

/** Where scripts/setup.sh puts sloth: outside the checkout, by version. */
export function slothPath(): string {
  return path.join(cacheDir(), `sloth-${SLOTH_VERSION}`, "bin", "sloth");
}

/** Where scripts/setup-observability.sh unpacks Debian's pinned packages (looked in before the system's). */
export function prometheusToolsDir(): string {
  return path.join(cacheDir(), "prometheus-tools", "usr", "bin");
}

/** The tools by the names Debian installs them under. */
export const OBSERVABILITY_BINARIES = [
  { name: "promtool", debianPackage: "prometheus" },
  { name: "prometheus", debianPackage: "prometheus" },
  { name: "prometheus-alertmanager", debianPackage: "prometheus-alertmanager" },
  { name: "amtool", debianPackage: "prometheus-alertmanager" },
  { name: "prometheus-nginx-exporter", debianPackage: "prometheus-nginx-exporter" },
] as const;

export type ObservabilityBinary = (typeof OBSERVABILITY_BINARIES)[number]["name"] | "sloth";

/** The absolute path of a tool, or a MissingPrerequisiteError naming the package and `bash scripts/setup.sh`. */
export function observabilityTool(name: ObservabilityBinary): string {
  if (name === "sloth") {
    const found = locateBinary("sloth", [path.dirname(slothPath())], "");
    if (found === undefined) throw new MissingPrerequisiteError([{ name: `sloth ${SLOTH_VERSION} (${slothPath()})`, debianPackage: undefined }], "sloth is built from the Go module proxy by scripts/setup.sh");
    return found;
  }
  const entry = OBSERVABILITY_BINARIES.find((b) => b.name === name)!;
  const found = locateBinary(name, [prometheusToolsDir(), "/usr/bin", "/usr/local/bin", "/usr/sbin"], "");
  if (found === undefined) throw new MissingPrerequisiteError([{ name, debianPackage: entry.debianPackage }], "bash scripts/setup-observability.sh (pinned, into the cache)");
  return found;
}
