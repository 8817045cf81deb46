-- Leases the lowest-ranked visible job of the first queue that has one, in start-time fair
-- order across groups (see JobQueue and docs/queues.md).
--
-- A job waits in one of two sorted sets. The timer set (KEYS[5i-4]) holds jobs not visible yet,
-- scored by when they become visible: a delayed job's due time, a leased job's expiry - so a
-- lapsed lease is due again without a sweeper. The ready set (KEYS[5i-3]) holds visible jobs,
-- scored by fair rank; ties go by member, the zero-padded id, i.e. enqueue order. First the
-- timer entries that are due move to the ready set, in the order they became visible, each
-- ranked max(virtual time, its group's last rank + 1); ranking them here rather than at their
-- due time changes nothing, as the virtual time moves only in this script. Then the lowest rank
-- is leased, and the virtual time moves to it.
--
-- KEYS per queue i (5 each): timer zset, ready zset, virtual time, last rank per group (zset),
-- visible jobs per group (hash); in preference order.
-- Up to ARGV[3] jobs are leased in one call, one from each queue in turn (preference order first)
-- while any has one; inside a queue they are the jobs that as many single leases would take.
--
-- ARGV[1] visibility ms, or 'count' to only rank due jobs and return the number of groups with
-- visible jobs in the first queue; ARGV[2] the token of the first job (the n-th job's token is
-- ARGV[2] .. ':' .. n); ARGV[3] the most jobs to lease; ARGV[3 + i] job key prefix of queue i;
-- then the task key prefix, or '' (or nothing): with one, each job's task record is read beside
-- it (a job's payload is its task's id), so the worker's find that follows costs no round trip;
-- then the instant to start tasks at (ISO-8601, the worker's clock), or '' (or nothing): with
-- one, each job's task that waits to run (initializing) is moved to running too, as
-- TaskRecord.start would (see start()).
-- Returns {n, then n times: i, id, payload, deliveries, expiresAt ms, token, task record JSON or
-- nil, 1 if this call started the task else 0} or {0, ms until the next job is due or -1}.
-- now and promote() come from q_promote.lua, loaded in front of this script.
local queues = #KEYS / 5
if ARGV[1] == 'count' then
  promote(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[4]).flush()
  return redis.call('HLEN', KEYS[5])
end
local vis = tonumber(ARGV[1])
local max = tonumber(ARGV[3])
local taskPrefix = ARGV[4 + queues] or ''
local startAt = ARGV[5 + queues] or ''
-- every job leased in this call expires at the same instant
local expires = now + vis
local expiresText = string.format('%d', expires)
-- per queue: the last rank leased (the virtual time to store) and the visible jobs taken per
-- group, written once at the end - ranks leased in one call only rise, and nothing in between
-- reads them
local lastRank = {}
local taken = {}

-- Moves the task of hash key task, whose stored record is record and version version, to
-- running at startAt if it waits to run; returns the record it then holds and 1, or record and 0.
-- TaskCodec.write puts the fields a start changes last, from "status" on, in a fixed order, and
-- only numbers, times and escaped text (in which no bare quote can stand) follow "status": so the
-- record's last ',"status":"' begins them. They are replaced by what TaskRecord.start gives:
-- running, the next attempt and version, progress 0, no step or error, updated and started now.
-- A record of another layout (written before this one) does not match and is left as it is; so
-- is one whose version is not the hash's.
local function start(task, record, version)
  local at = nil
  local from = 1
  while true do
    local found = string.find(record, ',"status":"', from, true)
    if not found then
      break
    end
    at = found
    from = found + 11
  end
  if not at then
    return record, 0
  end
  local attempt, v = string.match(record,
    '^,"status":"INITIALIZING","attempt":(%d+),"version":(%d+),"progress":', at)
  if not attempt or v ~= version then
    return record, 0
  end
  local nextVersion = string.format('%d', tonumber(v) + 1)
  local started = string.sub(record, 1, at - 1) .. ',"status":"RUNNING","attempt":'
    .. string.format('%d', tonumber(attempt) + 1) .. ',"version":' .. nextVersion
    .. ',"progress":0,"updatedAt":"' .. startAt .. '","startedAt":"' .. startAt .. '"}'
  redis.call('HSET', task, 'rec', started, 'v', nextVersion)
  return started, 1
end

-- Leases the lowest-ranked job of queue i; false when it has no visible job.
local function leaseOne(i, token)
  local k = 5 * (i - 1)
  local timers, ready = KEYS[k + 1], KEYS[k + 2]
  local prefix = ARGV[3 + i]
  while true do
    local first = redis.call('ZPOPMIN', ready)
    if #first == 0 then
      return false
    end
    local id = first[1]
    local job = prefix .. id
    local fields = redis.call('HMGET', job, 'p', 'g', 'd')
    local g = fields[2] or ''
    taken[i][g] = (taken[i][g] or 0) + 1
    if fields[1] then
      lastRank[i] = first[2]
      local deliveries = tonumber(fields[3] or '0') + 1
      redis.call('HSET', job, 't', token, 'd', string.format('%d', deliveries))
      redis.call('ZADD', timers, expiresText, id)
      local record = false
      local started = 0
      if taskPrefix ~= '' then
        local task = taskPrefix .. fields[1]
        if startAt ~= '' then
          local stored = redis.call('HMGET', task, 'rec', 'v')
          record = stored[1]
          if record then
            record, started = start(task, record, stored[2])
          end
        else
          record = redis.call('HGET', task, 'rec')
        end
      end
      return {i, id, fields[1], deliveries, expires, token, record, started}
    end
  end
end

for i = 1, queues do
  local k = 5 * (i - 1)
  promote(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5], ARGV[3 + i]).flush()
  taken[i] = {}
end
local leased = {0}
local n = 0
local empty = {}
local more = true
while more and n < max do
  more = false
  for i = 1, queues do
    if n < max and not empty[i] then
      local token = ARGV[2]
      if n > 0 then
        token = string.format('%s:%d', token, n + 1)
      end
      local got = leaseOne(i, token)
      if got then
        n = n + 1
        for _, v in ipairs(got) do
          leased[#leased + 1] = v
        end
        more = true
      else
        empty[i] = true
      end
    end
  end
end
for i = 1, queues do
  local k = 5 * (i - 1)
  for g, count in pairs(taken[i]) do
    if redis.call('HINCRBY', KEYS[k + 5], g, string.format('%d', -count)) <= 0 then
      redis.call('HDEL', KEYS[k + 5], g)
    end
  end
  if lastRank[i] then
    redis.call('SET', KEYS[k + 3], lastRank[i])
    -- a last rank below the virtual time ranks a group's next job as no entry does
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 4], '-inf', '(' .. lastRank[i])
  end
end
if n > 0 then
  leased[1] = n
  return leased
end
local nextDue = -1
for i = 1, queues do
  local pending = redis.call('ZRANGE', KEYS[5 * (i - 1) + 1], '0', '0', 'WITHSCORES')
  if #pending > 0 then
    local wait = tonumber(pending[2]) - now
    if nextDue < 0 or wait < nextDue then
      nextDue = wait
    end
  end
end
return {0, nextDue}
