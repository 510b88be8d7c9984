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

/** The configuration's block tree (the root block is named "main"). Comments are dropped; quotes removed. */
export function parseNginx(conf: string): NginxBlock {
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
