-- Appends a batch of lines to a task's bounded log: the same head/tail rules as the in-memory
-- BoundedLog (head up to half the cap, a rolling tail in the rest, an over-long line shortened
-- at a UTF-8 character boundary). Returns the number of lines ever appended.
-- KEYS[1] meta hash, KEYS[2] head list, KEYS[3] tail list, KEYS[4] task hash
-- ARGV[1] cap in bytes, ARGV[2] '1' to ignore the lines when the task does not exist,
-- ARGV[3..] the lines
local m = redis.call('HMGET', KEYS[1], 'n', 'hb', 'hc', 'hn', 'tb', 'tn', 'cl', 'cb')
local n = tonumber(m[1]) or 0
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[4]) == 0 then
  return n
end
if #ARGV < 3 then
  return n
end
local max = tonumber(ARGV[1])
local headCap = math.floor(max / 2)
local hb = tonumber(m[2]) or 0
local hc = tonumber(m[3]) or 0
local hn = tonumber(m[4]) or 0
local tb = tonumber(m[5]) or 0
local tn = tonumber(m[6]) or 0
local cl = tonumber(m[7]) or 0
local cb = tonumber(m[8]) or 0

local function truncate(text, limit)
  if limit <= 0 then
    return ''
  end
  local cut = limit + 1
  -- back off over continuation bytes (10xxxxxx) so no character is split
  while cut > 1 do
    local b = string.byte(text, cut)
    if b == nil or b < 0x80 or b >= 0xC0 then
      break
    end
    cut = cut - 1
  end
  return string.sub(text, 1, cut - 1)
end

for i = 3, #ARGV do
  local text = ARGV[i]
  local bytes = #text + 1
  n = n + 1
  if hc == 0 and hb + bytes <= headCap then
    redis.call('RPUSH', KEYS[2], text)
    hb = hb + bytes
    hn = hn + 1
  else
    hc = 1
    local tailCap = max - hb
    if bytes > tailCap then
      local kept = truncate(text, tailCap - 1)
      local keptBytes = #kept + 1
      cb = cb + bytes - keptBytes
      cl = cl + tn
      cb = cb + tb
      redis.call('DEL', KEYS[3])
      tb = 0
      tn = 0
      text = kept
      bytes = keptBytes
    end
    redis.call('RPUSH', KEYS[3], text)
    tb = tb + bytes
    tn = tn + 1
    while tb > tailCap do
      local dropped = redis.call('LPOP', KEYS[3])
      tb = tb - (#dropped + 1)
      tn = tn - 1
      cl = cl + 1
      cb = cb + #dropped + 1
    end
  end
end
redis.call('HSET', KEYS[1], 'n', n, 'hb', hb, 'hc', hc, 'hn', hn, 'tb', tb, 'tn', tn,
  'cl', cl, 'cb', cb)
return n
