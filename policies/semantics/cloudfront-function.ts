/**
 * What a CloudFront Function does to the request's headers on EVERY request, read from its parsed code (acorn, the
 * parser ESLint and webpack build on) rather than from a pattern: a header counts as set from the viewer's address
 * only when the handler assigns `{ value: event.viewer.ip }` to it in a statement that runs on every request, i.e. a
 * statement of the handler's own body, with no earlier statement that may return or throw (an `if (…) return`, a
 * guard on the method or path) and no later statement that may overwrite or delete it. An assignment inside an `if`,
 * a loop or a nested function runs only sometimes: on the other requests the viewer's own value passes. In a `try`
 * block an assignment counts only when nothing before it in the block may throw (a throw skips to the catch, which
 * goes on without it).
 */
import { parse } from "acorn";

type Node = { type: string; [key: string]: any };

/** Node types whose bodies run later or elsewhere, not as part of the handler's statement. */
const NESTED_FUNCTION = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/** Every node under `node` (nested functions left out), depth first. */
function* walk(node: unknown): Generator<Node> {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const x of node) yield* walk(x);
    return;
  }
  const n = node as Node;
  if (typeof n.type !== "string") return;
  yield n;
  if (NESTED_FUNCTION.has(n.type)) return;
  for (const [k, v] of Object.entries(n)) if (k !== "type" && k !== "start" && k !== "end") yield* walk(v);
}

/** The handler CloudFront calls: `function handler(event)`, or `var handler = function (event) {…}` / an arrow function. */
function findHandler(program: Node): Node | undefined {
  for (const s of program.body as Node[]) {
    if (s.type === "FunctionDeclaration" && s.id?.name === "handler") return s;
    if (s.type === "VariableDeclaration") {
      for (const d of s.declarations as Node[]) if (d.id?.name === "handler" && d.init && NESTED_FUNCTION.has(d.init.type) && d.init.body?.type === "BlockStatement") return d.init;
    }
  }
  return undefined;
}

/** A member chain as a dotted path (`event.request.headers`), a computed string key written as `["x"]`; undefined otherwise. */
function pathOf(node: Node | undefined, aliases: ReadonlyMap<string, string>): string | undefined {
  if (!node) return undefined;
  if (node.type === "Identifier") return aliases.get(node.name) ?? node.name;
  if (node.type !== "MemberExpression") return undefined;
  const object = pathOf(node.object, aliases);
  if (object === undefined) return undefined;
  if (!node.computed && node.property.type === "Identifier") return `${object}.${node.property.name}`;
  if (node.computed && node.property.type === "Literal" && typeof node.property.value === "string") return `${object}["${node.property.value}"]`;
  return undefined;
}

/** The header a `headers[...]` / `headers.name` target names, when it is the request's headers (the key as written). */
function headerKey(target: Node, headers: string, aliases: ReadonlyMap<string, string>): string | undefined {
  if (target.type !== "MemberExpression") return undefined;
  if (pathOf(target.object, aliases) !== headers) return undefined;
  if (!target.computed && target.property.type === "Identifier") return target.property.name;
  if (target.computed && target.property.type === "Literal" && typeof target.property.value === "string") return target.property.value;
  return "*";
}

/** `{ value: event.viewer.ip }` (any alias of it). */
function isViewerIpValue(node: Node | undefined, viewerIp: string, aliases: ReadonlyMap<string, string>): boolean {
  if (node?.type !== "ObjectExpression") return false;
  const value = (node.properties as Node[]).find((p) => p.type === "Property" && ((p.key.type === "Identifier" && p.key.name === "value") || (p.key.type === "Literal" && p.key.value === "value")));
  return value !== undefined && pathOf(value.value, aliases) === viewerIp && (node.properties as Node[]).length === 1;
}

/**
 * The request headers (keys as written) the function sets to the viewer's address on every request; undefined when
 * the code does not parse or has no handler (nothing is then shown to be set).
 */
export function headersAlwaysSetFromViewer(code: string): string[] | undefined {
  let program: Node;
  try {
    program = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as Node;
  } catch {
    return undefined;
  }
  const handler = findHandler(program);
  const event = handler?.params?.[0]?.type === "Identifier" ? (handler.params[0].name as string) : undefined;
  if (!handler || !event) return undefined;
  const request = `${event}.request`;
  const headers = `${request}.headers`;
  const viewerIp = `${event}.viewer.ip`;
  // Top-level `var request = event.request`, `const h = request.headers`, `var ip = event.viewer.ip`.
  const aliases = new Map<string, string>();
  const set = new Set<string>();
  let mayHaveLeft = false;
  /** Runs one statement of the handler's main path; `counts`: an assignment in it runs on every request. */
  const run = (statement: Node, counts: boolean): boolean => {
    if (statement.type === "VariableDeclaration") {
      for (const d of statement.declarations as Node[]) {
        if (d.id?.type !== "Identifier") continue;
        const target = pathOf(d.init, aliases);
        if (target === request || target === headers || target === viewerIp) aliases.set(d.id.name, target);
        else aliases.delete(d.id.name);
      }
    }
    const expression = statement.type === "ExpressionStatement" ? (statement.expression as Node) : undefined;
    const topAssignment = expression?.type === "AssignmentExpression" && expression.operator === "=" ? expression : undefined;
    const topKey = topAssignment ? headerKey(topAssignment.left, headers, aliases) : undefined;
    if (topAssignment && topKey !== undefined && topKey !== "*" && counts && !mayHaveLeft && isViewerIpValue(topAssignment.right, viewerIp, aliases)) {
      set.add(topKey);
      return true;
    }
    // Anything else that writes, deletes or replaces a header (or the whole headers object) undoes an earlier set.
    for (const n of walk(statement)) {
      const written =
        n.type === "AssignmentExpression"
          ? n.left
          : n.type === "UnaryExpression" && n.operator === "delete"
            ? n.argument
            : undefined;
      if (!written) continue;
      const key = headerKey(written, headers, aliases);
      const whole = [request, headers].includes(pathOf(written, aliases) ?? "");
      if (whole || key === "*") set.clear();
      else if (key !== undefined && !(n.type === "AssignmentExpression" && isViewerIpValue(n.right, viewerIp, aliases))) set.delete(key);
    }
    // A statement that may return or throw ends "every request": later statements run only on some.
    if ([...walk(statement)].some((n) => n.type === "ReturnStatement" || n.type === "ThrowStatement")) mayHaveLeft = true;
    return false;
  };
  for (const statement of handler.body.body as Node[]) {
    if (statement.type !== "TryStatement") {
      run(statement, true);
      continue;
    }
    // A try block runs in order until a statement throws (any call may), and the catch goes on from there: an
    // assignment counts only while every statement before it in the block was such an assignment (which cannot throw).
    let unbroken = true;
    for (const inner of statement.block.body as Node[]) unbroken = run(inner, unbroken) && unbroken;
    if (statement.handler) run(statement.handler.body as Node, false);
    for (const inner of (statement.finalizer?.body ?? []) as Node[]) run(inner, true);
  }
  return [...set];
}
