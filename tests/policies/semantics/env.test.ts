import { expandReferences, hasSecretEnvSource, resolvedEnv } from "../../../policies/semantics/env";

const configMaps = (namespace: string, name: string) => (namespace === "edge" && name === "settings" ? { A: "from-map", B: "2" } : namespace === "edge" && name === "more" ? { A: "later-map" } : undefined);

describe("resolvedEnv", () => {
  it("takes the last entry of a name, as the kubelet does", () => {
    const env = resolvedEnv({ env: [{ name: "A", value: "1" }, { name: "A", value: "2" }] }, "edge", configMaps);
    expect(env.get("A")).toEqual({ value: "2", from: "literal" });
  });
  it("reads envFrom ConfigMaps in order, with their prefix, and lets env override them", () => {
    const env = resolvedEnv({ envFrom: [{ configMapRef: { name: "settings" } }, { configMapRef: { name: "more" } }, { prefix: "X_", configMapRef: { name: "settings" } }], env: [{ name: "B", value: "literal" }] }, "edge", configMaps);
    expect(env.get("A")).toEqual({ value: "later-map", from: "configMap" });
    expect(env.get("X_A")).toEqual({ value: "from-map", from: "configMap" });
    expect(env.get("B")).toEqual({ value: "literal", from: "literal" });
  });
  it("resolves a configMapKeyRef from the plan, and leaves what only the run knows unknown", () => {
    const env = resolvedEnv(
      {
        env: [
          { name: "A", valueFrom: { configMapKeyRef: { name: "settings", key: "A" } } },
          { name: "S", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
          { name: "F", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "M", valueFrom: { configMapKeyRef: { name: "elsewhere", key: "A" } } },
        ],
      },
      "edge",
      configMaps,
    );
    expect(env.get("A")).toEqual({ value: "from-map", from: "configMap" });
    for (const k of ["S", "F", "M"]) expect(env.get(k)).toEqual({ from: "runtime" });
  });
  it("looks ConfigMaps up in the pod's own namespace only", () => {
    expect(resolvedEnv({ envFrom: [{ configMapRef: { name: "settings" } }] }, "other", configMaps).size).toBe(0);
  });
  it("tells when a Secret may define any variable", () => {
    expect(hasSecretEnvSource({ envFrom: [{ secretRef: { name: "s" } }] })).toBe(true);
    expect(hasSecretEnvSource({ envFrom: [{ configMapRef: { name: "c" } }] })).toBe(false);
    expect(hasSecretEnvSource({})).toBe(false);
  });
});

describe("$(VAR) expansion", () => {
  it("expands references to variables defined before, as the kubelet does", () => {
    const env = resolvedEnv({ env: [{ name: "EXTRA", value: "0.0.0.0/0" }, { name: "TRUST", value: "10.0.0.0/8,$(EXTRA)" }, { name: "LATER", value: "$(AFTER)" }, { name: "AFTER", value: "x" }] }, "edge", configMaps);
    expect(env.get("TRUST")).toEqual({ value: "10.0.0.0/8,0.0.0.0/0", from: "literal" });
    // A reference to a variable defined later stays as written.
    expect(env.get("LATER")).toEqual({ value: "$(AFTER)", from: "literal" });
  });
  it("marks a value built from a ConfigMap's, and leaves one built from a Secret unknown", () => {
    const env = resolvedEnv({ envFrom: [{ configMapRef: { name: "settings" } }], env: [{ name: "S", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }, { name: "X", value: "$(A)" }, { name: "Y", value: "$(S)" }] }, "edge", configMaps);
    expect(env.get("X")).toEqual({ value: "from-map", from: "configMap" });
    expect(env.get("Y")).toEqual({ from: "runtime" });
  });
  it("keeps $$ as an escaped $", () => {
    expect(expandReferences("$$(A)", new Map([["A", { value: "1", from: "literal" as const }]]))).toEqual({ value: "$(A)", fromConfigMap: false });
  });
});

