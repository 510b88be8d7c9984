/**
 * nginx.conf as a tree of blocks and directives, enough to ask what a server does: which ports it listens on,
 * which location answers a path, where it takes the client address from and what its rate limits key on.
 */

export interface NginxDirective {
  name: string;
  args: string[];
}

export interface NginxBlock extends NginxDirective {
  directives: NginxDirective[];
  blocks: NginxBlock[];
}

const unquote = (t: string) => (/^(["']).*\1$/s.test(t) ? t.slice(1, -1) : t);

/** Parsed configurations by their text: many rules read the same ConfigMap, and a plan holds a few. */
const parsed = new Map<string, NginxBlock>();
const PARSED_KEPT = 32;

/**
 * The configuration's block tree (the root block is named "main"). Comments are dropped; quotes removed. The tree is
 * shared by every caller that parses the same text: read it, never change it.
 */
export function parseNginx(conf: string): NginxBlock {
  const known = parsed.get(conf);
  if (known !== undefined) return known;
  const root = parseNginxText(conf);
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  parsed.set(conf, root);
  return root;
}

function parseNginxText(conf: string): NginxBlock {
  const text = conf.replace(/(^|[^\\$])#[^\n]*/g, "$1");
  const root: NginxBlock = { name: "main", args: [], directives: [], blocks: [] };
  const stack: NginxBlock[] = [root];
  let tokens: string[] = [];
  for (const tok of text.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};]+/g) ?? []) {
    const top = stack[stack.length - 1];
    if (tok === "{") {
      const block: NginxBlock = { name: tokens[0] ?? "", args: tokens.slice(1).map(unquote), directives: [], blocks: [] };
      top.blocks.push(block);
      stack.push(block);
      tokens = [];
    } else if (tok === "}") {
      if (stack.length > 1) stack.pop();
      tokens = [];
    } else if (tok === ";") {
      if (tokens.length > 0) top.directives.push({ name: tokens[0], args: tokens.slice(1).map(unquote) });
      tokens = [];
    } else tokens.push(tok);
  }
  return root;
}

export const blocksNamed = (b: NginxBlock, name: string): NginxBlock[] => b.blocks.filter((x) => x.name === name);
export const directivesNamed = (b: NginxBlock, name: string): string[][] => b.directives.filter((d) => d.name === name).map((d) => d.args);

/** Every server block of the http context. */
export function serversOf(root: NginxBlock): NginxBlock[] {
  return blocksNamed(root, "http").flatMap((h) => blocksNamed(h, "server"));
}

/** Ports a server listens on, with whether that listener expects the PROXY protocol and speaks TLS (`ssl`). */
export function listensOf(server: NginxBlock): { port: number; proxyProtocol: boolean; ssl: boolean }[] {
  return directivesNamed(server, "listen").map((args) => {
    const m = /(\d+)$/.exec(args[0] ?? "");
    return { port: m ? Number(m[1]) : 80, proxyProtocol: args.includes("proxy_protocol"), ssl: args.includes("ssl") };
  });
}

/** The location that answers `path` (exact `=` first, then the longest prefix; regex locations when no `^~` prefix wins). */
export function locationFor(server: NginxBlock, path: string): NginxBlock | undefined {
  const locations = blocksNamed(server, "location");
  const exact = locations.find((l) => l.args[0] === "=" && l.args[1] === path);
  if (exact) return exact;
  const prefixes = locations.filter((l) => (l.args.length === 1 || l.args[0] === "^~") && path.startsWith(l.args[l.args.length - 1]));
  const longest = prefixes.sort((a, b) => b.args[b.args.length - 1].length - a.args[a.args.length - 1].length)[0];
  if (longest?.args[0] === "^~") return longest;
  const regex = locations.find((l) => (l.args[0] === "~" || l.args[0] === "~*") && new RegExp(l.args[1], l.args[0] === "~*" ? "i" : "").test(path));
  return regex ?? longest;
}

/** True when the location hands the request to an upstream (proxy_pass and friends), directly or in a nested block. */
export function proxies(b: NginxBlock): boolean {
  return b.directives.some((d) => /^(proxy|fastcgi|uwsgi|scgi|grpc)_pass$/.test(d.name)) || b.blocks.some(proxies);
}

/** nginx time value ("75", "75s", "1m30s", "500ms") in seconds, or undefined if malformed. */
export function nginxSeconds(value: string): number | undefined {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  if (/^\d+$/.test(value)) return Number(value);
  const parts = [...value.matchAll(/(\d+)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]], 0);
}

