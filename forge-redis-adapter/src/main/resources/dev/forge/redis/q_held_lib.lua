-- Shared by q_held.lua and task_cas_ack.lua, which LuaScript loads with this text in front of
-- theirs: held() acts on a leased job if the lease still holds it: same token and not lapsed
-- (Redis time). An expired lease is lost even before another worker takes the job, so only one
-- holder can ever act on a delivery.
-- timers: the queue's timer zset (a held job is there, scored by its lease's expiry); job: the
-- job hash; groupJobs: jobs per group; action: extend|ack|release; ms: visibility for extend,
-- delay for release.
-- Returns 0 when the lease is lost, else 1 (extend: the new expiry in epoch ms).
local function held(timers, job, groupJobs, id, token, action, ms, wakeChannel)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  -- token and group in one read: an ack needs both
  local fields = redis.call('HMGET', job, 't', 'g')
  if fields[1] ~= token then
    return 0
  end
  local score = redis.call('ZSCORE', timers, id)
  if not score or tonumber(score) <= now then
    return 0
  end
  if action == 'ack' then
    local g = fields[2] or ''
    if redis.call('HINCRBY', groupJobs, g, '-1') <= 0 then
      redis.call('HDEL', groupJobs, g)
    end
    redis.call('DEL', job)
    redis.call('ZREM', timers, id)
    return 1
  end
  local at = now + tonumber(ms)
  if action == 'extend' then
    redis.call('ZADD', timers, string.format('%d', at), id)
    return at
  end
  redis.call('HDEL', job, 't')
  redis.call('ZADD', timers, string.format('%d', at), id)
  redis.call('PUBLISH', wakeChannel, '1')
  return 1
end
