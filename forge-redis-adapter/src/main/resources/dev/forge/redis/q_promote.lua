-- Shared by q_enqueue.lua and q_lease.lua, which LuaScript loads with this text in front of
-- theirs: Redis time now (ms); ranker(), which ranks jobs into a ready set, each at
-- max(virtual time, its group's last rank + 1) - the start-time fair order of docs/queues.md;
-- and promote(), which moves the due entries of a timer set to the ready set in the order they
-- became visible.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- now as text, for commands: seconds, then the first three of the six microsecond digits. Numbers
-- go to redis.call as text throughout: Lua turns a number argument into text with
-- sprintf("%.14g"), which costs Redis more than the command it is for (docs/redis.md).
local nowText = t[1] .. string.sub('00000' .. t[2], -6, -4)
-- a bound on one call's work; later calls (leases and enqueues) rank the rest
local PROMOTE_MAX = 1000
local PROMOTE_MAX_TEXT = '1000'

-- Ranks jobs in the order add() is called. A group's last rank is read once and written once
-- per call, and the ready set gets one ZADD per 500 jobs: a batch of one group's jobs costs a
-- few commands, not four per job. flush() writes what add() collected.
local function ranker(ready, clock, lastRanks, readyGroups)
  local v -- the virtual time, read when the first job is ranked
  local last, added, groups, entries = {}, {}, {}, {}
  local self = {}
  function self.add(id, g)
    if v == nil then
      v = tonumber(redis.call('GET', clock) or '0')
    end
    local l = last[g]
    if l == nil then
      l = redis.call('ZSCORE', lastRanks, g)
      l = l and tonumber(l) or false
      groups[#groups + 1] = g
      added[g] = 0
    end
    local rank = v
    if l and l + 1 > rank then
      rank = l + 1
    end
    last[g] = rank
    added[g] = added[g] + 1
    entries[#entries + 1] = string.format('%d', rank)
    entries[#entries + 1] = id
  end
  function self.flush()
    for _, g in ipairs(groups) do
      redis.call('ZADD', lastRanks, string.format('%d', last[g]), g)
      redis.call('HINCRBY', readyGroups, g, string.format('%d', added[g]))
    end
    for from = 1, #entries, 1000 do
      redis.call('ZADD', ready, unpack(entries, from, math.min(#entries, from + 999)))
    end
  end
  return self
end

-- Ranks the due timer entries; returns the ranker (to rank more jobs after them) and whether
-- every due entry was ranked (false when PROMOTE_MAX cut the call short).
local function promote(timers, ready, clock, lastRanks, readyGroups, prefix)
  local due = redis.call('ZRANGEBYSCORE', timers, '-inf', nowText, 'LIMIT', '0', PROMOTE_MAX_TEXT)
  local ranks = ranker(ready, clock, lastRanks, readyGroups)
  if #due == 0 then
    return ranks, true
  end
  for from = 1, #due, 1000 do
    redis.call('ZREM', timers, unpack(due, from, math.min(#due, from + 999)))
  end
  for _, id in ipairs(due) do
    local job = prefix .. id
    local fields = redis.call('HMGET', job, 'p', 'g', 't')
    if fields[1] then -- an entry without its job is dropped: never hand it out
      if fields[3] then -- a lapsed lease's token; a job never leased has none
        redis.call('HDEL', job, 't')
      end
      ranks.add(id, fields[2] or '') -- jobs queued before fairness: the default group
    end
  end
  return ranks, #due < PROMOTE_MAX
end
