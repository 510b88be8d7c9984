import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { diffPlans, PlanResource } from "../../../offline/plan/diff";
import { LIST_KEYS, POSITIONAL_LISTS, walkDiff } from "../../../offline/plan/lists";
import { renderMarkdown, renderText } from "../../../offline/plan/render-diff";

const DIST = "aws:cloudfront/distribution:Distribution";
const behavior = (pathPattern: string, targetOriginId = "alb") => ({ pathPattern, targetOriginId, viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"] });
const dist = (ordered: unknown[]): PlanResource => ({ type: DIST, name: "cdn", parent: null, inputs: { orderedCacheBehaviors: ordered } });

describe("lists matched by their natural key", () => {
  it("shows a CloudFront behaviour inserted first as one added behaviour, not every later one changed", () => {
    const diff = diffPlans([dist([behavior("/static/*", "s3"), behavior("/api/*")])], [dist([behavior("/v2/*"), behavior("/static/*", "s3"), behavior("/api/*")])]);
    const text = renderText(diff);
    expect(text).toContain('+ orderedCacheBehaviors[pathPattern="/v2/*"].pathPattern: "/v2/*"');
    expect(text).toContain('+ orderedCacheBehaviors[pathPattern="/v2/*"].targetOriginId: "alb"');
    expect(text).not.toMatch(/\/static\/\* → |"\/static\/\*" → /);
    expect(text).not.toMatch(/order by/); // the common behaviours kept their relative order
  });

  it("shows a reorder of behaviours (first match wins) as an order change", () => {
    const diff = diffPlans([dist([behavior("/a/*"), behavior("/b/*")])], [dist([behavior("/b/*"), behavior("/a/*")])]);
    expect(renderText(diff)).toContain('~ orderedCacheBehaviors (order by pathPattern): ["/a/*","/b/*"] → ["/b/*","/a/*"]');
  });

  it("matches a changed element by its key and names it", () => {
    const diff = diffPlans([dist([behavior("/a/*"), behavior("/b/*")])], [dist([behavior("/a/*"), behavior("/b/*", "s3")])]);
    expect(diff.updates[0].changes).toEqual([{ kind: "change", path: ["orderedCacheBehaviors", { key: "pathPattern", value: "/b/*" }, "targetOriginId"], old: "alb", new: "s3" }]);
    expect(renderMarkdown([{ diff }])).toContain('~ orderedCacheBehaviors[pathPattern="/b/*"].targetOriginId: "alb" → "s3"');
  });

  it("matches Kubernetes env vars by name, set lists by value, and falls back to indexes without a unique key", () => {
    const env = (vars: [string, string][]) => ({ spec: { containers: [{ name: "app", env: vars.map(([name, value]) => ({ name, value })) }] } });
    expect(walkDiff(env([["A", "1"], ["B", "2"]]), env([["Z", "0"], ["A", "1"], ["B", "3"]]))).toEqual([
      { kind: "add", path: ["spec", "containers", { key: "name", value: "app" }, "env", { key: "name", value: "Z" }], new: { name: "Z", value: "0" } },
      { kind: "change", path: ["spec", "containers", { key: "name", value: "app" }, "env", { key: "name", value: "B" }, "value"], old: "2", new: "3" },
    ]);
    expect(walkDiff({ subnetIds: ["a", "b"] }, { subnetIds: ["c", "a", "b"] })).toEqual([{ kind: "add", path: ["subnetIds"], new: "c" }]);
    // Two elements share the key: matched by index rather than wrongly.
    expect(walkDiff({ env: [{ name: "A", value: 1 }, { name: "A", value: 2 }] }, { env: [{ name: "A", value: 1 }, { name: "A", value: 3 }] })).toEqual([{ kind: "change", path: ["env", 1, "value"], old: 2, new: 3 }]);
    // Order is meaning for args: compared by index.
    expect(walkDiff({ args: ["a", "b"] }, { args: ["b", "a"] })).toHaveLength(2);
  });

  it("covers every list of objects in the dev and prod plans: keyed, or positional on purpose", () => {
    const root = path.resolve(__dirname, "../../..");
    const found = new Map<string, string>();
    const walk = (value: unknown, property: string | undefined, type: string): void => {
      if (Array.isArray(value)) {
        if (property && value.some((v) => typeof v === "object" && v !== null)) found.set(property, type);
        value.forEach((v) => walk(v, property, type));
      } else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) walk(v, k, type);
      } else if (typeof value === "string" && /^\s*[[{]/.test(value)) {
        try {
          walk(JSON.parse(value), property, `${type} (JSON)`);
        } catch {
          // not a JSON document
        }
      }
    };
    for (const stack of ["dev", "prod"]) {
      const out = execFileSync("npm", ["run", "--silent", "plan", "--", "--stack", stack, "--json"], { cwd: root, maxBuffer: 64 * 1024 * 1024 }).toString();
      for (const r of JSON.parse(out).resources as PlanResource[]) walk(r.inputs, undefined, r.type);
    }
    expect(found.size).toBeGreaterThan(20);
    for (const [property, type] of found) expect({ property, type, classified: Object.hasOwn(LIST_KEYS, property) || POSITIONAL_LISTS.has(property) }).toEqual({ property, type, classified: true });
  }, 180_000);
});
