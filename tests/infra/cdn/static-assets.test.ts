import { newVpcNginxModel } from "../../harness/nginx";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { readStaticAssets, STATIC_CACHE_CONTROL } from "@edgestack/contract";
import { cacheBehaviors } from "../../../infra/cdn/cache-rules";
import { parseStackConfig } from "../../../infra/config/schema";
import { readStackFiles } from "../../../offline/engine/stack-files";
import { input, ofType, one, runStack, StackRun } from "../../harness";

/** Dev plan: app/static uploaded to the CloudFront static bucket, one object per file. */
const STATIC_DIR = path.resolve(__dirname, "../../../app/static");
const OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev" });
});

const objects = () => ofType(run, OBJECT);
const bucket = () => one(run, "aws:s3/bucket:Bucket", "cdn-static-bucket");

test("one object per app/static file, in the bucket CloudFront's /static/* behavior reads", () => {
  const files = readdirSync(STATIC_DIR).filter((f) => !f.startsWith("."));
  expect(files.length).toBeGreaterThan(0);
  expect(objects()).toHaveLength(files.length);
  const bucketName = run.outputs.staticBucketName;
  expect(bucketName).toEqual(expect.any(String));
  for (const o of objects()) {
    expect(input(o, "bucket")).toBe(bucketName);
    expect(o.parent).toBe("cdn-assets");
  }
  expect(bucket().parent).toBe("cdn-static");
});

test("content-hashed keys under static/, the right Content-Type and immutable one-year caching", () => {
  const byFile = new Map(readStaticAssets(STATIC_DIR).map((a) => [a.key, a]));
  for (const o of objects()) {
    const key = input<string>(o, "key");
    expect(key).toMatch(/^static\/[\w.-]+\.[0-9a-f]{12}\.\w+$/);
    const asset = byFile.get(key);
    expect(asset).toBeDefined();
    expect(input(o, "contentType")).toBe(asset!.contentType);
    expect(input(o, "cacheControl")).toBe("public, max-age=31536000, immutable");
    expect(input(o, "checksumAlgorithm")).toBe("SHA256");
    expect(input(o, "source")).toMatchObject({ __pulumiAsset: true });
  }
  expect(byFile.size).toBe(objects().length);
  expect(STATIC_CACHE_CONTROL).toBe("public, max-age=31536000, immutable");
  const svg = objects().find((o) => input<string>(o, "key").endsWith(".svg"));
  expect(input(svg!, "contentType")).toBe("image/svg+xml");
});

test("CloudFront, nginx and the app take the /static/ prefix and lifetime from the same module", () => {
  const config = parseStackConfig(readStackFiles("dev").config, "dev");
  const model = newVpcNginxModel(config);
  const locations = JSON.stringify(model);
  expect(locations).toContain('"/static/"');
  expect(cacheBehaviors().ordered.map((b) => b.pathPattern)).toContain("/static/*");
  const staticBehavior = cacheBehaviors().ordered.find((b) => b.pathPattern === "/static/*")!;
  expect(staticBehavior.origin).toBe("static");
});
