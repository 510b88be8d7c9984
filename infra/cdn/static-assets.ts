import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { readStaticAssets, STATIC_CACHE_CONTROL, type StaticAsset } from "@edgestack/contract";

/** The directory the app image ships and the stack uploads: one source for both. */
export const STATIC_SOURCE_DIR = path.resolve(__dirname, "..", "..", "app", "static");

/** The object of one asset: key, type and cache headers exactly as the app serves it. */
export function staticObjectArgs(asset: StaticAsset): { key: string; contentType: string; cacheControl: string } {
  return { key: asset.key, contentType: asset.contentType, cacheControl: STATIC_CACHE_CONTROL };
}

export interface StaticAssetsArgs {
  bucketName: pulumi.Input<string>;
  /** Defaults to app/static. */
  sourceDir?: string;
}

/**
 * app/static uploaded to the static bucket as one Pulumi object per file, under the content-hashed
 * names the app serves: part of the plan (reviewable, diffed, in the same `pulumi up` as the
 * distribution) rather than a deploy step outside it. A changed file is a new key, never an
 * overwrite; the previous object is retained on delete so pages still cached with the old name
 * keep loading it.
 */
export class StaticAssets extends pulumi.ComponentResource {
  public readonly keys: string[];

  constructor(name: string, args: StaticAssetsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:cdn:StaticAssets", name, {}, opts);
    const assets = readStaticAssets(args.sourceDir ?? STATIC_SOURCE_DIR);
    for (const asset of assets) {
      const o = staticObjectArgs(asset);
      new aws.s3.BucketObjectv2(
        `${name}-${asset.name}`,
        {
          bucket: args.bucketName,
          key: o.key,
          source: new pulumi.asset.FileAsset(path.join(args.sourceDir ?? STATIC_SOURCE_DIR, asset.file)),
          contentType: o.contentType,
          cacheControl: o.cacheControl,
          checksumAlgorithm: "SHA256",
        },
        { parent: this, retainOnDelete: true },
      );
    }
    this.keys = assets.map((a) => a.key);
    this.registerOutputs({ keys: this.keys });
  }
}
