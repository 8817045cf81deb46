-- held() (from q_held_lib.lua, loaded in front) on one lease.
-- KEYS[1] queue timer zset, KEYS[2] job hash, KEYS[3] jobs per group
-- ARGV[1] job id, ARGV[2] token, ARGV[3] action (extend|ack|release), ARGV[4] ms
-- (visibility for extend, delay for release), ARGV[5] wake channel
return held(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
