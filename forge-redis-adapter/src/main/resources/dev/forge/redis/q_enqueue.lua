-- Adds a job, visible at Redis time now + delay, and wakes waiting leases. Like a lease, it then
-- ranks the timer entries that are due (this job too, when it has no delay; see q_lease.lua):
-- so jobs queued while every worker is busy are ranked as they come, and the first lease after
-- a long build never finds thousands of them waiting for a rank.
-- KEYS[1] timer zset (score: visible-at epoch ms), KEYS[2] id sequence, KEYS[3] jobs per group,
-- KEYS[4] ready zset, KEYS[5] virtual time, KEYS[6] last rank per group, KEYS[7] visible jobs
-- per group
-- ARGV[1] payload, ARGV[2] delay ms, ARGV[3] job key prefix, ARGV[4] wake channel, ARGV[5] group
-- now and promote() come from q_promote.lua, loaded in front of this script.

local seq = redis.call('INCR', KEYS[2])
-- zero-padded, so jobs due in the same millisecond lease in enqueue order (member order)
local id = string.format('%016d', seq)
redis.call('HSET', ARGV[3] .. id, 'p', ARGV[1], 'd', 0, 'g', ARGV[5])
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
redis.call('ZADD', KEYS[1], string.format('%d', now + tonumber(ARGV[2])), id)
promote(KEYS[1], KEYS[4], KEYS[5], KEYS[6], KEYS[7], ARGV[3])
redis.call('PUBLISH', ARGV[4], '1')
return id
