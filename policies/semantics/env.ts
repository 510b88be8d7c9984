/**
 * A container's environment as the kubelet builds it: every `envFrom` source in order (a ConfigMap's keys, with the
 * source's prefix; a later source overrides an earlier one), then every `env` entry in order (a later entry of the
 * same name overrides an earlier one, and `env` overrides `envFrom`). A `valueFrom.configMapKeyRef` takes the key
 * of the named ConfigMap when the plan declares it; Secrets, field and resource references, and ConfigMaps outside
 * the plan are unknown (their value is decided at run time).
 */
export interface EnvValue {
  /** The value, undefined when only known at run time. */
  value?: string;
  /** Where it comes from: a literal, a ConfigMap of the plan, or something only known at run time. */
  from: "literal" | "configMap" | "runtime";
}

type EnvEntry = { name?: unknown; value?: unknown; valueFrom?: { configMapKeyRef?: { name?: unknown; key?: unknown } } & Record<string, unknown> };
type EnvFromSource = { prefix?: unknown; configMapRef?: { name?: unknown }; secretRef?: { name?: unknown } };

/** ConfigMaps of the plan by namespace and name: their data, or undefined when unknown (preview). */
export type ConfigMapLookup = (namespace: string, name: string) => Record<string, unknown> | undefined;

export function resolvedEnv(container: { env?: unknown; envFrom?: unknown } | undefined, namespace: string, configMaps: ConfigMapLookup): Map<string, EnvValue> {
  const out = new Map<string, EnvValue>();
  const literal = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);
  for (const src of Array.isArray(container?.envFrom) ? (container!.envFrom as EnvFromSource[]) : []) {
    const prefix = typeof src?.prefix === "string" ? src.prefix : "";
    const cmName = src?.configMapRef?.name;
    if (typeof cmName === "string") {
      const data = configMaps(namespace, cmName);
      for (const [k, v] of Object.entries(data ?? {})) out.set(prefix + k, { value: literal(v), from: literal(v) === undefined ? "runtime" : "configMap" });
    }
    // A Secret's keys are unknown here: any name may come from it, and a later `env` entry still overrides it.
  }
  for (const e of Array.isArray(container?.env) ? (container!.env as EnvEntry[]) : []) {
    if (typeof e?.name !== "string") continue;
    const ref = e.valueFrom?.configMapKeyRef;
    if (e.valueFrom === undefined) {
      const expanded = expandReferences(literal(e.value) ?? "", out);
      out.set(e.name, expanded === undefined ? { from: "runtime" } : { value: expanded.value, from: expanded.fromConfigMap ? "configMap" : "literal" });
    }
    else if (ref && typeof ref.name === "string" && typeof ref.key === "string") {
      const v = literal(configMaps(namespace, ref.name)?.[ref.key]);
      out.set(e.name, v === undefined ? { from: "runtime" } : { value: v, from: "configMap" });
    } else out.set(e.name, { from: "runtime" });
  }
  return out;
}

/**
 * The kubelet's expansion of `$(NAME)` in an env value: a variable defined before it (envFrom or an earlier entry)
 * is replaced by its value, `$$` escapes a `$`, and a reference to an undefined variable stays as written. Undefined
 * when a referenced variable's value is only known at run time (a Secret, a field).
 */
export function expandReferences(value: string, defined: ReadonlyMap<string, EnvValue>): { value: string; fromConfigMap: boolean } | undefined {
  let unknown = false;
  let fromConfigMap = false;
  const out = value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === "$$") return "$";
    const v = defined.get(name!);
    if (v === undefined) return whole;
    if (v.value === undefined) unknown = true;
    if (v.from === "configMap") fromConfigMap = true;
    return v.value ?? "";
  });
  return unknown ? undefined : { value: out, fromConfigMap };
}

/** True when some envFrom source of the container is a Secret (its keys, unknown here, may define any variable). */
export function hasSecretEnvSource(container: { envFrom?: unknown } | undefined): boolean {
  return Array.isArray(container?.envFrom) && (container!.envFrom as EnvFromSource[]).some((s) => s?.secretRef !== undefined);
}
