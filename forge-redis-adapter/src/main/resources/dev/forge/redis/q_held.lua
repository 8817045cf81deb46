-- Acts on a leased job if the lease still holds it: same token and not lapsed (Redis time).
-- An expired lease is lost even before another worker takes the job, so only one holder can
-- ever act on a delivery.
-- KEYS[1] queue timer zset (a held job is there, scored by its lease's expiry), KEYS[2] job
-- hash, KEYS[3] jobs per group
-- ARGV[1] job id, ARGV[2] token, ARGV[3] action (extend|ack|release), ARGV[4] ms
-- (visibility for extend, delay for release), ARGV[5] wake channel
-- Returns 0 when the lease is lost, else 1 (extend: the new expiry in epoch ms).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- token and group in one read: an ack needs both
local job = redis.call('HMGET', KEYS[2], 't', 'g')
if job[1] ~= ARGV[2] then
  return 0
end
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) <= now then
  return 0
end
local action = ARGV[3]
if action == 'ack' then
  local g = job[2] or ''
  if redis.call('HINCRBY', KEYS[3], g, -1) <= 0 then
    redis.call('HDEL', KEYS[3], g)
  end
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
local at = now + tonumber(ARGV[4])
if action == 'extend' then
  redis.call('ZADD', KEYS[1], string.format('%d', at), ARGV[1])
  return at
end
redis.call('HDEL', KEYS[2], 't')
redis.call('ZADD', KEYS[1], string.format('%d', at), ARGV[1])
redis.call('PUBLISH', ARGV[5], '1')
return 1
