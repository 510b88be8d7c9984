/**
 * SPF policies (RFC 7208) read by what they let send mail as the domain, not by spelling: the `all` mechanism's
 * qualifier (`+all`, a bare `all` and `?all` pass or neutralise every sender), a policy with neither `all` nor
 * `redirect=` (every unlisted sender is neutral), and `ip4:`/`ip6:` ranges covering a broad share of the internet.
 */
import { coverage } from "./cidr";

/** Is this TXT value (its character-strings joined) an SPF policy? */
export const isSpf = (value: string): boolean => /^v=spf1(\s|$)/i.test(value.trim());

/** Why an SPF policy lets anyone (or a broad share of the internet) send as the domain; undefined when it does not. */
export function spfProblem(value: string): string | undefined {
  if (!isSpf(value)) return undefined;
  const terms = value.trim().split(/\s+/).slice(1);
  let hasAll = false;
  const ranges: string[] = [];
  for (const term of terms) {
    const m = /^([+\-~?]?)([a-z0-9]+)(?:[:=/](.*))?$/i.exec(term);
    if (!m) continue;
    const qualifier = m[1] || "+";
    const mechanism = m[2].toLowerCase();
    if (mechanism === "all") {
      hasAll = true;
      if (qualifier === "+") return `"${term}" passes mail from every sender on the internet`;
      if (qualifier === "?") return `"${term}" makes every unlisted sender neutral (receivers accept it as unauthenticated)`;
      // Terms after `all` are never evaluated.
      break;
    }
    if (mechanism === "redirect") hasAll = true;
    if ((mechanism === "ip4" || mechanism === "ip6") && qualifier === "+" && m[3]) ranges.push(m[3].includes("/") ? m[3] : `${m[3]}/${mechanism === "ip4" ? 32 : 128}`);
  }
  if (ranges.length > 0 && coverage(ranges).broad) return `it authorises ${ranges.join(", ")}, a broad share of the internet, to send as the domain`;
  if (!hasAll) return "it has neither an all mechanism nor a redirect, so every unlisted sender is neutral; end it with -all (or ~all)";
  return undefined;
}
