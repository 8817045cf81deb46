-- One page of an index, newest first, with the total, read atomically.
-- KEYS[1] index (all scores 0, members "<createdAt key>|<id>" in lexicographic order)
-- ARGV[1] offset, ARGV[2] limit, ARGV[3] task key prefix
local total = redis.call('ZCARD', KEYS[1])
local out = {total}
local limit = tonumber(ARGV[2])
if limit > 0 then
  local offset = tonumber(ARGV[1])
  local members = redis.call('ZRANGE', KEYS[1], offset, offset + limit - 1, 'REV')
  for _, member in ipairs(members) do
    local id = string.match(member, '|(.*)$')
    local rec = redis.call('HGET', ARGV[3] .. id, 'rec')
    if rec then
      out[#out + 1] = rec
    end
  end
end
return out
