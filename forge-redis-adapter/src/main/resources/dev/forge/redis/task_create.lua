-- Creates a task unless its id exists, and indexes it, atomically.
-- KEYS[1] task hash, KEYS[2] owner+kind index, KEYS[3] all-owners index, KEYS[4] terminal index
-- ARGV[1] record JSON, ARGV[2] version, ARGV[3] index member ("<createdAt key>|<id>"),
-- ARGV[4] terminal score (epoch ms) or '' when not terminal, ARGV[5] id, ARGV[6] completion key
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'rec', ARGV[1], 'v', ARGV[2], 'm', ARGV[3], 'oi', KEYS[2],
  'ai', KEYS[3], 'done', ARGV[6])
redis.call('ZADD', KEYS[2], 0, ARGV[3])
redis.call('ZADD', KEYS[3], 0, ARGV[3])
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[5])
end
return 1
