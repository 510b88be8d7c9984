/**
 * Property tests: any model the validator accepts renders a file the real nginx accepts, and any
 * string field carrying a character that could break out of its directive is refused by name.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import {
  LOAD_BALANCING,
  nginxModelProblems,
  NginxModelError,
  renderNginxConf,
  type NginxLocation,
  type NginxModel,
  type NginxServer,
  type NginxUpstream,
} from "../../../infra/nginx";
import { HTTP_METHODS } from "@edgestack/contract";
import { writeAndCheckNginxConfig } from "../../../local/processes/nginx";
import { freePort } from "../../../local/processes/ports";
import { makeTestCertificates } from "../../../local/processes/tls";
import { ALB_TARGET_TLS } from "../../../infra/nginx/build";

const root = mkdtempSync(path.join(tmpdir(), "edgestack-nginx-prop-"));
// A TLS listener's files must exist for nginx -t (it loads the certificate and key).
const certs = makeTestCertificates(mkdtempSync(path.join(root, "tls-")));
const tlsArb = fc.record({
  certificate: fc.constant(certs.certFile),
  certificateKey: fc.constant(certs.keyFile),
  protocols: fc.subarray(["TLSv1.2", "TLSv1.3"] as ("TLSv1.2" | "TLSv1.3")[], { minLength: 1 }),
  ciphers: fc.subarray([...ALB_TARGET_TLS.ciphers], { minLength: 1 }),
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runIndex = 0;

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), octet, octet, octet).map((o) => o.join("."));
const loopback = fc.tuple(octet, octet, fc.integer({ min: 1, max: 254 })).map(([a, b, c]) => `127.${a}.${b}.${c}`);
const cidr = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([n, prefix]) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 0xff).join(".")}/${prefix}`;
});
const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
const dnsName = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom("com", "net", "example", "io")).map(([ls, tld]) => [...ls, tld].join("."));
const serverName = fc.oneof(dnsName, fc.constant("_"), fc.constant("localhost"), ipv4);
const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,14}$/);
const port = fc.integer({ min: 1, max: 65_535 });
const seconds = (max: number) => fc.integer({ min: 1, max });
const zoneSize = fc.oneof(fc.integer({ min: 32, max: 4096 }).map((k) => `${k}k`), fc.integer({ min: 1, max: 16 }).map((m) => `${m}m`));
const size = fc.oneof(fc.integer({ min: 1, max: 999_999 }).map(String), fc.integer({ min: 1, max: 9999 }).map((k) => `${k}k`), fc.integer({ min: 1, max: 100 }).map((m) => `${m}m`));
const mimeType = fc
  .tuple(fc.constantFrom("text", "application", "image", "font"), fc.stringMatching(/^[a-z0-9][a-z0-9.+-]{0,12}$/))
  .map(([a, b]) => `${a}/${b}`)
  .filter((t) => t !== "text/html");
const locationPath = fc.stringMatching(/^\/[A-Za-z0-9._~/-]{0,16}$/).filter((p) => !p.split("/").includes(".."));
const headerName = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,14}[A-Za-z0-9])?$/).filter((n) => n.toLowerCase() !== "strict-transport-security");
const headerValue = fc.stringMatching(/^[A-Za-z0-9=,.:/()+*!?%&@_-]([A-Za-z0-9 =,.:/()+*!?%&@_-]{0,30}[A-Za-z0-9=,.:/()+*!?%&@_-])?$/);

const stackName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const extension = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const fileName = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/);

function upstreamArb(name: string): fc.Arbitrary<NginxUpstream> {
  return fc.constantFrom(...LOAD_BALANCING).chain((algorithm) => {
    const backupAllowed = algorithm === "round_robin" || algorithm === "least_conn" || algorithm === "cookie_affinity";
    return fc.record({
      name: fc.constant(name),
      algorithm: fc.constant(algorithm),
      zoneSize,
      servers: fc
        .uniqueArray(
          fc
            .oneof(
              fc.record({ host: ipv4, resolve: fc.constant(false), srv: fc.constant(false) }),
              fc.record({ host: dnsName, resolve: fc.constant(true), srv: fc.constant(false) }),
              // SRV discovery: the port from each record.
              fc.record({ host: dnsName, resolve: fc.constant(true), srv: fc.constant(true) }),
            )
            .chain((h) =>
            fc.record({
            host: fc.constant(h.host),
            resolve: fc.constant(h.resolve),
            port: h.srv ? fc.constant(null) : port,
            service: h.srv ? fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).map((n) => `_${n}._tcp`) : fc.constant(null),
            weight: fc.integer({ min: 1, max: 100 }),
            maxFails: fc.integer({ min: 0, max: 20 }),
            failTimeoutSeconds: seconds(3600),
            backup: backupAllowed ? fc.boolean() : fc.constant(false),
            }),
          ),
          { minLength: 1, maxLength: 5, selector: (s) => (s.service === null ? `${s.host}:${s.port}` : `${s.service}.${s.host}`) },
        )
        .map((servers) => (servers.every((s) => s.backup) ? servers.map((s, i) => ({ ...s, backup: i === 0 ? false : s.backup })) : servers)),
      resolver: fc.record({
        addresses: fc.array(fc.tuple(ipv4, fc.option(port, { nil: undefined })).map(([a, p]) => (p === undefined ? a : `${a}:${p}`)), { minLength: 1, maxLength: 2 }),
        validSeconds: seconds(300),
        timeoutSeconds: seconds(60),
      }),
      keepalive: fc.option(fc.record({ connections: fc.integer({ min: 1, max: 1000 }), timeoutSeconds: seconds(3600), requests: fc.integer({ min: 1, max: 100_000 }) }), { nil: null }),
    });
  });
}

function locationArb(upstreams: string[], p: fc.Arbitrary<string>, match: fc.Arbitrary<"exact" | "prefix">): fc.Arbitrary<NginxLocation> {
  return fc.record({
    path: p,
    match,
    upstream: fc.constantFrom(...upstreams),
    fallbackUpstream: fc.option(fc.constantFrom(...upstreams), { nil: null }),
    websocket: fc.boolean(),
    rateLimited: fc.boolean(),
    accessLog: fc.boolean(),
    connectTimeoutSeconds: seconds(75),
    readTimeoutSeconds: seconds(86_400),
    sendTimeoutSeconds: seconds(86_400),
    immutableCacheSeconds: fc.option(seconds(315_360_000), { nil: null }),
    defaultCacheControl: fc.option(headerValue, { nil: null }),
    methods: fc.subarray([...HTTP_METHODS], { minLength: 1 }),
  })
    .map((l) => (l.immutableCacheSeconds !== null ? { ...l, defaultCacheControl: null } : l))
    // A fallback is another upstream than the location's own.
    .map((l) => (l.fallbackUpstream === l.upstream ? { ...l, fallbackUpstream: null } : l));
}

const modelArb: fc.Arbitrary<NginxModel> = fc
  .record({
    upstreamNames: fc.uniqueArray(identifier.filter((n) => !n.startsWith("zone_")), { minLength: 1, maxLength: 2 }),
    ports: fc.uniqueArray(port, { minLength: 4, maxLength: 4 }),
    tempNames: fc.uniqueArray(fileName, { minLength: 8, maxLength: 8 }),
  })
  .chain(({ upstreamNames, ports, tempNames }) => {
    const runDir = path.join(root, `run${runIndex++}`);
    const at = (i: number) => `${runDir}/${tempNames[i]}`;
    // nginx -t binds the listeners, so addresses are loopback ones (all of 127/8 is local on Linux).
    const listen = (i: number, proxyProtocol: boolean) => fc.record({ address: loopback, port: fc.constant(ports[i]), proxyProtocol: fc.constant(proxyProtocol) });
    // A plain listener reads a header (X-Forwarded-For, or one holding a single address such as X-Viewer-Address).
    const realIp = (source: "header" | "proxy_protocol") =>
      fc.option(
        fc.record({
          header: source === "proxy_protocol" ? fc.constant("proxy_protocol") : fc.oneof(fc.constant("X-Forwarded-For"), fc.constant("X-Viewer-Address"), headerName),
          recursive: source === "proxy_protocol" ? fc.constant(false) : fc.boolean(),
          trustedCidrs: fc.array(cidr, { minLength: 1, maxLength: 3 }),
        }),
        { nil: null },
      );
    const locations = fc
      .uniqueArray(locationArb(upstreamNames, locationPath, fc.constantFrom("exact", "prefix")), { maxLength: 5, selector: (l) => `${l.match} ${l.path}` })
      .chain((ls) =>
        locationArb(upstreamNames, fc.constant("/"), fc.constant("prefix")).map((root) => [...ls.filter((l) => !(l.match === "prefix" && l.path === "/")), root]),
      );
    const proxyProtocol = fc.boolean();
    const servers: fc.Arbitrary<NginxServer[]> = fc
      .tuple(
        proxyProtocol.chain((pp) =>
          fc.record({
            role: fc.constant("proxy" as const),
            name: fc.constant("main"),
            listen: listen(0, pp),
            tls: fc.option(tlsArb, { nil: null }),
            serverNames: fc.array(serverName, { minLength: 1, maxLength: 3 }),
            realIp: realIp(pp ? "proxy_protocol" : "header"),
            forwardedProto: fc.constantFrom("header" as const, "https" as const),
            locations,
          }),
        ),
        fc.option(
          fc.record({
            role: fc.constant("redirect_https" as const),
            name: fc.constant("redirect"),
            listen: listen(1, true),
            serverNames: fc.array(serverName, { minLength: 1, maxLength: 2 }),
            realIp: realIp("proxy_protocol"),
            // Prefix "/" is the redirect itself.
            health: locationArb(upstreamNames, locationPath, fc.constantFrom("exact", "prefix")).filter((l) => !(l.match === "prefix" && l.path === "/")),
          }),
          { nil: undefined },
        ),
        fc.option(
          fc.record({
            role: fc.constant("status" as const),
            name: fc.constant("status"),
            listen: listen(2, false),
            stubStatusPath: fc.constant("/nginx_status"),
            stubStatusAllow: fc.array(cidr, { minLength: 1, maxLength: 2 }),
            livenessPath: fc.constant("/livez"),
            livenessAllow: fc.array(cidr, { minLength: 1, maxLength: 2 }),
          }),
          { nil: undefined },
        ),
      )
      .map(([main, redirect, status]) => [main, ...(redirect ? [redirect] : []), ...(status ? [status] : [])]);

    return fc.record({
      mode: fc.constant("local" as const),
      stack: stackName,
      workerProcesses: fc.oneof(fc.constant("auto" as const), fc.integer({ min: 1, max: 8 })),
      workerConnections: fc.integer({ min: 16, max: 65_536 }),
      workerRlimitNofile: fc.constant(70_000),
      workerShutdownTimeoutSeconds: seconds(3600),
      errorLogLevel: fc.constantFrom("info", "notice", "warn", "error", "crit" as const),
      accessLogBuffer: fc.option(fc.record({ sizeKb: fc.integer({ min: 4, max: 1024 }), flushSeconds: fc.integer({ min: 1, max: 60 }) }), { nil: null }),
      paths: fc.constant({
        pid: at(0),
        errorLog: at(1),
        accessLog: at(2),
        clientBodyTemp: at(3),
        proxyTemp: at(4),
        fastcgiTemp: at(5),
        uwsgiTemp: at(6),
        scgiTemp: at(7),
      }),
      clientKeepaliveSeconds: seconds(3600),
      clientKeepaliveRequests: fc.integer({ min: 1, max: 1_000_000 }),
      clientMaxBodySize: size,
      mimeTypes: fc.array(fc.record({ type: mimeType, extensions: fc.array(extension, { minLength: 1, maxLength: 3 }) }), { maxLength: 4 }),
      gzip: fc.record({ enabled: fc.boolean(), minLength: fc.integer({ min: 0, max: 100_000 }), compLevel: fc.integer({ min: 1, max: 9 }), types: fc.array(mimeType, { maxLength: 4 }) }),
      rateLimit: fc.record({
        requestZone: fc.constant("zone_req"),
        requestZoneSize: zoneSize,
        requestsPerMinute: fc.integer({ min: 1, max: 1_000_000 }),
        burst: fc.integer({ min: 0, max: 100_000 }),
        connectionZone: fc.constant("zone_conn"),
        connectionZoneSize: zoneSize,
        connectionsPerIp: fc.integer({ min: 1, max: 65_535 }),
        status: fc.constantFrom(429, 503, 444),
      }),
      webSockets: fc.record({
        clientZone: fc.constant("zone_ws_client"),
        perClient: fc.integer({ min: 1, max: 8 }),
        podZone: fc.constant("zone_ws_pod"),
        perPod: fc.integer({ min: 8, max: 8 }),
        zoneSize,
      }),
      retry: fc.record({
        tries: fc.integer({ min: 1, max: 10 }),
        timeoutSeconds: seconds(600),
        afterTimeout: fc.record({ budgetMs: fc.integer({ min: 1, max: 600_000 }), attemptTimeoutMs: fc.integer({ min: 1, max: 600_000 }) }),
      }),
      securityHeaders: fc.array(fc.record({ name: headerName, value: headerValue }), { maxLength: 4 }),
      hsts: fc.option(fc.record({ maxAgeSeconds: fc.integer({ min: 0, max: 63_072_000 }), includeSubDomains: fc.boolean(), preload: fc.boolean() }), { nil: null }),
      exposeUpstreamAddress: fc.boolean(),
      upstreamBindAddress: fc.option(fc.constantFrom("127.0.0.2", "127.0.0.1"), { nil: null }),
      upstreams: fc.tuple(...upstreamNames.map(upstreamArb)),
      // The canary split is checked with nginx in render.test.ts / canary-behaviour.test.ts.
      canary: fc.constant(null),
      servers,
    });
  });

test("every model the validator accepts passes the real nginx -t", async () => {
  await fc.assert(
    fc.asyncProperty(modelArb, async (generated) => {
      const model = structuredClone(generated);
      expect(nginxModelProblems(model)).toEqual([]);
      // The random ports were validated above; nginx -t binds them, so run it on ports known to be free.
      for (const server of model.servers) server.listen.port = await freePort(server.listen.address);
      const dir = path.dirname(model.paths.pid);
      const check = await writeAndCheckNginxConfig(dir, renderNginxConf(model));
      if (!check.ok) throw new Error(`nginx -t failed:\n${check.output}`);
    }),
    { numRuns: 30 },
  );
  // 30 real `nginx -t` runs (each through the private nginx's loader): minutes on a busy 2-core machine.
}, 180_000);

/** Every string in the model with its field path, as the validator names it (nginx.a.b[0].c). */
function stringFields(value: unknown, at: string, out: { path: string; set: (v: string) => void; get: () => string }[] = []) {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (typeof item === "string") out.push({ path: `${at}[${i}]`, get: () => value[i] as string, set: (v) => (value[i] = v) });
      else stringFields(item, `${at}[${i}]`, out);
    });
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(record)) {
      if (typeof item === "string") out.push({ path: `${at}.${key}`, get: () => record[key] as string, set: (v) => (record[key] = v) });
      else stringFields(item, `${at}.${key}`, out);
    }
  }
  return out;
}

const BREAKERS = [";", "{", "}", "#", '"', "'", "`", "\\", "$", "\n", "\r", "\t", "\u0000", "\u001b", "\u007f", "\u2028"];

test("a character that could break out of a directive, in any string field, is rejected naming that field", () => {
  fc.assert(
    fc.property(modelArb, fc.nat(), fc.constantFrom(...BREAKERS, " "), fc.nat(), fc.string({ maxLength: 4 }), (generated, which, breaker, position, tail) => {
      const model = structuredClone(generated);
      const fields = stringFields(model, "nginx");
      const field = fields[which % fields.length];
      // Header values are written quoted, so an inner space is legitimate there.
      const bad = breaker === " " && /\.(value|defaultCacheControl)$/.test(field.path) ? ";" : breaker;
      const original = field.get();
      const at = position % (original.length + 1);
      const hostile = original.slice(0, at) + bad + tail + original.slice(at);
      field.set(hostile);
      const problems = nginxModelProblems(model);
      expect(problems.filter((p) => p.startsWith(`${field.path}: ${JSON.stringify(hostile)} `))).not.toHaveLength(0);
      expect(() => renderNginxConf(model)).toThrow(NginxModelError);
    }),
    { numRuns: 300 },
  );
});
