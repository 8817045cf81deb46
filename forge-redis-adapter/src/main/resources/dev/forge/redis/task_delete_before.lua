-- Deletes up to a batch of terminal tasks completed before the cutoff, with their index
-- entries and logs. Returns {deleted, examined}; the caller repeats while examined == batch.
-- KEYS[1] terminal index (score: completion epoch ms)
-- ARGV[1] cutoff epoch ms (floor), ARGV[2] cutoff completion key (exact, nanoseconds),
-- ARGV[3] task key prefix, ARGV[4] log key prefix, ARGV[5] batch size
local batch = tonumber(ARGV[5])
local deleted = 0

local function drop(id)
  local key = ARGV[3] .. id
  local fields = redis.call('HMGET', key, 'm', 'oi', 'ai')
  if fields[1] then
    redis.call('ZREM', fields[2], fields[1])
    redis.call('ZREM', fields[3], fields[1])
    redis.call('DEL', key)
    deleted = deleted + 1
  end
  redis.call('ZREM', KEYS[1], id)
  local log = ARGV[4] .. id
  redis.call('DEL', log, log .. ':h', log .. ':t')
end

local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, batch)
for _, id in ipairs(ids) do
  drop(id)
end
if #ids < batch then
  -- the cutoff's own millisecond: compare the exact completion time
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])) do
    local done = redis.call('HGET', ARGV[3] .. id, 'done')
    if not done or done < ARGV[2] then
      drop(id)
    end
  end
end
return {deleted, #ids}
