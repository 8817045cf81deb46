-- create() (from task_create_lib.lua, loaded in front) on one task.
-- KEYS[1] task hash, KEYS[2] owner+kind index, KEYS[3] all-owners index, KEYS[4] terminal index
-- ARGV[1] record JSON, ARGV[2] version, ARGV[3] index member ("<createdAt key>|<id>"),
-- ARGV[4] terminal score (epoch ms) or '' when not terminal, ARGV[5] id, ARGV[6] completion key
return create(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