/** Every block under `b` (itself first), depth first, with the chain of blocks leading to it (outermost first). */
export function walkBlocks(b: NginxBlock, chain: NginxBlock[] = []): { block: NginxBlock; chain: NginxBlock[] }[] {
  const here = [...chain, b];
  return [{ block: b, chain: here }, ...b.blocks.flatMap((x) => walkBlocks(x, here))];
}

/**
 * The value a directive takes in the innermost block of `chain` (outermost first): nginx's inheritance for
 * single-valued directives (its own last occurrence, else the nearest enclosing block's), undefined when unset.
 */
export function inherited(chain: readonly NginxBlock[], name: string): string[] | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const own = directivesNamed(chain[i], name);
    if (own.length > 0) return own[own.length - 1];
  }
  return undefined;
}

/**
 * The add_header directives a response from the innermost block of `chain` carries: nginx takes them from the
 * innermost level that has any (a location with one add_header drops every header its server and http set).
 */
export function effectiveHeaders(chain: readonly NginxBlock[]): { name: string; value: string; always: boolean }[] {
  for (let i = chain.length - 1; i >= 0; i--) {
    const own = directivesNamed(chain[i], "add_header");
    if (own.length > 0) return own.map((a) => ({ name: a[0] ?? "", value: a[1] ?? "", always: a[2] === "always" }));
  }
  return [];
}

/**
 * The values a variable can take: a literal is itself; a variable a `map` (or `geo`) sets takes each of its values
 * (one level, the default included); any other variable is unknown (undefined in the list).
 */
export function possibleValues(http: NginxBlock, value: string): (string | undefined)[] {
  const m = /^\$(\w+)$/.exec(value);
  if (!m) return [value];
  const source = [...blocksNamed(http, "map").filter((b) => b.args[1] === value), ...blocksNamed(http, "geo").filter((b) => b.args[b.args.length - 1] === value)][0];
  if (!source) return [undefined];
  return source.directives.filter((d) => !["hostnames", "volatile", "ranges", "proxy", "proxy_recursive", "include", "delete"].includes(d.name)).map((d) => d.args[0] ?? "");
}

export interface GeoBlock {
  /** The variable it sets ("$edge_trusted"). */
  variable: string;
  /** The address it keys on ($remote_addr when unnamed). */
  source: string;
  /** The value of every address no entry lists: the internet. */
  defaultValue: string;
  entries: { cidr: string; value: string }[];
}

/** The `geo` blocks of an http block: which value each listed range and every other address get. */
export function geoBlocks(http: NginxBlock): GeoBlock[] {
  return blocksNamed(http, "geo").map((g) => {
    const variable = g.args[g.args.length - 1] ?? "";
    const source = g.args.length > 1 ? (g.args[0] ?? "") : "$remote_addr";
    const entries = g.directives.filter((d) => !["default", "ranges", "proxy", "proxy_recursive", "include", "delete"].includes(d.name)).map((d) => ({ cidr: unquote(d.name), value: d.args[0] ?? "" }));
    return { variable, source, defaultValue: directivesNamed(g, "default").at(-1)?.[0] ?? "", entries };
  });
}

