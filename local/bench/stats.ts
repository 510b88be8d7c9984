/** Figures the benches print: medians of rounds with their spread, and the wrk script they share. */

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
export const fmt = (n: number, digits = 2): string => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** The rounds' range, `min–max`. */
export const spread = (xs: number[], digits = 2): string => `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

/** A wrk Lua script sending `GET /api/hello` from `clients` distinct client addresses in turn (X-Forwarded-For). */
export const wrkClientsScript = (clients: number): string => `
local addresses = {}
for i = 0, ${clients - 1} do addresses[#addresses + 1] = string.format("10.0.%d.%d", math.floor(i / 256), i % 256) end
local n = 0
request = function()
  n = n % #addresses + 1
  return wrk.format("GET", "/api/hello", { ["X-Forwarded-For"] = addresses[n] })
end
`;
