-- Jobs in a queue: not yet visible (timer set) plus visible (ready set), read at one instant, so
-- a job a lease moves from one to the other is counted once.
-- KEYS[1] timer zset, KEYS[2] ready zset
return redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2])