/**
 * The values of `variable` that make nginx trust a peer, read from how the configuration uses it (directly or
 * through a `set $alias $variable`): an `if ($variable) { return 4xx/5xx; }` refuses the truthy values, so the
 * trusted ones are "" and "0"; a `map "$variable<sep>$http_…"` whose keys start with a value before the separator
 * believes the client's header only for those values. Empty when the configuration uses it for nothing of the kind.
 */
export function trustingValues(http: NginxBlock, variable: string): Set<string> {
  const names = new Set([variable]);
  for (const { block } of walkBlocks(http)) for (const [alias, from] of directivesNamed(block, "set")) if (from === variable && alias) names.add(alias);
  const out = new Set<string>();
  for (const { block } of walkBlocks(http)) {
    if (block.name === "if" && names.has((block.args.join(" ").match(/^\(\s*(\$\w+)\s*\)$/) ?? [])[1] ?? "")) {
      if (directivesNamed(block, "return").some((a) => Number(a[0]) >= 400)) ["", "0"].forEach((v) => out.add(v));
    }
  }
  for (const map of blocksNamed(http, "map")) {
    const src = map.args[0] ?? "";
    for (const n of names) {
      const m = new RegExp(`^\\${n}(\\W)(.*\\$http_\\w+.*)$`).exec(src);
      if (!m) continue;
      const sep = m[1];
      for (const d of map.directives) {
        if (d.name === "default" || d.name === "hostnames" || d.name === "volatile") continue;
        const key = unquote(d.name).replace(/^~\*?/, "").replace(/^\^/, "");
        const at = key.indexOf(sep);
        if (at >= 0) out.add(key.slice(0, at).replace(/\\(.)/g, "$1"));
      }
    }
  }
  return out;
}

/**
 * The proxy_set_header directives a request proxied from the innermost block of `chain` carries, by lower-cased
 * header name: nginx takes them from the innermost level that has any (a location with one proxy_set_header drops
 * every one its server and http set). A header none sets is passed on as the client sent it (nginx sets only Host
 * and Connection itself).
 */
export function effectiveProxyHeaders(chain: readonly NginxBlock[]): Map<string, string> {
  for (let i = chain.length - 1; i >= 0; i--) {
    const own = directivesNamed(chain[i], "proxy_set_header");
    if (own.length > 0) return new Map(own.map((a) => [(a[0] ?? "").toLowerCase(), a[1] ?? ""]));
  }
  return new Map();
}

/** The HTTP methods a `$request_method` regex admits among `candidates` (case-sensitive, as nginx matches `~`). */
export function methodsAdmitted(regex: string, candidates: readonly string[]): string[] {
  try {
    const re = new RegExp(regex);
    return candidates.filter((m) => re.test(m));
  } catch {
    return [];
  }
}

/**
 * Variables whose value is text the client wrote, unchecked: headers, cookies, query arguments, the decoded URI, the
 * body. $request_uri is the client's too, but stays percent-encoded (no space or line break): it is a client variable
 * where it decides a redirect's origin (policies/rules/nginx-effects.ts clientChosenOrigin), not in a header value.
 */
export const CLIENT_VARIABLE = /^\$(http_\w+|cookie_\w+|arg_\w+|args|query_string|uri|document_uri|request_body|request_line)$/;

/**
 * Whether a map key (`~regex`, `~*regex`) only matches text that cannot break out of a header value or a log field:
 * anchored at both ends and built from explicit character sets, with no `.`, negated set, or class escape that
 * admits spaces, quotes or line breaks (\S, \W, \D, \s, \x.., \N).
 */
export function constrainingKey(key: string): boolean {
  if (!/^~\*?/.test(key)) return false;
  const re = key.replace(/^~\*?/, "");
  if (!re.startsWith("^") || !re.endsWith("$") || re.endsWith("\\$")) return false;
  // Outside character sets: no dot; inside or out: no negated set and no broad escape.
  let inSet = false;
  for (let i = 0; i < re.length; i++) {
    const ch = re[i]!;
    if (ch === "\\") {
      if (/[SWDsxNpPRXC]/.test(re[i + 1] ?? "")) return false;
      i++;
      continue;
    }
    if (!inSet && ch === "[") {
      if (re[i + 1] === "^") return false;
      inSet = true;
    } else if (inSet && ch === "]") inSet = false;
    else if (!inSet && ch === ".") return false;
  }
  return true;
}

