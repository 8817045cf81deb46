-- Takes the lock for the holder, or extends it when the holder has it already.
-- KEYS[1] lock; ARGV[1] holder, ARGV[2] lease ms. Returns 1 when held by the holder now.
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if current then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
