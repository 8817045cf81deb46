-- One permit from a GCRA token bucket, measured in Redis time (microseconds): the stored value
-- is the bucket's "theoretical arrival time"; a denied call writes nothing. The key expires
-- once the bucket would be full again, when dropping it changes nothing observable.
-- KEYS[1] bucket; ARGV[1] interval (period / permits) in microseconds, ARGV[2] permits
-- Returns {1, used} when allowed (used = time until full), {0, tat - now, used - capacity}
-- when denied.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local capacity = interval * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local nextTat = math.max(tat, now) + interval
local used = nextTat - now
if used > capacity then
  return {0, tat - now, used - capacity}
end
redis.call('SET', KEYS[1], string.format('%d', nextTat), 'PX', string.format('%d', math.ceil(used / 1000) + 1))
return {1, used}
