-- cas() (from task_cas_lib.lua, loaded in front) on one task.
-- KEYS[1] task hash, KEYS[2] terminal index
-- ARGV[1] expected version, ARGV[2] next record JSON, ARGV[3] next version,
-- ARGV[4] terminal score (epoch ms) or '', ARGV[5] id, ARGV[6] completion key
return cas(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
