import { createHmac } from "node:crypto";

/**
 * Pod-template annotations that make a Deployment roll when any Secret or ConfigMap its pods
 * consume changes: Kubernetes restarts nothing when only the referenced object's data changes
 * (env from a Secret is read once, at container start), so the template must change with it.
 *
 * The digest is an HMAC-SHA256 keyed with a random key the stack keeps secret, never a plain hash
 * of the values: the annotation is readable by anyone who can read the Deployment (and shows in
 * plans), and an unkeyed hash of a short secret can be brute-forced or compared across stacks.
 */
export const CONFIG_DIGEST_ANNOTATION = "edgestack.io/config-digest";
/** Which objects the digest covers (`secret/<name>`, `configmap/<name>`), so a reviewer can see it. */
export const CONFIG_SOURCES_ANNOTATION = "edgestack.io/config-sources";

export interface ConfigSource {
  kind: "secret" | "configmap";
  name: string;
  data: Record<string, string>;
}

export const sourceRef = (s: Pick<ConfigSource, "kind" | "name">) => `${s.kind}/${s.name}`;

/** HMAC-SHA256 (hex) of the sources' names and data in a canonical order, keyed with `key`. */
export function configDigest(key: string, sources: readonly ConfigSource[]): string {
  if (key.length < 16) throw new Error("config digest key must be at least 16 characters");
  const canonical = [...sources]
    .sort((a, b) => sourceRef(a).localeCompare(sourceRef(b)))
    .map((s) => [sourceRef(s), Object.entries(s.data).sort(([a], [b]) => a.localeCompare(b))]);
  return createHmac("sha256", key).update(JSON.stringify(canonical), "utf8").digest("hex");
}

/** The two annotations for a pod template. */
export function configAnnotations(key: string, sources: readonly ConfigSource[]): Record<string, string> {
  return {
    [CONFIG_DIGEST_ANNOTATION]: configDigest(key, sources),
    [CONFIG_SOURCES_ANNOTATION]: sources.map(sourceRef).sort().join(","),
  };
}

/**
 * The Secrets and ConfigMaps a pod spec consumes, as `secret/<name>` / `configmap/<name>`: env
 * valueFrom, envFrom and volumes (projected included), in every container and init container.
 */
export function consumedObjects(podSpec: {
  containers?: unknown[];
  initContainers?: unknown[];
  volumes?: unknown[];
}): string[] {
  const found = new Set<string>();
  type Ref = { name?: string } | undefined;
  const add = (kind: "secret" | "configmap", ref: Ref) => ref?.name && found.add(`${kind}/${ref.name}`);
  for (const c of [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])] as {
    env?: { valueFrom?: { secretKeyRef?: Ref; configMapKeyRef?: Ref } }[];
    envFrom?: { secretRef?: Ref; configMapRef?: Ref }[];
  }[]) {
    for (const e of c.env ?? []) {
      add("secret", e.valueFrom?.secretKeyRef);
      add("configmap", e.valueFrom?.configMapKeyRef);
    }
    for (const e of c.envFrom ?? []) {
      add("secret", e.secretRef);
      add("configmap", e.configMapRef);
    }
  }
  for (const v of (podSpec.volumes ?? []) as { secret?: { secretName?: string }; configMap?: Ref; projected?: { sources?: { secret?: Ref; configMap?: Ref }[] } }[]) {
    add("secret", v.secret?.secretName ? { name: v.secret.secretName } : undefined);
    add("configmap", v.configMap);
    for (const p of v.projected?.sources ?? []) {
      add("secret", p.secret);
      add("configmap", p.configMap);
    }
  }
  return [...found].sort();
}
