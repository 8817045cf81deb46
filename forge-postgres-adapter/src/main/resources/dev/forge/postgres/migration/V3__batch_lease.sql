-- Batch lease: lease_jobs leases up to p_max jobs of a queue in one call, under one lock of the
-- queue's clock row, so the serialised part of leasing (lock, rank, commit) is paid once per
-- batch rather than once per job. The jobs are those that p_max calls of lease_job at the same
-- moment would lease, in the same order: the p_max lowest ranks after ranking the due jobs once.
-- lease_job stays as it was, for nodes of an older version during a rolling upgrade.
CREATE FUNCTION lease_jobs(p_queue text, p_max integer, p_visibility_micros bigint)
RETURNS TABLE (o_id bigint, o_payload text, o_token text, o_deliveries integer, o_expires timestamptz)
LANGUAGE plpgsql
SET search_path = "${flyway:defaultSchema}"
AS $$
DECLARE
    v      bigint;
    ids    bigint[];
    top    bigint;
BEGIN
    SELECT c.vtime INTO v FROM queue_clocks c WHERE c.queue = p_queue FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO queue_clocks AS c (queue, vtime) VALUES (p_queue, 0) ON CONFLICT (queue) DO NOTHING;
        SELECT c.vtime INTO v FROM queue_clocks c WHERE c.queue = p_queue FOR UPDATE;
    END IF;

    -- rank the due timed jobs: the same step as in lease_job (V2)
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
        WHERE j.id = ranked.id AND j.rank IS NULL AND j.visible_at <= now()
        RETURNING j.grp, j.rank
    )
    INSERT INTO queue_groups AS g (queue, grp, last_rank)
    SELECT p_queue, u.grp, max(u.rank) FROM updated u GROUP BY u.grp
    ON CONFLICT (queue, grp) DO UPDATE SET last_rank = greatest(g.last_rank, EXCLUDED.last_rank);

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
