-- Creates tasks unless their ids exist, each with its index entries, atomically: a single create
-- is a batch of one. Each task's index entries are gathered and added by one ZADD per index key
-- (a batch's tasks mostly share their owner and kind), not one per task: a call to redis.call
-- is a good part of what a create costs Redis.
-- KEYS[1] terminal index, then three keys per task: task hash, owner+kind index, all-owners index
-- ARGV six per task: record JSON, version, index member ("<createdAt key>|<id>"),
-- terminal score (epoch ms) or '' when not terminal, id, completion key
-- Returns the positions (1-based, in order) of the tasks not created because their id exists.
local existing = {}
local members = {}
local indexes = {}
local terminal = {}

local function index(key, member)
  local list = members[key]
  if not list then
    list = {}
    members[key] = list
    indexes[#indexes + 1] = key
  end
  list[#list + 1] = 0
  list[#list + 1] = member
end

for t = 0, #ARGV / 6 - 1 do
  local task, owner, all = KEYS[2 + 3 * t], KEYS[3 + 3 * t], KEYS[4 + 3 * t]
  local a = 6 * t
  if redis.call('EXISTS', task) == 1 then
    existing[#existing + 1] = t + 1
  else
    redis.call('HSET', task, 'rec', ARGV[a + 1], 'v', ARGV[a + 2], 'm', ARGV[a + 3], 'oi', owner, 'ai', all,
      'done', ARGV[a + 6])
    index(owner, ARGV[a + 3])
    index(all, ARGV[a + 3])
    if ARGV[a + 4] ~= '' then
      terminal[#terminal + 1] = ARGV[a + 4]
      terminal[#terminal + 1] = ARGV[a + 5]
    end
  end
end
for _, key in ipairs(indexes) do
  redis.call('ZADD', key, unpack(members[key]))
end
if #terminal > 0 then
  redis.call('ZADD', KEYS[1], unpack(terminal))
end
return existing
