-- A task's row is written three times: created, started by its lease, finished by its final
-- record. Both updates leave every indexed column as it was (id, kind, owner, created_at) but for
-- finished_at, which only tasks_finished indexed; and a full page (the default fillfactor of
-- 100) has no room for the new version. So each update wrote a new version on another page and a
-- new entry in every index: seven index entries per task that nobody reads. Now every page keeps
-- room for the updates, and retention finds old tasks by the kind history index instead (a task
-- that finished before a time was created before it), so both updates can stay on the page
-- (heap-only tuples) and touch no index.
ALTER TABLE tasks SET (fillfactor = 70);
DROP INDEX tasks_finished;
