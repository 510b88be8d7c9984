import { blocksNamed, constrainingKey, effectiveHeaders, effectiveProxyHeaders, geoBlocks, inherited, mapValue, methodsAdmitted, parseNginx, possibleValues, trustingValues, uncheckedClientInput, walkBlocks } from "../../../policies/semantics/nginx";

const http = (conf: string) => blocksNamed(parseNginx(conf), "http")[0]!;

describe("geoBlocks", () => {
  it("reads the keyed address, the default and every listed range", () => {
    const h = http(`http { geo $realip_remote_addr $peer { default 1; 10.0.0.0/16 0; "192.168.0.0/24" 0; proxy 10.1.0.0/16; } geo $country { default zz; } }`);
    expect(geoBlocks(h)).toEqual([
      { variable: "$peer", source: "$realip_remote_addr", defaultValue: "1", entries: [{ cidr: "10.0.0.0/16", value: "0" }, { cidr: "192.168.0.0/24", value: "0" }] },
      { variable: "$country", source: "$remote_addr", defaultValue: "zz", entries: [] },
    ]);
  });
});

describe("trustingValues", () => {
  it("a refusal gate trusts the falsy values", () => {
    const h = http(`http { geo $bad { default 1; 10.0.0.0/8 0; } server { location / { if ($bad) { return 403; } } } }`);
    expect([...trustingValues(h, "$bad")].sort()).toEqual(["", "0"]);
  });
  it("an if that does not refuse gates nothing", () => {
    const h = http(`http { geo $bad { default 1; } server { location / { if ($bad) { set $x 1; } } } }`);
    expect([...trustingValues(h, "$bad")]).toEqual([]);
  });
  it("a map believing a client header trusts the prefixes of its keys, through a set alias too", () => {
    const h = http(`http {
      geo $realip_remote_addr $peer_ok { default 0; 10.0.0.0/16 1; }
      map "$peer_ok:$http_x_forwarded_proto" $proto { default $scheme; "1:http" http; "1:https" https; }
      map "$ids:$http_x_amz_cf_id" $cf { default ""; "~^yes:([A-Za-z0-9]+)$" $1; }
      server { set $ids $peer_ok; }
    }`);
    expect([...trustingValues(h, "$peer_ok")].sort()).toEqual(["1", "yes"]);
  });
  it("a map of the variable alone (no client header) is no trust decision", () => {
    const h = http(`http { geo $zone { default a; 10.0.0.0/8 b; } map $zone $pool { default x; b y; } }`);
    expect([...trustingValues(h, "$zone")]).toEqual([]);
  });
});

describe("header and directive inheritance", () => {
  const conf = parseNginx(`http { add_header X-A a; proxy_read_timeout 9s; server { location /own/ { add_header X-B b; } location /inherit/ { proxy_pass http://x; } } }`);
  const chainOf = (path: string) => walkBlocks(conf).find((x) => x.block.name === "location" && x.block.args[0] === path)!.chain;
  it("a location's own add_header replaces every inherited one", () => {
    expect(effectiveHeaders(chainOf("/own/")).map((h) => h.name)).toEqual(["X-B"]);
    expect(effectiveHeaders(chainOf("/inherit/")).map((h) => h.name)).toEqual(["X-A"]);
  });
  it("single-valued directives come from the nearest block that sets them", () => {
    expect(inherited(chainOf("/inherit/"), "proxy_read_timeout")).toEqual(["9s"]);
    expect(inherited(chainOf("/inherit/"), "proxy_send_timeout")).toBeUndefined();
  });
});

describe("possibleValues", () => {
  const h = http(`http { map $scheme $hsts { default ""; https "max-age=600"; } geo $g { default 0; 10.0.0.0/8 1; } }`);
  it("resolves a map's and a geo's values, keeps literals, and does not guess other variables", () => {
    expect(possibleValues(h, "$hsts")).toEqual(["", "max-age=600"]);
    expect(possibleValues(h, "$g")).toEqual(["0", "1"]);
    expect(possibleValues(h, "max-age=1")).toEqual(["max-age=1"]);
    expect(possibleValues(h, "$http_x")).toEqual([undefined]);
  });
});

