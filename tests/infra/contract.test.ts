/**
 * The HTTP contract is the only place paths, header names, HSTS and the security headers are
 * written: CloudFront behaviors, nginx locations and ALB rules are derived from it (checked here
 * against the builders' output), and no production source file spells one of its values itself.
 */
import { newVpcNginxModel } from "../harness/nginx";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { cacheBehaviors, SECURITY_HEADERS as CDN_SECURITY_HEADERS } from "../../infra/cdn/cache-rules";
import {
  CATCH_ALL,
  cloudFrontAllowedMethods,
  HEADERS,
  HSTS,
  hstsValue,
  pathPattern,
  PORTS,
  requireRoute,
  ROUTES,
  routeFor,
  SECURITY_HEADER_LIST,
  SECURITY_HEADERS,
  STATIC_CACHE_CONTROL,
  uncachedPathPrefixes,
} from "@edgestack/contract";
import { albRoutes } from "../../infra/edge/origin-lock";
import { renderNginxConf, type NginxProxyServer } from "../../infra/nginx";
import { cloudfrontPolicies as policies } from "../../policies/rules/cloudfront";
import { stackConfig } from "./nginx/support";

const ROOT = path.resolve(__dirname, "../..");
const ordered = ROUTES.filter((r) => r !== CATCH_ALL);

describe("derived from the contract", () => {
  test("CloudFront: one ordered behavior per entry with its origin, cache rule and methods; the catch-all is the default", () => {
    const b = cacheBehaviors();
    expect(b.ordered.map((x) => x.pathPattern)).toEqual(ordered.map(pathPattern));
    ordered.forEach((r, i) => {
      const behavior = b.ordered[i]!;
      expect(behavior.origin).toBe(r.origin);
      expect(behavior.allowedMethods).toEqual(cloudFrontAllowedMethods(r.methods));
      const policy = { none: { managed: "cachingDisabled" }, immutable: { own: "static" }, html: { own: "html" } }[r.cache];
      expect(behavior.cachePolicy).toEqual(policy);
    });
    expect(b.default).toMatchObject({ origin: CATCH_ALL.origin, cachePolicy: { own: "html" } });
    expect(b.default.pathPattern).toBeUndefined();
  });

  test("CloudFront: HSTS and security headers are the contract's", () => {
    expect(CDN_SECURITY_HEADERS).toEqual({
      hstsMaxAgeSeconds: HSTS.maxAgeSeconds,
      hstsIncludeSubDomains: HSTS.includeSubDomains,
      hstsPreload: HSTS.preload,
      referrerPolicy: SECURITY_HEADERS.referrerPolicy,
      frameOption: SECURITY_HEADERS.frameOptions,
    });
  });

  test("nginx: one location per entry on every proxy listener, the contract's HSTS and security headers in the rendered file", () => {
    const config = stackConfig("prod");
    const model = newVpcNginxModel(config);
    for (const server of model.servers.filter((s): s is NginxProxyServer => s.role === "proxy")) {
      // A prefix route's path without its trailing slash is served by an exact location of its own
      // (never a redirect to an internal port): those are the only locations beyond the contract's.
      const bare = (l: { match: string; path: string }) => l.match === "exact" && ROUTES.some((r) => r.match === "prefix" && r.path === `${l.path}/`);
      expect(server.locations.filter((l) => !bare(l)).map((l) => [l.match, l.path])).toEqual(ROUTES.map((r) => [r.match, r.path]));
      for (const r of ROUTES) {
        const l = server.locations.find((x) => x.path === r.path)!;
        expect({ websocket: l.websocket, immutable: l.immutableCacheSeconds !== null, html: l.defaultCacheControl !== null, health: !l.rateLimited }).toEqual({
          websocket: r.nginx === "websocket",
          immutable: r.nginx === "immutable",
          html: r.nginx === "html",
          health: r.nginx === "health",
        });
      }
      expect(server.listen.port === PORTS.nginx.http || server.listen.port === PORTS.nginx.proxyProtocolHttps).toBe(true);
    }
    expect(model.upstreams[0]!.servers[0]!.port).toBe(PORTS.app);
    const conf = renderNginxConf(model);
    expect(conf).toContain(`https "${hstsValue()}";`);
    for (const h of SECURITY_HEADER_LIST) expect(conf).toContain(`add_header ${h.name} "${h.value}" always;`);
    expect(conf).toContain(`real_ip_header ${HEADERS.viewerAddress};`);
    for (const r of ROUTES) expect(conf).toContain(`location ${r.match === "exact" ? "= " : ""}${r.path} {`);
  });

  test("ALB: a forwarding rule per entry with a priority, its path pattern, the catch-all without a condition", () => {
    const rules = albRoutes();
    const withRule = ROUTES.filter((r) => r.albPriority !== null);
    expect(rules.map((x) => x.priority)).toEqual(withRule.map((r) => r.albPriority).sort((a, b) => a! - b!));
    for (const r of withRule) {
      const rule = rules.find((x) => x.priority === r.albPriority)!;
      expect(rule.pathPatterns).toEqual(r === CATCH_ALL ? undefined : [pathPattern(r)]);
    }
    // Rule keys name existing resources (`alb-route-<key>`): those stay as they were.
    expect(rules.map((x) => x.key)).toEqual(expect.arrayContaining(["api", "ws", "default"]));
    expect(new Set(rules.map((x) => x.key)).size).toBe(rules.length);
  });

  test("policies: the API behaviors the cache rule inspects are the uncached routes", () => {
    const rule = policies.find((p) => p.name === "cloudfront-api-not-shared-cached")!;
    const schema = (rule as { configSchema?: { properties?: Record<string, { default?: unknown }> } }).configSchema;
    expect(schema?.properties?.apiPathPrefixes?.default).toEqual(uncachedPathPrefixes());
    expect(uncachedPathPrefixes()).toEqual(expect.arrayContaining(["/api", "/ws", "/health"]));
  });
});

