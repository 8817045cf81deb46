-- Fair order across groups within a queue: start-time fair queuing (docs/queues.md).
--
-- A job is either timed (rank IS NULL: delayed, or leased until visible_at, its lease's expiry)
-- or ready (rank set: visible, waiting for a worker). lease_job ranks the timed jobs that are
-- due, then leases the lowest rank. Existing jobs join the default group ('').

ALTER TABLE jobs ADD COLUMN grp text NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN rank bigint;

-- Timed jobs by visibility, without the ranked ones: otherwise every lease would step over all
-- the visible jobs already ranked (their visible_at is past too) to find the newly due ones.
DROP INDEX jobs_next;
CREATE INDEX jobs_timed ON jobs (queue, visible_at, id) WHERE rank IS NULL;
CREATE INDEX jobs_ready ON jobs (queue, rank, id) WHERE rank IS NOT NULL;
CREATE INDEX jobs_group ON jobs (queue, grp);

-- A queue's virtual time: the rank of the job leased last. Its row lock also serialises the
-- leases of one queue, so ranks are given and taken in one order across the cluster.
CREATE TABLE queue_clocks (
    queue  text   PRIMARY KEY,
    vtime  bigint NOT NULL
);

-- Each group's last rank; a row below the queue's virtual time ranks the group's next job as no
-- row does, so lease_job deletes those.
CREATE TABLE queue_groups (
    queue      text   NOT NULL,
    grp        text   NOT NULL,
    last_rank  bigint NOT NULL,
    PRIMARY KEY (queue, grp)
);

CREATE INDEX queue_groups_rank ON queue_groups (queue, last_rank);

-- Leases the next job of p_queue in fair order, or returns no row. One call, one transaction:
-- 1. lock the queue's clock row (leases of one queue run one at a time; they are short);
-- 2. rank the due timed jobs (at most 10,000 a call: five times the default cap of a queue, so jobs queued
--    while every worker was busy are all ranked by the next lease), in the order they became
--    visible: the n-th due job of a group gets max(vtime, the group's last rank + 1) + n - 1 -
--    the same ranks as ranking each when it became visible, because vtime moves only here;
-- 3. take the lowest rank (ties: lowest id, i.e. enqueue order), move vtime to it, and make the
--    job timed again with a fresh token, visible when the lease lapses.
CREATE FUNCTION lease_job(p_queue text, p_visibility_micros bigint)
RETURNS TABLE (o_id bigint, o_payload text, o_token text, o_deliveries integer, o_expires timestamptz)
LANGUAGE plpgsql
SET search_path = "${flyway:defaultSchema}"
AS $$
DECLARE
    v        bigint;
    p_id     bigint;
    p_rank   bigint;
BEGIN
    SELECT c.vtime INTO v FROM queue_clocks c WHERE c.queue = p_queue FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO queue_clocks AS c (queue, vtime) VALUES (p_queue, 0) ON CONFLICT (queue) DO NOTHING;
        SELECT c.vtime INTO v FROM queue_clocks c WHERE c.queue = p_queue FOR UPDATE;
    END IF;

    WITH due AS (
        SELECT j.id, j.grp,
               row_number() OVER (PARTITION BY j.grp ORDER BY j.visible_at, j.id) AS n
        FROM jobs j
        WHERE j.queue = p_queue AND j.rank IS NULL AND j.visible_at <= now()
        ORDER BY j.visible_at, j.id
        LIMIT 10000
    ), ranked AS (
        SELECT d.id, d.grp, greatest(v, coalesce(g.last_rank + 1, v)) + d.n - 1 AS r
        FROM due d LEFT JOIN queue_groups g ON g.queue = p_queue AND g.grp = d.grp
    ), updated AS (
        UPDATE jobs j SET rank = ranked.r, lease_token = NULL
        FROM ranked
        -- checked again: a holder may have extended its lease since the snapshot
        WHERE j.id = ranked.id AND j.rank IS NULL AND j.visible_at <= now()
        RETURNING j.grp, j.rank
    )
    INSERT INTO queue_groups AS g (queue, grp, last_rank)
    SELECT p_queue, u.grp, max(u.rank) FROM updated u GROUP BY u.grp
    ON CONFLICT (queue, grp) DO UPDATE SET last_rank = greatest(g.last_rank, EXCLUDED.last_rank);

    SELECT j.id, j.rank INTO p_id, p_rank
    FROM jobs j
    WHERE j.queue = p_queue AND j.rank IS NOT NULL
    ORDER BY j.rank, j.id
    LIMIT 1
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE queue_clocks c SET vtime = p_rank WHERE c.queue = p_queue;
    DELETE FROM queue_groups g WHERE g.queue = p_queue AND g.last_rank < p_rank;
    RETURN QUERY
    UPDATE jobs j SET rank = NULL, deliveries = j.deliveries + 1,
                      lease_token = gen_random_uuid()::text,
                      visible_at = now() + p_visibility_micros * interval '1 microsecond'
    WHERE j.id = p_id
    RETURNING j.id, j.payload, j.lease_token, j.deliveries, j.visible_at;
END
$$;
