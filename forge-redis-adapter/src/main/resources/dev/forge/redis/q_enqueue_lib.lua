-- Shared by q_enqueue.lua and task_create_enqueue.lua, which LuaScript loads with this text (and
-- q_promote.lua before it) in front of theirs: enqueue() adds jobs, visible at Redis time now +
-- delay, and wakes waiting leases. Like a lease, it first ranks the timer entries that are due
-- (see q_lease.lua): so jobs queued while every worker is busy are ranked as they come, and the
-- first lease after a long build never finds thousands of them waiting for a rank. Jobs without
-- a delay are then ranked straight into the ready set, after those entries - the order they
-- would get from the timer set, without its round of ZADD, ZREM and HMGET - unless the bound on
-- one call's ranking left due entries behind, when they wait on the timer set like delayed jobs,
-- so no job jumps ahead of one due before it.
-- q: the queue's seven keys, as KEYS[1..7] of q_enqueue.lua; delay: ms; prefix: job key prefix;
-- wake: the wake channel, or '' to publish nothing (a pipeline of calls publishes once, in its
-- last); jobs: a flat list of (payload, group) pairs from index first on (ARGV itself from
-- q_enqueue.lua: no copy).
-- Returns the jobs' ids, in order.
local function enqueue(q, delay, prefix, wake, jobs, first)
  local ranks, allRanked = promote(q[1], q[4], q[5], q[6], q[7], prefix)
  local direct = delay == 0 and allRanked
  local visibleAt = string.format('%d', now + delay)
  local count = math.floor((#jobs - first + 1) / 2)
  local ids = {}
  if count > 0 then
    local seq = redis.call('INCRBY', q[2], string.format('%d', count)) - count
    local perGroup = {}
    local groups = {}
    for i = first, #jobs, 2 do
      local payload, group = jobs[i], jobs[i + 1]
      seq = seq + 1
      -- zero-padded, so jobs due in the same millisecond lease in enqueue order (member order)
      local id = string.format('%016d', seq)
      redis.call('HSET', prefix .. id, 'p', payload, 'd', '0', 'g', group)
      if not perGroup[group] then
        perGroup[group] = 0
        groups[#groups + 1] = group
      end
      perGroup[group] = perGroup[group] + 1
      if direct then
        ranks.add(id, group)
      else
        redis.call('ZADD', q[1], visibleAt, id)
      end
      ids[#ids + 1] = id
    end
    for _, group in ipairs(groups) do
      redis.call('HINCRBY', q[3], group, string.format('%d', perGroup[group]))
    end
  end
  ranks.flush()
  if wake ~= '' then
    redis.call('PUBLISH', wake, '1')
  end
  return ids
end
