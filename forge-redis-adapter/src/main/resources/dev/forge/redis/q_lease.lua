-- Leases the first due job of the first queue that has one. A job's score is when it is next
-- visible: its enqueue or retry time while waiting, its lease's expiry while leased - so a lapsed
-- lease is due again without a sweeper, and only this script, atomically, hands a job out.
-- KEYS[i] queue zsets in preference order; ARGV[1] visibility ms, ARGV[2] the new token,
-- ARGV[2 + i] job key prefix of KEYS[i].
-- Returns {i, id, payload, deliveries, expiresAt ms} or {0, ms until the next job is due or -1}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local vis = tonumber(ARGV[1])
local nextDue = -1
for i = 1, #KEYS do
  while true do
    local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    if #first == 0 then
      break
    end
    local id = first[1]
    local score = tonumber(first[2])
    if score > now then
      if nextDue < 0 or score - now < nextDue then
        nextDue = score - now
      end
      break
    end
    local job = ARGV[2 + i] .. id
    local payload = redis.call('HGET', job, 'p')
    if not payload then
      redis.call('ZREM', KEYS[i], id) -- an entry without its job: never hand it out
    else
      local deliveries = redis.call('HINCRBY', job, 'd', 1)
      redis.call('HSET', job, 't', ARGV[2])
      local expires = now + vis
      redis.call('ZADD', KEYS[i], string.format('%d', expires), id)
      return {i, id, payload, deliveries, expires}
    end
  end
end
return {0, nextDue}
