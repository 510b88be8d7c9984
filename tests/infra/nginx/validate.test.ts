import { buildLocalNginxModel } from "../../../local/nginx-site";
import { newVpcNginxModel } from "../../harness/nginx";
import { nginxModelProblems, NginxModelError, validateNginxModel, type NginxModel, type NginxProxyServer } from "../../../infra/nginx";
import { ROUTES } from "@edgestack/contract";
import { stackConfig } from "./support";

const dev = stackConfig("dev");
/** Index of a location in the model: the contract's ROUTES order. */
const HTML = ROUTES.findIndex((r) => r.key === "html");
const STATIC = ROUTES.findIndex((r) => r.key === "static");

function model(edit?: (m: NginxModel) => void): NginxModel {
  const m = buildLocalNginxModel(dev, {
    prefix: "/tmp/edgestack-nginx-validate",
    listenPort: 18080,
    statusPort: 18082,
    proxyProtocolPort: 18443,
    proxyProtocolHttpPort: 18081,
    upstreams: [
      { host: "127.0.0.1", port: 19001 },
      { host: "127.0.0.1", port: 19002 },
    ],
  });
  edit?.(m);
  return m;
}
const proxy = (m: NginxModel) => m.servers[0] as NginxProxyServer;

test("models built from the dev and prod stacks, in both modes, have no problems", () => {
  expect(nginxModelProblems(model())).toEqual([]);
  expect(nginxModelProblems(newVpcNginxModel(dev))).toEqual([]);
  expect(nginxModelProblems(newVpcNginxModel(stackConfig("prod")))).toEqual([]);
});

