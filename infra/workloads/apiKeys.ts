import { createHash } from "node:crypto";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { API_KEY_HASHES_KEY, API_KEYS_SECRET_NAME, appLabels } from "./app";

export interface ApiKeysArgs {
  /** One key per name (see the apiKeyNames stack key). */
  names: string[];
  namespace: pulumi.Input<string>;
}

/** The digest the app compares against (app/src/apiKeys.ts hashApiKey): SHA-256, hex. */
export const sha256Hex = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

/**
 * API keys the stack generates: a random 40-character alphanumeric key per name (a RandomPassword,
 * so it stays stable across deploys) and the Secret `app-api-keys` holding only their SHA-256
 * digests (API_KEY_HASHES), which the app reads. The keys themselves leave only as the secret
 * output `keys` (name → key).
 */
export class ApiKeys extends pulumi.ComponentResource {
  public readonly keys: pulumi.Output<Record<string, string>>;
  public readonly secretName: pulumi.Output<string>;

  constructor(name: string, args: ApiKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:workloads:ApiKeys", name, {}, opts);
    const generated = args.names.map((keyName) => ({
      keyName,
      password: new random.RandomPassword(`${name}-${keyName}`, { length: 40, special: false }, { parent: this }),
    }));
    const keys = pulumi.all(generated.map((g) => g.password.result)).apply((values) => Object.fromEntries(values.map((v, i) => [generated[i]!.keyName, v])));
    const hashes = pulumi.all(generated.map((g) => g.password.result)).apply((values) => values.map(sha256Hex).join(","));
    const secret = new kubernetes.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: API_KEYS_SECRET_NAME, namespace: args.namespace, labels: { ...appLabels } },
        type: "Opaque",
        stringData: { [API_KEY_HASHES_KEY]: pulumi.secret(hashes) },
      },
      { parent: this },
    );
    this.keys = pulumi.secret(keys);
    this.secretName = secret.metadata.name;
    this.registerOutputs({ keys: this.keys, secretName: this.secretName });
  }
}
