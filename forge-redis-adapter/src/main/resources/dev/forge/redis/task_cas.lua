-- The compare-and-set on (id, version): writes the next record and keeps the terminal index
-- consistent with it, or does nothing when the stored version differs or the task is gone.
-- KEYS[1] task hash, KEYS[2] terminal index
-- ARGV[1] expected version, ARGV[2] next record JSON, ARGV[3] next version,
-- ARGV[4] terminal score (epoch ms) or '', ARGV[5] id, ARGV[6] completion key
-- Only a record whose stored completion key is set is in the terminal index, so a change between
-- two non-terminal records (every status a job passes through) leaves the index alone.
local stored = redis.call('HMGET', KEYS[1], 'v', 'done')
if stored[1] ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'rec', ARGV[2], 'v', ARGV[3], 'done', ARGV[6])
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
elseif stored[2] and stored[2] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[5])
end
return 1
