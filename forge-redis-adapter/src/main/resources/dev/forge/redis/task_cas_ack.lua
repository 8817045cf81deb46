-- A worker's final record and its job's ack in one step: cas() as task_cas.lua, then, only when
-- it stored the record, held(..., 'ack') as q_held.lua (both loaded in front). An ack the lease
-- lost is no error: the record was stored, so this returns 1 all the same.
-- KEYS[1] task hash, KEYS[2] terminal index, KEYS[3] queue timer zset, KEYS[4] job hash,
-- KEYS[5] jobs per group
-- ARGV[1..6] as task_cas.lua, ARGV[7] job id, ARGV[8] token
if cas(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]) == 0 then
  return 0
end
held(KEYS[3], KEYS[4], KEYS[5], ARGV[7], ARGV[8], 'ack', '0', '')
return 1
