/** Structured text a resource carries as a string (EKS add-on configurationValues, kubeconfig-style maps): JSON or YAML. */
import { parse as parseYaml } from "yaml";

/** The value a JSON or YAML document holds, or undefined when it is neither (or empty). JSON is a subset of YAML 1.2. */
export function parseStructured(text: unknown): unknown {
  if (typeof text !== "string" || text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    try {
      return parseYaml(text);
    } catch {
      return undefined;
    }
  }
}

/** A boolean setting written as true/"true" (any case), in JSON or YAML. */
export const isTrueSetting = (v: unknown) => v === true || (typeof v === "string" && v.trim().toLowerCase() === "true");
