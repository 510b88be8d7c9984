/**
 * Reads a resource registration's inputs (the `google.protobuf.Struct` the SDK sends the engine)
 * keeping secretness where the program put it. The SDK's own `deserializeProperties` hoists a
 * nested secret to its whole top-level property (it returns plain values, not Outputs), so
 * `origins[0].customHeaders[0].value` would mask every origin; the engine keeps leaf secrets, and
 * so do the plan, the diff and the policy inputs built from this.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc");

const SIG_KEY: string = rpc.specialSigKey;
const SECRET_SIG: string = rpc.specialSecretSig;
const OUTPUT_SIG: string = rpc.specialOutputValueSig;
/** The wire form of a value unknown until deployment; kept as is (the plan prints it "[unknown]"). */
export const UNKNOWN_VALUE: string = rpc.unknownValue;

export interface DeserializedInputs {
  /** Plain values, object keys sorted; secrets unwrapped. */
  inputs: Record<string, unknown>;
  /** Paths (`a.b[0].c`) of the values that were secret; an inner secret of a secret is not listed. */
  secretPaths: string[];
}

const join = (path: string, key: string | number) => (typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key);

function walk(value: unknown, path: string, secretPaths: string[], inSecret: boolean): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => walk(v, join(path, i), secretPaths, inSecret));
  const record = value as Record<string, unknown>;
  const sig = record[SIG_KEY];
  if (sig === SECRET_SIG || (sig === OUTPUT_SIG && record.secret === true)) {
    if (!inSecret) secretPaths.push(path);
    return "value" in record ? walk(record.value, path, secretPaths, true) : UNKNOWN_VALUE;
  }
  if (sig === OUTPUT_SIG) return "value" in record ? walk(record.value, path, secretPaths, inSecret) : UNKNOWN_VALUE;
  // Assets, archives and resource references: the SDK's reading (they hold no nested secrets).
  if (sig !== undefined) return rpc.deserializeProperty(record, true);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) out[key] = walk(record[key], join(path, key), secretPaths, inSecret);
  }
  return out;
}

/** `struct` is what `RegisterResourceRequest.getObject()` returns (anything with `toJavaScript()`), or its plain form. */
export function deserializeInputs(struct: { toJavaScript(): Record<string, unknown> } | Record<string, unknown>): DeserializedInputs {
  const raw = typeof (struct as { toJavaScript?: unknown }).toJavaScript === "function" ? (struct as { toJavaScript(): Record<string, unknown> }).toJavaScript() : (struct as Record<string, unknown>);
  const secretPaths: string[] = [];
  const inputs = walk(raw, "", secretPaths, false) as Record<string, unknown>;
  return { inputs, secretPaths };
}