/**
 * The client-written variables a value (a directive argument such as "$edge_request_id" or "https://$host$uri")
 * can carry unchecked: a client variable itself, or a variable a `map` sets to one (or to a capture, $1…) for a key
 * that does not constrain it (policies/semantics/nginx.ts constrainingKey), followed through nested maps. Literals,
 * nginx's own variables and values of maps keyed on nginx's own variables carry none.
 */
export function uncheckedClientInput(http: NginxBlock, value: string): string[] {
  let known = unchecked.get(http);
  if (!known) unchecked.set(http, (known = new Map()));
  let found = known.get(value);
  if (!found) known.set(value, (found = uncheckedIn(http, value, new Set())));
  return found;
}
/** uncheckedClientInput's answers per (parsed, shared) http block and value. */
const unchecked = new WeakMap<NginxBlock, Map<string, string[]>>();

function uncheckedIn(http: NginxBlock, value: string, seen: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [v] of value.matchAll(/\$\{?\w+\}?/g)) {
    const name = v.replace(/[{}]/g, "");
    if (CLIENT_VARIABLE.test(name)) {
      out.push(name);
      continue;
    }
    if (seen.has(name)) continue;
    const map = blocksNamed(http, "map").find((b) => b.args[1] === name);
    if (!map) continue;
    const source = map.args[0] ?? "";
    const sourceClient = uncheckedIn(http, source, new Set([...seen, name]));
    for (const d of map.directives) {
      if (["hostnames", "volatile", "include"].includes(d.name)) continue;
      const result = d.args[0] ?? "";
      const key = d.name === "default" ? "" : unquote(d.name);
      // A capture or the source itself passes the key's text on: constrained only by a constraining regex.
      const passes = /\$\d/.test(result) || (sourceClient.length > 0 && result.includes(source));
      if (passes && sourceClient.length > 0 && !constrainingKey(key)) out.push(...sourceClient);
      // Other variables of the value are judged on their own (the source's, already judged, are left out).
      const sourceVars = new Set(source.match(/\$\w+/g) ?? []);
      const rest = (result.match(/\$\{?[A-Za-z_]\w*\}?/g) ?? []).filter((x) => !sourceVars.has(x.replace(/[{}]/g, "")));
      out.push(...rest.flatMap((x) => uncheckedIn(http, x, new Set([...seen, name]))));
    }
  }
  return [...new Set(out)];
}

/**
 * The value a `map` gives `variable` for the source text `input`, as nginx evaluates it: an exact key first, then
 * the regular expressions in order (`~` case-sensitive, `~*` not), else the default (empty when none). Undefined
 * when no map sets the variable.
 */
export function mapValue(http: NginxBlock, variable: string, input: string): string | undefined {
  const map = blocksNamed(http, "map").find((b) => b.args[1] === variable);
  if (!map) return undefined;
  const entries = map.directives.filter((d) => !["hostnames", "volatile", "include", "default"].includes(d.name)).map((d) => ({ key: unquote(d.name), value: d.args[0] ?? "" }));
  const exact = entries.find((d) => !d.key.startsWith("~") && d.key.replace(/^\\/, "") === input);
  if (exact) return exact.value;
  for (const d of entries.filter((x) => x.key.startsWith("~"))) {
    try {
      if (new RegExp(d.key.replace(/^~\*?/, ""), d.key.startsWith("~*") ? "i" : "").test(input)) return d.value;
    } catch {
      return undefined;
    }
  }
  return directivesNamed(map, "default").at(-1)?.[0] ?? "";
}
