-- Submission in one step: create() (task_create_lib.lua) for each record, then enqueue()
-- (q_enqueue_lib.lua) of one job for each record it created - payload the task id, group its
-- owner, no delay. A record whose id exists is not stored again and gets no job. All three libs
-- (and q_promote.lua) are loaded in front.
-- KEYS[1..7] the queue's keys as q_enqueue.lua's, KEYS[8] terminal index, then per record:
-- task hash, owner+kind index, all-owners index (KEYS[9], KEYS[10], KEYS[11], ...)
-- ARGV[1] job key prefix, ARGV[2] wake channel or '' (see enqueue()), then per record seven
-- arguments: task_create.lua's six (JSON, version, member, terminal score, id, completion key)
-- and the owner
-- Returns, per record, 1 when created (and queued) or 0 when its id existed.
local created = {}
local jobs = {}
for r = 0, (#ARGV - 2) / 7 - 1 do
  local k, a = 9 + 3 * r, 3 + 7 * r
  local id = ARGV[a + 4]
  created[r + 1] = create(KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[8], ARGV[a], ARGV[a + 1],
    ARGV[a + 2], ARGV[a + 3], id, ARGV[a + 5])
  if created[r + 1] == 1 then
    jobs[#jobs + 1] = id
    jobs[#jobs + 1] = ARGV[a + 6]
  end
end
enqueue(KEYS, 0, ARGV[1], ARGV[2], jobs, 1)
return created
