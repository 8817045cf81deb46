-- Shared by task_create.lua and task_create_enqueue.lua, which LuaScript loads with this text in
-- front of theirs: create() creates a task unless its id exists, and indexes it, atomically;
-- returns 1, or 0 when the id exists (then it writes nothing).
-- task: the task hash; owner/all: the owner+kind and all-owners indexes; terminal: the terminal
-- index; record: JSON; member: index member ("<createdAt key>|<id>"); score: terminal score
-- (epoch ms) or '' when not terminal; completion: completion key.
-- Numbers go to redis.call as text ('0', not 0): Lua turns a number argument into text with
-- sprintf("%.14g"), which costs Redis more than the command it is for (docs/redis.md).
local function create(task, owner, all, terminal, record, version, member, score, id, completion)
  if redis.call('EXISTS', task) == 1 then
    return 0
  end
  redis.call('HSET', task, 'rec', record, 'v', version, 'm', member, 'oi', owner, 'ai', all,
    'done', completion)
  redis.call('ZADD', owner, '0', member)
  redis.call('ZADD', all, '0', member)
  if score ~= '' then
    redis.call('ZADD', terminal, score, id)
  end
  return 1
end
