-- Adds a job, visible at Redis time now + delay, and wakes waiting leases.
-- KEYS[1] queue zset (score: visible-at epoch ms), KEYS[2] id sequence
-- ARGV[1] payload, ARGV[2] delay ms, ARGV[3] job key prefix, ARGV[4] wake channel
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local seq = redis.call('INCR', KEYS[2])
-- zero-padded, so jobs due in the same millisecond lease in enqueue order (member order)
local id = string.format('%016d', seq)
redis.call('HSET', ARGV[3] .. id, 'p', ARGV[1], 'd', 0)
redis.call('ZADD', KEYS[1], string.format('%d', now + tonumber(ARGV[2])), id)
redis.call('PUBLISH', ARGV[4], '1')
return id
