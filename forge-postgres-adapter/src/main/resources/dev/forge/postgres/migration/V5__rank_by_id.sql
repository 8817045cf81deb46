-- The ranking step of lease_jobs (V3, V4) wrote the ranks with an UPDATE joined to the query that
-- computed them. On a table without statistics (new, or never analyzed: autovacuum off) the
-- planner took both sides for one row and joined them in a nested loop that computed and sorted
-- the due jobs again for every job: ranking a batch of 1,000 just-enqueued jobs compared a
-- million pairs and took 0.6 s (auto_explain, 1 Dec 2026), all of it under the queue's clock row
-- lock, so every lease of the queue waited. And when nothing was due, the UPDATE still scanned
-- the visible part of jobs_timed of every queue (its WHERE did not name the queue). Now the
-- ranks are computed into two arrays first and written by id from them, one primary-key lookup
-- per job, and only when there are any. The ranks, the order and the rest of the function are
-- V4's; same signature, so nodes of an earlier version call it as before.
CREATE OR REPLACE FUNCTION lease_jobs(p_queue text, p_max integer, p_visibility_micros bigint)
RETURNS TABLE (o_id bigint, o_payload text, o_token text, o_deliveries integer, o_expires timestamptz)
LANGUAGE plpgsql
SET search_path = "${flyway:defaultSchema}"
AS $$
DECLARE
    v      bigint;
    ids    bigint[];
    top    bigint;
    due_ids   bigint[];
    due_ranks bigint[];
BEGIN
    -- nothing visible: return before taking the clock row's lock. The lock gives the
    -- transaction an id, so an empty lease used to commit with a WAL flush and queue behind
    -- (and hold up) every other lease of the queue; now it is a read. A job committed just
    -- after this check is one an instant earlier lease would have missed too, and its
    -- enqueue's NOTIFY wakes the caller again.
    IF NOT EXISTS (SELECT 1 FROM jobs j WHERE j.queue = p_queue AND j.rank IS NOT NULL)
       AND NOT EXISTS (SELECT 1 FROM jobs j
                       WHERE j.queue = p_queue AND j.rank IS NULL AND j.visible_at <= now()) THEN
        RETURN;
    END IF;
    SELECT c.vtime INTO v FROM queue_clocks c WHERE c.queue = p_queue FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO queue_clocks AS c (queue, vtime) VALUES (p_queue, 0) ON CONFLICT (queue) DO NOTHING;
        SELECT c.vtime INTO v FROM queue_clocks c WHERE c.queue = p_queue FOR UPDATE;
    END IF;

    -- rank the due timed jobs: the same ranks as V2's step, computed first and then written by
    -- id (see the header)
    SELECT array_agg(r.id), array_agg(r.rank) INTO due_ids, due_ranks
    FROM (
        SELECT d.id, greatest(v, coalesce(g.last_rank + 1, v)) + d.n - 1 AS rank
        FROM (SELECT j.id, j.grp,
                     row_number() OVER (PARTITION BY j.grp ORDER BY j.visible_at, j.id) AS n
              FROM jobs j
              WHERE j.queue = p_queue AND j.rank IS NULL AND j.visible_at <= now()
              ORDER BY j.visible_at, j.id
              LIMIT 10000) d
        LEFT JOIN queue_groups g ON g.queue = p_queue AND g.grp = d.grp
    ) r;
    IF due_ids IS NOT NULL THEN
        WITH updated AS (
            UPDATE jobs j SET rank = u.rank, lease_token = NULL
            FROM unnest(due_ids, due_ranks) AS u(id, rank)
            WHERE j.id = u.id AND j.rank IS NULL AND j.visible_at <= now()
            RETURNING j.grp, j.rank
        )
        INSERT INTO queue_groups AS g (queue, grp, last_rank)
        SELECT p_queue, u.grp, max(u.rank) FROM updated u GROUP BY u.grp
        ON CONFLICT (queue, grp) DO UPDATE SET last_rank = greatest(g.last_rank, EXCLUDED.last_rank);
    END IF;

    -- the p_max lowest ranks (ties: lowest id); the last of them is the queue's new virtual time,
    -- as after leasing them one by one, and groups below it lose their rows as they would then
    SELECT array_agg(p.id ORDER BY p.rank, p.id), max(p.rank) INTO ids, top
    FROM (SELECT j.id, j.rank FROM jobs j
          WHERE j.queue = p_queue AND j.rank IS NOT NULL
          ORDER BY j.rank, j.id
          LIMIT p_max
          FOR UPDATE) p;
    IF top IS NULL THEN
        RETURN;
    END IF;
    UPDATE queue_clocks c SET vtime = top WHERE c.queue = p_queue;
    DELETE FROM queue_groups g WHERE g.queue = p_queue AND g.last_rank < top;
    RETURN QUERY
    WITH leased AS (
        UPDATE jobs j SET rank = NULL, deliveries = j.deliveries + 1,
                          lease_token = gen_random_uuid()::text,
                          visible_at = now() + p_visibility_micros * interval '1 microsecond'
        WHERE j.id = ANY (ids)
        RETURNING j.id, j.payload, j.lease_token, j.deliveries, j.visible_at
    )
    SELECT l.id, l.payload, l.lease_token, l.deliveries, l.visible_at
    FROM leased l JOIN unnest(ids) WITH ORDINALITY AS o(id, n) ON o.id = l.id
    ORDER BY o.n;
END
$$;
