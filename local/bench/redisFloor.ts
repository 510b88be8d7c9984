/**
 * The floor for any limiter that asks Redis per check: a script that returns a constant answer
 * for every check in the limiter's reply shape (one integer per check, then one for the batch),
 * called through the limiter's own batching (BatchedScript, grouped: the group key, then limit,
 * window and a field per check) with the same keys and arguments. It reads and writes nothing, so
 * its Redis CPU is what the round trip, the script call and the keys' parsing cost alone.
 */
export const CONSTANT_SCRIPT_LUA = `
local out = {}
local n = #ARGV - 2
for i = 1, n do out[i] = 1 end
out[n + 1] = 0
return out
`;

/**
 * The floor in the reply shape the limiter had before (three integers per check: allowed, count,
 * reset): the figure earlier runs compared against, kept so a change of shape can be judged both
 * ways.
 */
export const CONSTANT_THREE_SCRIPT_LUA = `
local out = {}
local n = #ARGV - 2
for i = 1, n do out[3 * i - 2] = 1; out[3 * i - 1] = 1; out[3 * i] = 0 end
out[3 * n + 1] = 0
return out
`;

/**
 * What reading and writing one field per check costs Redis at least: the script HMGETs every
 * check's field in one hash of the group and HSETs each to a fixed 16-byte value (one command each
 * per batch, the shape the limiter uses), answering a constant in the limiter's reply shape. Any
 * exact limiter that reads a client's state and records an admitted hit with batched hash commands
 * pays this per admission; its ratio to the floor is the lowest an "every check admitted" row can
 * show with that shape.
 */
export const READ_WRITE_SCRIPT_LUA = `
local key = KEYS[1] .. ':rw'
local values = redis.call('HMGET', key, unpack(ARGV, 3))
local out, args = {}, {}
local n = #ARGV - 2
for i = 1, n do
  args[2 * i - 1], args[2 * i] = ARGV[i + 2], values[i] and 'rw-16-bytes-next' or 'rw-16-bytes-new!'
  out[i] = 1
end
redis.call('HSET', key, unpack(args, 1, 2 * n))
out[n + 1] = 0
return out
`;
