-- The whole stored log, read atomically: {total, head count, tail count, cut lines, cut bytes,
-- head lines..., tail lines...}.
-- KEYS[1] meta hash, KEYS[2] head list, KEYS[3] tail list
local m = redis.call('HMGET', KEYS[1], 'n', 'cl', 'cb')
local head = redis.call('LRANGE', KEYS[2], 0, -1)
local tail = redis.call('LRANGE', KEYS[3], 0, -1)
local out = {tonumber(m[1]) or 0, #head, #tail, tonumber(m[2]) or 0, tonumber(m[3]) or 0}
for _, line in ipairs(head) do
  out[#out + 1] = line
end
for _, line in ipairs(tail) do
  out[#out + 1] = line
end
return out
