-- Shared by task_cas.lua and task_cas_ack.lua, which LuaScript loads with this text in front of
-- theirs: cas() is the compare-and-set on (id, version). It writes the next record and keeps the
-- terminal index consistent with it, or does nothing when the stored version differs or the
-- task is gone; returns 1 or 0.
-- task: the task hash; terminal: the terminal index; expected/version: the versions;
-- score: terminal score (epoch ms) or ''; completion: completion key.
-- Only a record whose stored completion key is set is in the terminal index, so a change between
-- two non-terminal records (every status a job passes through) leaves the index alone.
local function cas(task, terminal, expected, record, version, score, id, completion)
  local stored = redis.call('HMGET', task, 'v', 'done')
  if stored[1] ~= expected then
    return 0
  end
  redis.call('HSET', task, 'rec', record, 'v', version, 'done', completion)
  if score ~= '' then
    redis.call('ZADD', terminal, score, id)
  elseif stored[2] and stored[2] ~= '' then
    redis.call('ZREM', terminal, id)
  end
  return 1
end
