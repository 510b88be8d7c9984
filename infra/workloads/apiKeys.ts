import { createHash } from "node:crypto";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { API_KEY_HASHES_KEY, API_KEYS_SECRET_NAME, appLabels } from "./app";

export interface ApiKeysArgs {
  /** One key per name (see the apiKeyNames stack key). */
  names: string[];
  namespace: pulumi.Input<string>;
  /** Key generation per name (apiKeyGenerations); absent: 1. A new generation is a new key. */
  generations?: Record<string, number>;
  /** Names whose previous generation stays valid (apiKeyAcceptPrevious): the rotation's first step. */
  acceptPrevious?: string[];
}

/** The RandomPassword of one key generation (generation 1 keeps the name keys always had). */
export const apiKeyResourceName = (component: string, keyName: string, generation: number) =>
  generation <= 1 ? `${component}-${keyName}` : `${component}-${keyName}-g${generation}`;

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
  /** The Secret's data (digests of every accepted key) — secret; feeds the pods' config digest. */
  public readonly hashes: pulumi.Output<string>;

  constructor(name: string, args: ApiKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:workloads:ApiKeys", name, {}, opts);
    // Rotation in two steps, no moment where a key in use is refused: (1) a new generation while the
    // previous one is still accepted — both digests in the Secret, pods roll (content digest), hand
    // out the new key; (2) stop accepting the previous one — its digest and password go, pods roll.
    const password = (keyName: string, generation: number) =>
      new random.RandomPassword(apiKeyResourceName(name, keyName, generation), { length: 40, special: false }, { parent: this });
    const generated = args.names.map((keyName) => {
      const generation = args.generations?.[keyName] ?? 1;
      const previous = generation > 1 && (args.acceptPrevious ?? []).includes(keyName) ? password(keyName, generation - 1) : undefined;
      return { keyName, password: password(keyName, generation), previous };
    });
    const keys = pulumi.all(generated.map((g) => g.password.result)).apply((values) => Object.fromEntries(values.map((v, i) => [generated[i]!.keyName, v])));
    const accepted = generated.flatMap((g) => (g.previous ? [g.password.result, g.previous.result] : [g.password.result]));
    const hashes = pulumi.all(accepted).apply((values) => values.map(sha256Hex).join(","));
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
    this.hashes = pulumi.secret(hashes);
    this.secretName = secret.metadata.name;
    this.registerOutputs({ keys: this.keys, secretName: this.secretName });
  }
}
