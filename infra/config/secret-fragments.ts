/** Pure: what a `secure:` config value looks like where a program uses it (no Pulumi runtime needed). */

/** Shorter derived fragments are not searched for: they would mark unrelated inputs secret. */
export const MIN_FRAGMENT_CHARS = 6;

/**
 * What to look for in resource inputs for one `secure:` value. A structured value (a list or object
 * set with --secret) is stored as one JSON string, but the program uses its elements, so each leaf
 * string counts; and an element of the `label:rest` shape (`https:https://…/KEY`, `name:2`) is used
 * without its label, so the rest counts too. The whole value always counts.
 */
export function secretFragments(value: string): string[] {
  const fragments = new Set<string>(value.length > 0 ? [value] : []);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [...fragments];
  }
  const leaves: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") leaves.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
  };
  if (typeof parsed === "object" && parsed !== null) walk(parsed);
  for (const leaf of leaves) {
    const labelled = /^[A-Za-z][A-Za-z0-9+.-]*:(.+)$/s.exec(leaf);
    for (const fragment of [leaf, labelled?.[1]]) if (fragment !== undefined && fragment.length >= MIN_FRAGMENT_CHARS) fragments.add(fragment);
  }
  return [...fragments];
}
