-- Adds a job, visible at Redis time now + delay, and wakes waiting leases. It is ranked for
-- fairness only when a lease finds it visible (q_lease.lua).
-- KEYS[1] queue zset (score: visible-at epoch ms), KEYS[2] id sequence, KEYS[3] jobs per group
-- ARGV[1] payload, ARGV[2] delay ms, ARGV[3] job key prefix, ARGV[4] wake channel, ARGV[5] group
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local seq = redis.call('INCR', KEYS[2])
-- zero-padded, so jobs due in the same millisecond lease in enqueue order (member order)
local id = string.format('%016d', seq)
redis.call('HSET', ARGV[3] .. id, 'p', ARGV[1], 'd', 0, 'g', ARGV[5])
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
redis.call('ZADD', KEYS[1], string.format('%d', now + tonumber(ARGV[2])), id)
redis.call('PUBLISH', ARGV[4], '1')
return id
