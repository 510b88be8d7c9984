/**
 * The floor for any limiter that asks Redis per check: a script that returns a constant answer
 * for every key (admitted, count 1, reset 0, then 0 for the batch), called through the limiter's
 * own batching (BatchedScript) with the same keys and arguments. It reads and writes nothing, so
 * its Redis CPU is what the round trip, the script call and the keys' parsing cost alone.
 */
export const CONSTANT_SCRIPT_LUA = `
local out = {}
for i = 1, #KEYS do out[3 * i - 2] = 1; out[3 * i - 1] = 1; out[3 * i] = 0 end
out[3 * #KEYS + 1] = 0
return out
`;