describe("routing", () => {
  test("a request path is served by the first matching entry, anything else by the catch-all", () => {
    expect(routeFor("/api/v1/users").key).toBe("api");
    expect(routeFor("/api").key).toBe("api");
    expect(routeFor("/ws").key).toBe("websocket");
    expect(routeFor("/wsx").key).toBe("html");
    expect(routeFor("/static/app.css").key).toBe("static");
    expect(routeFor("/about").key).toBe(CATCH_ALL.key);
  });

  test("a path declared as an API that no entry covers is refused, naming the path and the file to fix", () => {
    expect(() => requireRoute("/graphql", "api")).toThrow('path "/graphql" is declared "api" but the contract routes it to "html"; add or fix its entry in ROUTES (@edgestack/contract)');
    expect(() => requireRoute("/metrics", "health")).toThrow(/"\/metrics" is declared "health"/);
    expect(requireRoute("/api/hello", "api").key).toBe("api");
  });

  test("every entry is reachable: no entry is shadowed by an earlier one, and the catch-all is last", () => {
    ROUTES.forEach((r, i) => expect(ROUTES.findIndex((x) => x.key === routeFor(r.path).key)).toBe(i));
    expect(CATCH_ALL).toMatchObject({ match: "prefix", path: "/", cache: "html" });
    expect(new Set(ROUTES.map((r) => r.key)).size).toBe(ROUTES.length);
  });

  test("HSTS is preload-eligible (at least a year, subdomains, preload)", () => {
    expect(HSTS.maxAgeSeconds).toBeGreaterThanOrEqual(31_536_000);
    expect(hstsValue()).toBe(`max-age=${HSTS.maxAgeSeconds}; includeSubDomains; preload`);
  });
});

/** Production sources: the program, its components, the policy pack and the app. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? [] : sourceFiles(rel);
    return rel.endsWith(".ts") ? [rel] : [];
  });
}

/** The string and number literals of a file (comments excluded), with their line numbers. */
function literals(file: string): { value: string; line: number }[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { value: string; line: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isNumericLiteral(node)) {
      found.push({ value: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    node.forEachChild(visit);
  };
  visit(source);
  return found;
}

/** The contract itself (the routes, header names and the app's route table). */
const CONTRACT_FILES = new Set(["packages/contract/src/http.ts"]);

/** Why a literal restates the contract, or undefined. */
function restates(value: string): string | undefined {
  for (const r of ROUTES) {
    if (r === CATCH_ALL) continue;
    const bare = r.path.replace(/\/$/, "");
    if (value === r.path || value === bare || value === pathPattern(r)) return `route "${r.key}" path`;
    if (r.match === "prefix" && value.startsWith(r.path)) return `a path under route "${r.key}"`;
    if (r.match === "exact" && value.startsWith(`${r.path}?`)) return `route "${r.key}" path`;
  }
  const headers = [...Object.values(HEADERS), ...SECURITY_HEADER_LIST.map((h) => h.name), "Strict-Transport-Security"];
  // Whole header names, alone or inside a directive such as `proxy_set_header X-Request-ID ...`.
  if (headers.some((h) => new RegExp(`(^|[^A-Za-z0-9-])${h}($|[^A-Za-z0-9-])`, "i").test(value))) return "a header name";
  if (value === String(HSTS.maxAgeSeconds) || value.replace(/_/g, "") === String(HSTS.maxAgeSeconds) || value.includes(`max-age=${HSTS.maxAgeSeconds}`)) return "the HSTS max-age";
  if (/includeSubDomains/i.test(value) && /max-age/.test(value)) return "an HSTS value";
  if (value === STATIC_CACHE_CONTROL) return "the static Cache-Control";
  return undefined;
}

describe("defined once", () => {
  const files = ["index.ts", ...sourceFiles("infra"), ...sourceFiles("policies"), ...sourceFiles("app/src"), ...sourceFiles("packages/contract/src")].filter((f) => !CONTRACT_FILES.has(f));

  test("the scan covers the components that consume the contract", () => {
    for (const f of ["infra/cdn/cache-rules.ts", "infra/nginx/build.ts", "infra/edge/origin-lock.ts", "infra/edge/alb.ts", "policies/rules/cloudfront.ts", "app/src/server.ts"]) {
      expect(files).toContain(f);
    }
  });

  test("no production source spells a contract path, header name or HSTS value itself", () => {
    const offenders = files.flatMap((f) => literals(f).flatMap(({ value, line }) => {
      const why = restates(value);
      return why === undefined ? [] : [`${f}:${line}: ${JSON.stringify(value)} restates ${why}; import it from @edgestack/contract`];
    }));
    expect(offenders).toEqual([]);
  });

  test("the scan finds a restated value (it can fail)", () => {
    expect(restates("/api/*")).toBe('route "api" path');
    expect(restates("/api/v2/x")).toBe('a path under route "api"');
    expect(restates("x-origin-verify")).toBe("a header name");
    expect(restates("proxy_set_header X-Request-ID $edge_request_id;")).toBe("a header name");
    expect(restates("X-Request-IDs")).toBeUndefined();
    expect(restates("31536000")).toBeUndefined();
    expect(restates("63072000")).toBe("the HSTS max-age");
    expect(restates("max-age=31536000; includeSubDomains")).toBe("an HSTS value");
  });
});
