-- Adds jobs, visible at Redis time now + delay, and wakes waiting leases. Like a lease, it first
-- ranks the timer entries that are due (see q_lease.lua): so jobs queued while every worker is
-- busy are ranked as they come, and the first lease after a long build never finds thousands
-- of them waiting for a rank. Jobs without a delay are then ranked straight into the ready set,
-- after those entries - the order they would get from the timer set, without its round of
-- ZADD, ZREM and HMGET - unless the bound on one call's ranking left due entries behind, when
-- they wait on the timer set like delayed jobs, so no job jumps ahead of one due before it.
-- KEYS[1] timer zset (score: visible-at epoch ms), KEYS[2] id sequence, KEYS[3] jobs per group,
-- KEYS[4] ready zset, KEYS[5] virtual time, KEYS[6] last rank per group, KEYS[7] visible jobs
-- per group
-- ARGV[1] delay ms, ARGV[2] job key prefix, ARGV[3] wake channel, then a (payload, group) pair
-- per job: ARGV[4], ARGV[5], ...
-- Returns the jobs' ids, in order. now, ranker() and promote() come from q_promote.lua, loaded
-- in front.

local delay = tonumber(ARGV[1])
local ranks, allRanked = promote(KEYS[1], KEYS[4], KEYS[5], KEYS[6], KEYS[7], ARGV[2])
local direct = delay == 0 and allRanked
local visibleAt = string.format('%d', now + delay)
local count = math.floor((#ARGV - 3) / 2)
local seq = redis.call('INCRBY', KEYS[2], count) - count
local ids = {}
local perGroup = {}
local groups = {}
for i = 4, #ARGV, 2 do
  local payload, group = ARGV[i], ARGV[i + 1]
  seq = seq + 1
  -- zero-padded, so jobs due in the same millisecond lease in enqueue order (member order)
  local id = string.format('%016d', seq)
  redis.call('HSET', ARGV[2] .. id, 'p', payload, 'd', 0, 'g', group)
  if not perGroup[group] then
    perGroup[group] = 0
    groups[#groups + 1] = group
  end
  perGroup[group] = perGroup[group] + 1
  if direct then
    ranks.add(id, group)
  else
    redis.call('ZADD', KEYS[1], visibleAt, id)
  end
  ids[#ids + 1] = id
end
for _, group in ipairs(groups) do
  redis.call('HINCRBY', KEYS[3], group, perGroup[group])
end
ranks.flush()
redis.call('PUBLISH', ARGV[3], '1')
return ids
