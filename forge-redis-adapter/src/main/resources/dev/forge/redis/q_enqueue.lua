-- enqueue() (from q_enqueue_lib.lua, loaded in front with q_promote.lua) on one queue.
-- KEYS[1] timer zset (score: visible-at epoch ms), KEYS[2] id sequence, KEYS[3] jobs per group,
-- KEYS[4] ready zset, KEYS[5] virtual time, KEYS[6] last rank per group, KEYS[7] visible jobs
-- per group
-- ARGV[1] delay ms, ARGV[2] job key prefix, ARGV[3] wake channel, then a (payload, group) pair
-- per job: ARGV[4], ARGV[5], ...
-- Returns the jobs' ids, in order.
return enqueue(KEYS, tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV, 4)
