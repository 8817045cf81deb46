-- Stored lines numbered above ARGV[1], contiguous from the first one returned:
-- {total, first line number, truncated (0/1), lines...}. Head lines are numbered 1..hn, tail
-- lines end at the total; a slice never spans the cut between them.
-- KEYS[1] meta hash, KEYS[2] head list, KEYS[3] tail list; ARGV[1] afterLine (>= 0)
local after = tonumber(ARGV[1])
local m = redis.call('HMGET', KEYS[1], 'n', 'hn', 'tn')
local n = tonumber(m[1]) or 0
local hn = tonumber(m[2]) or 0
local tn = tonumber(m[3]) or 0
local tailFirst = n - tn + 1
local out = {n, after + 1, 0}
if after >= n then
  out[2] = n + 1
  return out
end
if after < hn then
  for _, line in ipairs(redis.call('LRANGE', KEYS[2], after, -1)) do
    out[#out + 1] = line
  end
  if tailFirst == hn + 1 then
    for _, line in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
      out[#out + 1] = line
    end
  end
  return out
end
local start = math.max(after + 1, tailFirst)
out[2] = start
if start > after + 1 then
  out[3] = 1
end
if start <= n then
  for _, line in ipairs(redis.call('LRANGE', KEYS[3], start - tailFirst, -1)) do
    out[#out + 1] = line
  end
end
return out