describe("the ALB listener's TLS", () => {
  const cluster = () => newVpcNginxModel(dev);
  test("in cluster mode the ALB listener must be TLS (a plain one is refused, naming the field)", () => {
    const m = cluster();
    proxy(m).tls = null;
    expect(nginxModelProblems(m)).toEqual([expect.stringMatching(/^nginx\.servers\[0\]\.tls: null: the ALB's hop to nginx must be TLS in the cluster/)]);
    // The PROXY listener behind the TLS-terminating NLB stays TCP.
    expect((cluster().servers[1] as NginxProxyServer).tls).toBeNull();
  });
  test.each<[string, (t: NonNullable<NginxProxyServer["tls"]>) => void, RegExp]>([
    ["TLS 1.1", (t) => ((t.protocols as string[]) = ["TLSv1.1", "TLSv1.2"]), /tls\.protocols\[0\]/],
    ["no protocol", (t) => (t.protocols = []), /tls\.protocols: must list at least one protocol/],
    ["a cipher list smuggling a directive", (t) => (t.ciphers = ["ECDHE-RSA-AES128-GCM-SHA256;ssl_verify_client off"]), /tls\.ciphers\[0\]/],
    ["a relative key path", (t) => (t.certificateKey = "tls.key"), /tls\.certificateKey: "tls\.key"/],
    ["a key path climbing out", (t) => (t.certificateKey = "/etc/nginx/../../root/key"), /tls\.certificateKey/],
  ])("refused: %s", (_title, edit, problem) => {
    const m = cluster();
    edit(proxy(m).tls!);
    expect(nginxModelProblems(m)).toEqual([expect.stringMatching(problem)]);
  });
});

describe("values that could break out of a directive are rejected, naming the field", () => {
  test.each<[string, (m: NginxModel) => void, string]>([
    ["upstream host with ;", (m) => (m.upstreams[0].servers[1].host = "1.2.3.4;evil"), `nginx.upstreams[0].servers[1].host: "1.2.3.4;evil" contains ";"`],
    ["upstream host with a space (extra server parameters)", (m) => (m.upstreams[0].servers[0].host = "1.2.3.4 backup"), `nginx.upstreams[0].servers[0].host: "1.2.3.4 backup" contains a space`],
    ["server name with a newline", (m) => (proxy(m).serverNames[0] = "a.example.com\nlisten 80"), `nginx.servers[0].serverNames[0]: "a.example.com\\nlisten 80" contains a newline`],
    ["server name opening a block", (m) => (proxy(m).serverNames[1] = "x{"), `nginx.servers[0].serverNames[1]: "x{" contains "{"`],
    ["location path closing a block", (m) => (proxy(m).locations[2].path = "/api/}"), `nginx.servers[0].locations[2].path: "/api/}" contains "}"`],
    ["trusted CIDR with a comment", (m) => (proxy(m).realIp!.trustedCidrs[0] = "10.0.0.0/8#"), `nginx.servers[0].realIp.trustedCidrs[0]: "10.0.0.0/8#" contains "#"`],
    ["header value with a quote", (m) => (m.securityHeaders[0].value = 'nosniff" always; return 200 "x'), `nginx.securityHeaders[0].value: "nosniff\\" always; return 200 \\"x" contains "\\""`],
    ["header value with a variable", (m) => (m.securityHeaders[1].value = "$http_cookie"), `nginx.securityHeaders[1].value: "$http_cookie" contains "$"`],
    ["header name with a colon", (m) => (m.securityHeaders[0].name = "X-A:"), `nginx.securityHeaders[0].name: "X-A:" is not an HTTP header name`],
    ["path with a backslash", (m) => (m.paths.pid = "/tmp/a\\b"), `nginx.paths.pid: "/tmp/a\\\\b" contains "\\\\"`],
    ["relative path", (m) => (m.paths.errorLog = "logs/error.log"), `nginx.paths.errorLog: "logs/error.log" is not an absolute path of plain segments`],
    ["path escaping with ..", (m) => (m.paths.accessLog = "/tmp/../etc/x"), `nginx.paths.accessLog: "/tmp/../etc/x" is not an absolute path of plain segments`],
    ["size with a unit nginx does not know", (m) => (m.clientMaxBodySize = "1t"), `nginx.clientMaxBodySize: "1t" is not a size such as 1m`],
    ["zone name with a single quote", (m) => (m.rateLimit.requestZone = "z'"), `nginx.rateLimit.requestZone: "z'" contains "'"`],
    ["MIME type with a control character", (m) => (m.gzip.types[0] = "text/css\u0000"), `nginx.gzip.types[0]: "text/css\\u0000" contains control character U+0000`],
    ["algorithm not in the list", (m) => ((m.upstreams[0] as { algorithm: string }).algorithm = "least_conn; include x"), `nginx.upstreams[0].algorithm: "least_conn; include x" contains ";"; is not one of`],
    ["CIDR with host bits", (m) => (proxy(m).realIp!.trustedCidrs[0] = "10.0.0.1/8"), `nginx.servers[0].realIp.trustedCidrs[0]: "10.0.0.1/8" is not an IPv4 or IPv6 CIDR block without host bits`],
    ["IPv6 CIDR with host bits", (m) => (proxy(m).realIp!.trustedCidrs[0] = "2600:1f18:abcd:ef01::/56"), `nginx.servers[0].realIp.trustedCidrs[0]: "2600:1f18:abcd:ef01::/56" is not an IPv4 or IPv6 CIDR block without host bits`],
    ["IPv6 address that is none", (m) => (proxy(m).realIp!.trustedCidrs[0] = "2600:1f18::abcd::/56"), `nginx.servers[0].realIp.trustedCidrs[0]: "2600:1f18::abcd::/56" is not an IPv4 or IPv6 CIDR block`],
    ["real IP header ending the directive", (m) => (proxy(m).realIp!.header = "X-Viewer-Address; allow all"), `nginx.servers[0].realIp.header: "X-Viewer-Address; allow all" contains ";"`],
    ["real IP header that is no header name", (m) => (proxy(m).realIp!.header = "X_Viewer:Address"), `nginx.servers[0].realIp.header: "X_Viewer:Address" is not "proxy_protocol" or an HTTP header name`],
    ["default Cache-Control with a quote", (m) => (proxy(m).locations[HTML].defaultCacheControl = 'public" always; return 200 "x'), `nginx.servers[0].locations[${HTML}].defaultCacheControl: "public\\" always; return 200 \\"x" contains "\\""`],
    ["default Cache-Control with a variable", (m) => (proxy(m).locations[HTML].defaultCacheControl = "$http_cookie"), `nginx.servers[0].locations[${HTML}].defaultCacheControl: "$http_cookie" contains "$"`],
  ])("%s", (_name, edit, message) => {
    const problems = nginxModelProblems(model(edit));
    expect(problems.some((p) => p.startsWith(message))).toBe(true);
    expect(() => validateNginxModel(model(edit))).toThrow(NginxModelError);
  });
});

describe("numbers are whole and within nginx's ranges", () => {
  test.each<[string, (m: NginxModel) => void, string]>([
    ["port 0", (m) => (m.upstreams[0].servers[0].port = 0), "nginx.upstreams[0].servers[0].port: 0 must be a whole number from 1 to 65535"],
    ["port 70000", (m) => (m.servers[1].listen.port = 70_000), "nginx.servers[1].listen.port: 70000 must be a whole number from 1 to 65535"],
    ["fractional weight", (m) => (m.upstreams[0].servers[0].weight = 1.5), "nginx.upstreams[0].servers[0].weight: 1.5 must be a whole number from 1 to 1000"],
    ["negative timeout", (m) => (proxy(m).locations[0].readTimeoutSeconds = -1), "nginx.servers[0].locations[0].readTimeoutSeconds: -1 must be a whole number"],
    ["NaN rate", (m) => (m.rateLimit.requestsPerMinute = Number.NaN), "nginx.rateLimit.requestsPerMinute: null must be a whole number"],
    ["zero keepalive in a pool", (m) => (m.upstreams[0].keepalive!.connections = 0), "nginx.upstreams[0].keepalive.connections: 0 must be a whole number from 1"],
  ])("%s", (_name, edit, message) => {
    expect(nginxModelProblems(model(edit)).some((p) => p.startsWith(message))).toBe(true);
  });
});

describe("combinations nginx would refuse, or that make no sense", () => {
  test("255.255.255.255 as a trusted block (nginx reads it as its parse error)", () => {
    const problems = nginxModelProblems(model((m) => (proxy(m).realIp!.trustedCidrs[0] = "255.255.255.255/32")));
    expect(problems).toEqual([expect.stringMatching(/^nginx\.servers\[0\]\.realIp\.trustedCidrs\[0\]: "255\.255\.255\.255\/32" is not /)]);
    expect(nginxModelProblems(model((m) => (proxy(m).realIp!.trustedCidrs[0] = "255.255.255.254/32")))).toEqual([]);
  });
  test.each(["ip_hash", "hash", "random", "random_two_least_conn"] as const)("backup with %s", (algorithm) => {
    const problems = nginxModelProblems(
      model((m) => {
        m.upstreams[0].algorithm = algorithm;
        m.upstreams[0].servers[1].backup = true;
      }),
    );
    expect(problems).toContain(
      `nginx.upstreams[0].servers[1].backup: true is not allowed with algorithm "${algorithm}" (nginx supports backup servers only with round_robin, least_conn and cookie_affinity)`,
    );
  });

  test("backup with round_robin, least_conn and cookie_affinity is fine", () => {
    for (const algorithm of ["round_robin", "least_conn", "cookie_affinity"] as const) {
      expect(nginxModelProblems(model((m) => ((m.upstreams[0].algorithm = algorithm), (m.upstreams[0].servers[1].backup = true))))).toEqual([]);
    }
  });

  test("only backup servers", () => {
    expect(nginxModelProblems(model((m) => m.upstreams[0].servers.forEach((s) => (s.backup = true))))).toContain(
      "nginx.upstreams[0].servers: every server is a backup; at least one must be a primary",
    );
  });

  test("a location naming an unknown upstream", () => {
    expect(nginxModelProblems(model((m) => (proxy(m).locations[1].upstream = "missing")))).toContain(
      `nginx.servers[0].locations[1].upstream: "missing" names no upstream in nginx.upstreams`,
    );
  });

  test("two listeners on one port", () => {
    expect(nginxModelProblems(model((m) => (m.servers[3].listen.port = m.servers[0].listen.port)))).toContain(
      "nginx.servers[3].listen.port: 18080 is already used by servers[0]",
    );
  });

  test("proxy_protocol real IP on a listener without PROXY protocol", () => {
    expect(nginxModelProblems(model((m) => (m.servers[1].listen.proxyProtocol = false)))).toContain(
      `nginx.servers[1].realIp.header: "proxy_protocol" needs nginx.servers[1].listen.proxyProtocol true`,
    );
  });

  test("real IP: recursive must be true or false, and means nothing with PROXY protocol", () => {
    expect(nginxModelProblems(model((m) => ((proxy(m).realIp as { recursive: unknown }).recursive = "on")))).toContain(`nginx.servers[0].realIp.recursive: "on" must be true or false`);
    expect(nginxModelProblems(model((m) => ((m.servers[1] as NginxProxyServer).realIp!.recursive = true)))).toContain(
      `nginx.servers[1].realIp.recursive: true means nothing with "proxy_protocol" (one address); set it false`,
    );
    // Any header name is a valid source (nginx reads it like X-Real-IP), recursive or not.
    expect(nginxModelProblems(model((m) => (proxy(m).realIp = { header: "X-Viewer-Address", recursive: false, trustedCidrs: ["10.0.0.0/8"] })))).toEqual([]);
  });

  test("default Cache-Control: a missing value, or one next to the immutable cache", () => {
    expect(nginxModelProblems(model((m) => delete (proxy(m).locations[HTML] as { defaultCacheControl?: unknown }).defaultCacheControl))).toContain(
      `nginx.servers[0].locations[${HTML}].defaultCacheControl: undefined must be a string (a header value (printable ASCII))`,
    );
    expect(nginxModelProblems(model((m) => (proxy(m).locations[STATIC].defaultCacheControl = "public, max-age=1")))).toContain(
      `nginx.servers[0].locations[${STATIC}].defaultCacheControl: not allowed with immutableCacheSeconds (which sets Cache-Control itself)`,
    );
  });

  test("no trusted CIDRs, no upstream servers, no catch-all location", () => {
    const problems = nginxModelProblems(
      model((m) => {
        proxy(m).realIp!.trustedCidrs = [];
        m.upstreams[0].servers = [];
        proxy(m).locations = proxy(m).locations.filter((l) => l.path !== "/");
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "nginx.servers[0].realIp.trustedCidrs: needs at least 1 entry",
        "nginx.upstreams[0].servers: needs at least 1 entry",
        `nginx.servers[0].locations: needs a prefix location "/" so every request has a handler`,
      ]),
    );
  });

  test("HSTS as a plain security header (it would be sent over http too)", () => {
    expect(nginxModelProblems(model((m) => m.securityHeaders.push({ name: "Strict-Transport-Security", value: "max-age=1" })))).toContain(
      "nginx.securityHeaders[3].name: set HSTS through nginx.hsts so it is only sent over https",
    );
  });

  test("wrong types and unknown roles name the field and the value", () => {
    const problems = nginxModelProblems(
      model((m) => {
        (m.servers[0] as { role: string }).role = "evil";
        (m as { workerProcesses: unknown }).workerProcesses = "many";
        (m.upstreams[0] as { keepalive: unknown }).keepalive = 7;
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        `nginx.servers[0].role: "evil" is not one of "proxy", "redirect_https", "status"`,
        `nginx.workerProcesses: "many" must be "auto" or a whole number from 1 to 256`,
        "nginx.upstreams[0].keepalive: 7 must be null or { connections, timeoutSeconds, requests }",
      ]),
    );
  });

  test("every problem is reported at once", () => {
    const error = (() => {
      try {
        validateNginxModel(model((m) => ((m.upstreams[0].servers[0].host = "a;b"), (m.paths.pid = "x"), (m.workerConnections = 1))));
      } catch (err) {
        return err as NginxModelError;
      }
      throw new Error("expected a NginxModelError");
    })();
    // workerConnections 1 is also too few for the WebSockets per pod: one more line, naming both.
    expect(error.problems).toHaveLength(4);
    expect(error.message).toMatch(/^Invalid nginx model:\n {2}nginx\./);
  });
});
