import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { locateBinary, MissingPrerequisiteError } from "../prerequisites";

/**
 * The observability tools the local data plane (`--observe`) and the rule tests run: Debian's
 * packages (pinned by scripts/setup.sh) and sloth's generator (scripts/sloth), built from the Go
 * module proxy into the cache.
 */

/** scripts/sloth: sloth's generator library behind `sloth generate`'s flags, pinned by its go.mod/go.sum. */
const SLOTH_SOURCE = path.resolve(__dirname, "../../scripts/sloth");
const SLOTH_SOURCE_FILES = ["go.mod", "go.sum", "main.go"] as const;

/** sloth's version, as scripts/sloth/go.mod pins it. */
export function slothVersion(): string {
  const version = /^\s*github\.com\/slok\/sloth v(\S+)/m.exec(readFileSync(path.join(SLOTH_SOURCE, "go.mod"), "utf8"))?.[1];
  if (version === undefined) throw new Error(`${path.join(SLOTH_SOURCE, "go.mod")} requires no github.com/slok/sloth version`);
  return version;
}

const cacheDir = () => process.env.EDGESTACK_CACHE ?? path.join(homedir(), ".cache", "edgestack");

/**
 * Where scripts/setup-observability.sh builds sloth's generator: outside the checkout, by sloth's
 * version and a hash of the generator's sources (so a changed pin or wrapper is rebuilt, never reused).
 */
export function slothPath(): string {
  const hash = createHash("sha256");
  for (const file of SLOTH_SOURCE_FILES) hash.update(readFileSync(path.join(SLOTH_SOURCE, file)));
  return path.join(cacheDir(), `sloth-generate-${slothVersion()}-${hash.digest("hex").slice(0, 12)}`, "bin", "sloth-generate");
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
    const found = locateBinary("sloth-generate", [path.dirname(slothPath())], "");
    if (found === undefined) {
      throw new MissingPrerequisiteError([{ name: `sloth ${slothVersion()}'s generator (${slothPath()})`, debianPackage: undefined }], "bash scripts/setup-observability.sh builds it from the Go module proxy");
    }
    return found;
  }
  const entry = OBSERVABILITY_BINARIES.find((b) => b.name === name)!;
  const found = locateBinary(name, [prometheusToolsDir(), "/usr/bin", "/usr/local/bin", "/usr/sbin"], "");
  if (found === undefined) throw new MissingPrerequisiteError([{ name, debianPackage: entry.debianPackage }], "bash scripts/setup-observability.sh (pinned, into the cache)");
  return found;
}
