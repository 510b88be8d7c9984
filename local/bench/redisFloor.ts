/**
 * The floor for any limiter that asks Redis per check: a script that returns a constant answer
 * for every check (admitted, count 1, reset 0, then 0 for the batch), called through the limiter's
 * own batching (BatchedScript, grouped: the group key, then limit, window and a field per check)
 * with the same keys and arguments. It reads and writes nothing, so
 * its Redis CPU is what the round trip, the script call and the keys' parsing cost alone.
 */
export const CONSTANT_SCRIPT_LUA = `
local out = {}
local n = #ARGV - 2
for i = 1, n do out[3 * i - 2] = 1; out[3 * i - 1] = 1; out[3 * i] = 0 end
out[3 * n + 1] = 0
return out
`;
