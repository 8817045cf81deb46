-- Adds jobs, visible at Redis time now + delay, and wakes waiting leases. Like a lease, it then
-- ranks the timer entries that are due (these jobs too, when they have no delay; see q_lease.lua):
-- so jobs queued while every worker is busy are ranked as they come, and the first lease after
-- a long build never finds thousands of them waiting for a rank.
-- KEYS[1] timer zset (score: visible-at epoch ms), KEYS[2] id sequence, KEYS[3] jobs per group,
-- KEYS[4] ready zset, KEYS[5] virtual time, KEYS[6] last rank per group, KEYS[7] visible jobs
-- per group
-- ARGV[1] delay ms, ARGV[2] job key prefix, ARGV[3] wake channel, then a (payload, group) pair
-- per job: ARGV[4], ARGV[5], ...
-- Returns the jobs' ids, in order. now and promote() come from q_promote.lua, loaded in front.

local visibleAt = string.format('%d', now + tonumber(ARGV[1]))
local ids = {}
for i = 4, #ARGV, 2 do
  local payload, group = ARGV[i], ARGV[i + 1]
  local seq = redis.call('INCR', KEYS[2])
  -- zero-padded, so jobs due in the same millisecond lease in enqueue order (member order)
  local id = string.format('%016d', seq)
  redis.call('HSET', ARGV[2] .. id, 'p', payload, 'd', 0, 'g', group)
  redis.call('HINCRBY', KEYS[3], group, 1)
  redis.call('ZADD', KEYS[1], visibleAt, id)
  ids[#ids + 1] = id
end
promote(KEYS[1], KEYS[4], KEYS[5], KEYS[6], KEYS[7], ARGV[2])
redis.call('PUBLISH', ARGV[3], '1')
return ids
