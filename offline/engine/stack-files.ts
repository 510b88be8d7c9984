import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The root of the Pulumi project (where Pulumi.yaml lives). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export interface StackFiles {
  project: string;
  /** Absolute path of the program's entry file. */
  main: string;
  /** Config as Pulumi hands it to a program: fully qualified key → string. */
  config: Record<string, string>;
  /** Keys whose values are `secure:` in the stack file. */
  secretKeys: string[];
  /** True when real (decrypted) secret values were supplied instead of stand-ins. */
  realSecrets: boolean;
}

/**
 * The stand-in for a `secure:` value offline: derived from its ciphertext (public in the stack file), so a
 * rotated secret (new ciphertext) gets a new stand-in and the plan diff shows it changed, never what it is.
 */
export function secureStandIn(key: string, ciphertext: string): string {
  return `offline-secret:${key}:${createHash("sha256").update(ciphertext).digest("hex").slice(0, 16)}`;
}

/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI presents them to a program: every value
 * a string (structured values as JSON), keys namespaced, `secure:` values replaced by a stand-in
 * (offline there is no secrets provider to decrypt them; `secureStandIn`) and reported as secret.
 * `secretValues` (fully qualified key → plaintext, as `pulumi config --show-secrets --json` gives them
 * in a credentialed job) replaces the stand-ins with the real values.
 */
/**
 * Config as `pulumi config --show-secrets --json` lists it in a credentialed job: every value the CLI
 * hands the program, including those from Pulumi ESC environments the stack file imports (absent from
 * the stack file), each with whether it is secret.
 */
export type CliConfig = Record<string, { value: string; secret: boolean }>;

export function readStackFiles(
  stack: string,
  options: { root?: string; stackFile?: string; secretValues?: Record<string, string>; cliConfig?: CliConfig } = {},
): StackFiles {
  const root = options.root ?? PROJECT_ROOT;
  const projectFile = path.join(root, "Pulumi.yaml");
  const project = readYaml(projectFile) as { name?: string; main?: string };
  if (!project || typeof project.name !== "string") throw new Error(`${projectFile}: has no project name`);

  const stackFile = options.stackFile ?? path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    throw new Error(`no stack file for stack ${JSON.stringify(stack)}: ${stackFile} does not exist`);
  }
  const stackDoc = (readYaml(stackFile) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(stackDoc.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    if (isSecure(value)) {
      const real = options.secretValues?.[key] ?? options.cliConfig?.[key]?.value;
      config[key] = real ?? secureStandIn(key, value.secure);
      secretKeys.push(key);
    } else if (typeof value === "string") {
      config[key] = value;
    } else {
      config[key] = JSON.stringify(value);
    }
  }
  // Values the stack file does not hold (an ESC environment's): as the CLI hands them, secret ones kept secret.
  for (const [key, entry] of Object.entries(options.cliConfig ?? {})) {
    if (key in config) continue;
    config[key] = entry.value;
    if (entry.secret) secretKeys.push(key);
  }
  const main = path.resolve(root, project.main ?? "index.ts");
  const realSecrets = secretKeys.some((k) => options.secretValues?.[k] !== undefined || options.cliConfig?.[k]?.secret === true);
  return { project: project.name, main: fs.existsSync(main) && fs.statSync(main).isDirectory() ? path.join(main, "index.ts") : main, config, secretKeys, realSecrets };
}

function isSecure(value: unknown): value is { secure: string } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function readYaml(file: string): unknown {
  try {
    return parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}
