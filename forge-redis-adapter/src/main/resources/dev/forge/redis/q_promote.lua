-- Shared by q_enqueue.lua and q_lease.lua, which LuaScript loads with this text in front of
-- theirs: Redis time now (ms), and promote(), which moves the due entries of a timer set to the
-- ready set in the order they became visible, each ranked max(virtual time, its group's last
-- rank + 1) - the start-time fair order of docs/queues.md.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- a bound on one call's work; later calls (leases and enqueues) rank the rest
local PROMOTE_MAX = 1000

local function promote(timers, ready, clock, lastRanks, readyGroups, prefix)
  local due = redis.call('ZRANGEBYSCORE', timers, '-inf', now, 'LIMIT', 0, PROMOTE_MAX)
  if #due == 0 then
    return
  end
  local v = tonumber(redis.call('GET', clock) or '0')
  for _, id in ipairs(due) do
    redis.call('ZREM', timers, id)
    local job = prefix .. id
    local fields = redis.call('HMGET', job, 'p', 'g', 't')
    if fields[1] then -- an entry without its job is dropped: never hand it out
      local g = fields[2] or '' -- jobs queued before fairness: the default group
      local rank = v
      local last = redis.call('ZSCORE', lastRanks, g)
      if last and tonumber(last) + 1 > rank then
        rank = tonumber(last) + 1
      end
      redis.call('ZADD', lastRanks, string.format('%d', rank), g)
      redis.call('HINCRBY', readyGroups, g, 1)
      if fields[3] then -- a lapsed lease's token; a job never leased has none
        redis.call('HDEL', job, 't')
      end
      redis.call('ZADD', ready, string.format('%d', rank), id)
    end
  end
end