describe("effectiveProxyHeaders", () => {
  const root = parseNginx(`http {
    proxy_set_header X-Forwarded-For $remote_addr;
    server {
      location /a/ { proxy_pass http://app; }
      location /b/ { proxy_set_header X-Request-ID $request_id; proxy_pass http://app; }
    }
  }`);
  const http = root.blocks[0]!;
  const server = http.blocks[0]!;
  it("inherits the enclosing level's headers when a location sets none", () => {
    expect(effectiveProxyHeaders([root, http, server, server.blocks[0]!]).get("x-forwarded-for")).toBe("$remote_addr");
  });
  it("drops every inherited header once a location sets one of its own", () => {
    const b = effectiveProxyHeaders([root, http, server, server.blocks[1]!]);
    expect(b.get("x-forwarded-for")).toBeUndefined();
    expect(b.get("x-request-id")).toBe("$request_id");
  });
});

describe("methodsAdmitted", () => {
  it("reads which methods a $request_method regex lets through", () => {
    expect(methodsAdmitted("^(GET|HEAD|TRACE)$", ["TRACE", "TRACK", "CONNECT"])).toEqual(["TRACE"]);
    expect(methodsAdmitted("^(GET|HEAD)$", ["TRACE", "TRACK"])).toEqual([]);
    expect(methodsAdmitted("^[A-Z]+$", ["TRACE", "CONNECT"])).toEqual(["TRACE", "CONNECT"]);
    expect(methodsAdmitted("(", ["TRACE"])).toEqual([]);
  });
});

describe("constrainingKey", () => {
  it.each([
    ["~^[A-Za-z0-9._:-]{1,128}$", true],
    ["~*^1:([a-f0-9]{8}-[a-f0-9]{24})$", true],
    ["~^.+$", false],
    ["~^\\S{1,128}$", false],
    ["~^[^\\r\\n]+$", false],
    ["~[A-Za-z0-9]+", false],
    ["exact", false],
  ])("%s → %p", (key, constrains) => {
    expect(constrainingKey(key)).toBe(constrains);
  });
});

describe("uncheckedClientInput", () => {
  const h = http(`http {
    map $http_x_request_id $rid { default $request_id; "~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id; }
    map $http_x_request_id $loose { default $request_id; "~^.+$" $http_x_request_id; }
    map $http_x_user $user { default $http_x_user; }
    map "$trusted:$http_x_amz_cf_id" $cf { default ""; "~^1:([A-Za-z0-9_-]{16,120})$" $1; }
    map "$trusted:$http_x_amz_cf_id" $cf_loose { default ""; "~^1:(.*)$" $1; }
    map $http_upgrade $connection_upgrade { default upgrade; "" ""; }
    map $rid $nested { default $rid; }
  }`);
  it.each([
    ["$rid", []],
    ["$cf", []],
    ["$connection_upgrade", []],
    ["$nested", []],
    ["$remote_addr", []],
    ["$request_uri", []],
    ["$http_x_forwarded_host", ["$http_x_forwarded_host"]],
    ["prefix-$arg_id", ["$arg_id"]],
    ["$loose", ["$http_x_request_id"]],
    ["$user", ["$http_x_user"]],
    ["$cf_loose", ["$http_x_amz_cf_id"]],
  ])("%s → %p", (value, found) => {
    expect(uncheckedClientInput(h, value)).toEqual(found);
  });
});

describe("mapValue", () => {
  const h = http(`http { map $status $log { default 1; "~^5" 0; 429 $sampled; 404 0; } }`);
  it("takes an exact key first, then regexes in order (quoted keys too), else the default", () => {
    expect(mapValue(h, "$log", "404")).toBe("0");
    expect(mapValue(h, "$log", "502")).toBe("0");
    expect(mapValue(h, "$log", "429")).toBe("$sampled");
    expect(mapValue(h, "$log", "200")).toBe("1");
    expect(mapValue(h, "$unset", "200")).toBeUndefined();
  });
});
